"""The append-only record of who did what. Database triggers refuse updates, and deletes of
records younger than the audit log's retention (migrations 0002 and 0004)."""
import sqlalchemy as sa

from ..extensions import db
from ..timeutil import UTCDateTime, utcnow


class AuditEvent(db.Model):
    __tablename__ = "audit_events"

    id = sa.Column(sa.Integer, primary_key=True)
    occurred_at = sa.Column(UTCDateTime, nullable=False, default=utcnow, index=True)
    action = sa.Column(sa.String(80), nullable=False, index=True)
    actor_id = sa.Column(sa.Integer, index=True)
    actor_email = sa.Column(sa.String(254))
    partnership_id = sa.Column(sa.Integer)
    object_type = sa.Column(sa.String(40))
    object_id = sa.Column(sa.String(64))
    ip_address = sa.Column(sa.String(45))
    detail = sa.Column(sa.JSON, nullable=False, default=dict)
