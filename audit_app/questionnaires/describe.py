"""Conditions and questions in words, for staff previews of a definition."""
from .conditions import MAX_DEPTH, ORG_ATTRIBUTES
from .definition import Definition, Question
from .schema import one_of

TYPE_NAMES = {
    "rating": "Rating",
    "yes_no": "Yes or no",
    "choice": "One option",
    "multi_choice": "Any options",
    "text": "Text",
    "number": "Whole number",
    "date": "Date",
}


def describe_condition(condition, definition: Definition | None = None, depth: int = 0) -> str:
    """E.g. 'phase is Secondary or All-through and boarders is not true'."""
    if condition is None:
        return "always"
    if not isinstance(condition, dict) or depth > MAX_DEPTH:
        return "never (the condition cannot be read)"
    for combinator, word in (("all", " and "), ("any", " or ")):
        if combinator in condition:
            parts = [_grouped(part, definition, depth + 1) for part in condition[combinator]]
            return word.join(parts)
    if "not" in condition:
        return f"not ({describe_condition(condition['not'], definition, depth + 1)})"
    subject = _subject(condition, definition)
    if "in" in condition:
        return f"{subject} is {one_of(map(_shown, condition['in']))}"
    if "not_in" in condition:
        return f"{subject} is not {one_of(map(_shown, condition['not_in']), 'or')}"
    low, high = condition.get("min"), condition.get("max")
    if low is not None and high is not None:
        return f"{subject} is between {_shown(low)} and {_shown(high)}"
    if low is not None:
        return f"{subject} is at least {_shown(low)}"
    return f"{subject} is at most {_shown(high)}"


def _grouped(part, definition, depth) -> str:
    text = describe_condition(part, definition, depth)
    combined = isinstance(part, dict) and ("all" in part or "any" in part)
    return f"({text})" if combined else text


def _subject(condition: dict, definition: Definition | None) -> str:
    if "org" in condition:
        name = condition["org"]
        label = name.replace("_", " ") if name in ORG_ATTRIBUTES else str(name)
        return f"the organisation's {label}"
    question_id = condition.get("question")
    if definition is not None and definition.has_question(question_id):
        return f"the answer to ‘{definition.question(question_id).name}’"
    return f"the answer to {question_id}"


def _shown(value) -> str:
    if value is True:
        return "true"
    if value is False:
        return "false"
    return str(value)


def describe_answer(question: Question) -> str:
    """The kind of answer a question takes, e.g. 'Rating (scale rag)'."""
    name = TYPE_NAMES.get(question.type_name, question.type_name)
    if question.scale is not None:
        return f"{name} (scale {question.scale.id})"
    if question.type_name == "number":
        bounds = [f"from {question.min}" if question.min is not None else "",
                  f"to {question.max}" if question.max is not None else "",
                  question.unit or ""]
        extra = " ".join(part for part in bounds if part)
        return f"{name} ({extra})" if extra else name
    return name
