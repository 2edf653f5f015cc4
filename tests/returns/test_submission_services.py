"""Check, approve and submit at the service level (no HTTP). The builders at the top are
shared by the other test_submission_* modules."""
import json
from datetime import timedelta
from pathlib import Path

import pytest
import sqlalchemy as sa

from audit_app.audit_log.models import AuditEvent
from audit_app.cycles.models import AuditReturn, Cycle, ReturnEvent
from audit_app.cycles.transitions import transition
from audit_app.extensions import db
from audit_app.mail.models import OutboxMessage
from audit_app.returns.models import (ActionItem, Answer, Approval, Evidence, Submission,
                                      SubmissionAnswer)
from audit_app.returns.submission import (AlreadySubmitted, ApprovalEntry, ApprovalErrors,
                                          ReturnChanged, SubmissionBlocked,
                                          SubmissionError, approval_slots, content_sha256,
                                          definition_of, problems_before_submit,
                                          record_approvals, submit)
from audit_app.timeutil import today_london
from tests.fixtures import add_school
from tests.returns.conftest import EXAMPLE, S175, load_version, make_cycle, make_return
from tests.returns.submission_builders import (
    UNICODE_NAME,
    ACADEMY,
    INDEPENDENT,
    submission_cycle,
    return_in_progress,
    set_answer,
    add_evidence,
    add_action,
    answer_everything,
    approve_all,
    make_submitter,
    make_ready_return)


# problems_before_submit --------------------------------------------------------------------

def test_a_complete_approved_return_has_no_problems(ready_return):
    assert problems_before_submit(ready_return) == []


def test_every_required_question_that_applies_must_be_answered(ready_return):
    answer = Answer.query.filter_by(return_id=ready_return.id,
                                    question_key="leadership_board_lead_governor").one()
    db.session.delete(answer)
    db.session.flush()
    problems = problems_before_submit(ready_return)
    assert len(problems) == 1
    problem = problems[0]
    assert problem.question_id == "leadership_board_lead_governor"
    assert problem.section_id == "leadership"
    assert problem.message.startswith("Select a rating for ‘")
    assert problem.anchor == "answer-leadership_board_lead_governor"


def test_an_answer_that_is_not_an_option_counts_as_unanswered(ready_return):
    set_answer(ready_return, "leadership_board_lead_governor", "purple")
    assert [p.question_id for p in problems_before_submit(ready_return)] == \
        ["leadership_board_lead_governor"]


def test_questions_that_do_not_apply_are_not_asked_for(partnership, submitter):
    # A day school: the boarding questions do not apply, and were never answered.
    school = add_school(partnership, urn="100222", name="Day School", boarders=False)
    audit_return = return_in_progress(partnership, school, name="Day cycle")
    answered = answer_everything(audit_return)
    assert not any("board" in question_id for question_id in answered
                   if question_id.startswith("site_boarding"))
    approve_all(audit_return, submitter)
    assert problems_before_submit(audit_return) == []


def test_a_question_revealed_by_an_answer_must_then_be_answered(ready_return):
    set_answer(ready_return, "site_lets_premises", "yes")
    Answer.query.filter_by(return_id=ready_return.id,
                           question_key="site_lettings_agreements").delete()
    problems = problems_before_submit(ready_return)
    assert [p.question_id for p in problems] == ["site_lettings_agreements"]
    set_answer(ready_return, "site_lets_premises", "no")
    assert problems_before_submit(ready_return) == []


def test_red_needs_a_comment_and_an_action(ready_return):
    set_answer(ready_return, "leadership_board_lead_governor", "red")
    messages = [p.message for p in problems_before_submit(ready_return)]
    assert len(messages) == 2
    assert messages[0].startswith("Enter a comment explaining your answer to ‘")
    assert messages[1].startswith("Add an action plan item for ‘")
    set_answer(ready_return, "leadership_board_lead_governor", "red", "Not yet appointed")
    add_action(ready_return, "leadership_board_lead_governor")
    assert problems_before_submit(ready_return) == []


