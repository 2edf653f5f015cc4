"""The registry of question types. Each type knows which options it takes (the keys each
type allows are in schema.py), its WTForms field and GOV.UK widget, how an answer is stored
(always text; several choices as a JSON list), how to read it back, and what makes an answer
well-formed."""
import json
from abc import ABC, abstractmethod
import re
from datetime import date

from govuk_frontend_wtf.main import merger
from govuk_frontend_wtf.wtforms_widgets import (GovCheckboxesInput, GovDateInput,
                                                GovRadioInput, GovTextArea, GovTextInput)
from wtforms import Field, RadioField, SelectMultipleField, StringField, TextAreaField

from .conditions import token_of

DEFAULT_TEXT_LENGTH = 5000
# Answers are counts (referrals, staff trained): 15 digits is far beyond any of them.
WHOLE_NUMBER = re.compile(r"^[+-]?\d{1,15}$")
LARGEST_NUMBER = 10 ** 15


# Widgets that carry the question's own GOV.UK params (legend, hint, guidance, option hints)
# so that ``{{ form[qid]() }}`` renders the whole question; a template may add to them.
class _QuestionParamsMixin:
    def __init__(self, *args, params=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.default_params = params or {}

    def __call__(self, field, **kwargs):
        params = copy_params(self.default_params)
        if "params" in kwargs:
            params = merger.merge(params, copy_params(kwargs["params"]))
        kwargs["params"] = params
        return super().__call__(field, **kwargs)


def copy_params(value):
    """A copy of GOV.UK params (dicts and lists of text, numbers and Markup) that the widget
    may change without changing the question's own: what ``copy.deepcopy`` makes of them,
    several times faster, as every question of a page is rendered through it."""
    if isinstance(value, dict):
        return {key: copy_params(item) for key, item in value.items()}
    if isinstance(value, list):
        return [copy_params(item) for item in value]
    if isinstance(value, tuple):
        return tuple(copy_params(item) for item in value)
    return value


class QuestionRadios(_QuestionParamsMixin, GovRadioInput):
    pass


class QuestionCheckboxes(_QuestionParamsMixin, GovCheckboxesInput):
    pass


class QuestionTextArea(_QuestionParamsMixin, GovTextArea):
    pass


class QuestionTextInput(_QuestionParamsMixin, GovTextInput):
    pass


class QuestionDateInput(_QuestionParamsMixin, GovDateInput):
    pass


class AnswerDateField(Field):
    """Day, month and year inputs; ``data`` is a date when the three make a real one."""

    widget = QuestionDateInput()

    def process_formdata(self, valuelist):
        if not valuelist:
            # Not posted at all: like every other field, keep the saved answer.
            self.raw_data = None
            return
        parts = [str(value).strip() for value in valuelist[:3]]
        parts += [""] * (3 - len(parts))
        # The widget unpacks exactly three parts; nothing posted shows empty inputs.
        self.raw_data = parts if any(parts) else None
        self.data = _make_date(parts)

    def process_data(self, value):
        self.data = value if isinstance(value, date) else None

    def _value(self):
        return self.data.isoformat() if isinstance(self.data, date) else ""


def _make_date(parts) -> date | None:
    day, month, year = parts
    if not (day.isdigit() and month.isdigit() and year.isdigit() and len(year) == 4):
        return None
    try:
        return date(int(year), int(month), int(day))
    except ValueError:
        return None


class QuestionType(ABC):
    """Behaviour shared by every type; subclasses set what differs."""

    name = ""
    options = "none"          # "scale" (required), "yes_no", "either" (options or scale), "none"
    default_comment = "none"
    default_evidence = "none"
    can_be_scored = False
    required_message = "Enter an answer for ‘{name}’"

    # Stored text <-> values -----------------------------------------------------------
    def parse(self, value):
        """A stored text or a form value as this type's value; None when empty or
        unreadable. Never raises."""
        token = token_of(value)
        return None if token is None else str(value).strip()

    def serialise(self, value) -> str | None:
        value = self.parse(value)
        return None if value is None else str(value)

    def field_data(self, value):
        """What the WTForms field holds for a stored answer."""
        return self.parse(value)

    # Validation -----------------------------------------------------------------------
    def is_blank(self, field) -> bool:
        return field.data is None or (isinstance(field.data, str) and not field.data.strip())

    def format_problem(self, question, field) -> str | None:
        """A message when the answer given is not a well-formed answer of this type."""
        return None

    # The field -----------------------------------------------------------------------
    @abstractmethod
    def make_field(self, question, label: str, params: dict):
        """The WTForms field (with its GOV.UK widget) for ``question``."""


class _OptionsType(QuestionType):
    default_comment = "optional"
    can_be_scored = True

    def parse(self, value):
        if isinstance(value, str):
            return value.strip() or None
        if isinstance(value, bool):
            # YAML's unquoted yes/no; also what a checkbox-minded caller might pass.
            return "yes" if value else "no"
        return None

    def format_problem(self, question, field):
        if question.option(field.data) is None:
            return self.required_message.format(name=question.name)
        return None

    def make_field(self, question, label, params):
        choices = [(option.value, option.label) for option in question.options]
        return RadioField(label, choices=choices, validate_choice=False,
                          widget=QuestionRadios(params=params))


class RatingType(_OptionsType):
    name = "rating"
    options = "scale"
    default_evidence = "optional"
    required_message = "Select a rating for ‘{name}’"


class YesNoType(_OptionsType):
    name = "yes_no"
    options = "yes_no"
    required_message = "Select yes or no for ‘{name}’"


class ChoiceType(_OptionsType):
    name = "choice"
    options = "either"
    required_message = "Select an option for ‘{name}’"


class MultiChoiceType(QuestionType):
    name = "multi_choice"
    options = "either"
    required_message = "Select at least one option for ‘{name}’"

    def parse(self, value):
        if isinstance(value, str):
            text = value.strip()
            if not text:
                return None
            try:
                value = json.loads(text) if text.startswith("[") else [text]
            except ValueError:
                value = [text]
        if not isinstance(value, (list, tuple)):
            return None
        chosen = []
        for item in value:
            if isinstance(item, str) and item.strip() and item.strip() not in chosen:
                chosen.append(item.strip())
        return chosen or None

    def serialise(self, value):
        chosen = self.parse(value)
        return None if chosen is None else json.dumps(chosen, ensure_ascii=False)

    def is_blank(self, field):
        return not field.data

    def format_problem(self, question, field):
        if any(question.option(value) is None for value in field.data):
            return f"Select only the options shown for ‘{question.name}’"
        return None

    def make_field(self, question, label, params):
        choices = [(option.value, option.label) for option in question.options]
        return SelectMultipleField(label, choices=choices, validate_choice=False,
                                   widget=QuestionCheckboxes(params=params))


class TextType(QuestionType):
    name = "text"

    def format_problem(self, question, field):
        limit = question.max_length
        if len(field.data) > limit:
            return f"‘{question.name}’ must be {limit:,} characters or fewer"
        return None

    def make_field(self, question, label, params):
        return TextAreaField(label, widget=QuestionTextArea(params=params))


class NumberType(QuestionType):
    name = "number"
    required_message = "Enter a number for ‘{name}’"

    def parse(self, value):
        if isinstance(value, bool):
            return None
        if isinstance(value, float) and value.is_integer():
            value = int(value)
        if isinstance(value, int):
            return value if abs(value) < LARGEST_NUMBER else None
        if isinstance(value, str):
            text = value.strip().replace(",", "").replace(" ", "")
            return int(text) if WHOLE_NUMBER.match(text) else None
        return None

    def field_data(self, value):
        number = self.parse(value)
        return None if number is None else str(number)

    def format_problem(self, question, field):
        number = self.parse(field.data)
        if number is None:
            return f"Enter a whole number for ‘{question.name}’"
        low, high = question.min, question.max
        if low is not None and high is not None and not low <= number <= high:
            return f"‘{question.name}’ must be between {low:,} and {high:,}"
        if low is not None and number < low:
            return f"‘{question.name}’ must be {low:,} or more"
        if high is not None and number > high:
            return f"‘{question.name}’ must be {high:,} or less"
        return None

    def make_field(self, question, label, params):
        return StringField(label, widget=QuestionTextInput(params=params))


class DateType(QuestionType):
    name = "date"
    required_message = "Enter a date for ‘{name}’"

    def parse(self, value):
        if isinstance(value, date):
            return value
        if isinstance(value, str):
            try:
                return date.fromisoformat(value.strip())
            except ValueError:
                return None
        return None

    def serialise(self, value):
        day = self.parse(value)
        return None if day is None else day.isoformat()

    def is_blank(self, field):
        return field.data is None and not field.raw_data

    def format_problem(self, question, field):
        if field.data is not None:
            return None
        day, month, year = field.raw_data
        missing = [name for name, part in (("day", day), ("month", month), ("year", year))
                   if not part]
        if missing:
            return f"‘{question.name}’ must include a {' and '.join(missing)}"
        if not (len(year) == 4 and year.isdigit()):
            return f"The year of ‘{question.name}’ must include 4 numbers"
        return f"‘{question.name}’ must be a real date"

    def make_field(self, question, label, params):
        return AnswerDateField(label, widget=QuestionDateInput(params=params))


QUESTION_TYPES = {question_type.name: question_type for question_type in (
    RatingType(), YesNoType(), ChoiceType(), MultiChoiceType(), TextType(), NumberType(),
    DateType())}
