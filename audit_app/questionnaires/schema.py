"""The keys each object of a definition may have, which are required, and what type of value
each takes (questionnaires/README.md is the prose form of this module)."""
import math
import re
from dataclasses import dataclass
from functools import lru_cache

from .question_types import QUESTION_TYPES

ID_PATTERN = re.compile(r"^[a-z][a-z0-9_]{0,63}$")
VERSION_PATTERN = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]{0,31}$")
OPTION_VALUE_PATTERN = re.compile(r"^[A-Za-z0-9_-]{1,64}$")
TITLE_LENGTH = 300

AUDIENCES = ("school", "agency")
REQUIREMENTS = ("comment", "reason", "evidence", "action")
COMMENT_MODES = ("optional", "required", "none")
QUESTION_TYPE_NAMES = tuple(QUESTION_TYPES)


@dataclass(frozen=True)
class Key:
    kind: str               # how the value is checked: see value_problem()
    required: bool = False
    choices: tuple = ()


QUESTIONNAIRE_KEYS = {
    "id": Key("id", True),
    "version": Key("version", True),
    "title": Key("title", True),
    "audience": Key("enum", True, AUDIENCES),
    "legal_basis": Key("text", True),
    "source": Key("text"),
    "description": Key("text"),
    "previous": Key("version"),
    "renamed": Key("mapping"),
    "scales": Key("mapping", True),
    "sections": Key("list", True),
    "declaration": Key("mapping", True),
}

SCALE_KEYS = {
    "label": Key("text"),
    "options": Key("list", True),
}

SCALE_OPTION_KEYS = {
    "value": Key("option_value", True),
    "label": Key("text", True),
    "hint": Key("text"),
    "score": Key("number"),
    "compliant": Key("boolean"),
    "excluded": Key("boolean"),
    "requires": Key("requirements"),
}

INLINE_OPTION_KEYS = {
    "value": Key("option_value", True),
    "label": Key("text", True),
    "hint": Key("text"),
}

SECTION_KEYS = {
    "id": Key("id", True),
    "title": Key("title", True),
    "short_title": Key("text"),
    "description": Key("text"),
    "show_if": Key("condition"),
    "questions": Key("list", True),
}

# Keys every question may have; the rest depend on the type (QUESTION_TYPE_KEYS).
QUESTION_KEYS = {
    "id": Key("id", True),
    "type": Key("enum", True, QUESTION_TYPE_NAMES),
    "text": Key("text", True),
    "guidance": Key("text"),
    "typical_evidence": Key("text"),
    "ref": Key("text"),
    "required": Key("boolean"),
    "show_if": Key("condition"),
    "scored": Key("boolean"),
    "comment": Key("enum", False, COMMENT_MODES),
    "evidence": Key("enum", False, COMMENT_MODES),
    "requires": Key("mapping"),
    "scale": Key("id"),
    "options": Key("list"),
    "min": Key("integer"),
    "max": Key("integer"),
    "unit": Key("text"),
    "max_length": Key("positive_integer"),
}

QUESTION_TYPE_KEYS = {
    "rating": {"scale", "requires", "scored"},
    "yes_no": {"scale", "requires", "scored"},
    "choice": {"scale", "options", "requires", "scored"},
    "multi_choice": {"scale", "options", "requires"},
    "text": {"max_length"},
    "number": {"min", "max", "unit"},
    "date": set(),
}
TYPE_SPECIFIC_KEYS = set().union(*QUESTION_TYPE_KEYS.values())

DECLARATION_KEYS = {
    "text": Key("text", True),
    "approvals": Key("list", True),
}

APPROVAL_KEYS = {
    "id": Key("id", True),
    "label": Key("text", True),
    "hint": Key("text"),
    "show_if": Key("condition"),
}

CONDITION_KEYS = ("org", "question", "all", "any", "not", "in", "not_in", "min", "max")


@lru_cache(maxsize=1)
def reserved_ids() -> frozenset:
    """Names a question id cannot take, because the section's form already uses them."""
    from .forms import SectionForm

    names = {name for name in dir(SectionForm) if not name.startswith("_")}
    # WTForms calls a form's validate_<name> method as an extra validator of field <name>.
    names |= {name[len("validate_"):] for name in names if name.startswith("validate_")}
    return frozenset(names | {"csrf_token", "submit"})


