"""Which organisations a cycle covers: the open members of the partnership whose kind is the
questionnaire's audience, narrowed by register attributes. A coverage is stored on the cycle
as data, e.g. ``{"kind": ["school"], "phase": ["Primary", "Secondary"]}``."""
import sqlalchemy as sa

from ..extensions import db
from ..organisations.models import DUTY_BASES, LEGAL_BASES, ORG_KINDS, Membership, Organisation
from ..questionnaires.conditions import GIAS_PHASES, GIAS_TYPE_GROUPS
from .errors import CycleError

# The filters, in the order forms and messages show them: (name, words for a person).
COVERAGE_FILTERS = (
    ("kind", "organisation kind"),
    ("type_group", "establishment type group"),
    ("phase", "phase"),
    ("legal_basis", "legal basis"),
    ("duty_basis", "duty basis"),
)
FILTER_NAMES = tuple(name for name, _words in COVERAGE_FILTERS)

KIND_LABELS = {"school": "Schools and colleges", "agency": "Agencies"}
LEGAL_BASIS_LABELS = {
    "s175": "Section 175 (maintained schools, pupil referral units, FE colleges)",
    "s157": "Section 157 (independent schools, academies, free schools)",
    "nmss": "Non-maintained special schools",
}
DUTY_BASIS_LABELS = {"s11": "Section 11 duty", "voluntary": "Voluntary"}


class CoverageError(CycleError):
    """A coverage that cannot be used; the message says why."""


def _present_values(partnership, column) -> list[str]:
    """Values of ``column`` among the partnership's open organisations."""
    rows = (db.session.query(column).distinct()
            .join(Membership, Membership.organisation_id == Organisation.id)
            .filter(Membership.partnership_id == partnership.id, Membership.active.is_(True),
                    Organisation.status == "open", column.isnot(None))
            .all())
    return sorted(value for (value,) in rows if value)


def filter_choices(partnership) -> dict[str, list[tuple[str, str]]]:
    """(value, label) choices for each filter. Type groups and phases are those the
    partnership's register holds, so that no choice covers nothing by construction."""
    return {
        "kind": [(kind, KIND_LABELS[kind]) for kind in ORG_KINDS],
        "type_group": [(value, value) for value in
                       _present_values(partnership, Organisation.type_group)],
        "phase": [(value, value) for value in _present_values(partnership, Organisation.phase)],
        "legal_basis": [(value, LEGAL_BASIS_LABELS[value]) for value in LEGAL_BASES],
        "duty_basis": [(value, DUTY_BASIS_LABELS[value]) for value in DUTY_BASES],
    }


def _allowed_values(partnership, name: str) -> list[str]:
    """The GIAS values, plus any other value the register holds (GIAS adds groups)."""
    known = {"kind": ORG_KINDS, "type_group": GIAS_TYPE_GROUPS, "phase": GIAS_PHASES,
             "legal_basis": LEGAL_BASES, "duty_basis": DUTY_BASES}[name]
    present = (_present_values(partnership, getattr(Organisation, name))
               if name in ("type_group", "phase") else [])
    return list(dict.fromkeys([*known, *present]))


def make_coverage(partnership, audience: str, filters: dict | None) -> dict:
    """A checked coverage for a questionnaire of ``audience``: every filter value must be
    one the register knows, and the kind must be the questionnaire's audience."""
    filters = filters or {}
    unknown_filters = sorted(set(filters) - set(FILTER_NAMES))
    if unknown_filters:
        raise CoverageError(f"Unknown coverage filter {unknown_filters[0]!r}: use one of "
                            f"{', '.join(FILTER_NAMES)}")
    coverage = {}
    for name, words in COVERAGE_FILTERS:
        values = list(dict.fromkeys(str(value).strip() for value in filters.get(name) or ()
                                    if str(value).strip()))
        if not values:
            continue
        allowed = _allowed_values(partnership, name)
        for value in values:
            if value not in allowed:
                raise CoverageError(f"Unknown {words} {value!r}: use one of "
                                    f"{', '.join(allowed)}")
        coverage[name] = values
    kinds = coverage.get("kind", [audience])
    if kinds != [audience]:
        raise CoverageError(f"This questionnaire is for {KIND_LABELS[audience].lower()}: a "
                            f"cycle of it can only cover the kind {audience!r}")
    coverage["kind"] = [audience]
    return coverage


def covered_query(partnership, coverage: dict):
    """A select of the organisations the coverage includes, by name."""
    query = (sa.select(Organisation)
             .join(Membership, Membership.organisation_id == Organisation.id)
             .where(Membership.partnership_id == partnership.id,
                    Membership.active.is_(True),
                    Organisation.status == "open"))
    for name in FILTER_NAMES:
        values = coverage.get(name)
        if values:
            query = query.where(getattr(Organisation, name).in_(values))
    return query.order_by(Organisation.name, Organisation.id)


def covered_organisations(partnership, coverage: dict) -> list[Organisation]:
    return list(db.session.scalars(covered_query(partnership, coverage)))


def describe_coverage(coverage: dict) -> list[str]:
    """One phrase per filter, for pages: 'Phase: Primary or Secondary'."""
    labels = {"kind": KIND_LABELS, "legal_basis": LEGAL_BASIS_LABELS,
              "duty_basis": DUTY_BASIS_LABELS}
    phrases = []
    for name, words in COVERAGE_FILTERS:
        values = coverage.get(name)
        if values:
            shown = [labels.get(name, {}).get(value, value) for value in values]
            phrases.append(f"{words.capitalize()}: {' or '.join(shown)}")
    return phrases


def preview_coverage(partnership, audience: str, filters: dict | None) -> dict:
    """What a new cycle would cover: its coverage in words and the organisations."""
    coverage = make_coverage(partnership, audience, filters)
    return {"coverage": describe_coverage(coverage),
            "organisations": covered_organisations(partnership, coverage)}
