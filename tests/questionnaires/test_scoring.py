"""Scores per answer, section and return: achieved, maximum, % compliant, counts per option;
excluded options left out; unscored types ignored; never raising on odd answers."""
from hypothesis import HealthCheck, given, settings

from audit_app.questionnaires.scoring import (score_answer, score_return, score_section,
                                              score_sections)
from tests.questionnaires.conftest_data import example, school
from tests.questionnaires.strategies import ORGS, answers

PROPERTY = settings(max_examples=200, deadline=None,
                    suppress_health_check=[HealthCheck.function_scoped_fixture])


def test_one_answer_scores_its_option_out_of_the_scale_maximum():
    definition = example()
    result = score_answer(definition.question("gov_named_governor"), "amber")
    assert (result.achieved, result.maximum, result.compliant, result.excluded) == \
        (1, 3, False, False)
    yes = score_answer(definition.question("gov_training"), "yes")
    assert (yes.achieved, yes.maximum, yes.compliant) == (1, 1, True)


def test_excluded_answers_have_no_score():
    result = score_answer(example().question("gov_named_governor"), "na")
    assert result.excluded and result.achieved is None and result.maximum is None


def test_unscored_questions_and_unknown_options_give_no_score():
    definition = example()
    assert score_answer(definition.question("dsl_deputies"), "3") is None
    assert score_answer(definition.question("dsl_cover"), "always") is None
    assert score_answer(definition.question("has_boarders"), "yes") is None
    assert score_answer(definition.question("vulnerable_groups"), '["send"]') is None
    assert score_answer(definition.question("gov_named_governor"), "purple") is None


def test_section_scores():
    answers = {"gov_named_governor": "green", "gov_training": "no",
               "policy_reviewed_on": "2025-09-01"}
    summary = score_section(example(), "leadership", answers, school())
    assert (summary.achieved, summary.maximum, summary.percent) == (3, 4, 75.0)
    assert (summary.scored, summary.compliant, summary.percent_compliant) == (2, 1, 50.0)
    assert dict(summary.counts) == {"green": 1, "no": 1}
    assert summary.unanswered == 0


def test_not_applicable_is_counted_but_left_out_of_percentages():
    answers = {"gov_named_governor": "na", "gov_training": "yes"}
    summary = score_section(example(), "leadership", answers, school())
    assert (summary.achieved, summary.maximum, summary.scored) == (1, 1, 1)
    assert summary.excluded == 1 and summary.counts["na"] == 1
    assert summary.percent_compliant == 100.0


def test_questions_that_do_not_apply_do_not_count():
    definition = example()
    no_boarders = {"has_boarders": "no", "boarding_checks": "red"}
    summary = score_section(definition, "pupils", no_boarders, school(statutory_low_age=5))
    assert summary.scored == 0 and summary.unanswered == 0
    boarding = score_section(definition, "pupils", {"has_boarders": "yes",
                                                    "boarding_checks": "red"},
                             school(statutory_low_age=3))
    assert (boarding.scored, boarding.achieved, boarding.maximum) == (1, 0, 3)
    assert boarding.unanswered == 1, "early years ratios apply but are unanswered"


def test_without_an_organisation_every_question_counts():
    summary = score_section(example(), "pupils", {"boarding_checks": "green"})
    assert (summary.scored, summary.unanswered) == (1, 1)


def test_return_and_per_section_scores_add_up():
    definition = example()
    answers = {"gov_named_governor": "green", "gov_training": "yes", "dsl_in_post": "amber",
               "dsl_deputies": "0", "dsl_deputy_training": "red"}
    org = school()
    total = score_return(definition, answers, org)
    sections = score_sections(definition, answers, org)
    assert list(sections) == ["leadership", "dsl", "pupils"]
    assert total.achieved == sum(part.achieved for part in sections.values()) == 5
    assert total.maximum == sum(part.maximum for part in sections.values()) == 7
    assert sections["dsl"].scored == 1, "deputy training does not apply with no deputies"
    assert total.percent_compliant == round(100 * 2 / 3, 1)


def test_an_empty_return_has_no_percentages():
    summary = score_return(example(), {}, school())
    assert summary.percent is None and summary.percent_compliant is None
    assert summary.unanswered == 3, "governor, governor training and DSL; the rest do not apply"


@PROPERTY
@given(given_answers=answers(tuple(q.id for q in example().questions)), org=ORGS)
def test_scoring_never_raises_and_stays_in_bounds(given_answers, org):
    definition = example()
    for summary in [score_return(definition, given_answers, org),
                    *score_sections(definition, given_answers, org).values(),
                    score_section(definition, "leadership", given_answers, org)]:
        assert 0 <= summary.achieved <= summary.maximum
        assert 0 <= summary.compliant <= summary.scored
        assert summary.percent is None or 0 <= summary.percent <= 100
        assert summary.percent_compliant is None or 0 <= summary.percent_compliant <= 100
        assert sum(summary.counts.values()) == summary.scored + summary.excluded
