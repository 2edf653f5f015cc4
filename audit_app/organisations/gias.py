"""Importing schools from a GIAS (Get Information about Schools) all-establishments extract.
Open schools are created or updated by URN; a school the extract shows as closed is marked
closed, never deleted; schools the extract leaves out are left alone (extracts are often
partial). One call is one transaction: the caller commits, or rolls back on an error."""
from ..extensions import db
from .csvfile import CsvTable
from .importing import (ImportResult, RowProblem, apply_changes, batches, day_value,
                        ensure_membership, memberships_by_organisation, record_import,
                        text_value, whole_number)
from .models import Organisation

REQUIRED_COLUMNS = ("URN", "EstablishmentName", "TypeOfEstablishment (name)",
                    "EstablishmentTypeGroup (name)", "EstablishmentStatus (name)",
                    "PhaseOfEducation (name)", "LA (code)")
TEXT_COLUMNS = {
    "EstablishmentName": "name",
    "TypeOfEstablishment (name)": "establishment_type",
    "EstablishmentTypeGroup (name)": "type_group",
    "PhaseOfEducation (name)": "phase",
    "EstablishmentStatus (name)": "register_status",
    "LA (code)": "la_code",
    "LA (name)": "la_name",
    "Gender (name)": "gender",
    "ReligiousCharacter (name)": "religious_character",
    "Trusts (name)": "trust",
    "Postcode": "postcode",
    "Town": "town",
    "SchoolWebsite": "website",
    "UKPRN": "ukprn",
}
NUMBER_COLUMNS = {"StatutoryLowAge": "statutory_low_age", "StatutoryHighAge": "statutory_high_age",
                  "NumberOfPupils": "pupils"}
DATE_COLUMNS = {"OpenDate": "open_date", "CloseDate": "close_date"}
# GIAS's wording -> the flag; any other value ("Not applicable", "Not recorded") is unknown.
FLAG_COLUMNS = {
    "Boarders (name)": ("boarders", {"no boarders": False, "boarding school": True,
                                     "has boarders": True,
                                     "children's home (boarding school)": True}),
    "NurseryProvision (name)": ("nursery", {"has nursery classes": True,
                                            "no nursery classes": False}),
    "OfficialSixthForm (name)": ("sixth_form", {"has a sixth form": True,
                                                "does not have a sixth form": False}),
}
MODELLED_COLUMNS = ("URN", *TEXT_COLUMNS, *NUMBER_COLUMNS, *DATE_COLUMNS, *FLAG_COLUMNS)

# Section 175 of the Education Act 2002 binds maintained schools, pupil referral units and
# FE and sixth form colleges; section 157 binds independent schools, which include
# academies and free schools; non-maintained special schools have the duty through their
# own regulations. Other GIAS establishments (Welsh, overseas, higher education, children's
# centres...) are outside the S175/157 audit.
LEGAL_BASIS_BY_TYPE = {
    **dict.fromkeys((
        "Community school", "Voluntary aided school", "Voluntary controlled school",
        "Foundation school", "Community special school", "Foundation special school",
        "Local authority nursery school", "Pupil referral unit", "Further education",
        "Sixth form centres"), "s175"),
    **dict.fromkeys((
        "Other independent school", "Other independent special school",
        "Academy converter", "Academy sponsor led", "Academy special converter",
        "Academy special sponsor led", "Academy alternative provision converter",
        "Academy alternative provision sponsor led", "Academy 16-19 converter",
        "Academy 16 to 19 sponsor led", "Academy secure 16 to 19", "Free schools",
        "Free schools special", "Free schools alternative provision",
        "Free schools 16 to 19", "University technical college", "Studio schools",
        "City technology college"), "s157"),
    "Non-maintained special school": "nmss",
}
_LEGAL_BASIS = {name.casefold(): basis for name, basis in LEGAL_BASIS_BY_TYPE.items()}
OPEN_STATUSES = ("open", "open, but proposed to close")
CLOSED_STATUS = "closed"
BATCH_SIZE = 500


def legal_basis_for(establishment_type: str) -> str | None:
    return _LEGAL_BASIS.get(" ".join(establishment_type.split()).casefold())


def import_gias(raw: bytes, partnership, *, la_code: str | None = None,
                filename: str | None = None, actor=None) -> ImportResult:
    """Import a GIAS extract into the register and link its schools to ``partnership``.
    ``la_code`` keeps only the schools of that local authority. Raises ``ImportFileError``
    (nothing written) when the file as a whole is unusable."""
    table = CsvTable(raw, REQUIRED_COLUMNS, MODELLED_COLUMNS)
    run = _GiasImport(table, partnership, (la_code or "").strip() or None)
    run.run()
    record_import("gias", partnership, run.result, filename, actor)
    return run.result


