"""The reminder ladder: emails a number of days before or after a return's due date
(default 14 and 3 days before, on the day, and 7 days after). Each rung goes at most once
per return; when the command missed days and several rungs are due, only the latest goes
and the earlier ones are recorded as skipped. Rungs on or before the day a return was
opened are covered by its invitation."""
from datetime import date, timedelta

import sqlalchemy as sa

from ..audit_log.services import record
from ..extensions import db
from ..mail.services import queue_email
from ..timeutil import to_london
from .deadlines import final_deadline, is_read_only, reminder_due_date
from .errors import CycleError
from .invitations import AWAITING_RESPONDENT, respondents_by_organisation, return_link
from .models import AuditReturn, Cycle, ReturnEvent

DEFAULT_REMINDER_DAYS = (-14, -3, 0, 7)
MAX_OFFSET = 366
REMINDER_KINDS = ("reminder", "reminder_skipped")


class ReminderError(CycleError):
    """A reminder setting or request that cannot be used; the message says why."""


def parse_reminder_days(value) -> list[int]:
    """A ladder from '-14, -3, 0, 7' or a list of whole numbers: sorted, each once."""
    parts = value.replace(",", " ").split() if isinstance(value, str) else list(value)
    days = []
    for part in parts:
        text = str(part).strip()
        try:
            number = int(text)
        except ValueError:
            raise ReminderError(f"Reminder days must be whole numbers of days from the due "
                                f"date, like -14, -3, 0, 7 (not {text!r})") from None
        if abs(number) > MAX_OFFSET:
            raise ReminderError(f"Reminder days must be within {MAX_OFFSET} days of the due "
                                "date")
        days.append(number)
    if not days:
        raise ReminderError("Enter at least one reminder day, like -14, -3, 0, 7")
    return sorted(set(days))


def rung_words(offset: int) -> str:
    if offset == 0:
        return "on the due date"
    days = f"{abs(offset)} day{'s' if abs(offset) != 1 else ''}"
    return f"{days} before the due date" if offset < 0 else f"{days} after the due date"


def _handled_rungs(return_ids) -> dict[int, set[int]]:
    """Return id -> rungs already sent or skipped."""
    handled: dict[int, set[int]] = {}
    if not return_ids:
        return handled
    rows = db.session.execute(
        sa.select(ReturnEvent.return_id, ReturnEvent.detail)
        .where(ReturnEvent.return_id.in_(return_ids), ReturnEvent.kind.in_(REMINDER_KINDS)))
    for return_id, detail in rows:
        handled.setdefault(return_id, set()).add(int((detail or {}).get("offset")))
    return handled


def _opened_on(audit_return: AuditReturn) -> date:
    created = to_london(audit_return.created_at).date()
    return max(audit_return.cycle.open_date, created)


def due_rungs(audit_return: AuditReturn, today: date) -> list[int]:
    """The rungs whose day has come, after the return was opened, latest last."""
    due_date = reminder_due_date(audit_return)
    opened_on = _opened_on(audit_return)
    return [offset for offset in sorted(set(audit_return.cycle.reminder_days))
            if opened_on < due_date + timedelta(days=offset) <= today]


def _queue_reminder(audit_return: AuditReturn, user, offset: int, today: date):
    cycle = audit_return.cycle
    due_date = reminder_due_date(audit_return)
    days_left = (due_date - today).days
    if days_left > 0:
        subject = f"{days_left} day{'s' if days_left != 1 else ''} left"
    elif days_left == 0:
        subject = "due today"
    else:
        subject = "overdue"
    return queue_email(
        user.email,
        f"Reminder: {cycle.name} self-audit for {audit_return.organisation.name}, "
        f"{subject}"[:300],
        "reminder", kind="reminder", partnership=cycle.partnership,
        dedupe_key=f"reminder:{audit_return.id}:{offset}:{user.id}",
        return_id=audit_return.id, user=user, cycle=cycle,
        organisation=audit_return.organisation, due_date=due_date, days_left=days_left,
        final_deadline=final_deadline(audit_return),
        questionnaire_title=cycle.questionnaire_version.title,
        return_link=return_link(audit_return))


def _remind_return(audit_return, people, handled: set[int], today: date) -> int:
    rungs = due_rungs(audit_return, today)
    if not rungs or rungs[-1] in handled or not people:
        # Nobody to remind yet: the rung stays unhandled for when a contact is added.
        return 0
    latest = rungs[-1]
    sent = sum(1 for user in people
               if _queue_reminder(audit_return, user, latest, today) is not None)
    db.session.add(ReturnEvent(audit_return=audit_return, kind="reminder",
                               detail={"offset": latest, "today": today.isoformat(),
                                       "recipients": sent}))
    for skipped in rungs[:-1]:
        if skipped not in handled:
            db.session.add(ReturnEvent(audit_return=audit_return, kind="reminder_skipped",
                                       detail={"offset": skipped, "today": today.isoformat(),
                                               "superseded_by": latest}))
    return sent


def remind(partnership, today: date, cycle: Cycle | None = None) -> int:
    """Queue the reminders due on ``today`` for the partnership's open cycles (or one of
    them); returns how many emails were queued. Never to returns that are submitted,
    accepted, withdrawn or read-only. The caller commits."""
    if cycle is not None and cycle.partnership_id != partnership.id:
        raise ReminderError("That cycle belongs to another partnership")
    if cycle is not None and cycle.status != "open":
        raise ReminderError(f"Cycle {cycle.name!r} is {cycle.status}: reminders go only to "
                            "open cycles")
    cycles = [cycle] if cycle is not None else Cycle.query.filter_by(
        partnership_id=partnership.id, status="open").order_by(Cycle.id).all()
    sent = 0
    for current in cycles:
        returns = (AuditReturn.query.filter(AuditReturn.cycle_id == current.id,
                                            AuditReturn.status.in_(AWAITING_RESPONDENT))
                   .order_by(AuditReturn.id).all())
        returns = [item for item in returns if not is_read_only(item, today)]
        handled = _handled_rungs([item.id for item in returns])
        people = respondents_by_organisation(partnership,
                                             {item.organisation_id for item in returns})
        cycle_sent = sum(_remind_return(item, people.get(item.organisation_id, []),
                                        handled.get(item.id, set()), today)
                         for item in returns)
        if cycle_sent:
            record("cycle.reminders_queued", obj=current, partnership=partnership,
                   detail={"today": today.isoformat(), "emails": cycle_sent})
        sent += cycle_sent
    return sent
