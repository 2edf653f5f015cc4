"""Check your answers, approvals and submission (DESIGN §5 step 5). ``snapshot`` reads a
return's live draft into the content a submission stores (and the check page and the draft
PDF show); ``problems_before_submit`` says what still stops it; ``record_approvals`` keeps
the approvers' names, roles and dates; ``submit`` stores an immutable, numbered submission.
Nothing here commits: the caller commits, or rolls back on a SubmissionError."""
from dataclasses import dataclass
from datetime import date

import sqlalchemy as sa
from sqlalchemy.orm.exc import StaleDataError

from ..audit_log.services import record
from ..auth.models import Grant, User
from ..cycles.transitions import ConcurrentChange, TransitionError, transition
from ..extensions import db
from ..mail.services import queue_email
from ..timeutil import format_date, today_london, utcnow
from ..urls import external_url
from .models import Approval, Submission, SubmissionAnswer
from .submission_content import (  # noqa: F401  (re-exported for the routes and PDFs)
    ApprovalSlot, answer_text, approval_slots, content_sha256, definition_of, snapshot)
from .services import (ReturnContext, action_keys, answer_problems, evidence_keys,
                       lock_reason, stored_answers)

APPROVER_TEXT_LENGTH = 200
NOT_CONFIRMED = "Confirm that the approvers have agreed the declaration"


class SubmissionError(Exception):
    """The return cannot be submitted (or approved) now; the message says why. Raised
    before anything changes, or after the change was undone."""


class AlreadySubmitted(SubmissionError):
    def __init__(self, message="This return has already been submitted"):
        super().__init__(message)


class ReturnChanged(SubmissionError):
    def __init__(self):
        super().__init__("This return was changed by someone else while you were checking "
                         "it. Nothing was submitted: check your answers again, then submit")


class SubmissionBusy(SubmissionError):
    def __init__(self):
        super().__init__("The return could not be submitted because another change was "
                         "being saved at the same moment. Nothing was submitted: try again")


class SubmissionBlocked(SubmissionError):
    """Everything that stops the submission, at once: the problems of the return, the
    errors of the approvals typed, and a missing confirmation."""

    def __init__(self, problems: list["Problem"], approval_errors: dict | None = None,
                 confirmed: bool = True):
        self.problems = problems
        self.approval_errors = approval_errors or {}
        self.confirmed = confirmed
        messages = [problem.message for problem in problems]
        messages += list(self.approval_errors.values()) + ([] if confirmed else [NOT_CONFIRMED])
        super().__init__(messages[0])


class ApprovalErrors(SubmissionError):
    """Approval inputs that cannot be recorded: (approval id, field) -> message."""

    def __init__(self, errors: dict[tuple[str, str], str]):
        super().__init__(next(iter(errors.values())))
        self.errors = errors


@dataclass(frozen=True)
class Problem:
    """One thing that stops the submission, with where it is fixed."""
    message: str
    section_id: str | None = None
    question_id: str | None = None
    approval_id: str | None = None

    @property
    def anchor(self) -> str:
        if self.question_id:
            return f"answer-{self.question_id}"
        if self.approval_id:
            return f"approval-{self.approval_id}"
        return "return-status"


@dataclass
class ApprovalEntry:
    """What the submitter typed for one approval; the date as its three GOV.UK parts."""
    name: str = ""
    role: str = ""
    day: str = ""
    month: str = ""
    year: str = ""

    def is_blank(self) -> bool:
        return not any(str(part or "").strip() for part in
                       (self.name, self.role, self.day, self.month, self.year))


# What stops a submission ---------------------------------------------------------------

def _state_problem(audit_return, today: date) -> str | None:
    if audit_return.status in ("submitted", "accepted"):
        return "This return has already been submitted"
    if audit_return.status == "not_started":
        return "Answer the questions in each section before you submit this return"
    return lock_reason(audit_return, today)


def _answer_problems(audit_return) -> list[Problem]:
    """The section pages' own check (required answers, comments, evidence, actions), for
    every section at once."""
    context = ReturnContext.of(audit_return)
    stored = stored_answers(audit_return.id)
    found = answer_problems(context, stored.values, stored.comments,
                            evidence_keys(audit_return.id), action_keys(audit_return.id))
    return [Problem(problem.message,
                    section_id=context.definition.question(problem.question_id).section.id,
                    question_id=problem.question_id) for problem in found]


def problems_before_submit(audit_return, today: date | None = None) -> list[Problem]:
    """Everything that stops the return being submitted now, in page order: its state and
    deadline, then every required question that applies and has no answer, every rule an
    answer does not meet (comment, reason, evidence, action), every approval not recorded.
    Empty when it can be submitted."""
    state_problem = _state_problem(audit_return, today or today_london())
    if state_problem:
        return [Problem(state_problem)]
    problems = _answer_problems(audit_return)
    for slot in approval_slots(audit_return):
        if slot.recorded is None:
            problems.append(Problem(f"Record the approval of the {slot.who}: their name, "
                                    "role and the date they approved", approval_id=slot.id))
    return problems


