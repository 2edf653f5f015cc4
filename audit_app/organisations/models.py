"""Partnerships, the platform-wide organisation register, and who reports to whom."""
import sqlalchemy as sa

from ..extensions import db
from ..timeutil import UTCDateTime, utcnow

ORG_KINDS = ("school", "agency")
LEGAL_BASES = ("s175", "s157", "nmss")
DUTY_BASES = ("s11", "voluntary")


class Partnership(db.Model):
    __tablename__ = "partnerships"

    id = sa.Column(sa.Integer, primary_key=True)
    slug = sa.Column(sa.String(80), nullable=False, unique=True)
    name = sa.Column(sa.String(200), nullable=False)
    brand_colour = sa.Column(sa.String(7), nullable=False, default="#1d70b8")
    contact_email = sa.Column(sa.String(254))
    settings = sa.Column(sa.JSON, nullable=False, default=dict)
    created_at = sa.Column(UTCDateTime, nullable=False, default=utcnow)

    def __repr__(self):
        return f"<Partnership {self.slug}>"


class Organisation(db.Model):
    """A school (keyed by URN) or an agency (keyed by code, else normalised name)."""

    __tablename__ = "organisations"
    __table_args__ = (
        sa.CheckConstraint("kind IN ('school', 'agency')", name="kind"),
        sa.CheckConstraint("status IN ('open', 'closed')", name="status"),
    )

    id = sa.Column(sa.Integer, primary_key=True)
    kind = sa.Column(sa.String(10), nullable=False)
    name = sa.Column(sa.String(300), nullable=False)
    status = sa.Column(sa.String(10), nullable=False, default="open")
    # Schools (GIAS attributes).
    urn = sa.Column(sa.String(12), unique=True)
    establishment_type = sa.Column(sa.String(120))
    type_group = sa.Column(sa.String(120))
    phase = sa.Column(sa.String(60))
    register_status = sa.Column(sa.String(80))
    legal_basis = sa.Column(sa.String(10))
    statutory_low_age = sa.Column(sa.Integer)
    statutory_high_age = sa.Column(sa.Integer)
    boarders = sa.Column(sa.Boolean)
    nursery = sa.Column(sa.Boolean)
    sixth_form = sa.Column(sa.Boolean)
    gender = sa.Column(sa.String(40))
    religious_character = sa.Column(sa.String(120))
    trust = sa.Column(sa.String(300))
    pupils = sa.Column(sa.Integer)
    la_code = sa.Column(sa.String(10))
    la_name = sa.Column(sa.String(120))
    postcode = sa.Column(sa.String(10))
    town = sa.Column(sa.String(120))
    website = sa.Column(sa.String(300))
    ukprn = sa.Column(sa.String(12))
    open_date = sa.Column(sa.Date)
    close_date = sa.Column(sa.Date)
    # Agencies.
    code = sa.Column(sa.String(40), unique=True)
    name_key = sa.Column(sa.String(300), index=True)
    sector = sa.Column(sa.String(120))
    duty_basis = sa.Column(sa.String(10))
    statutory_partner = sa.Column(sa.Boolean)
    partnership_involvement = sa.Column(sa.String(300))
    # Register attributes not modelled as columns, kept as imported.
    extra = sa.Column(sa.JSON, nullable=False, default=dict)
    created_at = sa.Column(UTCDateTime, nullable=False, default=utcnow)
    updated_at = sa.Column(UTCDateTime, nullable=False, default=utcnow, onupdate=utcnow)

    memberships = db.relationship("Membership", back_populates="organisation",
                                  cascade="all, delete-orphan")

    def __repr__(self):
        return f"<Organisation {self.kind} {self.urn or self.code or self.name}>"


class Membership(db.Model):
    """An organisation reports to a partnership; the partnership assigns its locality."""

    __tablename__ = "memberships"
    __table_args__ = (sa.UniqueConstraint("partnership_id", "organisation_id"),)

    id = sa.Column(sa.Integer, primary_key=True)
    partnership_id = sa.Column(sa.ForeignKey("partnerships.id"), nullable=False, index=True)
    organisation_id = sa.Column(sa.ForeignKey("organisations.id"), nullable=False, index=True)
    locality = sa.Column(sa.String(120))
    active = sa.Column(sa.Boolean, nullable=False, default=True)
    created_at = sa.Column(UTCDateTime, nullable=False, default=utcnow)

    partnership = db.relationship("Partnership")
    organisation = db.relationship("Organisation", back_populates="memberships")