class _GiasImport:
    def __init__(self, table: CsvTable, partnership, la_code: str | None):
        self.table = table
        self.partnership = partnership
        self.la_code = la_code
        self.result = ImportResult()
        self.first_line_of: dict[str, int] = {}
        self.other_authorities = 0

    def run(self) -> None:
        for batch in batches(self._rows_to_consider(), BATCH_SIZE):
            urns = [urn for _row, urn in batch]
            existing = {org.urn: org for org in
                        Organisation.query.filter(Organisation.urn.in_(urns)).all()}
            memberships = memberships_by_organisation(
                self.partnership, [org.id for org in existing.values()])
            for row, urn in batch:
                organisation = existing.get(urn)
                membership = memberships.get(organisation.id) if organisation else None
                try:
                    self._import_row(row, urn, organisation, membership)
                except RowProblem as problem:
                    self.result.reject(row.line, f"URN {urn}: {problem}")
        if self.other_authorities:
            self.result.skipped += self.other_authorities
            self.result.note(f"skipped {self.other_authorities} row(s) of other local "
                             f"authorities (--la-code {self.la_code})")

    def _rows_to_consider(self):
        """Rows with a usable, first-seen URN in the chosen local authority."""
        for row in self.table:
            urn = row.values.get("URN", "")
            problem = self._urn_problem(urn, row)
            if problem:
                self.result.reject(row.line, problem)
                continue
            self.first_line_of[urn] = row.line
            if self.la_code and row.values.get("LA (code)", "") != self.la_code:
                self.other_authorities += 1
                continue
            yield row, urn

    def _urn_problem(self, urn: str, row) -> str | None:
        if not urn:
            return "URN is empty"
        if not (urn.isascii() and urn.isdigit()) or len(urn) > 12:
            return f"URN {urn!r} is not a number"
        if urn in self.first_line_of:
            return f"URN {urn}: already appears on line {self.first_line_of[urn]}"
        if row.extra_values:
            return (f"URN {urn}: the row has more values than the header has columns "
                    "(is a comma missing its quotes?)")
        return None

    def _import_row(self, row, urn: str, organisation, membership) -> None:
        status = row.values.get("EstablishmentStatus (name)", "")
        if not status:
            raise RowProblem("EstablishmentStatus (name) is empty")
        if status.casefold() == CLOSED_STATUS:
            self._close(row, urn, organisation)
        elif status.casefold() not in OPEN_STATUSES:
            self.result.skip(row.line, f"URN {urn}: status is {status!r}; only open schools "
                                       "are imported")
        else:
            self._upsert(row, urn, organisation, membership)

    def _close(self, row, urn: str, organisation) -> None:
        close_date = day_value("CloseDate", row.values.get("CloseDate", ""))
        if organisation is None:
            self.result.skip(row.line, f"URN {urn}: closed and not in the register")
            return
        if organisation.status == "closed":
            self.result.unchanged += 1
            return
        organisation.status = "closed"
        organisation.register_status = row.values["EstablishmentStatus (name)"]
        if close_date is not None:
            organisation.close_date = close_date
        self.result.closed += 1
        self.result.note(f"closed: URN {urn} {organisation.name}", row.line)

    def _upsert(self, row, urn: str, organisation, membership) -> None:
        establishment_type = row.values.get("TypeOfEstablishment (name)", "")
        if not establishment_type:
            raise RowProblem("TypeOfEstablishment (name) is empty")
        legal_basis = legal_basis_for(establishment_type)
        if legal_basis is None:
            self.result.skip(row.line, f"URN {urn}: establishment type {establishment_type!r} "
                                       "is not covered by section 175 or 157")
            return
        values = self._school_values(row.values)
        values.update(legal_basis=legal_basis, status="open",
                      extra=self._extra(row.values, organisation))
        if organisation is None:
            organisation = Organisation(kind="school", urn=urn, **values)
            db.session.add(organisation)
            ensure_membership(self.partnership, organisation, None)
            self.result.created += 1
            return
        changed = apply_changes(organisation, values)
        linked = ensure_membership(self.partnership, organisation, membership)
        if changed or linked:
            self.result.updated += 1
        else:
            self.result.unchanged += 1

    def _school_values(self, row: dict) -> dict:
        """The row's register attributes; columns the file lacks are left as they are."""
        values = {}
        for column, attribute in TEXT_COLUMNS.items():
            if self.table.has(column):
                values[attribute] = text_value(column, row.get(column, ""), attribute)
        if not values["name"]:
            raise RowProblem("EstablishmentName is empty")
        for column, attribute in NUMBER_COLUMNS.items():
            if self.table.has(column):
                values[attribute] = whole_number(column, row.get(column, ""))
        for column, attribute in DATE_COLUMNS.items():
            if self.table.has(column):
                values[attribute] = day_value(column, row.get(column, ""))
        for column, (attribute, meanings) in FLAG_COLUMNS.items():
            if self.table.has(column):
                values[attribute] = meanings.get(row.get(column, "").casefold())
        return values

    def _extra(self, row: dict, organisation) -> dict:
        """The register's other columns: this file's values replace earlier ones, and a
        column this file lacks keeps what an earlier file gave."""
        extra = dict(organisation.extra or {}) if organisation is not None else {}
        for column in self.table.columns:
            if column is None or column in MODELLED_COLUMNS:
                continue
            if row.get(column):
                extra[column] = row[column]
            else:
                extra.pop(column, None)
        return extra
