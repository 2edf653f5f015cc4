"""Builders for returns ready to submit, shared by the submission tests."""
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

UNICODE_NAME = "Zoë O’Brien–Łukasz"
ACADEMY = dict(establishment_type="Academy converter", type_group="Academies",
               legal_basis="s157", trust="Testshire Learning Trust")
INDEPENDENT = dict(establishment_type="Other independent school",
                   type_group="Independent schools", legal_basis="s157")


# Builders (the other test_submission_* modules use them too) ------------------------------

def submission_cycle(partnership, path: Path = S175, **attrs) -> Cycle:
    attrs.setdefault("name", f"{path.parent.name} {path.stem}")
    cycle = make_cycle(partnership, load_version(path), **attrs)
    db.session.commit()
    return cycle


def return_in_progress(partnership, organisation, path: Path = S175, **cycle_attrs):
    return make_return(submission_cycle(partnership, path, **cycle_attrs), organisation,
                       status="in_progress")


def set_answer(audit_return, question_id: str, value, comment=None) -> Answer:
    question = definition_of(audit_return).question(question_id)
    answer = Answer.query.filter_by(return_id=audit_return.id,
                                    question_key=question_id).one_or_none()
    if answer is None:
        answer = Answer(return_id=audit_return.id, section_key=question.section.id,
                        question_key=question_id)
        db.session.add(answer)
    answer.value, answer.comment = value, comment
    db.session.flush()
    return answer


def add_evidence(audit_return, question_id, reference=None, file_name=None, sha256=None):
    item = Evidence(return_id=audit_return.id, question_key=question_id,
                    kind="file" if file_name else "reference", reference=reference,
                    original_name=file_name, sha256=sha256,
                    stored_name=f"{audit_return.id}-{question_id}-{file_name}"
                    if file_name else None,
                    content_type="application/pdf" if file_name else None,
                    size=1234 if file_name else None)
    db.session.add(item)
    db.session.flush()
    return item


def add_action(audit_return, question_id, description="Review the policy with governors",
               owner="Deputy headteacher", days=60, status="open"):
    item = ActionItem(return_id=audit_return.id, question_key=question_id,
                      description=description, owner=owner,
                      target_date=today_london() + timedelta(days=days), status=status)
    db.session.add(item)
    db.session.flush()
    return item


def _sample_value(question, rating):
    if question.type_name == "rating":
        return rating
    if question.type_name in ("yes_no",):
        return "yes"
    if question.type_name == "choice":
        return question.options[0].value
    if question.type_name == "multi_choice":
        return json.dumps([question.options[0].value])
    return {"text": "A written answer", "number": "2",
            "date": (today_london() - timedelta(days=30)).isoformat()}[question.type_name]


def answer_everything(audit_return, rating="green"):
    """Answer every question that applies (including those that appear because of an
    answer), meeting every rule: a comment or reason, evidence, an action."""
    definition = definition_of(audit_return)
    from audit_app.questionnaires.conditions import organisation_attributes

    org = organisation_attributes(audit_return.organisation)
    answered = {}
    while True:
        pending = [question for question in definition.visible_questions(org, answered)
                   if question.id not in answered]
        if not pending:
            break
        for question in pending:
            value = _sample_value(question, rating)
            needs = question.requirements(question.read(value))
            comment = "Explained for the partnership" if {"comment", "reason"} & set(needs) \
                else None
            set_answer(audit_return, question.id, value, comment)
            if "evidence" in needs:
                add_evidence(audit_return, question.id, reference="Governors' minutes")
            if "action" in needs:
                add_action(audit_return, question.id)
            answered[question.id] = value
    db.session.commit()
    return answered


def approve_all(audit_return, actor, name=UNICODE_NAME):
    days_ago = today_london() - timedelta(days=5)
    entries = {slot.id: ApprovalEntry(name, slot.label, str(days_ago.day), str(days_ago.month),
                                      str(days_ago.year))
               for slot in approval_slots(audit_return)}
    record_approvals(audit_return, entries, actor)
    db.session.commit()


def make_submitter(make_user, partnership, school):
    return make_user("respondent", partnership, organisation=school, name=UNICODE_NAME)


def make_ready_return(partnership, school, submitter):
    """A maintained school's S175 return, every question green, both approvals recorded."""
    audit_return = return_in_progress(partnership, school)
    answer_everything(audit_return)
    approve_all(audit_return, submitter)
    return audit_return
