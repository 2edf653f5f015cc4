"""A widget may change the params it renders with; the question's own stay as they were."""
import copy

from markupsafe import Markup

from audit_app.questionnaires.question_types import copy_params


def test_a_copy_of_params_is_deep_and_keeps_markup_as_markup():
    params = {"fieldset": {"legend": {"html": Markup("<b>Lead</b>")}},
              "items": [{"value": "green", "hint": {"text": "Fully"}}], "rows": 3,
              "pair": ({"a": 1},), "open": False}
    copied = copy_params(params)
    assert copied == copy.deepcopy(params)
    assert isinstance(copied["fieldset"]["legend"]["html"], Markup)
    copied["items"][0]["hint"]["text"] = "changed"
    copied["fieldset"]["legend"]["classes"] = "added"
    copied["pair"][0]["a"] = 2
    assert params["items"][0]["hint"]["text"] == "Fully"
    assert "classes" not in params["fieldset"]["legend"]
    assert params["pair"][0]["a"] == 1
