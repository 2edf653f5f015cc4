"""Conditions are data (see questionnaires/README.md): a leaf tests an organisation attribute
or an earlier answer; ``all``, ``any`` and ``not`` combine them. Evaluation never runs code
from a definition and never raises: whatever it is given, the answer is True or False."""
import math
from dataclasses import dataclass
from datetime import date

# A definition nests conditions a few levels deep; this bounds hostile input.
MAX_DEPTH = 32


@dataclass(frozen=True)
class OrgAttribute:
    name: str
    kind: str                     # "text", "boolean" or "number"
    values: tuple = ()            # the complete set of values, where there is one
    column: str | None = None     # the Organisation column, where it differs from name


GIAS_PHASES = ("Not applicable", "Nursery", "Primary", "Middle deemed primary", "Secondary",
               "Middle deemed secondary", "16 plus", "All-through")
GIAS_TYPE_GROUPS = ("Local authority maintained schools", "Academies", "Free Schools",
                    "Independent schools", "Special schools", "Colleges", "Universities",
                    "Other types", "Welsh schools", "Online provider")

ORG_ATTRIBUTES = {attribute.name: attribute for attribute in (
    OrgAttribute("kind", "text", ("school", "agency")),
    OrgAttribute("phase", "text", GIAS_PHASES),
    OrgAttribute("establishment_type", "text"),
    OrgAttribute("type_group", "text", GIAS_TYPE_GROUPS),
    OrgAttribute("legal_basis", "text", ("s175", "s157", "nmss")),
    OrgAttribute("boarders", "boolean"),
    OrgAttribute("nursery", "boolean"),
    OrgAttribute("sixth_form", "boolean"),
    OrgAttribute("statutory_low_age", "number"),
    OrgAttribute("statutory_high_age", "number"),
    OrgAttribute("pupils", "number"),
    OrgAttribute("religious_character", "text"),
    OrgAttribute("sector", "text"),
    OrgAttribute("duty_basis", "text", ("s11", "voluntary")),
)}

COMBINATORS = ("all", "any", "not")


def organisation_attributes(organisation) -> dict:
    """The attributes conditions can use, by their README names; None where the
    organisation has no such attribute (a school's sector, an unknown boarding status)."""
    if organisation is None:
        return {name: None for name in ORG_ATTRIBUTES}
    return {name: getattr(organisation, attribute.column or name, None)
            for name, attribute in ORG_ATTRIBUTES.items()}


class _Unreadable(Exception):
    """The condition does not have the shape the README gives it."""


def evaluate(condition, answers: dict, org: dict) -> bool:
    """Whether ``condition`` holds for these answers (question id -> value) and organisation
    attributes. A missing condition holds; one that cannot be read (wrong shape, nested too
    deeply) does not hold, whatever ``not`` surrounds its parts."""
    if condition is None:
        return True
    answers = answers if isinstance(answers, dict) else {}
    org = org if isinstance(org, dict) else {}
    try:
        return _evaluate(condition, answers, org, 0)
    except _Unreadable:
        return False


def _evaluate(condition, answers: dict, org: dict, depth: int) -> bool:
    if not isinstance(condition, dict) or depth > MAX_DEPTH:
        raise _Unreadable
    if "all" in condition or "any" in condition:
        parts = condition.get("all", condition.get("any"))
        if not isinstance(parts, list):
            raise _Unreadable
        results = [_evaluate(part, answers, org, depth + 1) for part in parts]
        return all(results) if "all" in condition else any(results)
    if "not" in condition:
        return not _evaluate(condition["not"], answers, org, depth + 1)
    if "org" in condition:
        name = condition["org"]
        value = org.get(name) if isinstance(name, str) else None
    elif "question" in condition:
        name = condition["question"]
        value = answers.get(name) if isinstance(name, str) else None
    else:
        raise _Unreadable
    return _leaf_holds(condition, value)


def _leaf_holds(condition: dict, value) -> bool:
    if "in" in condition:
        return _matches_any(value, condition["in"])
    if "not_in" in condition:
        return not _matches_any(value, condition["not_in"])
    if "min" in condition or "max" in condition:
        return _within(value, condition.get("min"), condition.get("max"))
    raise _Unreadable


def _matches_any(value, wanted) -> bool:
    """An answer (or each chosen option of a list answer) against a set of values."""
    if not isinstance(wanted, list):
        raise _Unreadable
    wanted_tokens = {token for token in map(token_of, wanted) if token is not None}
    return any(token in wanted_tokens for token in _tokens(value))


def _tokens(value) -> list[str]:
    if isinstance(value, (list, tuple, set, frozenset)):
        return [token for token in map(token_of, value) if token is not None]
    token = token_of(value)
    return [] if token is None else [token]


def token_of(value) -> str | None:
    """One comparable form for a scalar: YAML's true and the stored "true" match, so do 0
    and "0"; case is ignored. None for anything empty or not a scalar."""
    if value is None or isinstance(value, (list, tuple, set, frozenset, dict)):
        return None
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int):
        try:
            return str(value)
        except ValueError:  # beyond Python's digit limit for int to text
            return None
    if isinstance(value, float):
        if not math.isfinite(value):
            return None
        return str(int(value)) if value.is_integer() else repr(value)
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, str):
        token = value.strip().casefold()
        return token or None
    return None


def number_of(value) -> float | None:
    """A finite number from a number or numeric text; None otherwise (true is not 1)."""
    if isinstance(value, bool) or value is None:
        return None
    if isinstance(value, (int, float)):
        try:
            number = float(value)
        except OverflowError:
            return None
    elif isinstance(value, str):
        try:
            number = float(value.strip().replace(",", ""))
        except ValueError:
            return None
    else:
        return None
    return number if math.isfinite(number) else None


def _within(value, low, high) -> bool:
    number = number_of(value)
    if number is None:
        return False
    if low is not None:
        bound = number_of(low)
        if bound is None or number < bound:
            return False
    if high is not None:
        bound = number_of(high)
        if bound is None or number > bound:
            return False
    return low is not None or high is not None