def test_a_dropped_action_does_not_meet_the_rule(ready_return):
    set_answer(ready_return, "leadership_board_lead_governor", "amber")
    add_action(ready_return, "leadership_board_lead_governor", status="dropped")
    assert [p.message[:26] for p in problems_before_submit(ready_return)] == \
        ["Add an action plan item fo"]


def test_not_applicable_needs_a_reason(ready_return):
    set_answer(ready_return, "leadership_board_lead_governor", "na", "   ")
    (problem,) = problems_before_submit(ready_return)
    assert problem.message.startswith("Enter a comment explaining why ‘")
    assert problem.message.endswith("’ does not apply")


def test_evidence_required_by_the_definition(partnership, submitter, school):
    audit_return = return_in_progress(partnership, school, EXAMPLE)
    answer_everything(audit_return)
    approve_all(audit_return, submitter)
    assert problems_before_submit(audit_return) == []
    Evidence.query.filter_by(return_id=audit_return.id).update(
        {"removed_at": sa.func.now()}, synchronize_session=False)
    (problem,) = problems_before_submit(audit_return)
    assert problem.question_id == "gov_named_governor"
    assert problem.message.startswith("Add evidence for ‘")


def test_every_required_approval_must_be_recorded(s175_return, submitter):
    answer_everything(s175_return)
    problems = problems_before_submit(s175_return)
    assert [(p.approval_id, p.message) for p in problems] == [
        ("headteacher", "Record the approval of the headteacher or principal: their name, "
                        "role and the date they approved"),
        ("chair_of_governors", "Record the approval of the chair of governors: their name, "
                               "role and the date they approved")]


@pytest.mark.parametrize("attrs, expected", [
    ({}, ["headteacher", "chair_of_governors"]),
    (ACADEMY, ["headteacher", "chair_of_trust"]),
    (INDEPENDENT, ["headteacher", "proprietor"]),
    (dict(establishment_type="Academy special converter", type_group="Special schools",
          legal_basis="s157"), ["headteacher", "chair_of_trust"]),
])
def test_the_approvals_depend_on_the_legal_basis(partnership, attrs, expected):
    school = add_school(partnership, urn="100333", name="Basis School", **attrs)
    audit_return = return_in_progress(partnership, school)
    assert [slot.id for slot in approval_slots(audit_return)] == expected


@pytest.mark.parametrize("status, message", [
    ("submitted", "This return has already been submitted"),
    ("accepted", "This return has already been submitted"),
    ("withdrawn", "This return has been withdrawn, so it cannot be changed"),
    ("not_started", "Answer the questions in each section before you submit this return"),
])
def test_only_a_return_in_progress_or_returned_can_be_submitted(ready_return, status,
                                                                 message):
    ready_return.status = status
    db.session.flush()
    assert [p.message for p in problems_before_submit(ready_return)] == [message]


def test_a_returned_return_can_be_resubmitted(ready_return):
    ready_return.status = "returned"
    db.session.flush()
    assert problems_before_submit(ready_return) == []


def test_the_final_deadline_and_an_extension(ready_return):
    cycle = ready_return.cycle
    deadline = cycle.open_date + timedelta(days=40)
    cycle.final_deadline = deadline
    db.session.flush()
    assert problems_before_submit(ready_return, today=deadline) == []
    (problem,) = problems_before_submit(ready_return, today=deadline + timedelta(days=1))
    assert problem.message.startswith(f"The deadline for this return was {deadline.day} ")
    assert problem.message.endswith(
        "Contact Testshire Safeguarding Children Partnership if you need more time")
    ready_return.extension_until = deadline + timedelta(days=10)
    db.session.flush()
    assert problems_before_submit(ready_return, today=deadline + timedelta(days=10)) == []
    assert problems_before_submit(ready_return, today=deadline + timedelta(days=11))


