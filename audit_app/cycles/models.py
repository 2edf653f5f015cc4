"""Audit cycles and the returns they create, with every state change recorded."""
import sqlalchemy as sa

from ..extensions import db
from ..timeutil import UTCDateTime, utcnow

CYCLE_STATUSES = ("draft", "open", "closed")
RETURN_STATUSES = ("not_started", "in_progress", "submitted", "returned", "accepted",
                   "withdrawn")


class Cycle(db.Model):
    __tablename__ = "cycles"
    __table_args__ = (
        sa.UniqueConstraint("partnership_id", "name"),
        sa.CheckConstraint("status IN ('draft', 'open', 'closed')", name="status"),
    )

    id = sa.Column(sa.Integer, primary_key=True)
    partnership_id = sa.Column(sa.ForeignKey("partnerships.id"), nullable=False, index=True)
    questionnaire_version_id = sa.Column(sa.ForeignKey("questionnaire_versions.id"),
                                         nullable=False, index=True)
    name = sa.Column(sa.String(200), nullable=False)
    status = sa.Column(sa.String(10), nullable=False, default="draft")
    open_date = sa.Column(sa.Date, nullable=False)
    due_date = sa.Column(sa.Date, nullable=False)
    final_deadline = sa.Column(sa.Date)
    coverage = sa.Column(sa.JSON, nullable=False, default=dict)
    reminder_days = sa.Column(sa.JSON, nullable=False, default=lambda: [-14, -3, 0, 7])
    previous_cycle_id = sa.Column(sa.ForeignKey("cycles.id"))
    created_at = sa.Column(UTCDateTime, nullable=False, default=utcnow)
    created_by_id = sa.Column(sa.ForeignKey("users.id"))
    opened_at = sa.Column(UTCDateTime)
    closed_at = sa.Column(UTCDateTime)

    partnership = db.relationship("Partnership")
    questionnaire_version = db.relationship("QuestionnaireVersion")
    previous_cycle = db.relationship("Cycle", remote_side=[id])
    returns = db.relationship("AuditReturn", back_populates="cycle")


class AuditReturn(db.Model):
    """One organisation's return for one cycle."""

    __tablename__ = "returns"
    __table_args__ = (
        sa.UniqueConstraint("cycle_id", "organisation_id"),
        sa.CheckConstraint(
            "status IN ('not_started', 'in_progress', 'submitted', 'returned', 'accepted', "
            "'withdrawn')", name="status"),
    )

    id = sa.Column(sa.Integer, primary_key=True)
    cycle_id = sa.Column(sa.ForeignKey("cycles.id"), nullable=False, index=True)
    organisation_id = sa.Column(sa.ForeignKey("organisations.id"), nullable=False, index=True)
    status = sa.Column(sa.String(20), nullable=False, default="not_started")
    extension_until = sa.Column(sa.Date)
    latest_submission_number = sa.Column(sa.Integer, nullable=False, default=0)
    first_submitted_at = sa.Column(UTCDateTime)
    last_submitted_at = sa.Column(UTCDateTime)
    accepted_at = sa.Column(UTCDateTime)
    accepted_by_id = sa.Column(sa.ForeignKey("users.id"))
    countersigned_name = sa.Column(sa.String(200))
    created_at = sa.Column(UTCDateTime, nullable=False, default=utcnow)
    updated_at = sa.Column(UTCDateTime, nullable=False, default=utcnow, onupdate=utcnow)
    # Optimistic lock for state changes: a double submission makes one submission.
    lock_version = sa.Column(sa.Integer, nullable=False, default=1)

    __mapper_args__ = {"version_id_col": lock_version}

    cycle = db.relationship("Cycle", back_populates="returns")
    organisation = db.relationship("Organisation")
    events = db.relationship("ReturnEvent", back_populates="audit_return",
                             order_by="ReturnEvent.id")


class ReturnEvent(db.Model):
    """History of a return: state changes and review events (who, when, from, to, why)."""

    __tablename__ = "return_events"

    id = sa.Column(sa.Integer, primary_key=True)
    return_id = sa.Column(sa.ForeignKey("returns.id"), nullable=False, index=True)
    kind = sa.Column(sa.String(40), nullable=False, default="transition")
    from_status = sa.Column(sa.String(20))
    to_status = sa.Column(sa.String(20))
    reason = sa.Column(sa.Text)
    detail = sa.Column(sa.JSON, nullable=False, default=dict)
    actor_id = sa.Column(sa.ForeignKey("users.id"))
    created_at = sa.Column(UTCDateTime, nullable=False, default=utcnow)

    audit_return = db.relationship("AuditReturn", back_populates="events")
    actor = db.relationship("User")
