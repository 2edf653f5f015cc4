"""Saving a section without HTTP: drafts always save, completion enforces every required
answer and rule, questions that do not apply are ignored and cleared, the first save starts
the return, and a return that cannot change refuses every change."""
import pytest
import sqlalchemy as sa

from audit_app.audit_log.models import AuditEvent
from audit_app.cycles.models import ReturnEvent
from audit_app.extensions import db
from audit_app.returns.actions import ActionInput, add_action
from audit_app.returns.evidence import add_reference
from audit_app.returns.models import Answer, SectionState
from audit_app.returns.drafts import SectionUnavailable, stored_answers
from audit_app.returns.services import AnswersRefused, ReturnLocked, lock_reason, save_section
from tests.returns.conftest import fixed_date, make_cycle, make_return
from tests.returns.helpers import page_of, save, stored

GOVERNOR = "The governing body has named a governor to lead on safeguarding"


def state_of(audit_return, section_id):
    return SectionState.query.filter_by(return_id=audit_return.id,
                                        section_key=section_id).one_or_none()


def test_a_draft_saves_incomplete_answers_and_starts_the_return(audit_return, respondent):
    result = save(audit_return, "leadership", {"gov_training": "yes"}, actor=respondent)
    db.session.commit()
    assert result.wrote and result.status == "in_progress" and result.version == 1
    assert stored(audit_return) == {"gov_training": ("yes", None)}
    assert audit_return.status == "in_progress"
    event = ReturnEvent.query.filter_by(return_id=audit_return.id).one()
    assert (event.from_status, event.to_status, event.actor_id) == \
        ("not_started", "in_progress", respondent.id)
    logged = AuditEvent.query.filter_by(action="return.section_saved").one()
    assert logged.detail["changed"] == ["gov_training"] and logged.actor_id == respondent.id


def test_saving_nothing_new_writes_nothing(audit_return, respondent):
    save(audit_return, "leadership", {"gov_training": "yes"}, actor=respondent)
    result = save(audit_return, "leadership", {"gov_training": "yes"}, actor=respondent)
    assert not result.wrote and result.version == 1
    assert state_of(audit_return, "leadership").version == 1


def test_completing_reports_every_missing_answer_but_still_saves(audit_return, respondent):
    result = save(audit_return, "dsl", {"dsl_in_post": "green"}, actor=respondent,
                  complete=True)
    assert result.status == "in_progress" and not result.completed
    assert [(p.question_id, p.kind, p.message) for p in result.problems] == [
        ("dsl_deputies", "answer", "Enter a number for ‘How many trained deputy designated "
                                   "safeguarding leads does the school have’"),
        ("dsl_cover", "answer", "Select an option for ‘How often is a designated safeguarding "
                                "lead or deputy available during school hours’"),
    ]
    assert stored(audit_return)["dsl_in_post"] == ("green", None)


def test_completing_checks_comment_reason_evidence_and_action_rules(audit_return, respondent):
    # Amber on this question needs a comment and an action; it always needs evidence.
    result = save(audit_return, "leadership",
                  {"gov_named_governor": "amber", "gov_training": "no"}, actor=respondent,
                  complete=True)
    assert [(p.question_id, p.kind, p.anchor) for p in result.problems] == [
        ("gov_named_governor", "comment", "gov_named_governor__comment"),
        ("gov_named_governor", "evidence", "gov_named_governor-evidence"),
        ("gov_named_governor", "action", "gov_named_governor-actions"),
        ("gov_training", "action", "gov_training-actions"),
    ]
    assert result.problems[0].message == \
        f"Enter a comment explaining your answer to ‘{GOVERNOR}’"
    assert result.problems[1].message.startswith(f"Add evidence for ‘{GOVERNOR}’")
    assert result.problems[2].message.startswith(f"Add an action plan item for ‘{GOVERNOR}’")
    db.session.commit()
    add_reference(audit_return, "gov_named_governor", "Governors' minutes, 12 March", respondent)
    for question_id in ("gov_named_governor", "gov_training"):
        add_action(audit_return, question_id,
                   ActionInput("Appoint a lead governor", "Chair of governors", "31", "3",
                               str(fixed_date(60).year + 1)), respondent)
    db.session.commit()
    result = save(audit_return, "leadership", comments={"gov_named_governor": "Vacancy"},
                  actor=respondent, complete=True)
    assert result.problems == [] and result.completed
    assert state_of(audit_return, "leadership").status == "completed"


def test_not_applicable_needs_a_reason(audit_return, respondent):
    result = save(audit_return, "dsl", {"dsl_in_post": "na", "dsl_deputies": "0",
                                        "dsl_cover": "always"},
                  actor=respondent, complete=True)
    assert [(p.kind, p.message) for p in result.problems] == [
        ("comment", "Enter a comment explaining why ‘A senior leader is the designated "
                    "safeguarding lead, named in their job description’ does not apply")]
    result = save(audit_return, "dsl", comments={"dsl_in_post": "We are a federation"},
                  actor=respondent, complete=True)
    assert result.completed


def test_a_hidden_question_posted_anyway_is_ignored(audit_return, respondent):
    save(audit_return, "dsl", {"dsl_deputies": "0", "dsl_deputy_training": "green"},
         actor=respondent)
    assert "dsl_deputy_training" not in stored(audit_return)


