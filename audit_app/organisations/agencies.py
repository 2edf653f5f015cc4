"""Agencies (police, NHS bodies, the council, the voluntary sector...): importing them from
a CSV and telling one from another. An agency is matched on its ``code`` when it has one,
else on its normalised name among the partnership's agencies: two partnerships' "Youth
Offending Service" are different bodies unless a shared code says otherwise."""
import unicodedata

from ..extensions import db
from .csvfile import CsvTable
from .importing import (ImportResult, RowProblem, apply_changes, ensure_membership,
                        memberships_by_organisation, record_import, text_value)
from .models import DUTY_BASES, Membership, Organisation

REQUIRED_COLUMNS = ("name", "sector", "duty_basis")
OPTIONAL_COLUMNS = ("code", "statutory_partner", "partnership_involvement")
APOSTROPHES = "'’‘`"
YES_NO = {"yes": True, "no": False}


def normalise_name(name: str) -> str:
    """The key two spellings of one agency share: case, spacing and punctuation ignored
    ("Children's Services - Stockport" and "childrens services stockport")."""
    text = unicodedata.normalize("NFKC", name).casefold()
    text = "".join("" if char in APOSTROPHES
                   else " " if unicodedata.category(char).startswith("P") else char
                   for char in text)
    return " ".join(text.split())


def duty_basis_value(value: str) -> str:
    basis = value.strip().casefold()
    if not basis:
        raise RowProblem("duty_basis is empty (enter s11 or voluntary)")
    if basis not in DUTY_BASES:
        raise RowProblem(f"duty_basis {value!r} must be s11 or voluntary")
    return basis


def yes_no_value(column: str, value: str) -> bool | None:
    if not value:
        return None
    if value.casefold() not in YES_NO:
        raise RowProblem(f"{column} {value!r} must be yes or no")
    return YES_NO[value.casefold()]


def member_agency_named(partnership, name_key: str, *, without_code: bool = False,
                        excluding=None) -> Organisation | None:
    query = Organisation.query.join(Membership).filter(
        Membership.partnership_id == partnership.id, Organisation.kind == "agency",
        Organisation.name_key == name_key)
    if without_code:
        query = query.filter(Organisation.code.is_(None))
    if excluding is not None:
        query = query.filter(Organisation.id != excluding.id)
    return query.order_by(Organisation.id).first()


def organisation_with_code(code: str, excluding=None) -> Organisation | None:
    query = Organisation.query.filter(Organisation.code == code)
    if excluding is not None:
        query = query.filter(Organisation.id != excluding.id)
    return query.one_or_none()


def find_agency(partnership, code: str | None, name_key: str) -> Organisation | None:
    """The agency a row describes: by code (platform-wide), else by name in the partnership
    (a named agency without a code takes the row's code)."""
    if code:
        found = organisation_with_code(code)
        if found is not None:
            if found.kind != "agency":
                raise RowProblem(f"code {code!r} belongs to {found.name}, which is not an agency")
            return found
        return member_agency_named(partnership, name_key, without_code=True)
    return member_agency_named(partnership, name_key)


def import_agencies(raw: bytes, partnership, *, filename: str | None = None,
                    actor=None) -> ImportResult:
    """Create or update the agencies of a CSV and link them to ``partnership``. Raises
    ``ImportFileError`` (nothing written) when the file as a whole is unusable."""
    table = CsvTable(raw, REQUIRED_COLUMNS, OPTIONAL_COLUMNS)
    result = ImportResult()
    first_line_of_code: dict[str, int] = {}
    first_line_of_name: dict[str, int] = {}
    for row in table:
        name = row.values.get("name", "")
        try:
            values = _agency_values(table, row.values)
            if row.extra_values:
                raise RowProblem("the row has more values than the header has columns "
                                 "(is a comma missing its quotes?)")
            code, name_key = values.get("code"), values["name_key"]
            earlier = (first_line_of_code.get(code) if code
                       else first_line_of_name.get(name_key))
            first_line_of_name.setdefault(name_key, row.line)
            if code:
                first_line_of_code.setdefault(code, row.line)
            if earlier:
                raise RowProblem(f"already appears on line {earlier}")
            _upsert(partnership, values, result)
        except RowProblem as problem:
            result.reject(row.line, f"{name}: {problem}" if name else str(problem))
    record_import("agencies", partnership, result, filename, actor)
    return result


def _agency_values(table: CsvTable, row: dict) -> dict:
    name = text_value("name", row.get("name", ""), "name")
    if not name:
        raise RowProblem("name is empty")
    values = {
        "name": name,
        "name_key": normalise_name(name),
        "sector": text_value("sector", row.get("sector", ""), "sector"),
        "duty_basis": duty_basis_value(row.get("duty_basis", "")),
    }
    if table.has("code"):
        values["code"] = text_value("code", row.get("code", ""), "code")
    if table.has("statutory_partner"):
        values["statutory_partner"] = yes_no_value("statutory_partner",
                                                   row.get("statutory_partner", ""))
    if table.has("partnership_involvement"):
        values["partnership_involvement"] = text_value(
            "partnership_involvement", row.get("partnership_involvement", ""),
            "partnership_involvement")
    return values


def _upsert(partnership, values: dict, result: ImportResult) -> None:
    organisation = find_agency(partnership, values.get("code"), values["name_key"])
    if organisation is None:
        organisation = Organisation(kind="agency", status="open", **values)
        db.session.add(organisation)
        ensure_membership(partnership, organisation, None)
        result.created += 1
        return
    if not values.get("code"):
        # A file without codes never removes the code an agency already has.
        values.pop("code", None)
    membership = memberships_by_organisation(partnership, [organisation.id]).get(organisation.id)
    changed = apply_changes(organisation, values)
    if ensure_membership(partnership, organisation, membership) or changed:
        result.updated += 1
    else:
        result.unchanged += 1
