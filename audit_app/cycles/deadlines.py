"""Dates that decide what a return allows: its deadline, whether it is read-only, and the
due date its reminders count from."""
from datetime import date

from .models import AuditReturn

# Statuses in which the respondent is working on the return.
UNSUBMITTED = ("not_started", "in_progress")


def final_deadline(audit_return: AuditReturn) -> date | None:
    """The last day the return can be submitted: its extension, else the cycle's final
    deadline; None when only closing the cycle ends it (late returns are still welcome)."""
    return audit_return.extension_until or audit_return.cycle.final_deadline


def reminder_due_date(audit_return: AuditReturn) -> date:
    """The date reminders count from: an extension moves it for that return."""
    return audit_return.extension_until or audit_return.cycle.due_date


def is_read_only(audit_return: AuditReturn, today: date) -> bool:
    """Whether the respondent can no longer change the return. Submitted, accepted and
    withdrawn returns are locked; once the cycle is closed nothing is open; after its final
    deadline (or extension) an unsubmitted return is read-only. A return sent back for
    changes stays open until the cycle closes: the reviewer may send it back late."""
    if audit_return.status in ("submitted", "accepted", "withdrawn"):
        return True
    if audit_return.cycle.status == "closed":
        return True
    if audit_return.status in UNSUBMITTED:
        deadline = final_deadline(audit_return)
        return deadline is not None and today > deadline
    return False
