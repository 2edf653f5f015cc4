"""The email outbox: messages are queued here and delivered by ``flask mail send``."""
import sqlalchemy as sa

from ..extensions import db
from ..timeutil import UTCDateTime, utcnow


class OutboxMessage(db.Model):
    __tablename__ = "outbox_messages"

    id = sa.Column(sa.Integer, primary_key=True)
    partnership_id = sa.Column(sa.ForeignKey("partnerships.id"))
    kind = sa.Column(sa.String(40), nullable=False)
    # Makes a message at most once (e.g. one reminder rung per return).
    dedupe_key = sa.Column(sa.String(200), unique=True)
    to_address = sa.Column(sa.String(254), nullable=False)
    subject = sa.Column(sa.String(300), nullable=False)
    body_text = sa.Column(sa.Text, nullable=False)
    body_html = sa.Column(sa.Text)
    return_id = sa.Column(sa.ForeignKey("returns.id"))
    created_at = sa.Column(UTCDateTime, nullable=False, default=utcnow)
    sent_at = sa.Column(UTCDateTime, index=True)
    attempts = sa.Column(sa.Integer, nullable=False, default=0)
    last_error = sa.Column(sa.Text)
