"""Searching the audit log: which records a partnership's admins may see, and the filters
of the admin's search page and CSV export."""
import json
from dataclasses import asdict, dataclass
from datetime import date, datetime, time, timedelta, timezone

import sqlalchemy as sa

from ..auth.models import Grant
from ..timeutil import LONDON
from .models import AuditEvent


@dataclass(frozen=True)
class AuditFilters:
    action: str = ""          # the start of an action: "auth." finds every sign-in event
    actor_email: str = ""     # part of the email address of the person who acted
    object_type: str = ""     # e.g. AuditReturn, User, Cycle (any case)
    object_id: str = ""
    ip_address: str = ""
    date_from: date | None = None   # Europe/London days, inclusive
    date_to: date | None = None

    def described(self) -> dict:
        """The filters as plain data, for the export's own audit record."""
        return {name: value.isoformat() if isinstance(value, date) else value
                for name, value in asdict(self).items() if value}


def _escape_like(text: str) -> str:
    return text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")


def london_day_start(day: date) -> datetime:
    """The UTC moment a Europe/London day begins (the clocks change at 1am, never at
    midnight, so midnight always exists)."""
    return datetime.combine(day, time(0), tzinfo=LONDON).astimezone(timezone.utc)


def visible_to(partnership):
    """Records an admin of ``partnership`` may read: those of the partnership, and those
    that belong to no partnership (signing in, refusals before a partnership is chosen)
    about a person who holds a grant in it, as actor or as the User the record is about.
    Records with no partnership and nobody of the partnership in them (a failed sign-in
    with an unknown email address, say) cannot be attributed to any one partnership on a
    platform that hosts several, so no partnership's admin sees them."""
    members = sa.select(Grant.user_id).where(Grant.partnership_id == partnership.id)
    member_ids = sa.select(sa.cast(Grant.user_id, sa.String)).where(
        Grant.partnership_id == partnership.id)
    return sa.or_(
        AuditEvent.partnership_id == partnership.id,
        sa.and_(AuditEvent.partnership_id.is_(None),
                sa.or_(AuditEvent.actor_id.in_(members),
                       sa.and_(AuditEvent.object_type == "User",
                               AuditEvent.object_id.in_(member_ids)))))


def search_query(partnership, filters: AuditFilters):
    """The matching records, newest first."""
    query = sa.select(AuditEvent).where(visible_to(partnership))
    if filters.action:
        query = query.where(AuditEvent.action.like(_escape_like(filters.action) + "%",
                                                   escape="\\"))
    if filters.actor_email:
        pattern = "%" + _escape_like(filters.actor_email.lower()) + "%"
        query = query.where(sa.func.lower(AuditEvent.actor_email).like(pattern, escape="\\"))
    if filters.object_type:
        query = query.where(sa.func.lower(AuditEvent.object_type) ==
                            filters.object_type.lower())
    if filters.object_id:
        query = query.where(AuditEvent.object_id == filters.object_id)
    if filters.ip_address:
        query = query.where(AuditEvent.ip_address == filters.ip_address)
    if filters.date_from is not None:
        query = query.where(AuditEvent.occurred_at >= london_day_start(filters.date_from))
    if filters.date_to is not None:
        query = query.where(
            AuditEvent.occurred_at < london_day_start(filters.date_to + timedelta(days=1)))
    return query.order_by(AuditEvent.occurred_at.desc(), AuditEvent.id.desc())


def detail_text(detail: dict | None, limit: int | None = None) -> str:
    """A record's detail as 'key: value; key: value', for the page and the export."""
    def shown(value) -> str:
        if isinstance(value, (dict, list)):
            return json.dumps(value, ensure_ascii=False, sort_keys=True)
        return str(value)

    text = "; ".join(f"{key}: {shown(value)}" for key, value in (detail or {}).items()
                     if value not in (None, "", [], {}))
    if limit is not None and len(text) > limit:
        return text[:limit - 1] + "…"
    return text
