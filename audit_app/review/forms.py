"""Forms for the review pages. Each form checks what it can alone; the services check the
rest (state, assignment, the question) and their messages go back onto the fields."""
from flask_wtf import FlaskForm
from govuk_frontend_wtf import wtforms_widgets as gov
from wtforms import HiddenField, RadioField, SelectField, StringField, SubmitField, \
    TextAreaField
from wtforms.validators import ValidationError

from ..questionnaires.forms import rendered_once
from .services import MAX_NAME_LENGTH

AGREE = "agree"

# The review pages' widgets render their GOV.UK markup once per distinct params: a
# reviewer opens the same few forms, mostly empty, on every page.
GovRadioInput = rendered_once(gov.GovRadioInput)
GovSelect = rendered_once(gov.GovSelect)
GovSubmitInput = rendered_once(gov.GovSubmitInput)
GovTextArea = rendered_once(gov.GovTextArea)
GovTextInput = rendered_once(gov.GovTextInput)


class ModerationForm(FlaskForm):
    rating = RadioField("Your rating", widget=GovRadioInput(), choices=[],
                        validate_choice=False)
    reason = TextAreaField("Reason for changing the rating", widget=GovTextArea(),
                           description="Required if you change the rating. The organisation "
                                       "sees this once the return is returned or accepted.")
    submit = SubmitField("Save rating", widget=GovSubmitInput())

    def set_scale(self, options: list[tuple[str, str]], self_label: str | None) -> None:
        self.rating.choices = [(AGREE, f"Agree with the self-rating ({self_label or 'none'})")] \
            + [(value, label) for value, label in options]

    def chosen_rating(self) -> str | None:
        return None if self.rating.data in (None, "", AGREE) else self.rating.data


class QueryForm(FlaskForm):
    question_id = HiddenField()
    body = TextAreaField("Your query", widget=GovTextArea(),
                         description="Say what the organisation should explain or change. "
                                     "Do not name children or staff.")
    submit_query = SubmitField("Raise query", widget=GovSubmitInput())


class AcceptForm(FlaskForm):
    countersigned_name = StringField("Your name, to countersign the return",
                                     widget=GovTextInput())
    accept = SubmitField("Accept return", widget=GovSubmitInput())

    def validate_countersigned_name(self, field):
        if len(field.data or "") > MAX_NAME_LENGTH:
            # A ValidationError goes onto the field; any other error would be a 500.
            raise ValidationError(f"Your name must be {MAX_NAME_LENGTH} characters or fewer")


class ReturnForm(FlaskForm):
    send_back = SubmitField("Return for changes", widget=GovSubmitInput())


class ReopenForm(FlaskForm):
    reason = TextAreaField("Reason for reopening", widget=GovTextArea())
    reopen = SubmitField("Reopen return", widget=GovSubmitInput())


class CloseQueryForm(FlaskForm):
    close = SubmitField("Close query", widget=GovSubmitInput())


class SampleForm(FlaskForm):
    cycle_id = SelectField("Audit cycle", widget=GovSelect(), choices=[], coerce=str,
                           validate_choice=False)
    percentage = StringField("Percentage of accepted returns", widget=GovTextInput())
    seed = StringField("Seed", widget=GovTextInput(),
                       description="Any word or date. The same seed draws the same sample.")
    draw = SubmitField("Draw sample", widget=GovSubmitInput())



class AssignmentForm(FlaskForm):
    user_id = SelectField("Reviewer", widget=GovSelect(), choices=[], coerce=str,
                          validate_choice=False)
    scope = SelectField("Returns to review", widget=GovSelect(), choices=[], coerce=str,
                        validate_choice=False)
    assign = SubmitField("Assign reviewer", widget=GovSubmitInput())