def test_an_answer_that_stops_applying_is_cleared(audit_return, respondent):
    save(audit_return, "dsl", {"dsl_deputies": "2", "dsl_deputy_training": "amber"},
         comments={"dsl_deputy_training": "One deputy is new"}, actor=respondent)
    assert stored(audit_return)["dsl_deputy_training"] == ("amber", "One deputy is new")
    result = save(audit_return, "dsl", {"dsl_deputies": "0"}, actor=respondent)
    assert result.cleared == ["dsl_deputy_training", "dsl_deputy_training__comment"]
    assert "dsl_deputy_training" not in stored(audit_return)
    version, fields = page_of(audit_return, "dsl")
    assert fields["dsl_deputy_training"] is None


def test_an_answer_hidden_by_the_organisation_is_not_shown(partnership, respondent, cycle):
    from tests.fixtures import add_school

    older = add_school(partnership, urn="100777", name="Hill Top Secondary",
                       statutory_low_age=11, statutory_high_age=16, phase="Secondary")
    audit_return = make_return(cycle, older)
    db.session.add(Answer(return_id=audit_return.id, section_key="pupils",
                          question_key="early_years_ratios", value="red"))
    db.session.commit()
    _version, fields = page_of(audit_return, "pupils")
    assert fields["early_years_ratios"] is None


def test_a_malformed_answer_refuses_the_whole_save(audit_return, respondent):
    with pytest.raises(AnswersRefused) as refused:
        save(audit_return, "dsl", {"dsl_in_post": "green", "dsl_deputies": "lots"},
             actor=respondent)
    assert refused.value.problems[0].question_id == "dsl_deputies"
    with pytest.raises(AnswersRefused):
        save(audit_return, "dsl", {"dsl_deputies": "50"}, actor=respondent)
    with pytest.raises(AnswersRefused):
        save(audit_return, "dsl", {"dsl_in_post": "purple"}, actor=respondent)
    db.session.commit()
    assert stored(audit_return) == {}
    assert state_of(audit_return, "dsl") is None
    assert audit_return.status == "not_started"


def test_an_unknown_section_is_unavailable(audit_return, respondent):
    with pytest.raises(SectionUnavailable):
        save_section(audit_return, "nowhere", {}, {}, 0, {}, respondent, False)


@pytest.mark.parametrize("status", ["submitted", "accepted", "withdrawn"])
def test_a_return_that_is_in_or_withdrawn_refuses_every_change(audit_return, respondent,
                                                               status):
    save(audit_return, "dsl", {"dsl_in_post": "green"}, actor=respondent)
    db.session.commit()
    db.session.execute(sa.update(type(audit_return)).where(type(audit_return).id ==
                                                           audit_return.id)
                       .values(status=status))
    db.session.commit()
    db.session.refresh(audit_return)
    before = (stored(audit_return), state_of(audit_return, "dsl").version,
              audit_return.lock_version)
    with pytest.raises(ReturnLocked) as refused:
        save(audit_return, "dsl", {"dsl_in_post": "red"}, actor=respondent)
    assert status in str(refused.value)
    db.session.commit()
    db.session.refresh(audit_return)
    assert (stored(audit_return), state_of(audit_return, "dsl").version,
            audit_return.lock_version) == before


def test_a_return_past_its_final_deadline_or_in_a_closed_cycle_is_read_only(
        partnership, school, respondent):
    late = make_return(make_cycle(partnership, name="Late", due_in_days=-20,
                                  final_deadline=fixed_date(-1)), school)
    with pytest.raises(ReturnLocked) as refused:
        save(late, "dsl", {"dsl_in_post": "green"}, actor=respondent)
    assert "The deadline for this return was" in str(refused.value)
    late.extension_until = fixed_date(5)
    db.session.commit()
    assert save(late, "dsl", {"dsl_in_post": "green"}, actor=respondent).wrote
    closed = make_return(make_cycle(partnership, name="Closed", status="closed"), school)
    assert lock_reason(closed) == \
        "This audit cycle has closed, so this return can no longer be changed"
    with pytest.raises(ReturnLocked):
        save(closed, "dsl", {"dsl_in_post": "green"}, actor=respondent)


def test_a_return_sent_back_for_changes_can_be_changed(audit_return, respondent):
    audit_return.status = "returned"
    db.session.commit()
    assert save(audit_return, "dsl", {"dsl_in_post": "amber"}, actor=respondent).wrote
    assert audit_return.status == "returned"


def test_autosave_keeps_a_completed_section_completed_while_it_qualifies(audit_return,
                                                                         respondent):
    answers = {"dsl_in_post": "green", "dsl_deputies": "0", "dsl_cover": "always"}
    assert save(audit_return, "dsl", answers, actor=respondent, complete=True).completed
    result = save(audit_return, "dsl", {"dsl_cover": "mostly"}, actor=respondent,
                  complete=None)
    assert result.completed
    result = save(audit_return, "dsl", {"dsl_in_post": "red"}, actor=respondent,
                  complete=None)
    assert result.status == "in_progress"
    assert save(audit_return, "dsl", {"dsl_in_post": "green"}, actor=respondent,
                complete=False).status == "in_progress"


def test_a_return_s_answers_are_read_in_one_query(audit_return, respondent):
    save(audit_return, "dsl", {"dsl_in_post": "green", "dsl_deputies": "3"}, actor=respondent)
    save(audit_return, "leadership", {"gov_training": "yes"}, actor=respondent)
    statements = []
    engine = db.session.get_bind()

    def count(*_args):
        statements.append(1)

    sa.event.listen(engine, "before_cursor_execute", count)
    try:
        dsl = stored_answers(audit_return.id, "dsl")
    finally:
        sa.event.remove(engine, "before_cursor_execute", count)
    assert set(dsl.rows) == {"dsl_in_post", "dsl_deputies"} and len(statements) == 1
