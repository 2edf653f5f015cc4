"""The example definition and organisation attribute dicts the engine tests share."""
from functools import cache
from pathlib import Path

from audit_app.questionnaires.checker import check_file, check_source
from audit_app.questionnaires.definition import Definition

EXAMPLE_PATH = Path(__file__).resolve().parents[2] / "questionnaires" / "example" / "1.yaml"


@cache
def _example_data() -> dict:
    result = check_file(EXAMPLE_PATH)
    assert result.problems == [], result.problems
    return result.data


def example_data() -> dict:
    """A fresh copy each time: tests may change it."""
    import copy

    return copy.deepcopy(_example_data())


def example() -> Definition:
    return Definition(example_data())


def definition_from_yaml(text: str) -> Definition:
    result = check_source(text.encode("utf-8"), "test.yaml")
    assert result.problems == [], [str(problem) for problem in result.problems]
    return Definition(result.data)


def school(**attributes) -> dict:
    values = {"kind": "school", "phase": "Primary", "establishment_type": "Community school",
              "type_group": "Local authority maintained schools", "legal_basis": "s175",
              "boarders": False, "nursery": False, "sixth_form": False,
              "statutory_low_age": 5, "statutory_high_age": 11, "pupils": 210,
              "religious_character": "Does not apply", "sector": None, "duty_basis": None}
    values.update(attributes)
    return values
