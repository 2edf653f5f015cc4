"""People, their grants, server-side sessions and single-use tokens."""
import sqlalchemy as sa
from flask_login import UserMixin

from ..extensions import db
from ..timeutil import UTCDateTime, utcnow

ROLES = ("admin", "respondent", "reviewer", "qa")


class User(UserMixin, db.Model):
    __tablename__ = "users"

    id = sa.Column(sa.Integer, primary_key=True)
    email = sa.Column(sa.String(254), nullable=False, unique=True)
    name = sa.Column(sa.String(200), nullable=False)
    job_title = sa.Column(sa.String(200))
    password_hash = sa.Column(sa.String(255))
    active = sa.Column(sa.Boolean, nullable=False, default=True)
    # Two-factor sign-in: the secret is set when enrolment starts and counts only once
    # ``totp_enrolled_at`` is set (the person has confirmed a code from their app).
    totp_secret = sa.Column(sa.String(64))
    totp_enrolled_at = sa.Column(UTCDateTime)
    # The last time-step accepted, so that a code works once (across every session).
    totp_last_counter = sa.Column(sa.BigInteger)
    created_at = sa.Column(UTCDateTime, nullable=False, default=utcnow)
    password_changed_at = sa.Column(UTCDateTime)
    last_sign_in_at = sa.Column(UTCDateTime)
    deactivated_at = sa.Column(UTCDateTime)

    grants = db.relationship("Grant", back_populates="user", cascade="all, delete-orphan",
                             foreign_keys="Grant.user_id")

    @property
    def is_active(self):
        return self.active

    @property
    def two_factor_enrolled(self):
        return self.totp_enrolled_at is not None

    @property
    def has_password(self):
        return self.password_hash is not None

    def __repr__(self):
        return f"<User {self.email}>"


class Grant(db.Model):
    """(user, role, partnership, scope): scope is an organisation (respondent), a
    questionnaire id or a cycle (reviewer), or nothing for the whole partnership."""

    __tablename__ = "grants"
    __table_args__ = (
        sa.CheckConstraint("role IN ('admin', 'respondent', 'reviewer', 'qa')", name="role"),
        sa.UniqueConstraint("user_id", "role", "partnership_id", "organisation_id",
                            "questionnaire_key", "cycle_id", name="uq_grants_scope"),
    )

    id = sa.Column(sa.Integer, primary_key=True)
    user_id = sa.Column(sa.ForeignKey("users.id"), nullable=False, index=True)
    role = sa.Column(sa.String(20), nullable=False)
    partnership_id = sa.Column(sa.ForeignKey("partnerships.id"), nullable=False, index=True)
    organisation_id = sa.Column(sa.ForeignKey("organisations.id"), index=True)
    questionnaire_key = sa.Column(sa.String(64))
    cycle_id = sa.Column(sa.ForeignKey("cycles.id"))
    created_at = sa.Column(UTCDateTime, nullable=False, default=utcnow)
    created_by_id = sa.Column(sa.ForeignKey("users.id"))

    user = db.relationship("User", back_populates="grants", foreign_keys=[user_id])
    partnership = db.relationship("Partnership")
    organisation = db.relationship("Organisation")
    cycle = db.relationship("Cycle")


class UserSession(db.Model):
    """A signed-in browser. The cookie holds the id; only its hash is stored."""

    __tablename__ = "user_sessions"

    id = sa.Column(sa.Integer, primary_key=True)
    token_hash = sa.Column(sa.String(64), nullable=False, unique=True)
    user_id = sa.Column(sa.ForeignKey("users.id"), nullable=False, index=True)
    created_at = sa.Column(UTCDateTime, nullable=False, default=utcnow)
    last_seen_at = sa.Column(UTCDateTime, nullable=False, default=utcnow)
    ended_at = sa.Column(UTCDateTime)
    ended_reason = sa.Column(sa.String(40))
    second_factor_at = sa.Column(UTCDateTime)
    ip_address = sa.Column(sa.String(45))
    user_agent = sa.Column(sa.String(300))

    user = db.relationship("User")


class RecoveryCode(db.Model):
    """A single-use two-factor recovery code. Only its hash is stored: the codes are random
    (80 bits), so a plain SHA-256 cannot be reversed, and lookups stay exact."""

    __tablename__ = "recovery_codes"

    id = sa.Column(sa.Integer, primary_key=True)
    user_id = sa.Column(sa.ForeignKey("users.id"), nullable=False, index=True)
    code_hash = sa.Column(sa.String(64), nullable=False, unique=True)
    created_at = sa.Column(UTCDateTime, nullable=False, default=utcnow)
    used_at = sa.Column(UTCDateTime)


class UserToken(db.Model):
    """A single-use, expiring link token (invitation or password reset)."""

    __tablename__ = "user_tokens"
    __table_args__ = (sa.CheckConstraint("purpose IN ('invite', 'reset')", name="purpose"),)

    id = sa.Column(sa.Integer, primary_key=True)
    token_hash = sa.Column(sa.String(64), nullable=False, unique=True)
    user_id = sa.Column(sa.ForeignKey("users.id"), nullable=False, index=True)
    purpose = sa.Column(sa.String(10), nullable=False)
    created_at = sa.Column(UTCDateTime, nullable=False, default=utcnow)
    expires_at = sa.Column(UTCDateTime, nullable=False)
    used_at = sa.Column(UTCDateTime)

    user = db.relationship("User")
