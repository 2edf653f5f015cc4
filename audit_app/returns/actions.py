"""Action plan items: what will be done about an answer (an action, its owner and a target
date), with a status (open, in progress, done) and a progress note. An answer whose rule asks
for one (amber, red) cannot be completed without it. Items stay live after submission and
acceptance: their status and note can still be updated through the year."""
from dataclasses import dataclass
from datetime import date

from ..audit_log.services import record
from ..extensions import db
from ..timeutil import today_london, utcnow
from .drafts import JourneyError, ReturnContext, applying_question
from .models import ActionItem
from .services import lock_reason, return_change

STATUS_CHOICES = (("open", "Open"), ("in_progress", "In progress"), ("done", "Done"))
DESCRIPTION_LENGTH = 2000
OWNER_LENGTH = 200
NOTE_LENGTH = 2000
FULL, PROGRESS = "full", "progress"


class ActionRefused(JourneyError):
    """The action cannot be changed now (the return is withdrawn, or locked for this)."""


class ActionErrors(JourneyError):
    """Inputs that cannot be saved: field name -> message. Nothing was changed."""

    def __init__(self, errors: dict[str, str]):
        super().__init__(next(iter(errors.values())))
        self.errors = errors


@dataclass
class ActionInput:
    """What the person typed; the target date as the GOV.UK date input's three parts."""
    description: str = ""
    owner: str = ""
    day: str = ""
    month: str = ""
    year: str = ""
    status: str = "open"
    note: str = ""


def edit_mode(audit_return, today: date | None = None) -> str | None:
    """FULL while the return can be changed; PROGRESS (status and note only) once it is
    submitted, accepted or read-only; None when it is withdrawn."""
    if audit_return.status == "withdrawn":
        return None
    return FULL if lock_reason(audit_return, today) is None else PROGRESS


def target_date_problem(day: str, month: str, year: str) -> tuple[date | None, str | None]:
    """(the date, None) or (None, the GOV.UK message)."""
    parts = {"day": (day or "").strip(), "month": (month or "").strip(),
             "year": (year or "").strip()}
    if not any(parts.values()):
        return None, "Enter the target date"
    missing = [name for name, value in parts.items() if not value]
    if missing:
        return None, f"Target date must include a {' and '.join(missing)}"
    if not all(value.isdigit() for value in parts.values()):
        return None, "Target date must be a real date"
    if len(parts["year"]) != 4:
        return None, "Year must include 4 numbers"
    try:
        return date(int(parts["year"]), int(parts["month"]), int(parts["day"])), None
    except ValueError:
        return None, "Target date must be a real date"


def _text(value: str) -> str:
    return " ".join((value or "").split())


def _check_plan(entry: ActionInput, errors: dict) -> dict:
    description, owner = (entry.description or "").strip(), _text(entry.owner)
    if not description:
        errors["description"] = "Enter the action"
    elif len(description) > DESCRIPTION_LENGTH:
        errors["description"] = f"The action must be {DESCRIPTION_LENGTH:,} characters or fewer"
    if not owner:
        errors["owner"] = "Enter who owns the action"
    elif len(owner) > OWNER_LENGTH:
        errors["owner"] = f"The owner must be {OWNER_LENGTH} characters or fewer"
    target, problem = target_date_problem(entry.day, entry.month, entry.year)
    if problem:
        errors["target_date"] = problem
    return {"description": description, "owner": owner, "target_date": target}


def _check_progress(entry: ActionInput, errors: dict) -> dict:
    if entry.status not in dict(STATUS_CHOICES):
        errors["status"] = "Select the status of the action"
    note = (entry.note or "").strip()
    if len(note) > NOTE_LENGTH:
        errors["note"] = f"The progress note must be {NOTE_LENGTH:,} characters or fewer"
    return {"status": entry.status, "progress_note": note or None}


def add_action(audit_return, question_id: str, entry: ActionInput, actor) -> ActionItem:
    """A new, open action plan item for an answer of a return that can be changed."""
    errors = {}
    values = _check_plan(entry, errors)
    if errors:
        raise ActionErrors(errors)
    with return_change(audit_return):
        applying_question(ReturnContext.of(audit_return), question_id)
        action = ActionItem(return_id=audit_return.id, question_key=question_id,
                            status="open", created_by_id=getattr(actor, "id", None),
                            updated_by_id=getattr(actor, "id", None), **values)
        db.session.add(action)
        db.session.flush()
        record("action.added", obj=action, actor=actor,
               partnership=audit_return.cycle.partnership,
               detail={"return": audit_return.id, "question": question_id})
    return action


def update_action(action: ActionItem, audit_return, entry: ActionInput, actor,
                  today: date | None = None) -> ActionItem:
    """Change an action: everything while the return can be changed, else its status and
    progress note only (the action, owner and date were part of what was submitted)."""
    mode = edit_mode(audit_return, today)
    if mode is None:
        raise ActionRefused("This return has been withdrawn, so its actions cannot be "
                            "changed")
    errors = {}
    values = _check_plan(entry, errors) if mode == FULL else {}
    values.update(_check_progress(entry, errors))
    if errors:
        raise ActionErrors(errors)
    # Progress alone does not touch the return (it may be submitted or accepted).
    with return_change(audit_return, today) if mode == FULL else db.session.begin_nested():
        changed = sorted(name for name, value in values.items()
                         if getattr(action, name) != value)
        if values["status"] != action.status:
            action.completed_at = utcnow() if values["status"] == "done" else None
        for name, value in values.items():
            setattr(action, name, value)
        action.updated_by_id = getattr(actor, "id", None)
        action.updated_at = utcnow()
        db.session.flush()
        record("action.updated", obj=action, actor=actor,
               partnership=audit_return.cycle.partnership,
               detail={"return": audit_return.id, "changed": changed, "mode": mode})
    return action


def remove_action(action: ActionItem, audit_return, actor) -> None:
    """Take off an action added by mistake, while the return can still be changed. It is
    marked dropped rather than deleted: the history (and a later cycle) may refer to it."""
    with return_change(audit_return):
        if action.status == "dropped":
            raise ActionRefused("This action has already been removed")
        action.status = "dropped"
        action.updated_by_id = getattr(actor, "id", None)
        db.session.flush()
        record("action.removed", obj=action, actor=actor,
               partnership=audit_return.cycle.partnership,
               detail={"return": audit_return.id, "question": action.question_key})


def actions_of(return_id: int, question_ids=None) -> list[ActionItem]:
    query = ActionItem.query.filter(ActionItem.return_id == return_id,
                                    ActionItem.status != "dropped")
    if question_ids is not None:
        query = query.filter(ActionItem.question_key.in_(list(question_ids)))
    return query.order_by(ActionItem.target_date, ActionItem.id).all()


def is_overdue(action: ActionItem, today: date | None = None) -> bool:
    return action.status in ("open", "in_progress") and \
        action.target_date < (today or today_london())
