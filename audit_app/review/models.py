"""Moderation of answers, queries to organisations and spot-check samples."""
import sqlalchemy as sa

from ..extensions import db
from ..timeutil import UTCDateTime, utcnow


class Moderation(db.Model):
    """The reviewer's rating of one answer where it differs from the self-rating."""

    __tablename__ = "moderations"
    __table_args__ = (sa.UniqueConstraint("return_id", "question_key"),)

    id = sa.Column(sa.Integer, primary_key=True)
    return_id = sa.Column(sa.ForeignKey("returns.id"), nullable=False, index=True)
    question_key = sa.Column(sa.String(64), nullable=False)
    submission_id = sa.Column(sa.ForeignKey("submissions.id"))
    self_value = sa.Column(sa.Text)
    moderated_value = sa.Column(sa.Text, nullable=False)
    reason = sa.Column(sa.Text, nullable=False)
    reviewer_id = sa.Column(sa.ForeignKey("users.id"))
    created_at = sa.Column(UTCDateTime, nullable=False, default=utcnow)
    updated_at = sa.Column(UTCDateTime, nullable=False, default=utcnow, onupdate=utcnow)


class ReviewQuery(db.Model):
    """A reviewer's query to the organisation, about one answer or the whole return."""

    __tablename__ = "review_queries"
    __table_args__ = (
        sa.CheckConstraint("status IN ('open', 'answered', 'closed')", name="status"),
    )

    id = sa.Column(sa.Integer, primary_key=True)
    return_id = sa.Column(sa.ForeignKey("returns.id"), nullable=False, index=True)
    question_key = sa.Column(sa.String(64))
    status = sa.Column(sa.String(10), nullable=False, default="open")
    submission_number = sa.Column(sa.Integer)
    raised_by_id = sa.Column(sa.ForeignKey("users.id"))
    raised_at = sa.Column(UTCDateTime, nullable=False, default=utcnow)
    closed_by_id = sa.Column(sa.ForeignKey("users.id"))
    closed_at = sa.Column(UTCDateTime)

    messages = db.relationship("QueryMessage", back_populates="query",
                               order_by="QueryMessage.id")


class QueryMessage(db.Model):
    __tablename__ = "query_messages"

    id = sa.Column(sa.Integer, primary_key=True)
    query_id = sa.Column(sa.ForeignKey("review_queries.id"), nullable=False, index=True)
    author_id = sa.Column(sa.ForeignKey("users.id"))
    body = sa.Column(sa.Text, nullable=False)
    created_at = sa.Column(UTCDateTime, nullable=False, default=utcnow)

    query = db.relationship("ReviewQuery", back_populates="messages")


class SpotCheckSample(db.Model):
    """A reproducible random sample of accepted returns, saved with the cycle."""

    __tablename__ = "spot_check_samples"

    id = sa.Column(sa.Integer, primary_key=True)
    cycle_id = sa.Column(sa.ForeignKey("cycles.id"), nullable=False, index=True)
    percentage = sa.Column(sa.Integer, nullable=False)
    seed = sa.Column(sa.String(64), nullable=False)
    return_ids = sa.Column(sa.JSON, nullable=False)
    created_by_id = sa.Column(sa.ForeignKey("users.id"))
    created_at = sa.Column(UTCDateTime, nullable=False, default=utcnow)