def test_nothing_can_be_submitted_once_the_cycle_is_closed(ready_return):
    ready_return.cycle.status = "closed"
    db.session.flush()
    assert [p.message for p in problems_before_submit(ready_return)] == \
        ["This audit cycle has closed, so this return can no longer be changed"]


# record_approvals ------------------------------------------------------------------------

def _entry(name="Ada Jones", role="Headteacher", day=None, days_ago=3):
    when = today_london() - timedelta(days=days_ago)
    return ApprovalEntry(name, role, str(when.day) if day is None else day, str(when.month),
                         str(when.year))


def test_approvals_are_recorded_with_name_role_and_date(s175_return, submitter):
    record_approvals(s175_return, {"headteacher": _entry(), "chair_of_governors":
                                   _entry(UNICODE_NAME, "Chair of governors", days_ago=1)},
                     submitter)
    db.session.commit()
    recorded = {a.approval_key: a for a in Approval.query.filter_by(return_id=s175_return.id)}
    assert recorded["headteacher"].approver_name == "Ada Jones"
    assert recorded["chair_of_governors"].approver_name == UNICODE_NAME
    assert recorded["chair_of_governors"].approved_on == today_london() - timedelta(days=1)
    assert recorded["headteacher"].recorded_by_id == submitter.id
    events = AuditEvent.query.filter_by(action="return.approval_recorded").all()
    assert {e.detail["approval"] for e in events} == {"headteacher", "chair_of_governors"}


@pytest.mark.parametrize("changes, field, message", [
    ({"name": ""}, "name", "Enter the name of the headteacher or principal"),
    ({"name": "A" * 201}, "name",
     "The name of the headteacher or principal must be 200 characters or fewer"),
    ({"role": " "}, "role", "Enter the role of the headteacher or principal"),
    ({"day": "", "month": "", "year": ""}, "date",
     "Enter the date the headteacher or principal approved the return"),
    ({"month": "", "year": ""}, "date",
     "The date the headteacher or principal approved must include a month and year"),
    ({"day": "31", "month": "2"}, "date",
     "The date the headteacher or principal approved must be a real date"),
    ({"day": "x"}, "date", "The date the headteacher or principal approved must be a real date"),
    ({"year": "26"}, "date",
     "The year the headteacher or principal approved must include 4 numbers"),
])
def test_bad_approval_inputs_get_specific_messages(s175_return, submitter, changes, field,
                                                   message):
    entry = _entry()
    for name, value in changes.items():
        setattr(entry, name, value)
    with pytest.raises(ApprovalErrors) as raised:
        record_approvals(s175_return, {"headteacher": entry}, submitter)
    assert raised.value.errors == {("headteacher", field): message}
    assert Approval.query.filter_by(return_id=s175_return.id).count() == 0


def test_an_approval_date_cannot_be_in_the_future(s175_return, submitter):
    with pytest.raises(ApprovalErrors) as raised:
        record_approvals(s175_return, {"headteacher": _entry(days_ago=-1)}, submitter)
    assert raised.value.errors[("headteacher", "date")] == \
        "The date the headteacher or principal approved must be today or in the past"
    record_approvals(s175_return, {"headteacher": _entry(days_ago=0)}, submitter)


def test_an_approval_date_cannot_be_before_the_audit_opened(s175_return, submitter):
    with pytest.raises(ApprovalErrors) as raised:
        record_approvals(s175_return, {"headteacher": _entry(days_ago=11)}, submitter)
    assert "must be on or after" in raised.value.errors[("headteacher", "date")]


def test_approvals_are_all_or_nothing(s175_return, submitter):
    with pytest.raises(ApprovalErrors):
        record_approvals(s175_return, {"headteacher": _entry(),
                                       "chair_of_governors": _entry(name="")}, submitter)
    assert Approval.query.filter_by(return_id=s175_return.id).count() == 0
    assert AuditEvent.query.filter_by(action="return.approval_recorded").count() == 0


