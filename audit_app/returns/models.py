"""The respondent's working draft (answers per section, evidence, actions, approvals) and
the immutable, numbered submissions made from it."""
import sqlalchemy as sa

from ..extensions import db
from ..timeutil import UTCDateTime, utcnow


class SectionState(db.Model):
    """Progress and the optimistic-concurrency version of one section of a return."""

    __tablename__ = "section_states"
    __table_args__ = (
        sa.UniqueConstraint("return_id", "section_key"),
        sa.CheckConstraint("status IN ('not_started', 'in_progress', 'completed')",
                           name="status"),
    )

    id = sa.Column(sa.Integer, primary_key=True)
    return_id = sa.Column(sa.ForeignKey("returns.id"), nullable=False, index=True)
    section_key = sa.Column(sa.String(64), nullable=False)
    status = sa.Column(sa.String(20), nullable=False, default="not_started")
    version = sa.Column(sa.Integer, nullable=False, default=0)
    updated_at = sa.Column(UTCDateTime, nullable=False, default=utcnow)
    updated_by_id = sa.Column(sa.ForeignKey("users.id"))


class Answer(db.Model):
    """The live draft answer to one question. ``value`` is text; several choices are
    stored as a JSON list."""

    __tablename__ = "answers"
    __table_args__ = (sa.UniqueConstraint("return_id", "question_key"),)

    id = sa.Column(sa.Integer, primary_key=True)
    return_id = sa.Column(sa.ForeignKey("returns.id"), nullable=False, index=True)
    section_key = sa.Column(sa.String(64), nullable=False)
    question_key = sa.Column(sa.String(64), nullable=False)
    value = sa.Column(sa.Text)
    comment = sa.Column(sa.Text)
    section_version = sa.Column(sa.Integer, nullable=False, default=0)
    updated_at = sa.Column(UTCDateTime, nullable=False, default=utcnow)
    updated_by_id = sa.Column(sa.ForeignKey("users.id"))


class Evidence(db.Model):
    """A file upload or a reference (e.g. 'Governors' minutes, 12 March 2026')."""

    __tablename__ = "evidence"
    __table_args__ = (sa.CheckConstraint("kind IN ('file', 'reference')", name="kind"),)

    id = sa.Column(sa.Integer, primary_key=True)
    return_id = sa.Column(sa.ForeignKey("returns.id"), nullable=False, index=True)
    question_key = sa.Column(sa.String(64), nullable=False)
    kind = sa.Column(sa.String(10), nullable=False)
    reference = sa.Column(sa.Text)
    original_name = sa.Column(sa.String(255))
    stored_name = sa.Column(sa.String(80), unique=True)
    content_type = sa.Column(sa.String(120))
    size = sa.Column(sa.Integer)
    sha256 = sa.Column(sa.String(64))
    uploaded_by_id = sa.Column(sa.ForeignKey("users.id"))
    uploaded_at = sa.Column(UTCDateTime, nullable=False, default=utcnow)
    removed_at = sa.Column(UTCDateTime)


class ActionItem(db.Model):
    """An action plan item; it stays live after acceptance and into the next cycle."""

    __tablename__ = "action_items"
    __table_args__ = (
        sa.CheckConstraint("status IN ('open', 'in_progress', 'done', 'dropped')",
                           name="status"),
    )

    id = sa.Column(sa.Integer, primary_key=True)
    return_id = sa.Column(sa.ForeignKey("returns.id"), nullable=False, index=True)
    question_key = sa.Column(sa.String(64))
    description = sa.Column(sa.Text, nullable=False)
    owner = sa.Column(sa.String(200), nullable=False)
    target_date = sa.Column(sa.Date, nullable=False)
    status = sa.Column(sa.String(20), nullable=False, default="open")
    progress_note = sa.Column(sa.Text)
    carried_from_id = sa.Column(sa.ForeignKey("action_items.id"))
    created_at = sa.Column(UTCDateTime, nullable=False, default=utcnow)
    created_by_id = sa.Column(sa.ForeignKey("users.id"))
    updated_at = sa.Column(UTCDateTime, nullable=False, default=utcnow, onupdate=utcnow)
    updated_by_id = sa.Column(sa.ForeignKey("users.id"))
    completed_at = sa.Column(UTCDateTime)


class Approval(db.Model):
    """A required approval of the declaration; approvers need no account."""

    __tablename__ = "approvals"
    __table_args__ = (sa.UniqueConstraint("return_id", "approval_key"),)

    id = sa.Column(sa.Integer, primary_key=True)
    return_id = sa.Column(sa.ForeignKey("returns.id"), nullable=False, index=True)
    approval_key = sa.Column(sa.String(64), nullable=False)
    approver_name = sa.Column(sa.String(200), nullable=False)
    approver_role = sa.Column(sa.String(200), nullable=False)
    approved_on = sa.Column(sa.Date, nullable=False)
    recorded_by_id = sa.Column(sa.ForeignKey("users.id"))
    recorded_at = sa.Column(UTCDateTime, nullable=False, default=utcnow)


class Submission(db.Model):
    """An immutable, numbered copy of a return as submitted: answers (also in
    ``submission_answers`` for reporting), evidence with SHA-256, actions, declaration."""

    __tablename__ = "submissions"
    __table_args__ = (sa.UniqueConstraint("return_id", "number"),)

    id = sa.Column(sa.Integer, primary_key=True)
    return_id = sa.Column(sa.ForeignKey("returns.id"), nullable=False, index=True)
    number = sa.Column(sa.Integer, nullable=False)
    submitted_at = sa.Column(UTCDateTime, nullable=False, default=utcnow)
    submitted_by_id = sa.Column(sa.ForeignKey("users.id"))
    definition_sha256 = sa.Column(sa.String(64), nullable=False)
    content = sa.Column(sa.JSON, nullable=False)
    content_sha256 = sa.Column(sa.String(64), nullable=False)


class SubmissionAnswer(db.Model):
    """One answer of one submission, flat, so that reports read them in one query."""

    __tablename__ = "submission_answers"
    __table_args__ = (sa.UniqueConstraint("submission_id", "question_key"),)

    id = sa.Column(sa.Integer, primary_key=True)
    submission_id = sa.Column(sa.ForeignKey("submissions.id"), nullable=False, index=True)
    section_key = sa.Column(sa.String(64), nullable=False)
    question_key = sa.Column(sa.String(64), nullable=False)
    value = sa.Column(sa.Text)
    score = sa.Column(sa.Float)
    compliant = sa.Column(sa.Boolean)
    comment = sa.Column(sa.Text)