def is_number(value) -> bool:
    return (isinstance(value, (int, float)) and not isinstance(value, bool)
            and math.isfinite(value))


def is_scalar(value) -> bool:
    return isinstance(value, (str, bool)) or is_number(value)


def yaml_reading(raw: str | None, value) -> str:
    """Why an unquoted value is not text, for messages: YAML reads some words as other types."""
    if raw is None:
        return ""
    if value is True or value is False:
        return (f": YAML reads an unquoted {raw} as {'true' if value else 'false'}; "
                f"write it in quotes (\"{raw}\")")
    if value is None:
        return f": YAML reads {raw or 'an empty value'} as nothing"
    return f": YAML reads an unquoted {raw} as a {_kind_name(value)}; write it in quotes " \
           f"(\"{raw}\")"


def _kind_name(value) -> str:
    if isinstance(value, (int, float)):
        return "number"
    return "date" if "date" in type(value).__name__ else type(value).__name__


def value_problem(name: str, key: Key, value, raw: str | None) -> str | None:
    """The message for a value of key ``name`` that is not of the key's kind, else None.
    ``raw`` is the value as written, when it was not quoted."""
    kind = key.kind
    if kind in ("text", "title", "id", "version", "option_value") and not isinstance(value, str):
        return f"'{name}' must be text" + yaml_reading(raw, value)
    if kind in ("text", "title"):
        if not value.strip():
            return f"'{name}' must not be empty"
        if kind == "title" and len(value) > TITLE_LENGTH:
            return f"'{name}' must be {TITLE_LENGTH} characters or fewer"
        return None
    if kind == "id":
        return id_problem(value)
    if kind == "version" and not VERSION_PATTERN.match(value):
        return (f"'{value}' is not a valid version: use letters, digits, '.', '_' and '-', "
                "at most 32 characters")
    if kind == "option_value" and not OPTION_VALUE_PATTERN.match(value):
        return (f"'{value}' is not a valid option value: use letters, digits, _ and -, at "
                "most 64 characters")
    if kind == "enum" and (not isinstance(value, str) or value not in key.choices):
        shown = raw if raw is not None else value
        return f"'{name}' must be {one_of(key.choices)}, not '{shown}'"
    if kind == "boolean" and not isinstance(value, bool):
        return f"'{name}' must be true or false"
    if kind == "number" and not is_number(value):
        return f"'{name}' must be a number"
    if kind == "integer" and not (is_number(value) and float(value).is_integer()):
        return f"'{name}' must be a whole number"
    if kind == "positive_integer" and not (
            is_number(value) and float(value).is_integer() and value > 0):
        return f"'{name}' must be a whole number greater than 0"
    if kind == "mapping" and not isinstance(value, dict):
        return f"'{name}' must be a mapping of keys to values"
    if kind == "list" and not isinstance(value, list):
        return f"'{name}' must be a list"
    if kind == "requirements":
        problem = requirements_problem(value)
        return None if problem is None else f"'{name}' {problem}"
    return None  # "condition": checked by the condition rules


def id_problem(value) -> str | None:
    if not isinstance(value, str) or not ID_PATTERN.match(value) or "__" in value:
        return (f"'{value}' is not a valid id: use lower case letters, digits and single "
                "underscores, starting with a letter, at most 64 characters")
    return None


def requirements_problem(value) -> str | None:
    if not isinstance(value, list):
        return f"must be a list of {one_of(REQUIREMENTS, 'and')}, e.g. [comment, action]"
    for item in value:
        if item not in REQUIREMENTS:
            return f"names unknown requirement '{item}' (use {one_of(REQUIREMENTS)})"
    if len(set(value)) != len(value):
        return "lists a requirement twice"
    return None


def one_of(choices, last_word: str = "or") -> str:
    """'a, b or c', for messages."""
    choices = [str(choice) for choice in choices]
    if len(choices) == 1:
        return choices[0]
    return ", ".join(choices[:-1]) + f" {last_word} " + choices[-1]