def test_a_blank_entry_clears_an_approval_and_others_are_ignored(s175_return, submitter):
    record_approvals(s175_return, {"headteacher": _entry(), "proprietor": _entry()},
                     submitter)
    assert [a.approval_key for a in Approval.query.filter_by(return_id=s175_return.id)] == \
        ["headteacher"]
    record_approvals(s175_return, {"headteacher": ApprovalEntry()}, submitter)
    assert Approval.query.filter_by(return_id=s175_return.id).count() == 0
    assert AuditEvent.query.filter_by(action="return.approval_cleared").count() == 1


def test_approvals_of_a_submitted_return_cannot_change(ready_return, submitter):
    ready_return.status = "submitted"
    db.session.flush()
    with pytest.raises(AlreadySubmitted):
        record_approvals(ready_return, {"headteacher": _entry(name="Someone Else")},
                         submitter)
    assert {a.approver_name for a in Approval.query.filter_by(return_id=ready_return.id)} \
        == {UNICODE_NAME}


# submit ----------------------------------------------------------------------------------

def _submit(audit_return, actor, confirmed=True):
    return submit(audit_return, actor, confirmed, audit_return.lock_version)


def test_submit_stores_a_numbered_submission_with_everything(ready_return, submitter,
                                                             make_user, partnership,
                                                             school):
    set_answer(ready_return, "leadership_board_lead_governor", "amber",
               "Governor appointed in <January> & trained")
    add_action(ready_return, "leadership_board_lead_governor", owner="Chair of governors")
    add_evidence(ready_return, "leadership_board_lead_governor", file_name="minutes.pdf",
                 sha256="ab" * 32)
    submission = _submit(ready_return, submitter)
    db.session.commit()

    assert submission.number == 1
    assert ready_return.status == "submitted"
    assert ready_return.latest_submission_number == 1
    assert ready_return.first_submitted_at == ready_return.last_submitted_at \
        == submission.submitted_at
    assert submission.definition_sha256 == ready_return.cycle.questionnaire_version.sha256
    content = submission.content
    assert submission.content_sha256 == content_sha256(content)
    assert content["number"] == 1
    assert content["organisation"]["name"] == "Oak Tree Primary School"
    assert content["organisation"]["urn"] == "100001"
    assert content["cycle"]["name"] == ready_return.cycle.name
    assert content["submitted_by"] == {"name": UNICODE_NAME, "email": submitter.email}
    questions = {q["id"]: q for s in content["sections"] for q in s["questions"]}
    lead = questions["leadership_board_lead_governor"]
    assert lead["value"] == "amber" and lead["answer"] == "Amber"
    assert lead["comment"] == "Governor appointed in <January> & trained"
    assert (lead["score"], lead["maximum"], lead["compliant"]) == (1.0, 3.0, False)
    assert content["evidence"] == [{
        "question_id": "leadership_board_lead_governor", "kind": "file", "reference": None,
        "file_name": "minutes.pdf", "content_type": "application/pdf", "size": 1234,
        "sha256": "ab" * 32, "added_at": content["evidence"][0]["added_at"]}]
    assert [a["owner"] for a in content["actions"]] == ["Chair of governors"]
    declaration = content["declaration"]
    assert declaration["text"].startswith("By recording their approval")
    assert [(a["id"], a["name"]) for a in declaration["approvals"]] == \
        [("headteacher", UNICODE_NAME), ("chair_of_governors", UNICODE_NAME)]
    assert [(e["from"], e["to"]) for e in content["history"]] == [("in_progress", "submitted")]

    rows = {row.question_key: row for row in
            SubmissionAnswer.query.filter_by(submission_id=submission.id)}
    assert set(rows) == set(questions)
    assert (rows["leadership_board_lead_governor"].score,
            rows["leadership_board_lead_governor"].compliant) == (1.0, False)
    assert rows["leadership_board_lead_governor"].section_key == "leadership"
    assert rows["leadership_board_lead_governor"].comment.startswith("Governor appointed")

    (event,) = ReturnEvent.query.filter_by(return_id=ready_return.id).all()
    assert (event.from_status, event.to_status, event.actor_id) == \
        ("in_progress", "submitted", submitter.id)
    assert event.detail["submission"] == 1
    (audit,) = AuditEvent.query.filter_by(action="return.submitted").all()
    assert audit.detail["content_sha256"] == submission.content_sha256


