"""Forms of the register pages."""
from flask_wtf import FlaskForm
from govuk_frontend_wtf.wtforms_widgets import (GovRadioInput, GovSelect, GovSubmitInput,
                                                GovTextInput)
from wtforms import RadioField, SelectField, StringField, SubmitField
from wtforms.validators import DataRequired, InputRequired, Length, Optional, ValidationError

from .display import BASIS_LABELS, KIND_LABELS, STATUS_LABELS
from .services import NO_LOCALITY, RegisterFilters


def _tidy(value):
    """Trim and collapse spaces, as the imports do."""
    return " ".join(value.split()) if isinstance(value, str) else value


def _locality_field(label: str):
    return StringField(
        label, widget=GovTextInput(), filters=[_tidy],
        validators=[Optional(), Length(max=120, message="Locality must be 120 characters or fewer")])


class AgencyForm(FlaskForm):
    name = StringField(
        "Name", widget=GovTextInput(), filters=[_tidy],
        validators=[DataRequired(message="Enter the agency's name"),
                    Length(max=300, message="Name must be 300 characters or fewer")])
    code = StringField(
        "Code (optional)", widget=GovTextInput(), filters=[_tidy],
        description="A short reference that matches this agency in CSV imports, like GMP-STOCKPORT",
        validators=[Optional(), Length(max=40, message="Code must be 40 characters or fewer")])
    sector = StringField(
        "Sector", widget=GovTextInput(), filters=[_tidy],
        description="For example, Police, Health provider or Voluntary and community sector",
        validators=[DataRequired(message="Enter the agency's sector"),
                    Length(max=120, message="Sector must be 120 characters or fewer")])
    duty_basis = RadioField(
        "Why does the agency complete the Section 11 audit?", widget=GovRadioInput(),
        choices=[("s11", "Section 11 of the Children Act 2004 places a duty on it"),
                 ("voluntary", "It takes part voluntarily")],
        validators=[InputRequired(message="Select why the agency completes the audit")])
    statutory_partner = RadioField(
        "Is the agency a statutory safeguarding partner?", widget=GovRadioInput(),
        choices=[("yes", "Yes"), ("no", "No")],
        validators=[InputRequired(
            message="Select whether the agency is a statutory safeguarding partner")])
    partnership_involvement = StringField(
        "Involvement in the partnership (optional)", widget=GovTextInput(), filters=[_tidy],
        description="For example, Executive and all partnership groups",
        validators=[Optional(), Length(
            max=300, message="Involvement must be 300 characters or fewer")])
    submit = SubmitField("Save agency", widget=GovSubmitInput())

    def values(self) -> dict:
        return {"name": self.name.data, "code": self.code.data or None,
                "sector": self.sector.data, "duty_basis": self.duty_basis.data,
                "statutory_partner": self.statutory_partner.data == "yes",
                "partnership_involvement": self.partnership_involvement.data or None}

    @staticmethod
    def data_of(organisation) -> dict:
        partner = organisation.statutory_partner
        return {"name": organisation.name, "code": organisation.code,
                "sector": organisation.sector, "duty_basis": organisation.duty_basis,
                "statutory_partner": None if partner is None else "yes" if partner else "no",
                "partnership_involvement": organisation.partnership_involvement}


class LocalityForm(FlaskForm):
    locality = _locality_field("Locality")
    submit = SubmitField("Save locality", widget=GovSubmitInput())


class AddAgencyForm(AgencyForm):
    locality = _locality_field("Locality (optional)")


class FilterSelect(SelectField):
    """A filter choice; a value not offered (an edited or stale link) gets a clear error."""

    def __init__(self, label, message: str, **kwargs):
        super().__init__(label, widget=GovSelect(), **kwargs)
        self.message = message

    def pre_validate(self, form):
        if self.data and self.data not in {value for value, _label in self.choices}:
            raise ValidationError(self.message)


class RegisterFilterForm(FlaskForm):
    """The list page's search and filters, sent as query parameters."""

    class Meta:
        csrf = False

    q = StringField("Name, URN or code", widget=GovTextInput(), filters=[_tidy],
                    validators=[Length(max=100, message="Search must be 100 characters or fewer")])
    kind = FilterSelect("Kind", "Select school or agency", default="")
    type_group = FilterSelect("Type group", "Select a type group from the list", default="")
    phase = FilterSelect("Phase", "Select a phase from the list", default="")
    basis = FilterSelect("Legal basis", "Select a legal basis from the list", default="")
    locality = FilterSelect("Locality", "Select a locality from the list", default="")
    status = FilterSelect("Status", "Select open or closed", default="")
    submit = SubmitField("Apply filters", widget=GovSubmitInput())

    FILTERS = ("kind", "type_group", "phase", "basis", "locality", "status")

    def offer(self, values: dict[str, list[str]]) -> None:
        """Set the choices from the values the partnership's organisations have."""
        self.kind.choices = [("", "All")] + list(KIND_LABELS.items())
        self.type_group.choices = [("", "All")] + [(v, v) for v in values["type_group"]]
        self.phase.choices = [("", "All")] + [(v, v) for v in values["phase"]]
        self.basis.choices = [("", "All")] + list(BASIS_LABELS.items())
        self.locality.choices = ([("", "All"), (NO_LOCALITY, "Not assigned")]
                                 + [(v, v) for v in values["locality"]])
        self.status.choices = [("", "All")] + list(STATUS_LABELS.items())

    def filters(self) -> RegisterFilters:
        """The valid search and filters; a field with an error filters nothing."""
        chosen = {name: getattr(self, name).data or "" for name in self.FILTERS
                  if not getattr(self, name).errors}
        search = "" if self.q.errors else self.q.data or ""
        return RegisterFilters(search=search, **chosen)

    def query_args(self) -> dict[str, str]:
        """The current search and filters, for the pagination links."""
        args = {"q": self.q.data} if self.q.data and not self.q.errors else {}
        for name in self.FILTERS:
            field = getattr(self, name)
            if field.data and not field.errors:
                args[name] = field.data
        return args
