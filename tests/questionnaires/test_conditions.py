"""Condition evaluation over answers and organisation attributes (never eval), and the
mapping of an Organisation to the attribute names conditions use."""
from hypothesis import HealthCheck, given, settings

from audit_app.organisations.models import Organisation
from audit_app.questionnaires.conditions import evaluate, organisation_attributes
from tests.questionnaires.strategies import (ORGS, VALUES, answers, conditions, leaf,
                                             well_formed_conditions)

PRIMARY = {"kind": "school", "phase": "Primary", "legal_basis": "s175", "boarders": False,
           "statutory_low_age": 3, "pupils": 210, "type_group": "Local authority maintained "
           "schools", "sector": None}
PROPERTY = settings(max_examples=300, deadline=None,
                    suppress_health_check=[HealthCheck.function_scoped_fixture])


def test_org_in_and_not_in():
    assert evaluate({"org": "phase", "in": ["Secondary", "Primary"]}, {}, PRIMARY)
    assert not evaluate({"org": "phase", "in": ["Secondary"]}, {}, PRIMARY)
    assert evaluate({"org": "phase", "not_in": ["Secondary"]}, {}, PRIMARY)
    assert not evaluate({"org": "phase", "not_in": ["Primary"]}, {}, PRIMARY)


def test_a_missing_attribute_meets_no_in_and_every_not_in():
    assert not evaluate({"org": "sector", "in": ["Police"]}, {}, PRIMARY)
    assert evaluate({"org": "sector", "not_in": ["Police"]}, {}, PRIMARY)
    assert not evaluate({"org": "duty_basis", "in": ["s11"]}, {}, PRIMARY)


def test_booleans_match_yaml_true_and_false():
    assert evaluate({"org": "boarders", "in": [False]}, {}, PRIMARY)
    assert not evaluate({"org": "boarders", "in": [True]}, {}, PRIMARY)
    assert not evaluate({"org": "boarders", "in": [True]}, {}, {"boarders": None})


def test_values_compare_as_text_ignoring_case():
    assert evaluate({"org": "phase", "in": ["primary"]}, {}, PRIMARY)
    assert evaluate({"question": "deputies", "not_in": ["0"]}, {"deputies": 2}, {})
    assert not evaluate({"question": "deputies", "not_in": [0]}, {"deputies": "0"}, {})


def test_numbers_within_min_and_max_inclusive():
    assert evaluate({"org": "statutory_low_age", "max": 4}, {}, PRIMARY)
    assert evaluate({"org": "statutory_low_age", "max": 3}, {}, PRIMARY)
    assert not evaluate({"org": "statutory_low_age", "max": 2}, {}, PRIMARY)
    assert evaluate({"org": "pupils", "min": 100, "max": 210}, {}, PRIMARY)
    assert not evaluate({"org": "pupils", "min": 211}, {}, PRIMARY)
    assert evaluate({"question": "deputies", "min": 1}, {"deputies": "3"}, {})
    assert not evaluate({"question": "deputies", "min": 1}, {"deputies": "three"}, {})
    assert not evaluate({"org": "pupils", "min": 1}, {}, {"pupils": True}), "true is not 1"


def test_question_answers_including_lists():
    groups = {"groups": ["send", "young_carers"]}
    assert evaluate({"question": "groups", "in": ["send"]}, groups, {})
    assert not evaluate({"question": "groups", "in": ["looked_after"]}, groups, {})
    assert not evaluate({"question": "groups", "not_in": ["send"]}, groups, {})
    assert evaluate({"question": "has_boarders", "in": ["yes"]}, {"has_boarders": "yes"}, {})


def test_an_unanswered_question_meets_no_in_and_every_not_in():
    for answers_given in ({}, {"q": None}, {"q": ""}, {"q": []}, {"q": "  "}):
        assert not evaluate({"question": "q", "in": ["yes"]}, answers_given, {})
        assert evaluate({"question": "q", "not_in": ["yes"]}, answers_given, {})
        assert not evaluate({"question": "q", "min": 0}, answers_given, {})


