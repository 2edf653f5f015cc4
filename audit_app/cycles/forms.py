"""Forms for the cycle pages."""
from datetime import date

from flask_wtf import FlaskForm
from govuk_frontend_wtf.wtforms_widgets import (GovCheckboxesInput, GovDateInput, GovSelect,
                                                GovSubmitInput, GovTextArea, GovTextInput)
from wtforms import Field, SelectField, SelectMultipleField, StringField, SubmitField, TextAreaField
from wtforms.validators import DataRequired, InputRequired, Length, StopValidation, ValidationError

from ..timeutil import today_london
from .coverage import COVERAGE_FILTERS
from .errors import CycleError
from .reminders import DEFAULT_REMINDER_DAYS, parse_reminder_days
from .transitions import MAX_REASON_LENGTH

DATE_PARTS = ("day", "month", "year")


class GovukDateField(Field):
    """Day, month and year inputs with the GOV.UK error messages; ``data`` is a date when
    the three make a real one."""

    widget = GovDateInput()

    def __init__(self, label=None, validators=None, *, words: str, required: bool = True,
                 **kwargs):
        super().__init__(label, validators, **kwargs)
        self.words = words
        self.required = required
        self.parts = ["", "", ""]

    def process_formdata(self, valuelist):
        parts = [str(value).strip() for value in valuelist[:3]]
        self.parts = parts + [""] * (3 - len(parts))
        # The widget shows exactly what was typed, three parts, or the stored date.
        self.raw_data = self.parts if any(self.parts) else None
        self.data = _make_date(self.parts)

    def process_data(self, value):
        self.data = value if isinstance(value, date) else None

    def _value(self):
        return self.data.isoformat() if isinstance(self.data, date) else ""

    def pre_validate(self, form):
        if not any(self.parts) and self.data is None:
            if self.required:
                raise StopValidation(f"Enter the {self.words}")
            return
        if any(self.parts):
            missing = [name for name, part in zip(DATE_PARTS, self.parts) if not part]
            if missing:
                raise StopValidation(f"The {self.words} must include a "
                                     f"{' and a '.join(missing)}")
        if self.data is None:
            raise StopValidation(f"The {self.words} must be a real date")


def _make_date(parts) -> date | None:
    day, month, year = parts
    if not (day.isdigit() and month.isdigit() and year.isdigit() and len(year) == 4):
        return None
    try:
        return date(int(year), int(month), int(day))
    except ValueError:
        return None


class FilterField(SelectMultipleField):
    """Checkboxes of one coverage filter; a value not offered gets a specific message."""

    widget = GovCheckboxesInput()

    def __init__(self, label=None, *, words: str, **kwargs):
        super().__init__(label, **kwargs)
        self.words = words

    def pre_validate(self, form):
        offered = {str(value) for value, _label in self.choices or ()}
        for value in self.data or ():
            if value not in offered:
                # Bandit reads "Select ... from" as SQL; this is an error message.
                message = f"Select a {self.words} from the list"  # nosec B608
                raise ValidationError(message)


class NewCycleForm(FlaskForm):
    version_id = SelectField("Questionnaire", widget=GovSelect(), coerce=str,
                             validators=[InputRequired(message="Select a questionnaire")])
    name = StringField("Name of the cycle", widget=GovTextInput(),
                       description="For example, S175 2025-26",
                       validators=[DataRequired(message="Enter a name for the cycle"),
                                   Length(max=200, message="The name must be 200 characters "
                                                           "or fewer")])
    open_date = GovukDateField("Open date", words="open date", default=today_london,
                               description="Invitations are sent when you open the cycle")
    due_date = GovukDateField("Due date", words="due date",
                              description="For example, 27 3 2026")
    final_deadline = GovukDateField(
        "Final deadline (optional)", words="final deadline", required=False,
        description="After this date returns that have not been submitted cannot be "
                    "changed. Leave it empty to accept late returns until the cycle closes")
    kind = FilterField("Organisation kind", words="kind of organisation",
                       description="Leave empty for the questionnaire's audience")
    type_group = FilterField("Establishment type group", words="type group",
                             description="Leave empty for every type group")
    phase = FilterField("Phase", words="phase", description="Leave empty for every phase")
    legal_basis = FilterField("Legal basis", words="legal basis",
                              description="Leave empty for every legal basis")
    duty_basis = FilterField("Duty basis", words="duty basis",
                             description="Leave empty for every duty basis")
    reminder_days = StringField(
        "Reminders", widget=GovTextInput(),
        default=", ".join(str(day) for day in DEFAULT_REMINDER_DAYS),
        description="Days from the due date on which reminders are sent: negative numbers "
                    "before it, positive after it. For example, -14, -3, 0, 7",
        validators=[InputRequired(message="Enter the reminder days, like -14, -3, 0, 7")])
    preview = SubmitField("Preview the organisations covered", widget=GovSubmitInput())
    submit = SubmitField("Open cycle", widget=GovSubmitInput())

    def validate_due_date(self, field):
        if self.open_date.data and field.data and field.data < self.open_date.data:
            raise ValidationError("The due date must be on or after the open date")

    def validate_final_deadline(self, field):
        if self.due_date.data and field.data and field.data < self.due_date.data:
            raise ValidationError("The final deadline must be on or after the due date")

    def validate_reminder_days(self, field):
        try:
            parse_reminder_days(field.data)
        except CycleError as error:
            raise ValidationError(str(error)) from None

    def filters(self) -> dict[str, list[str]]:
        return {name: list(getattr(self, name).data or []) for name, _words in COVERAGE_FILTERS}


class ExtensionForm(FlaskForm):
    until = GovukDateField("Extension ends on", words="date the extension ends",
                           description="The last day this return can be submitted")
    give_extension = SubmitField("Give extension", widget=GovSubmitInput())


class WithdrawForm(FlaskForm):
    reason = TextAreaField(
        "Reason for withdrawing", widget=GovTextArea(),
        description="For example, the school closed, converted to an academy or merged",
        validators=[DataRequired(message="Enter the reason for withdrawing this return"),
                    Length(max=MAX_REASON_LENGTH,
                           message=f"The reason must be {MAX_REASON_LENGTH} characters or "
                                   "fewer")])
    withdraw = SubmitField("Withdraw return", widget=GovSubmitInput())


class ConfirmForm(FlaskForm):
    submit = SubmitField("Continue", widget=GovSubmitInput())
