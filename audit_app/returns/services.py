"""The rules of the respondent journey: what a return's state allows, and saving a section.

Hidden questions: a question whose condition is false is never shown, validated, counted
or saved. Its stored answer and comment are *cleared* when its section is next saved, so a
return never holds an answer to a question that does not apply (a submission, a score or a
report could not pick it up by mistake). Evidence and action plan items attached to such a
question are kept: they are separate records, and actions stay live through the year.

Nothing here commits: the caller commits (or rolls back on a JourneyError)."""
import os
import time
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta

import sqlalchemy as sa
from flask import current_app

from ..audit_log.services import record
from ..cycles.deadlines import final_deadline, is_read_only
from ..cycles.models import AuditReturn
from ..cycles.transitions import TransitionError, transition
from ..extensions import db
from ..questionnaires.definition import Definition, Question
from ..questionnaires.forms import COMMENT_LENGTH
from ..timeutil import format_date, today_london, utcnow
from .concurrency import advance_version, comment_key, question_of, section_state, three_way_merge
from .drafts import (JourneyError, Problem, ReturnContext, SectionUnavailable, action_keys,
                     answer_problems, evidence_keys, question_fields, stored_answers)
from .models import Answer, SectionState

EDITABLE_STATUSES = ("not_started", "in_progress", "returned")
# With the return locked for the save, a second attempt only follows a write by a path
# that does not take the lock; more than that means something is badly wrong.
SAVE_ATTEMPTS = 3


class ReturnLocked(JourneyError):
    """The return is submitted, accepted, withdrawn or read-only."""


class AnswersRefused(JourneyError):
    """Answers that are not well-formed; nothing was saved."""

    def __init__(self, problems: list["Problem"]):
        super().__init__(problems[0].message)
        self.problems = problems


# What the return's state allows ----------------------------------------------------------

def lock_reason(audit_return: AuditReturn, today: date | None = None) -> str | None:
    """Why the respondent cannot change the return's answers now; None when they can."""
    status = audit_return.status
    if status == "submitted":
        return "This return has been submitted, so its answers cannot be changed"
    if status == "accepted":
        return "This return has been accepted, so its answers cannot be changed"
    if status == "withdrawn":
        return "This return has been withdrawn, so it cannot be changed"
    if is_read_only(audit_return, today or today_london()):
        if audit_return.cycle.status == "closed":
            return "This audit cycle has closed, so this return can no longer be changed"
        return (f"The deadline for this return was "
                f"{format_date(final_deadline(audit_return))}, so it can no longer be "
                f"changed. Contact {audit_return.cycle.partnership.name} if you need more "
                "time")
    return None


def check_editable(audit_return: AuditReturn, today: date | None = None) -> None:
    reason = lock_reason(audit_return, today)
    if reason:
        raise ReturnLocked(reason)


def lock_return_for_change(audit_return: AuditReturn, today: date | None = None) -> None:
    """Take the return's row for this transaction before changing anything in it: saves,
    evidence and actions of one return happen one after another, and a submission that
    was checked before this change sees that the return moved on (its lock_version). The
    first statement is a write, so SQLite takes its write lock here rather than failing to
    upgrade a read later. ReturnLocked when the return cannot be changed."""
    return_id = sa.inspect(audit_return).identity[0]
    result = db.session.execute(
        sa.update(AuditReturn)
        .where(AuditReturn.id == return_id, AuditReturn.status.in_(EDITABLE_STATUSES))
        .values(lock_version=AuditReturn.lock_version + 1, updated_at=utcnow())
        .execution_options(synchronize_session=False))
    db.session.refresh(audit_return)
    if result.rowcount != 1:
        raise ReturnLocked(lock_reason(audit_return, today)
                           or "This return cannot be changed now")
    check_editable(audit_return, today)


def end_reading_transaction() -> None:
    """Called by a route before it changes a return: the change then starts a transaction
    of its own with a write (SQLite refuses to turn a reader into a writer once another
    writer has committed). The request has only read so far, so nothing is lost."""
    db.session.commit()


@contextmanager
def return_change(audit_return: AuditReturn, today: date | None = None):
    """A savepoint in which the return is locked for a change (lock_return_for_change).
    On any failure everything in it is undone, the return included."""
    savepoint = db.session.begin_nested()
    try:
        lock_return_for_change(audit_return, today)
        yield
    except BaseException:
        savepoint.rollback()
        db.session.expire(audit_return)
        raise
    savepoint.commit()


