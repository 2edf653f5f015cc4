"""What the cycle pages show, worked out here so that templates hold no logic."""
from datetime import date

from flask import current_app, url_for
from werkzeug.routing import BuildError

from ..questionnaires.models import QuestionnaireVersion
from ..timeutil import format_date
from .invitations import AWAITING_RESPONDENT
from .models import AuditReturn
from .reminders import rung_words
from .transitions import MOVES

# GOV.UK tag text and colour for each return status.
STATUS_TAGS = {
    "not_started": {"text": "Not started", "classes": "govuk-tag--grey"},
    "in_progress": {"text": "In progress", "classes": "govuk-tag--light-blue"},
    "submitted": {"text": "Submitted", "classes": "govuk-tag--blue"},
    "returned": {"text": "Returned for changes", "classes": "govuk-tag--orange"},
    "accepted": {"text": "Accepted", "classes": "govuk-tag--green"},
    "withdrawn": {"text": "Withdrawn", "classes": "govuk-tag--red"},
}
CYCLE_TAGS = {
    "draft": {"text": "Draft", "classes": "govuk-tag--grey"},
    "open": {"text": "Open", "classes": "govuk-tag--green"},
    "closed": {"text": "Closed", "classes": "govuk-tag--grey"},
}
ORGANISATION_ENDPOINT = "organisations.show"


def version_choices() -> list[tuple[str, str]]:
    versions = QuestionnaireVersion.query.order_by(QuestionnaireVersion.questionnaire_key,
                                                   QuestionnaireVersion.version.desc()).all()
    return [("", "Select a questionnaire")] + [
        (str(version.id), f"{version.title} ({version.questionnaire_key} {version.version})")
        for version in versions]


def organisation_url(organisation) -> str | None:
    """The organisation's page, once the register has one."""
    if ORGANISATION_ENDPOINT not in current_app.view_functions:
        return None
    try:
        return url_for(ORGANISATION_ENDPOINT, organisation_id=organisation.id)
    except BuildError:
        return None


def can_extend(audit_return: AuditReturn) -> bool:
    return (audit_return.cycle.status != "closed"
            and audit_return.status in AWAITING_RESPONDENT)


def can_withdraw(audit_return: AuditReturn) -> bool:
    return (audit_return.status, "withdrawn") in MOVES


def _describe_event(event) -> str:
    detail = event.detail or {}
    if event.kind == "transition":
        move = MOVES.get((event.from_status, event.to_status))
        return move.meaning if move else f"{event.from_status} to {event.to_status}"
    if event.kind == "extension":
        return f"Extension given until {_day(detail.get('until'))}"
    if event.kind == "reminder":
        return f"Reminder sent {rung_words(int(detail.get('offset', 0)))}"
    if event.kind == "reminder_skipped":
        return (f"Reminder {rung_words(int(detail.get('offset', 0)))} not sent: a later "
                "one was due")
    return event.kind.replace("_", " ").capitalize()


def _day(iso: str | None) -> str:
    return format_date(date.fromisoformat(iso)) if iso else ""


def history_rows(audit_return: AuditReturn) -> list[dict]:
    """The return's history, newest first: when, what, who, why."""
    return [{"when": event.created_at, "what": _describe_event(event),
             "who": event.actor.name if event.actor else "Automatic",
             "reason": event.reason or ""}
            for event in reversed(audit_return.events)]
