"""One call records an event: who, what, to which object, when (UTC), from where.

Conventions every domain follows, so that the admin's search finds them:

- sign-ins: ``auth.sign_in`` and ``auth.sign_in_failed``; refusals: ``access.denied``;
- return state changes: ``return.status_changed`` (from, to, reason);
- role changes: ``people.grant_added`` and ``people.grant_removed``;
- exports: ``<domain>.exported``, e.g. ``record("report.exported", cycle,
  {"format": "xlsx", "report": "summary", "filters": {...}}, partnership=cycle.partnership)``
  from a route or a command. A web export that records its own ``*.exported`` (or
  ``*.downloaded``) event is not recorded a second time as ``file.downloaded``;
- every other file served as an attachment (evidence, PDFs) is recorded as
  ``file.downloaded`` by :mod:`audit_app.audit_log.downloads`.
"""
from flask import g, has_request_context, request
from flask_login import current_user

from ..extensions import db
from .models import AuditEvent

# Events that stand for a file leaving the service: the download hook leaves them alone.
DOWNLOAD_SUFFIXES = (".exported", ".downloaded")


def _request_ip() -> str | None:
    if not has_request_context():
        return None
    return request.remote_addr


def _current_actor():
    if not has_request_context():
        return None
    try:
        return current_user if current_user.is_authenticated else None
    except AttributeError:
        return None


def record(action: str, obj=None, detail: dict | None = None, actor=None,
           partnership=None) -> AuditEvent:
    """Add an audit event to the session; it is written with the change it describes."""
    actor = actor if actor is not None else _current_actor()
    if partnership is None and has_request_context():
        from ..auth.policy import current_partnership

        partnership = current_partnership() if actor is not None else None
    event = AuditEvent(
        action=action,
        actor_id=getattr(actor, "id", None),
        actor_email=getattr(actor, "email", None),
        partnership_id=getattr(partnership, "id", None),
        object_type=type(obj).__name__ if obj is not None else None,
        object_id=str(obj.id) if getattr(obj, "id", None) is not None else None,
        ip_address=_request_ip(),
        detail=detail or {},
    )
    db.session.add(event)
    if has_request_context() and action.endswith(DOWNLOAD_SUFFIXES):
        g.audit_download_recorded = True
    return event
