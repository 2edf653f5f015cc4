"""The life of a return (DESIGN §5): the one table of allowed moves, and the one function
that makes a move. Every move is recorded as a ReturnEvent and in the audit log."""
from dataclasses import dataclass

from sqlalchemy.orm.exc import StaleDataError

from ..audit_log.services import record
from ..extensions import db
from ..timeutil import today_london, utcnow
from .deadlines import is_read_only
from .models import RETURN_STATUSES, AuditReturn, ReturnEvent

MAX_REASON_LENGTH = 2000


@dataclass(frozen=True)
class Move:
    by: str               # the role that makes the move (routes check it through the policy)
    needs_reason: bool
    meaning: str          # words for the history: "Submitted", "Reopened", ...


MOVES: dict[tuple[str, str], Move] = {
    ("not_started", "in_progress"): Move("respondent", False, "Started"),
    ("in_progress", "submitted"): Move("respondent", False, "Submitted"),
    ("submitted", "returned"): Move("reviewer", False, "Returned for changes"),
    ("returned", "submitted"): Move("respondent", False, "Resubmitted"),
    ("submitted", "accepted"): Move("reviewer", False, "Accepted"),
    ("accepted", "returned"): Move("admin", True, "Reopened"),
    **{(status, "withdrawn"): Move("admin", True, "Withdrawn")
       for status in RETURN_STATUSES if status not in ("accepted", "withdrawn")},
}

# Moves a respondent makes while working on the return: refused once it is read-only.
RESPONDENT_WORK = {("not_started", "in_progress"), ("in_progress", "submitted"),
                   ("returned", "submitted")}

STATUS_WORDS = {
    "not_started": "not started", "in_progress": "in progress", "submitted": "submitted",
    "returned": "returned for changes", "accepted": "accepted", "withdrawn": "withdrawn",
}


class TransitionError(ValueError):
    """The move cannot be made; the message says why, in words for the person."""


class ConcurrentChange(TransitionError):
    """Someone else changed the return first. The session must be rolled back."""


def allowed_moves(from_status: str) -> list[str]:
    return [to for (start, to) in MOVES if start == from_status]


def _check(audit_return: AuditReturn, to_status: str, reason: str | None) -> Move:
    from_status = audit_return.status
    if to_status not in RETURN_STATUSES:
        raise TransitionError(f"Unknown return status {to_status!r}")
    if from_status == to_status:
        raise TransitionError(f"This return is already {STATUS_WORDS[to_status]}")
    move = MOVES.get((from_status, to_status))
    if move is None:
        raise TransitionError(f"A return that is {STATUS_WORDS[from_status]} cannot be "
                              f"{STATUS_WORDS[to_status]}")
    if move.needs_reason and not (reason or "").strip():
        raise TransitionError("Enter the reason for reopening this return"
                              if to_status == "returned" else
                              "Enter the reason for withdrawing this return")
    if reason and len(reason) > MAX_REASON_LENGTH:
        raise TransitionError(f"The reason must be {MAX_REASON_LENGTH} characters or fewer")
    if (from_status, to_status) in RESPONDENT_WORK:
        if is_read_only(audit_return, today_london()):
            raise TransitionError(
                "This return can no longer be changed: the cycle is closed or its deadline "
                "has passed. Contact your partnership's business unit if you need more time")
    return move


def _stamp(audit_return: AuditReturn, to_status: str, actor) -> None:
    now = utcnow()
    if to_status == "submitted":
        audit_return.first_submitted_at = audit_return.first_submitted_at or now
        audit_return.last_submitted_at = now
    elif to_status == "accepted":
        audit_return.accepted_at = now
        audit_return.accepted_by_id = getattr(actor, "id", None)
    elif audit_return.status == "accepted":
        audit_return.accepted_at = None
        audit_return.accepted_by_id = None


def transition(audit_return: AuditReturn, to_status: str, *, actor, reason: str | None = None,
               detail: dict | None = None) -> ReturnEvent:
    """Move the return to ``to_status`` and record who, when, from, to and why. The caller
    commits; on ConcurrentChange it must roll back (the return changed under it)."""
    move = _check(audit_return, to_status, reason)
    from_status = audit_return.status
    reason = (reason or "").strip() or None
    _stamp(audit_return, to_status, actor)
    audit_return.status = to_status
    event = ReturnEvent(audit_return=audit_return, kind="transition", from_status=from_status,
                        to_status=to_status, reason=reason, detail=dict(detail or {}),
                        actor_id=getattr(actor, "id", None))
    db.session.add(event)
    try:
        # The return's lock_version makes a second, concurrent move fail here, not commit.
        db.session.flush()
    except StaleDataError as error:
        raise ConcurrentChange("This return has just been changed by someone else. "
                               "Refresh the page to see its latest state") from error
    record("return.status_changed", obj=audit_return, actor=actor,
           partnership=audit_return.cycle.partnership,
           detail={"from": from_status, "to": to_status, "move": move.meaning,
                   "reason": reason, **(detail or {})})
    return event
