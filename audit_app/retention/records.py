"""Retention of the records about people rather than audits, with the periods the privacy
notice states. They are the same for every partnership (people, sign-ins and the audit log
belong to the whole service), so a purge run for any partnership applies them all:

- sign-in sessions (times, IP addresses, browsers): deleted 2 years after the sign-in ended;
- emails the service sent: deleted 1 year after sending (mail not sent yet stays);
- accounts deactivated more than 1 year ago: anonymised; the row stays, so that the history
  of audits still resolves who did what (as "Former user");
- the audit log: records more than 6 years old are deleted. The database refuses to delete a
  younger one (migration 0004), judging age by its own clock; the purge asks with the same
  clock, so the two always agree on which records are old enough.

Everything is changed in the caller's one transaction."""
from dataclasses import dataclass
from datetime import datetime

import sqlalchemy as sa

from ..audit_log.models import AuditEvent
from ..audit_log.services import record
from ..auth.models import Grant, RecoveryCode, User, UserSession, UserToken
from ..extensions import db
from ..mail.models import OutboxMessage
from .services import years_before

SIGN_IN_RECORD_YEARS = 2
SENT_EMAIL_YEARS = 1
# After an account is deactivated (the person's access has ended).
ACCOUNT_YEARS = 1
# The period that migration 0004's trigger enforces; changing it needs a new migration.
AUDIT_LOG_YEARS = 6

FORMER_USER_NAME = "Former user"
# ``.invalid`` is reserved (RFC 2606): no mail can ever be delivered to it.
PLACEHOLDER_DOMAIN = "anonymised.invalid"


@dataclass
class RecordsPurge:
    sessions: int = 0
    sent_emails: int = 0
    accounts: int = 0
    audit_events: int = 0

    def counts(self) -> dict:
        return {"sessions": self.sessions, "sent_emails": self.sent_emails,
                "accounts": self.accounts, "audit_events": self.audit_events}


def placeholder_email(user: User) -> str:
    """Unique (by the account's id) and undeliverable."""
    return f"former-user-{user.id}@{PLACEHOLDER_DOMAIN}"


def _count(statement) -> int:
    return db.session.scalar(sa.select(sa.func.count()).select_from(statement.subquery()))


def _delete(model, where) -> None:
    db.session.execute(sa.delete(model).where(where)
                       .execution_options(synchronize_session=False))


def old_sessions_where(cutoff: datetime):
    """Sessions whose sign-in ended before ``cutoff``: last used then, and ended (if it was
    ended explicitly) before then too."""
    return sa.and_(UserSession.last_seen_at < cutoff,
                   sa.or_(UserSession.ended_at.is_(None), UserSession.ended_at < cutoff))


def old_sent_email_where(cutoff: datetime):
    return sa.and_(OutboxMessage.sent_at.is_not(None), OutboxMessage.sent_at < cutoff)


def old_audit_events_where():
    """Audit events older than the retention, by the database's clock, worded exactly as the
    trigger of migration 0004 words it."""
    if db.session.get_bind().dialect.name == "postgresql":
        cutoff = sa.literal_column(
            f"((now() AT TIME ZONE 'UTC') - interval '{AUDIT_LOG_YEARS} years') "
            f"AT TIME ZONE 'UTC'")
        return AuditEvent.occurred_at < cutoff
    return sa.func.coalesce(
        sa.func.julianday(AuditEvent.occurred_at)
        < sa.func.julianday("now", f"-{AUDIT_LOG_YEARS} years"), 0) == 1


def needs_anonymising(user: User) -> bool:
    """Whether anything personal is left on a deactivated account (a purge run again, or
    an anonymised account reactivated and deactivated again, finds nothing to do)."""
    if (user.email != placeholder_email(user) or user.name != FORMER_USER_NAME
            or user.job_title is not None or user.password_hash is not None
            or user.password_changed_at is not None or user.totp_secret is not None
            or user.totp_enrolled_at is not None or user.totp_last_counter is not None):
        return True
    return any(db.session.scalar(sa.select(sa.exists().where(model.user_id == user.id)))
               for model in (Grant, RecoveryCode, UserToken))


def accounts_due(cutoff: datetime) -> list[User]:
    candidates = (User.query
                  .filter(User.active.is_(False), User.deactivated_at.is_not(None),
                          User.deactivated_at < cutoff)
                  .order_by(User.id).all())
    return [user for user in candidates if needs_anonymising(user)]


def anonymise(user: User) -> None:
    """Remove everything personal from the account and end its access; keep the row."""
    grants = db.session.scalar(sa.select(sa.func.count()).where(Grant.user_id == user.id))
    user.name = FORMER_USER_NAME
    user.email = placeholder_email(user)
    user.job_title = None
    user.password_hash = None
    user.password_changed_at = None
    user.totp_secret = None
    user.totp_enrolled_at = None
    user.totp_last_counter = None
    # Through the relationship, so that the loaded account does not keep its grants.
    user.grants.clear()
    for model in (RecoveryCode, UserToken):
        _delete(model, model.user_id == user.id)
    record("people.anonymised", obj=user, detail={"grants_removed": grants})


def purge_records(now: datetime, *, dry_run: bool) -> RecordsPurge:
    """Apply the periods above (or, with ``dry_run``, only count what would change)."""
    session_cutoff = years_before(now, SIGN_IN_RECORD_YEARS)
    email_cutoff = years_before(now, SENT_EMAIL_YEARS)
    accounts = accounts_due(years_before(now, ACCOUNT_YEARS))
    result = RecordsPurge(
        sessions=_count(sa.select(UserSession.id).where(old_sessions_where(session_cutoff))),
        sent_emails=_count(sa.select(OutboxMessage.id)
                           .where(old_sent_email_where(email_cutoff))),
        accounts=len(accounts),
        audit_events=_count(sa.select(AuditEvent.id).where(old_audit_events_where())))
    if dry_run:
        return result
    # The old audit events go first, so that what this purge records is not among them.
    _delete(AuditEvent, old_audit_events_where())
    _delete(UserSession, old_sessions_where(session_cutoff))
    _delete(OutboxMessage, old_sent_email_where(email_cutoff))
    for user in accounts:
        anonymise(user)
    if any(result.counts().values()):
        record("retention.records_purged", detail=result.counts())
    db.session.flush()
    return result