def test_the_receipt_goes_to_the_submitter_and_the_respondents(ready_return, submitter,
                                                               make_user, partnership,
                                                               school):
    colleague = make_user("respondent", partnership, organisation=school)
    gone = make_user("respondent", partnership, organisation=school)
    gone.active = False
    elsewhere = make_user("respondent", partnership,
                          organisation=add_school(partnership, urn="100999"))
    admin = make_user("admin", partnership)
    db.session.commit()
    submission = _submit(ready_return, admin)
    db.session.commit()
    messages = OutboxMessage.query.filter_by(kind="submission_receipt").all()
    assert sorted(m.to_address for m in messages) == sorted(
        [admin.email, submitter.email, colleague.email])
    assert elsewhere.email not in [m.to_address for m in messages]
    message = next(m for m in messages if m.to_address == submitter.email)
    assert message.subject == f"Submitted: Oak Tree Primary School, {ready_return.cycle.name}"
    assert message.return_id == ready_return.id
    assert "Submission number: 1" in message.body_text
    assert f"/returns/{ready_return.id}/submissions/1" in message.body_text
    assert UNICODE_NAME in message.body_text and "Zoë O’Brien–Łukasz" in message.body_html
    assert submission.number == 1


def test_submit_needs_the_confirmation(ready_return, submitter):
    with pytest.raises(SubmissionBlocked) as raised:
        _submit(ready_return, submitter, confirmed=False)
    assert (raised.value.problems, raised.value.approval_errors, raised.value.confirmed) == \
        ([], {}, False)
    assert str(raised.value) == "Confirm that the approvers have agreed the declaration"
    assert ready_return.status == "in_progress"
    assert Submission.query.count() == 0


def test_submit_records_the_approvals_typed_with_it(s175_return, submitter):
    answer_everything(s175_return)
    entries = {"headteacher": _entry(), "chair_of_governors": _entry(UNICODE_NAME, "Chair")}
    submission = submit(s175_return, submitter, True, s175_return.lock_version,
                        approvals=entries)
    assert [a["name"] for a in submission.content["declaration"]["approvals"]] == \
        ["Ada Jones", UNICODE_NAME]


def test_submit_reports_every_problem_at_once(s175_return, submitter):
    answered = answer_everything(s175_return)
    Answer.query.filter_by(return_id=s175_return.id,
                           question_key=next(iter(answered))).delete()
    entries = {"headteacher": _entry(day="31", days_ago=0)}
    entries["headteacher"].month = "2"
    with pytest.raises(SubmissionBlocked) as raised:
        submit(s175_return, submitter, False, s175_return.lock_version, approvals=entries)
    blocked = raised.value
    assert [(p.question_id, p.approval_id) for p in blocked.problems] == \
        [(next(iter(answered)), None), (None, "chair_of_governors")]
    assert list(blocked.approval_errors) == [("headteacher", "date")]
    assert not blocked.confirmed
    db.session.rollback()
    assert Approval.query.count() == 0


def test_submit_is_refused_with_every_problem(ready_return, submitter):
    set_answer(ready_return, "leadership_board_lead_governor", "red")
    Approval.query.filter_by(return_id=ready_return.id, approval_key="headteacher").delete()
    with pytest.raises(SubmissionBlocked) as raised:
        _submit(ready_return, submitter)
    assert len(raised.value.problems) == 3
    db.session.rollback()
    assert Submission.query.count() == 0
    assert OutboxMessage.query.count() == 0