# Approvals ----------------------------------------------------------------------------

def _date_problem(entry: ApprovalEntry, who: str, earliest: date, today: date):
    """(the date, None) or (None, a GOV.UK message)."""
    parts = {name: str(getattr(entry, name) or "").strip() for name in ("day", "month", "year")}
    subject = f"The date the {who} approved"
    if not any(parts.values()):
        return None, f"Enter the date the {who} approved the return"
    missing = [name for name, value in parts.items() if not value]
    if missing:
        return None, f"{subject} must include a {' and '.join(missing)}"
    if not all(value.isdigit() for value in parts.values()):
        return None, f"{subject} must be a real date"
    if len(parts["year"]) != 4:
        return None, f"The year the {who} approved must include 4 numbers"
    try:
        approved_on = date(int(parts["year"]), int(parts["month"]), int(parts["day"]))
    except ValueError:
        return None, f"{subject} must be a real date"
    if approved_on > today:
        return None, f"{subject} must be today or in the past"
    if approved_on < earliest:
        return None, (f"{subject} must be on or after {format_date(earliest)}, when this "
                      "audit opened")
    return approved_on, None


def _text_problem(value: str, what: str) -> str | None:
    if not value:
        return f"Enter {what}"
    if len(value) > APPROVER_TEXT_LENGTH:
        return f"{what[0].upper()}{what[1:]} must be {APPROVER_TEXT_LENGTH} characters or fewer"
    return None


def _check_entry(slot: ApprovalSlot, entry: ApprovalEntry, earliest: date, today: date):
    name = " ".join(str(entry.name or "").split())
    role = " ".join(str(entry.role or "").split())
    errors = {}
    problem = _text_problem(name, f"the name of the {slot.who}")
    if problem:
        errors[(slot.id, "name")] = problem
    problem = _text_problem(role, f"the role of the {slot.who}")
    if problem:
        errors[(slot.id, "role")] = problem
    approved_on, problem = _date_problem(entry, slot.who, earliest, today)
    if problem:
        errors[(slot.id, "date")] = problem
    return (name, role, approved_on), errors


def _check_editable(audit_return, today: date) -> None:
    if audit_return.status in ("submitted", "accepted"):
        raise AlreadySubmitted()
    reason = lock_reason(audit_return, today)
    if reason:
        raise SubmissionError(reason)


def record_approvals(audit_return, entries: dict[str, ApprovalEntry], actor,
                     today: date | None = None) -> list[ApprovalSlot]:
    """Record the approvals typed by the submitter (approvers need no account): for each
    approval the return needs, the approver's name, role and the date they approved (a
    real date, not in the future, not before the cycle opened). A blank entry clears that
    approval. All or nothing: any problem raises ApprovalErrors and changes nothing."""
    today = today or today_london()
    _check_editable(audit_return, today)
    slots = approval_slots(audit_return)
    earliest = audit_return.cycle.open_date
    errors, changes = {}, []
    for slot in slots:
        entry = entries.get(slot.id) or ApprovalEntry()
        if entry.is_blank():
            changes.append((slot, None))
            continue
        values, entry_errors = _check_entry(slot, entry, earliest, today)
        errors.update(entry_errors)
        changes.append((slot, values))
    if errors:
        raise ApprovalErrors(errors)
    for slot, values in changes:
        _apply_approval(audit_return, slot, values, actor)
    db.session.flush()
    return approval_slots(audit_return)


def _apply_approval(audit_return, slot: ApprovalSlot, values, actor) -> None:
    recorded = slot.recorded
    if values is None:
        if recorded is not None:
            db.session.delete(recorded)
            record("return.approval_cleared", obj=audit_return, actor=actor,
                   partnership=audit_return.cycle.partnership, detail={"approval": slot.id})
        return
    name, role, approved_on = values
    if recorded is not None and (recorded.approver_name, recorded.approver_role,
                                 recorded.approved_on) == (name, role, approved_on):
        return
    if recorded is None:
        recorded = Approval(return_id=audit_return.id, approval_key=slot.id)
        db.session.add(recorded)
    recorded.approver_name, recorded.approver_role = name, role
    recorded.approved_on = approved_on
    recorded.recorded_by_id = getattr(actor, "id", None)
    recorded.recorded_at = utcnow()
    record("return.approval_recorded", obj=audit_return, actor=actor,
           partnership=audit_return.cycle.partnership,
           detail={"approval": slot.id, "name": name, "role": role,
                   "approved_on": approved_on.isoformat()})


# Submitting ---------------------------------------------------------------------------