def test_all_any_not_combine():
    secondary_or_boarding = {"any": [{"org": "phase", "in": ["Secondary"]},
                                     {"org": "boarders", "in": [True]}]}
    assert not evaluate(secondary_or_boarding, {}, PRIMARY)
    assert evaluate({"not": secondary_or_boarding}, {}, PRIMARY)
    assert evaluate({"all": [{"org": "kind", "in": ["school"]},
                             {"not": {"org": "legal_basis", "in": ["s157"]}}]}, {}, PRIMARY)
    assert not evaluate({"all": [{"org": "kind", "in": ["school"]},
                                 {"org": "legal_basis", "in": ["s157"]}]}, {}, PRIMARY)


def test_no_condition_holds_and_malformed_ones_do_not():
    assert evaluate(None, {}, PRIMARY)
    for junk in ("__import__('os').system('true')", ["phase"], {"org": "phase"},
                 {"phase": "Primary"}, {"all": "x"}, {"not": "x"}, 42,
                 {"org": "phase", "in": "Primary"}):
        assert evaluate(junk, {}, PRIMARY) is False
        assert evaluate({"not": junk}, {}, PRIMARY) is False, "not of junk is still junk"


def test_deep_nesting_is_refused_rather_than_overflowing():
    condition = {"org": "kind", "in": ["school"]}
    for _ in range(5000):
        condition = {"not": {"not": condition}}
    assert evaluate(condition, {}, PRIMARY) is False


def test_organisation_attributes_of_a_school_and_an_agency():
    school = Organisation(kind="school", name="Oak", phase="Secondary", legal_basis="s157",
                          type_group="Academies", establishment_type="Academy converter",
                          boarders=True, nursery=False, sixth_form=True, statutory_low_age=11,
                          statutory_high_age=18, pupils=1200,
                          religious_character="Church of England")
    assert organisation_attributes(school) == {
        "kind": "school", "phase": "Secondary", "establishment_type": "Academy converter",
        "type_group": "Academies", "legal_basis": "s157", "boarders": True, "nursery": False,
        "sixth_form": True, "statutory_low_age": 11, "statutory_high_age": 18, "pupils": 1200,
        "religious_character": "Church of England", "sector": None, "duty_basis": None}
    agency = organisation_attributes(Organisation(kind="agency", name="Police",
                                                  sector="Police", duty_basis="s11"))
    assert agency["kind"] == "agency" and agency["sector"] == "Police"
    assert agency["duty_basis"] == "s11" and agency["phase"] is None
    assert evaluate({"org": "phase", "not_in": ["Primary"]}, {}, agency)


@PROPERTY
@given(condition=conditions(("q1", "q2", "q3")), given_answers=answers(("q1", "q2", "q3")),
       org=ORGS)
def test_evaluation_never_raises_and_always_gives_a_bool(condition, given_answers, org):
    assert evaluate(condition, given_answers, org) in (True, False)


@PROPERTY
@given(condition=well_formed_conditions(("q1", "q2")), given_answers=answers(("q1", "q2")),
       org=ORGS)
def test_not_is_the_opposite_of_a_well_formed_condition(condition, given_answers, org):
    inner = evaluate(condition, given_answers, org)
    assert evaluate({"not": condition}, given_answers, org) is (not inner)


@PROPERTY
@given(condition=leaf(("q1",)), given_answers=answers(("q1",)), org=ORGS)
def test_not_in_is_the_opposite_of_in(condition, given_answers, org):
    if "in" in condition:
        opposite = {key: value for key, value in condition.items() if key != "in"}
        opposite["not_in"] = condition["in"]
        assert evaluate(opposite, given_answers, org) is (
            not evaluate(condition, given_answers, org))


@PROPERTY
@given(answers_given=VALUES, org=VALUES)
def test_answers_and_organisations_of_any_type_are_handled(answers_given, org):
    assert evaluate({"question": "q", "in": ["yes"]}, answers_given, org) in (True, False)
    assert evaluate({"org": "phase", "in": ["Primary"]}, answers_given, org) in (True, False)
