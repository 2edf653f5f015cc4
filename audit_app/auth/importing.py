"""Loading contacts in bulk (the GIAS register holds no email addresses)."""
from dataclasses import dataclass, field

import sqlalchemy as sa

from ..extensions import db
from ..organisations.csvfile import CsvTable
from ..organisations.models import Membership, Organisation
from .services import PeopleError, invite_person

REQUIRED_COLUMNS = ("email", "name", "role")
ORGANISATION_COLUMNS = ("organisation", "urn", "agency")


@dataclass
class ImportReport:
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    rejected: int = 0
    lines: list[str] = field(default_factory=list)

    def summary(self) -> str:
        return (f"created={self.created} updated={self.updated} unchanged={self.unchanged} "
                f"rejected={self.rejected}")


def find_organisation(partnership, urn_or_name: str):
    """A member organisation by URN, agency code or name (case and spacing ignored)."""
    value = " ".join((urn_or_name or "").split())
    if not value:
        return None
    members = Organisation.query.join(Membership).filter(
        Membership.partnership_id == partnership.id)
    found = members.filter(sa.or_(Organisation.urn == value, Organisation.code == value)).first()
    if found is None:
        found = members.filter(sa.func.lower(Organisation.name) == value.lower()).first()
    return found


def import_people(raw: bytes, partnership, *, by=None) -> ImportReport:
    """Upsert people by email and give each row's grant; one transaction per file,
    one line of report per row. Rows with problems are rejected, the rest imported."""
    table = CsvTable(raw, REQUIRED_COLUMNS, ORGANISATION_COLUMNS)
    report = ImportReport()
    for row in table:
        outcome = _import_row(row.values, partnership, by)
        if outcome.startswith("rejected"):
            report.rejected += 1
        else:
            setattr(report, outcome.split(":")[0], getattr(report, outcome.split(":")[0]) + 1)
        report.lines.append(f"line {row.line}: {row.values.get('email', '')}: {outcome}")
    return report


def _import_row(row: dict, partnership, by) -> str:
    from .services import find_user

    organisation_ref = next((row[c] for c in ORGANISATION_COLUMNS if row.get(c)), "")
    organisation = None
    if row.get("role") == "respondent":
        organisation = find_organisation(partnership, organisation_ref)
        if organisation is None:
            return (f"rejected: no organisation with URN or name {organisation_ref!r} in "
                    f"{partnership.name}" if organisation_ref
                    else "rejected: a respondent needs an organisation URN or agency name")
    existed = find_user(row.get("email", "")) is not None
    try:
        with db.session.begin_nested():
            _user, is_new_grant = invite_person(row.get("email", ""), row.get("name", ""),
                                                row.get("role", ""), partnership,
                                                organisation=organisation, by=by)
    except PeopleError as error:
        return f"rejected: {error}"
    if not existed:
        return "created"
    return "updated: role added" if is_new_grant else "unchanged"
