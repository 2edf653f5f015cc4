"""Read-only accessors over a stored definition: defaults, visibility for an organisation and
its answers, per-answer requirements and the approvals that apply."""
import pytest
from hypothesis import HealthCheck, given, settings

from audit_app.questionnaires.definition import Definition
from audit_app.questionnaires.models import QuestionnaireVersion
from tests.questionnaires.conftest_data import (definition_from_yaml, example, example_data,
                                                school)
from tests.questionnaires.strategies import ORGS, answers

CHAIN = """
id: chain
version: "1"
title: Chained conditions
audience: agency
legal_basis: Section 11 of the Children Act 2004
scales: {}
sections:
  - id: about
    title: About
    questions:
      - id: direct_contact
        type: yes_no
        text: Do staff work directly with children?
  - id: practice
    title: Practice
    show_if: {question: direct_contact, in: ["yes"]}
    questions:
      - id: home_visits
        type: yes_no
        text: Do staff visit children at home?
      - id: lone_working
        type: text
        show_if: {question: home_visits, in: ["yes"]}
        text: Describe the lone working policy.
  - id: health
    title: Health
    show_if: {org: sector, in: [Health provider]}
    questions:
      - id: freedom_to_speak_up
        type: yes_no
        text: Is there a Freedom to Speak Up guardian?
declaration:
  text: Confirmed.
  approvals:
    - id: senior_officer
      label: Accountable senior officer
"""
AGENCY = {"kind": "agency", "sector": "Police", "duty_basis": "s11"}


def ids(questions):
    return [question.id for question in questions]


def test_sections_questions_and_scales_in_file_order():
    definition = example()
    assert [section.id for section in definition.sections] == ["leadership", "dsl", "pupils"]
    assert definition.section("dsl").short_title == "DSL"
    assert ids(definition.section("leadership").questions) == [
        "gov_named_governor", "gov_training", "policy_reviewed_on"]
    assert len(definition.questions) == 12
    assert [option.value for option in definition.scales["rag"].options] == [
        "green", "amber", "red", "na"]
    assert definition.scales["rag"].maximum == 3
    assert definition.renamed == {"dsl_named": "dsl_in_post"}
    with pytest.raises(KeyError):
        definition.section("nowhere")


def test_readme_defaults():
    definition = example()
    rating, yes_no, text = (definition.question(name) for name in
                            ("dsl_in_post", "has_boarders", "sixth_form_support"))
    assert (rating.required, rating.comment, rating.evidence, rating.scored) == \
        (True, "optional", "optional", True)
    assert (yes_no.comment, yes_no.evidence, yes_no.scored) == ("none", "none", False)
    assert [option.value for option in yes_no.options] == ["yes", "no"]
    assert (text.comment, text.max_length, text.scored) == ("none", 2000, False)
    assert definition.question("dsl_cover").scored is False, "inline options have no scores"
    assert definition.question("policy_reviewed_on").required is False


def test_requirements_per_answer():
    governor = example().question("gov_named_governor")
    assert governor.requirements("green") == ("evidence",)
    assert governor.requirements("amber") == ("comment", "action", "evidence"), \
        "the question's own rule replaces the scale's"
    assert governor.requirements("na") == ("reason", "evidence")
    assert governor.requirements(None) == ()
    assert example().question("dsl_in_post").requirements("red") == ("comment", "action")


def test_visibility_follows_organisation_and_answers():
    definition = example()
    primary = school()
    assert "boarding_checks" not in ids(definition.visible_questions(primary, {}))
    assert "boarding_checks" in ids(definition.visible_questions(primary,
                                                                 {"has_boarders": "yes"}))
    assert "early_years_ratios" in ids(definition.visible_questions(
        school(statutory_low_age=3), {}))
    assert "dsl_deputy_training" in ids(definition.visible_questions(
        primary, {"dsl_deputies": "2"}, "dsl"))
    sixth_form = school(phase="Secondary", sixth_form=True)
    assert "sixth_form_support" in ids(definition.visible_questions(sixth_form, {}))
    assert "sixth_form_support" not in ids(definition.visible_questions(primary, {}))


def test_a_hidden_question_hides_what_depends_on_it():
    definition = definition_from_yaml(CHAIN)
    answers_given = {"direct_contact": "yes", "home_visits": "yes"}
    assert ids(definition.visible_questions(AGENCY, answers_given)) == [
        "direct_contact", "home_visits", "lone_working"]
    answers_given["direct_contact"] = "no"
    visibility = definition.visibility(AGENCY, answers_given)
    assert ids(visibility.questions) == ["direct_contact"]
    assert visibility.answers == {"direct_contact": "no"}, "the stale answer is not counted"
    assert [section.id for section in visibility.sections] == ["about"]
    health = dict(AGENCY, sector="Health provider")
    assert "freedom_to_speak_up" in ids(definition.visible_questions(health, {}))


def test_unanswered_required_questions():
    definition = example()
    missing = definition.unanswered(school(), {"gov_named_governor": "green"}, "leadership")
    assert ids(missing) == ["gov_training"], "the date is optional"
    assert ids(definition.unanswered(school(), {"gov_named_governor": "purple"},
                                     "leadership"))[0] == "gov_named_governor"


@pytest.mark.parametrize("attributes,expected", [
    (dict(legal_basis="s175"), ["headteacher", "chair_of_governors"]),
    (dict(legal_basis="nmss", type_group="Special schools"),
     ["headteacher", "chair_of_governors"]),
    (dict(legal_basis="s157", type_group="Academies"), ["headteacher", "chair_of_trust"]),
    (dict(legal_basis="s157", type_group="Free Schools"), ["headteacher", "chair_of_trust"]),
    (dict(legal_basis="s157", type_group="Independent schools"), ["headteacher", "proprietor"]),
])
def test_approvals_depend_on_the_legal_basis(attributes, expected):
    approvals = example().approvals_for(school(**attributes))
    assert [approval.id for approval in approvals] == expected


def test_a_definition_from_a_stored_version_or_its_dict():
    data = example_data()
    version = QuestionnaireVersion(definition=data)
    assert Definition.of(version).key == "example"
    assert Definition.of(data).version == "1"
    definition = Definition(data)
    assert Definition.of(definition) is definition
    with pytest.raises(TypeError):
        Definition.of("s175")


@settings(max_examples=150, deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(given_answers=answers(tuple(q.id for q in example().questions)), org=ORGS)
def test_visibility_and_approvals_never_raise(given_answers, org):
    definition = example()
    visibility = definition.visibility(org, given_answers)
    assert set(visibility.answers) <= {question.id for question in visibility.questions}
    definition.approvals_for(org)
    definition.unanswered(org, given_answers)
