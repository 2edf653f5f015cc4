"""Loading contacts in bulk (the GIAS register holds no email addresses)."""
import csv
import io
from dataclasses import dataclass, field

import sqlalchemy as sa

from ..extensions import db
from ..organisations.models import Membership, Organisation
from .services import PeopleError, invite_person

REQUIRED_COLUMNS = ("email", "name", "role")
ORGANISATION_COLUMNS = ("organisation", "urn", "agency")


class ImportFileError(ValueError):
    """The file as a whole cannot be imported; nothing was written."""


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


def decode_text(raw: bytes) -> str:
    for encoding in ("utf-8-sig", "cp1252"):
        try:
            text = raw.decode(encoding)
        except UnicodeDecodeError:
            continue
        if "\x00" in text:
            break
        return text
    raise ImportFileError("The file is not a text CSV file (UTF-8 or Windows-1252)")


def import_people(raw: bytes, partnership, *, by=None) -> ImportReport:
    """Upsert people by email and give each row's grant; one transaction per file,
    one line of report per row. Rows with problems are rejected, the rest imported."""
    reader = csv.DictReader(io.StringIO(decode_text(raw)))
    headers = [(name or "").strip().lower() for name in (reader.fieldnames or [])]
    missing = [name for name in REQUIRED_COLUMNS if name not in headers]
    if missing:
        raise ImportFileError(f"The file is missing the column(s): {', '.join(missing)}")
    reader.fieldnames = headers
    report = ImportReport()
    for line_number, row in enumerate(reader, start=2):
        row = {key: (value or "").strip() for key, value in row.items() if key}
        outcome = _import_row(row, partnership, by)
        if outcome.startswith("rejected"):
            report.rejected += 1
        else:
            setattr(report, outcome.split(":")[0], getattr(report, outcome.split(":")[0]) + 1)
        report.lines.append(f"line {line_number}: {row.get('email', '')}: {outcome}")
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