def test_a_submission_is_immutable_and_resubmission_is_numbered(ready_return, submitter,
                                                               make_user, partnership):
    first = _submit(ready_return, submitter)
    db.session.commit()
    reviewer = make_user("reviewer", partnership)
    transition(ready_return, "returned", actor=reviewer)
    db.session.commit()
    set_answer(ready_return, "leadership_board_lead_governor", "amber", "Now amber")
    add_action(ready_return, "leadership_board_lead_governor")
    db.session.commit()
    first_content = json.loads(json.dumps(first.content))

    second = _submit(ready_return, submitter)
    db.session.commit()
    assert (first.number, second.number) == (1, 2)
    assert ready_return.latest_submission_number == 2
    assert ready_return.first_submitted_at == first.submitted_at
    assert ready_return.last_submitted_at == second.submitted_at
    db.session.expire_all()
    stored_first = db.session.get(Submission, first.id)
    assert stored_first.content == first_content
    assert stored_first.content_sha256 == content_sha256(first_content)

    def lead(submission):
        return next(q for s in submission.content["sections"] for q in s["questions"]
                    if q["id"] == "leadership_board_lead_governor")
    assert lead(stored_first)["value"] == "green"
    assert lead(db.session.get(Submission, second.id))["value"] == "amber"
    assert [(e["from"], e["to"]) for e in second.content["history"]] == [
        ("in_progress", "submitted"), ("submitted", "returned"), ("returned", "submitted")]
    assert ReturnEvent.query.filter_by(return_id=ready_return.id,
                                       to_status="submitted").count() == 2


def test_a_second_submit_of_a_submitted_return_makes_nothing(ready_return, submitter):
    version_seen = ready_return.lock_version
    submit(ready_return, submitter, True, version_seen)
    db.session.commit()
    with pytest.raises(AlreadySubmitted) as raised:
        submit(ready_return, submitter, True, version_seen)
    assert str(raised.value) == "This return has already been submitted"
    assert Submission.query.filter_by(return_id=ready_return.id).count() == 1


def test_a_return_changed_since_it_was_checked_is_not_submitted(ready_return, submitter):
    with pytest.raises(ReturnChanged):
        submit(ready_return, submitter, True, ready_return.lock_version - 1)
    assert ready_return.status == "in_progress"
    assert Submission.query.count() == 0


def test_a_concurrent_submission_in_the_database_wins(ready_return, submitter):
    """Another request submitted between this one reading the return and writing it: the
    database row's lock_version moved on, so this write matches nothing."""
    seen = ready_return.lock_version
    db.session.execute(sa.update(AuditReturn).where(AuditReturn.id == ready_return.id)
                       .values(lock_version=seen + 1, status="submitted",
                               latest_submission_number=1))
    with pytest.raises(AlreadySubmitted):
        submit(ready_return, submitter, True, seen)
    assert Submission.query.count() == 0
    assert SubmissionAnswer.query.count() == 0
    assert OutboxMessage.query.count() == 0
    assert AuditEvent.query.filter_by(action="return.submitted").count() == 0


def test_a_submission_number_already_taken_is_refused(ready_return, submitter):
    db.session.add(Submission(return_id=ready_return.id, number=1, definition_sha256="0" * 64,
                              content={}, content_sha256="0" * 64))
    db.session.flush()
    with pytest.raises(AlreadySubmitted):
        _submit(ready_return, submitter)
    assert Submission.query.filter_by(return_id=ready_return.id).count() == 1


def test_submit_after_the_deadline_is_refused(ready_return, submitter):
    ready_return.cycle.final_deadline = today_london() - timedelta(days=1)
    ready_return.cycle.due_date = today_london() - timedelta(days=2)
    db.session.flush()
    with pytest.raises(SubmissionError) as raised:
        _submit(ready_return, submitter)
    assert str(raised.value).startswith("The deadline for this return was")
    assert Submission.query.count() == 0
