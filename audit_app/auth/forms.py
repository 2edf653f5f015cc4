"""Sign-in and password forms, worded as the GOV.UK Design System words them."""
from flask_wtf import FlaskForm
from govuk_frontend_wtf.wtforms_widgets import GovPasswordInput, GovSubmitInput, GovTextInput
from wtforms import EmailField, PasswordField, StringField, SubmitField
from wtforms.validators import Email, EqualTo, InputRequired, Length

from .passwords import MAX_LENGTH, MIN_LENGTH


class SignInForm(FlaskForm):
    email = EmailField("Email address", widget=GovTextInput(),
                       validators=[InputRequired(message="Enter your email address"),
                                   Length(max=254, message="Email address must be 254 characters or fewer")])
    password = PasswordField("Password", widget=GovPasswordInput(),
                             validators=[InputRequired(message="Enter your password"),
                                         Length(max=MAX_LENGTH, message="Enter your password")])
    submit = SubmitField("Sign in", widget=GovSubmitInput())


class NewPasswordForm(FlaskForm):
    password = PasswordField(
        "Create a password", widget=GovPasswordInput(),
        description=f"Use {MIN_LENGTH} characters or more. A long phrase is easier to remember.",
        validators=[InputRequired(message="Enter a password")])
    confirm = PasswordField(
        "Confirm password", widget=GovPasswordInput(),
        validators=[InputRequired(message="Confirm your password"),
                    EqualTo("password", message="Passwords must match")])
    submit = SubmitField("Save password", widget=GovSubmitInput())


class ChangePasswordForm(NewPasswordForm):
    current_password = PasswordField(
        "Current password", widget=GovPasswordInput(),
        validators=[InputRequired(message="Enter your current password")])

    field_order = ("current_password", "password", "confirm", "submit")


class ForgotPasswordForm(FlaskForm):
    email = EmailField("Email address", widget=GovTextInput(),
                       validators=[InputRequired(message="Enter your email address"),
                                   Email(message="Enter an email address in the correct format, "
                                                 "like name@example.org")])
    submit = SubmitField("Send reset link", widget=GovSubmitInput())


class ConfirmForm(FlaskForm):
    """An empty form: a button and its CSRF token."""

    submit = SubmitField("Continue", widget=GovSubmitInput())


class PartnershipForm(FlaskForm):
    partnership_id = StringField("Partnership", validators=[InputRequired()])


class CodeForm(FlaskForm):
    code = StringField("Enter the 6-digit code from your authenticator app",
                       widget=GovTextInput(),
                       validators=[Length(max=20, message="The code must be 6 numbers")])
    submit = SubmitField("Continue", widget=GovSubmitInput())


class RecoveryCodeForm(FlaskForm):
    code = StringField("Recovery code", widget=GovTextInput(),
                       validators=[Length(max=40, message="Enter one of your recovery codes")])
    submit = SubmitField("Continue", widget=GovSubmitInput())


class TurnOffTwoFactorForm(FlaskForm):
    password = PasswordField("Your password", widget=GovPasswordInput(),
                             validators=[InputRequired(message="Enter your password")])
    submit = SubmitField("Turn off two-factor sign-in", widget=GovSubmitInput())