def _format_problem(question: Question, field_key: str, text: str | None) -> str | None:
    """A message when a stored-text value is not a well-formed answer."""
    if text is None:
        return None
    if field_key != question.id:
        if len(text) > COMMENT_LENGTH:
            return (f"The comment on ‘{question.name}’ must be {COMMENT_LENGTH:,} characters "
                    "or fewer")
        return None
    value = question.read(text)
    if value is None:
        return question.type.required_message.format(name=question.name)
    if question.type_name == "text" and len(value) > question.max_length:
        return f"‘{question.name}’ must be {question.max_length:,} characters or fewer"
    if question.type_name == "number":
        if (question.min is not None and value < question.min) or \
                (question.max is not None and value > question.max):
            return f"‘{question.name}’ is outside the numbers this question allows"
    return None


# Saving a section ------------------------------------------------------------------------

@dataclass
class SaveResult:
    wrote: bool                 # False when nothing had changed
    version: int                # the section's version after the save
    status: str                 # the section's status after the save
    stale: bool = False         # the page was based on an older version
    changed: list = field(default_factory=list)      # fields written
    cleared: list = field(default_factory=list)      # fields of hidden questions cleared
    conflicts: list = field(default_factory=list)    # [Conflict], nothing overwritten
    problems: list = field(default_factory=list)     # [Problem] stopping completion

    @property
    def completed(self) -> bool:
        return self.status == "completed"


def save_section(audit_return: AuditReturn, section_id: str, posted_answers: dict,
                 posted_comments: dict, base_version: int, base_answers: dict, actor,
                 complete: bool | None, *, today: date | None = None,
                 context: ReturnContext | None = None) -> SaveResult:
    """Save what a section page posted: answers (question id -> stored text) and comments,
    against the version and fields (``base_answers``, as ``concurrency.as_fields``) the
    page was rendered from.

    Always saves (even incomplete) what is well-formed; a malformed answer refuses the
    whole save (AnswersRefused). ``complete`` True marks the section completed when every
    required answer and rule is met (else it is saved in progress, with the problems);
    False saves it in progress; None keeps a completed section completed while it still
    qualifies (autosave). Questions that do not apply are ignored and cleared. A stale
    save is merged (see concurrency.py). The first save starts the return. Refuses every
    change to a return that is submitted, accepted, withdrawn or read-only. ``context``:
    the return's context the caller already has (its definition and organisation do not
    change with a save, so they need not be read again)."""
    savepoint = db.session.begin_nested()
    try:
        result = _save(audit_return, section_id, posted_answers, posted_comments,
                       base_version, base_answers, actor, complete, today, context)
    except BaseException:
        savepoint.rollback()
        db.session.expire(audit_return)
        raise
    if result.wrote:
        savepoint.commit()
    else:
        savepoint.rollback()
        db.session.expire(audit_return)
    return result


def _save(audit_return, section_id, posted_answers, posted_comments, base_version,
          base_answers, actor, complete, today, context) -> SaveResult:
    lock_return_for_change(audit_return, today)
    if context is None or context.audit_return is not audit_return:
        context = ReturnContext.of(audit_return)
    section = context.section(section_id)
    state = section_state(audit_return.id, section.id)
    fields = set(question_fields(section.questions))
    mine = {key: value for key, value in _as_fields(posted_answers, posted_comments).items()
            if key in fields}
    for _attempt in range(SAVE_ATTEMPTS):
        plan = _plan(context, section, state, mine, base_version, base_answers or {},
                     complete)
        if not plan.changes and plan.status == state.status:
            return SaveResult(False, state.version, state.status, stale=plan.stale,
                              conflicts=plan.conflicts, problems=plan.problems)
        if advance_version(state, state.version, plan.status, actor):
            _write(context, section, state, plan, actor)
            return SaveResult(True, state.version, state.status, stale=plan.stale,
                              changed=sorted(plan.changes), cleared=plan.cleared,
                              conflicts=plan.conflicts, problems=plan.problems)
        state = section_state(audit_return.id, section.id)
    raise JourneyError("Your answers could not be saved because others were saving this "
                       "section at the same moment. Try again")


def _as_fields(answers: dict, comments: dict) -> dict:
    fields = dict(answers or {})
    fields.update({comment_key(key): value for key, value in (comments or {}).items()})
    return fields


@dataclass
class _Plan:
    changes: dict
    cleared: list
    conflicts: list
    problems: list
    status: str
    stale: bool


