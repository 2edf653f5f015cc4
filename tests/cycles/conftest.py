"""Builders for the cycle tests: a published questionnaire version per audience, cycles
opened through the service, and respondents with or without a password."""
from datetime import timedelta
from pathlib import Path

import pytest

from audit_app.auth.models import Grant, User
from audit_app.extensions import db
from audit_app.questionnaires.models import QuestionnaireVersion
from audit_app.questionnaires.services import load_paths
from audit_app.timeutil import today_london

EXAMPLE = Path(__file__).resolve().parents[2] / "questionnaires" / "example" / "1.yaml"

AGENCY_DEFINITION = {
    "id": "s11-test", "version": "1", "title": "Section 11 test audit", "audience": "agency",
    "sections": [{"id": "leadership", "title": "Leadership",
                  "questions": [{"id": "lead", "text": "A board lead is named",
                                 "type": "yes_no"}]}],
}


@pytest.fixture
def school_version(db_session):
    load_paths([EXAMPLE])
    db.session.commit()
    return QuestionnaireVersion.query.filter_by(questionnaire_key="example").one()


@pytest.fixture
def agency_version(db_session):
    version = QuestionnaireVersion(
        questionnaire_key="s11-test", version="1", title="Section 11 test audit",
        audience="agency", definition=AGENCY_DEFINITION, sha256="0" * 64, section_count=1,
        question_count=1)
    db.session.add(version)
    db.session.commit()
    return version


@pytest.fixture
def today():
    return today_london()


@pytest.fixture
def open_school_cycle(partnership, school_version, today):
    """open_school_cycle(name="S175 test", due_in=30, **options) -> OpenResult"""
    from audit_app.cycles.services import open_cycle

    def _open(name="S175 test", due_in=30, **options):
        options.setdefault("due_date", today + timedelta(days=due_in))
        result = open_cycle(partnership, school_version, name, **options)
        db.session.commit()
        return result

    return _open


def add_respondent(partnership, organisation, email, *, password=True, name=None):
    """A respondent of ``organisation``; without a password, like a newly imported contact."""
    user = User(email=email, name=name or email.split("@")[0].title(),
                password_hash="x-not-a-real-hash" if password else None)
    db.session.add(user)
    db.session.add(Grant(user=user, role="respondent", partnership_id=partnership.id,
                         organisation_id=organisation.id))
    db.session.commit()
    return user
