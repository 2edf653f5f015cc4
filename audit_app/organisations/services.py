"""The register as a partnership's staff use it: finding organisations, adding and editing
agencies, and assigning localities. Nothing here commits: the caller does."""
from dataclasses import dataclass

import sqlalchemy as sa

from ..audit_log.services import record
from ..extensions import db
from .agencies import member_agency_named, normalise_name, organisation_with_code
from .models import Membership, Organisation

NO_LOCALITY = "none"  # the filter value for "no locality assigned yet"
AGENCY_FIELDS = ("name", "code", "sector", "duty_basis", "statutory_partner",
                 "partnership_involvement")
# Legal bases of schools and duty bases of agencies share one filter.
BASIS_COLUMNS = {"s175": Organisation.legal_basis, "s157": Organisation.legal_basis,
                 "nmss": Organisation.legal_basis, "s11": Organisation.duty_basis,
                 "voluntary": Organisation.duty_basis}


class RegisterError(ValueError):
    """A change the register refuses; ``field`` names the form field to blame."""

    def __init__(self, field: str, message: str):
        super().__init__(message)
        self.field = field


@dataclass
class RegisterFilters:
    search: str = ""
    kind: str = ""
    type_group: str = ""
    phase: str = ""
    basis: str = ""
    locality: str = ""
    status: str = ""


def _escape_like(text: str) -> str:
    return text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")


def register_query(partnership, filters: RegisterFilters) -> sa.Select:
    """The partnership's organisations matching ``filters``, by name."""
    query = (sa.select(Organisation)
             .join(Membership, Membership.organisation_id == Organisation.id)
             .where(Membership.partnership_id == partnership.id, Membership.active.is_(True)))
    search = " ".join(filters.search.split())
    if search:
        pattern = f"%{_escape_like(search.casefold())}%"
        query = query.where(sa.or_(
            sa.func.lower(Organisation.name).like(pattern, escape="\\"),
            Organisation.urn == search,
            sa.func.lower(Organisation.code) == search.casefold()))
    for attribute in ("kind", "type_group", "phase", "status"):
        value = getattr(filters, attribute)
        if value:
            query = query.where(getattr(Organisation, attribute) == value)
    if filters.basis in BASIS_COLUMNS:
        query = query.where(BASIS_COLUMNS[filters.basis] == filters.basis)
    if filters.locality == NO_LOCALITY:
        query = query.where(Membership.locality.is_(None))
    elif filters.locality:
        query = query.where(Membership.locality == filters.locality)
    return query.order_by(Organisation.name, Organisation.id)


def _distinct_member_values(partnership, column) -> list[str]:
    rows = (db.session.query(column).distinct()
            .join(Membership, Membership.organisation_id == Organisation.id)
            .filter(Membership.partnership_id == partnership.id, column.isnot(None))
            .order_by(column).all())
    return [value for (value,) in rows]


def filter_values(partnership) -> dict[str, list[str]]:
    """The values the partnership's organisations have, for the filters' choices."""
    return {"type_group": _distinct_member_values(partnership, Organisation.type_group),
            "phase": _distinct_member_values(partnership, Organisation.phase),
            "locality": localities_in(partnership)}


def localities_in(partnership) -> list[str]:
    rows = (db.session.query(Membership.locality).distinct()
            .filter(Membership.partnership_id == partnership.id,
                    Membership.locality.isnot(None))
            .order_by(Membership.locality).all())
    return [locality for (locality,) in rows]


def membership_of(partnership, organisation) -> Membership | None:
    return Membership.query.filter_by(partnership_id=partnership.id,
                                      organisation_id=organisation.id).one_or_none()


def localities_of(partnership, organisations) -> dict[int, str | None]:
    """Each organisation's locality in the partnership, in one query."""
    ids = [organisation.id for organisation in organisations]
    if not ids:
        return {}
    rows = db.session.query(Membership.organisation_id, Membership.locality).filter(
        Membership.partnership_id == partnership.id, Membership.organisation_id.in_(ids))
    return dict(rows.all())


def _check_agency(partnership, values: dict, organisation=None) -> None:
    code = values.get("code")
    if code:
        holder = organisation_with_code(code, excluding=organisation)
        if holder is not None:
            raise RegisterError("code", f"The code {code} is already used by {holder.name}")
    same_name = member_agency_named(partnership, values["name_key"], excluding=organisation)
    if same_name is not None and not (code and same_name.code and same_name.code != code):
        raise RegisterError("name", f"{same_name.name} is already in the register: "
                                    "give this agency a different name or its own code")


def create_agency(partnership, values: dict, locality: str | None = None) -> Organisation:
    """Add an agency to the register and to the partnership."""
    values = {field: values.get(field) for field in AGENCY_FIELDS}
    values["name_key"] = normalise_name(values["name"])
    _check_agency(partnership, values)
    organisation = Organisation(kind="agency", status="open", **values)
    db.session.add(organisation)
    db.session.add(Membership(partnership=partnership, organisation=organisation,
                              locality=locality or None))
    db.session.flush()
    record("organisation.created", obj=organisation, partnership=partnership,
           detail={"kind": "agency", "name": organisation.name, "locality": locality or None})
    return organisation


def update_agency(partnership, organisation, values: dict) -> dict:
    """Change an agency's register attributes; returns what changed (old, new)."""
    values = {field: values.get(field) for field in AGENCY_FIELDS}
    values["name_key"] = normalise_name(values["name"])
    _check_agency(partnership, values, organisation)
    changes = {field: [getattr(organisation, field), value] for field, value in values.items()
               if getattr(organisation, field) != value}
    for field, (_old, new) in changes.items():
        setattr(organisation, field, new)
    if changes:
        changes.pop("name_key", None)
        record("organisation.updated", obj=organisation, partnership=partnership,
               detail={"changes": changes})
    return changes


def set_locality(partnership, organisation, locality: str | None) -> bool:
    """Assign (or, with an empty value, remove) the organisation's locality; True when it
    changed."""
    membership = membership_of(partnership, organisation)
    if membership is None:
        raise RegisterError("locality", f"{organisation.name} does not report to "
                                        f"{partnership.name}")
    locality = " ".join((locality or "").split()) or None
    if membership.locality == locality:
        return False
    record("organisation.locality_changed", obj=organisation, partnership=partnership,
           detail={"from": membership.locality, "to": locality})
    membership.locality = locality
    return True
