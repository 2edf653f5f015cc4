"""Published questionnaire versions: the parsed definition is what forms, scoring and
reports use, never the file on disk."""
import sqlalchemy as sa

from ..extensions import db
from ..timeutil import UTCDateTime, utcnow


class QuestionnaireVersion(db.Model):
    __tablename__ = "questionnaire_versions"
    __table_args__ = (sa.UniqueConstraint("questionnaire_key", "version"),)

    id = sa.Column(sa.Integer, primary_key=True)
    questionnaire_key = sa.Column(sa.String(64), nullable=False)
    version = sa.Column(sa.String(32), nullable=False)
    title = sa.Column(sa.String(300), nullable=False)
    audience = sa.Column(sa.String(10), nullable=False)
    definition = sa.Column(sa.JSON, nullable=False)
    sha256 = sa.Column(sa.String(64), nullable=False)
    source_path = sa.Column(sa.String(500))
    section_count = sa.Column(sa.Integer, nullable=False)
    question_count = sa.Column(sa.Integer, nullable=False)
    loaded_at = sa.Column(UTCDateTime, nullable=False, default=utcnow)
    updated_at = sa.Column(UTCDateTime, nullable=False, default=utcnow)

    def __repr__(self):
        return f"<QuestionnaireVersion {self.questionnaire_key} {self.version}>"
