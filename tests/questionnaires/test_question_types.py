"""The question type registry: how answers are stored as text and read back."""
from datetime import date

import pytest
from hypothesis import HealthCheck, given, settings

from audit_app.questionnaires.question_types import QUESTION_TYPES
from audit_app.questionnaires.schema import QUESTION_TYPE_KEYS
from tests.questionnaires.strategies import VALUES


def test_every_type_in_the_readme_is_registered():
    assert list(QUESTION_TYPES) == ["rating", "yes_no", "choice", "multi_choice", "text",
                                    "number", "date"]
    assert set(QUESTION_TYPE_KEYS) == set(QUESTION_TYPES)


@pytest.mark.parametrize("type_name,stored,value", [
    ("rating", "green", "green"),
    ("yes_no", "no", "no"),
    ("choice", " always ", "always"),
    ("multi_choice", '["send", "young_carers"]', ["send", "young_carers"]),
    ("multi_choice", "send", ["send"]),
    ("multi_choice", "[]", None),
    ("text", "  Some words ", "Some words"),
    ("number", "1,200", 1200),
    ("number", "12.5", None),
    ("date", "2025-09-01", date(2025, 9, 1)),
    ("date", "1 September 2025", None),
    ("rating", "", None),
    ("text", None, None),
])
def test_stored_text_is_read_as_the_types_value(type_name, stored, value):
    assert QUESTION_TYPES[type_name].parse(stored) == value


@pytest.mark.parametrize("type_name,value,stored", [
    ("multi_choice", ["send", "send", "young_carers"], '["send", "young_carers"]'),
    ("number", 7, "7"),
    ("date", date(2025, 3, 7), "2025-03-07"),
    ("yes_no", True, "yes"),
    ("text", "   ", None),
])
def test_values_are_stored_as_text(type_name, value, stored):
    assert QUESTION_TYPES[type_name].serialise(value) == stored


@settings(max_examples=300, deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(value=VALUES)
def test_reading_never_raises_and_storing_round_trips(value):
    for question_type in QUESTION_TYPES.values():
        parsed = question_type.parse(value)
        stored = question_type.serialise(parsed)
        assert stored is None or isinstance(stored, str)
        assert question_type.parse(stored) == parsed
