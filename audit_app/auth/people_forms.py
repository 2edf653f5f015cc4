"""Forms for managing people."""
from flask_wtf import FlaskForm
from govuk_frontend_wtf.wtforms_widgets import GovRadioInput, GovSelect, GovSubmitInput, GovTextInput
from wtforms import EmailField, RadioField, SelectField, StringField, SubmitField
from wtforms.validators import Email, InputRequired, Length

ROLE_CHOICES = [
    ("respondent", "Respondent"),
    ("reviewer", "Reviewer"),
    ("qa", "Quality assurance (read only)"),
    ("admin", "Administrator"),
]
ROLE_HINTS = {
    "respondent": "Completes the audits of one organisation",
    "reviewer": "Moderates returns (the SASE for schools, the QA officer for agencies)",
    "qa": "Sees dashboards, returns and exports across the partnership",
    "admin": "Manages organisations, people, questionnaires and cycles",
}


class GrantFields(FlaskForm):
    role = RadioField("Role", choices=ROLE_CHOICES, widget=GovRadioInput(),
                      validators=[InputRequired(message="Select a role")])
    organisation_id = SelectField("Organisation", widget=GovSelect(), coerce=str,
                                  description="Respondents only: the organisation they complete audits for")
    questionnaire_key = SelectField("Questionnaire", widget=GovSelect(), coerce=str,
                                    description="Reviewers only: leave as ‘All questionnaires’ to review every audit")


class InviteForm(GrantFields):
    email = EmailField("Email address", widget=GovTextInput(),
                       validators=[InputRequired(message="Enter an email address"),
                                   Email(message="Enter an email address in the correct format, like name@example.org"),
                                   Length(max=254)])
    name = StringField("Full name", widget=GovTextInput(),
                       validators=[InputRequired(message="Enter the person's full name"),
                                   Length(max=200, message="Full name must be 200 characters or fewer")])
    submit = SubmitField("Send invitation", widget=GovSubmitInput())

    field_order = ("email", "name", "role", "organisation_id", "questionnaire_key", "submit")


class AddGrantForm(GrantFields):
    submit = SubmitField("Add role", widget=GovSubmitInput())


class ColleagueForm(FlaskForm):
    email = EmailField("Email address", widget=GovTextInput(),
                       validators=[InputRequired(message="Enter an email address"),
                                   Email(message="Enter an email address in the correct format, like name@example.org"),
                                   Length(max=254)])
    name = StringField("Full name", widget=GovTextInput(),
                       validators=[InputRequired(message="Enter your colleague's full name"),
                                   Length(max=200, message="Full name must be 200 characters or fewer")])
    submit = SubmitField("Send invitation", widget=GovSubmitInput())


class ButtonForm(FlaskForm):
    submit = SubmitField("Continue", widget=GovSubmitInput())