def _plan(context, section, state, mine, base_version, base, complete) -> _Plan:
    stored = stored_answers(context.audit_return.id)
    current = stored.fields_of(section.questions)
    stale = state.version != base_version
    merge = three_way_merge(base, mine, current, stale)
    final = {**current, **merge.changes}
    values = {**stored.values, **{q.id: final[q.id] for q in section.questions}}
    visibility = context.definition.visibility(context.org, values)
    if section not in visibility.sections:
        raise SectionUnavailable("This section does not apply to your organisation")
    applying = {question.id for question in visibility.questions}
    changes = {key: value for key, value in merge.changes.items()
               if question_of(key) in applying}
    cleared = sorted(key for key, value in current.items()
                     if value is not None and question_of(key) not in applying)
    changes.update({key: None for key in cleared})
    conflicts = [conflict for conflict in merge.conflicts
                 if conflict.question_id in applying]
    _refuse_malformed(context.definition, changes)
    problems = []
    if complete is not False and not conflicts:
        comments = {**stored.comments,
                    **{q.id: final.get(comment_key(q.id)) for q in section.questions}}
        problems = answer_problems(context, values, comments,
                                   evidence_keys(context.audit_return.id),
                                   action_keys(context.audit_return.id), section.id)
    return _Plan(changes, cleared, conflicts, problems,
                 _next_status(state.status, complete, conflicts, problems), stale)


def _next_status(status: str, complete: bool | None, conflicts: list, problems: list) -> str:
    if conflicts or problems:
        return "in_progress"
    if complete or (complete is None and status == "completed"):
        return "completed"
    return "in_progress"


def _refuse_malformed(definition: Definition, changes: dict) -> None:
    problems = []
    for key, value in changes.items():
        question = definition.question(question_of(key))
        message = _format_problem(question, key, value)
        if message:
            problems.append(Problem(question.id, "comment" if key != question.id else "answer",
                                    message))
    if problems:
        raise AnswersRefused(problems)


def _write(context: ReturnContext, section, state: SectionState, plan: _Plan, actor) -> None:
    audit_return = context.audit_return
    rows = stored_answers(audit_return.id, section.id).rows
    now = utcnow()
    for question_id in sorted({question_of(key) for key in plan.changes}):
        row = rows.get(question_id)
        value = plan.changes.get(question_id, row.value if row else None)
        comment = plan.changes.get(comment_key(question_id), row.comment if row else None)
        if value is None and comment is None:
            if row is not None:
                db.session.delete(row)
            continue
        if row is None:
            row = Answer(return_id=audit_return.id, section_key=section.id,
                         question_key=question_id)
            db.session.add(row)
        row.value, row.comment = value, comment
        row.section_version, row.updated_at = state.version, now
        row.updated_by_id = getattr(actor, "id", None)
    if audit_return.status == "not_started":
        try:
            transition(audit_return, "in_progress", actor=actor,
                       detail={"section": section.id})
        except TransitionError as error:
            raise ReturnLocked(str(error)) from error
    db.session.flush()
    record("return.section_saved", obj=audit_return, actor=actor,
           partnership=audit_return.cycle.partnership,
           detail={"section": section.id, "version": state.version, "status": state.status,
                   "changed": sorted(key for key in plan.changes if key not in plan.cleared),
                   "cleared": plan.cleared,
                   "conflicts": [conflict.field for conflict in plan.conflicts]})
    _pause_when_testing()


def _pause_when_testing() -> None:
    """Hold the save, written but not committed, while TEST_PAUSE_IN_SAVE_FILE exists, having
    written ``<file>.reached`` with this process id: a test kills the worker at that moment
    to prove a save is all or nothing. The configuration refuses the setting outside tests."""
    path = current_app.config.get("TEST_PAUSE_IN_SAVE_FILE")
    if not path or not current_app.config.get("TESTING") or not os.path.exists(path):
        return
    with open(f"{path}.reached", "w", encoding="ascii") as marker:
        marker.write(str(os.getpid()))
    give_up = time.monotonic() + 60
    while os.path.exists(path) and time.monotonic() < give_up:
        time.sleep(0.05)


# Session time ---------------------------------------------------------------------------

def seconds_until_sign_out(session_record, idle_minutes: int, absolute_hours: int,
                           now: datetime | None = None) -> int:
    """How long the signed-in session has left if the person does nothing."""
    now = now or utcnow()
    idle_end = session_record.last_seen_at + timedelta(minutes=idle_minutes)
    absolute_end = session_record.created_at + timedelta(hours=absolute_hours)
    return max(0, int((min(idle_end, absolute_end) - now).total_seconds()))