def submit(audit_return, actor, confirmed: bool, expected_lock_version: int,
           approvals: dict[str, ApprovalEntry] | None = None,
           today: date | None = None) -> Submission:
    """Submit the return as it stands: an immutable, numbered Submission (with a flat
    SubmissionAnswer per question that applies), the return moved to submitted, a receipt
    queued for the submitter and the organisation's respondents, the audit log written.
    ``expected_lock_version`` is the return's version the person checked: a return that
    changed since (a second tab, a double click, a colleague) is not submitted again.
    ``approvals``, when given, are recorded first (see record_approvals). On any
    SubmissionError the caller rolls back."""
    if audit_return.status in ("submitted", "accepted"):
        raise AlreadySubmitted()
    if audit_return.lock_version != expected_lock_version:
        raise ReturnChanged()
    approval_errors = {}
    if approvals is not None:
        try:
            record_approvals(audit_return, approvals, actor, today)
        except ApprovalErrors as error:
            approval_errors = error.errors
    problems = problems_before_submit(audit_return, today)
    # An approval typed wrongly has its own messages: "not recorded" would add nothing.
    mistyped = {approval_id for approval_id, _part in approval_errors}
    problems = [problem for problem in problems if problem.approval_id not in mistyped]
    if problems or approval_errors or not confirmed:
        raise SubmissionBlocked(problems, approval_errors, confirmed)
    try:
        # A savepoint: a concurrent submission undoes only this, whatever the caller holds.
        with db.session.begin_nested():
            submission = _store_submission(audit_return, actor)
    except (StaleDataError, sa.exc.IntegrityError, ConcurrentChange) as error:
        raise AlreadySubmitted("This return has already been submitted, or is being "
                               "submitted by someone else at this moment") from error
    except sa.exc.OperationalError as error:
        # SQLite refuses a write from a transaction that read before another one wrote.
        raise SubmissionBusy() from error
    except TransitionError as error:
        raise SubmissionError(str(error)) from error
    return submission


def _store_submission(audit_return, actor) -> Submission:
    number = audit_return.latest_submission_number + 1
    resubmission = audit_return.status == "returned"
    submitted_at = utcnow()
    first_submitted_at = audit_return.first_submitted_at or submitted_at
    audit_return.latest_submission_number = number
    transition(audit_return, "submitted", actor=actor,
               detail={"submission": number, "resubmission": resubmission})
    content = snapshot(audit_return, number=number, submitted_at=submitted_at,
                       submitted_by=actor)
    submission = Submission(
        return_id=audit_return.id, number=number, submitted_at=submitted_at,
        submitted_by_id=getattr(actor, "id", None),
        definition_sha256=audit_return.cycle.questionnaire_version.sha256,
        content=content, content_sha256=content_sha256(content))
    db.session.add(submission)
    db.session.flush()
    for section in content["sections"]:
        for question in section["questions"]:
            db.session.add(SubmissionAnswer(
                submission_id=submission.id, section_key=section["id"],
                question_key=question["id"], value=question["value"],
                score=question["score"], compliant=question["compliant"],
                comment=question["comment"]))
    # The return's dates are the submission's own time, to the microsecond.
    audit_return.first_submitted_at = first_submitted_at
    audit_return.last_submitted_at = submitted_at
    db.session.flush()
    record("return.submitted", obj=audit_return, actor=actor,
           partnership=audit_return.cycle.partnership,
           detail={"submission": number, "resubmission": resubmission,
                   "content_sha256": submission.content_sha256})
    _queue_receipts(audit_return, submission, actor)
    return submission


def receipt_recipients(audit_return, actor) -> list[str]:
    """The submitter and the organisation's active respondents, each once."""
    rows = (db.session.query(User.email)
            .join(Grant, Grant.user_id == User.id)
            .filter(Grant.role == "respondent",
                    Grant.organisation_id == audit_return.organisation_id,
                    Grant.partnership_id == audit_return.cycle.partnership_id,
                    User.active.is_(True))
            .order_by(User.email))
    addresses = [getattr(actor, "email", None)] + [email for (email,) in rows]
    return list(dict.fromkeys(address for address in addresses if address))


def _queue_receipts(audit_return, submission: Submission, actor) -> None:
    cycle = audit_return.cycle
    organisation = audit_return.organisation
    link = external_url("submission.confirmation", return_id=audit_return.id,
                        number=submission.number)
    for address in receipt_recipients(audit_return, actor):
        queue_email(
            address, f"Submitted: {organisation.name}, {cycle.name}", "submission_receipt",
            kind="submission_receipt", partnership=cycle.partnership,
            dedupe_key=f"submission-receipt:{submission.id}:{address}"[:200],
            return_id=audit_return.id, organisation=organisation, cycle=cycle,
            submission=submission, submitter=actor, link=link,
            approvals=[{**item, "approved_on_text": format_date(
                date.fromisoformat(item["approved_on"]))}
                for item in submission.content["declaration"]["approvals"]])
