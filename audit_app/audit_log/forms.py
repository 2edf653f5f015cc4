"""The audit log search form, sent as query parameters (it changes nothing, so it has no
CSRF token)."""
import ipaddress

from flask_wtf import FlaskForm
from govuk_frontend_wtf.wtforms_widgets import GovSubmitInput, GovTextInput
from wtforms import StringField, SubmitField
from wtforms.validators import Length, ValidationError

from ..cycles.forms import GovukDateField
from .search import AuditFilters


def _trim(value):
    return value.strip() if isinstance(value, str) else value


class AuditLogFilterForm(FlaskForm):
    class Meta:
        csrf = False

    action = StringField(
        "Action", widget=GovTextInput(), filters=[_trim],
        description="For example, auth.sign_in_failed, or the start of one, like return.",
        validators=[Length(max=80, message="Action must be 80 characters or fewer")])
    actor_email = StringField(
        "Email address of the person who did it", widget=GovTextInput(), filters=[_trim],
        description="All or part of the address",
        validators=[Length(max=254, message="Email address must be 254 characters or fewer")])
    object_type = StringField(
        "Kind of record", widget=GovTextInput(), filters=[_trim],
        description="For example, AuditReturn, User, Cycle or Evidence",
        validators=[Length(max=40, message="Kind of record must be 40 characters or fewer")])
    object_id = StringField(
        "Record number", widget=GovTextInput(), filters=[_trim],
        validators=[Length(max=64, message="Record number must be 64 characters or fewer")])
    ip_address = StringField(
        "IP address", widget=GovTextInput(), filters=[_trim],
        description="For example, 192.0.2.10")
    date_from = GovukDateField("From", words="start date", required=False,
                               description="For example, 27 3 2026")
    date_to = GovukDateField("To", words="end date", required=False,
                             description="For example, 31 3 2026")
    submit = SubmitField("Search", widget=GovSubmitInput())

    TEXT_FIELDS = ("action", "actor_email", "object_type", "object_id", "ip_address")

    def validate_ip_address(self, field):
        if not field.data:
            return
        try:
            field.data = str(ipaddress.ip_address(field.data))
        except ValueError:
            raise ValidationError("Enter an IP address in the correct format, like "
                                  "192.0.2.10 or 2001:db8::1") from None

    def validate_date_to(self, field):
        if (self.date_from.data is not None and field.data is not None
                and not self.date_from.errors and field.data < self.date_from.data):
            raise ValidationError("The end date must be the same as or after the start date")

    def filters(self) -> AuditFilters:
        """The search as entered; only asked for once the form is valid."""
        return AuditFilters(**{name: getattr(self, name).data or ""
                               for name in self.TEXT_FIELDS},
                            date_from=self.date_from.data, date_to=self.date_to.data)

    def query_args(self) -> dict:
        """The search, for the pagination and export links."""
        args = {name: getattr(self, name).data for name in self.TEXT_FIELDS
                if getattr(self, name).data}
        for name in ("date_from", "date_to"):
            field = getattr(self, name)
            if field.data is not None:
                args[name] = [str(field.data.day), str(field.data.month),
                              str(field.data.year)]
        return args
