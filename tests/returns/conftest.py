"""Builders for returns: a loaded questionnaire, an open cycle and a return, a respondent
signed in. The submission tests may import them from here."""
from datetime import date, timedelta
from pathlib import Path

import pytest

from audit_app.cycles.models import AuditReturn, Cycle
from audit_app.extensions import db
from audit_app.questionnaires.models import QuestionnaireVersion
from audit_app.questionnaires.services import load_paths
from audit_app.timeutil import today_london

ROOT = Path(__file__).resolve().parents[2]
EXAMPLE = ROOT / "questionnaires" / "example" / "1.yaml"
S175 = ROOT / "questionnaires" / "s175" / "2025-26.yaml"


def load_version(path=EXAMPLE) -> QuestionnaireVersion:
    """The stored version of a questionnaire file (loaded if it is not yet)."""
    load_paths([str(path)])
    key, version = path.parent.name, path.stem
    return QuestionnaireVersion.query.filter_by(questionnaire_key=key, version=version).one()


def make_cycle(partnership, version=None, name="Example audit 2025-26", status="open",
               due_in_days=30, final_deadline=None, **attrs) -> Cycle:
    today = today_london()
    cycle = Cycle(partnership_id=partnership.id,
                  questionnaire_version_id=(version or load_version()).id, name=name,
                  status=status, open_date=today - timedelta(days=10),
                  due_date=today + timedelta(days=due_in_days), final_deadline=final_deadline,
                  **attrs)
    db.session.add(cycle)
    db.session.flush()
    return cycle


def make_return(cycle, organisation, **attrs) -> AuditReturn:
    audit_return = AuditReturn(cycle=cycle, organisation=organisation, **attrs)
    db.session.add(audit_return)
    db.session.commit()
    return audit_return


@pytest.fixture
def cycle(partnership):
    return make_cycle(partnership)


@pytest.fixture
def audit_return(cycle, school):
    return make_return(cycle, school)


@pytest.fixture
def respondent(make_user, partnership, school):
    return make_user("respondent", partnership, organisation=school)


@pytest.fixture
def respondent_client(app, respondent, sign_in):
    return sign_in(app.test_client(), respondent)


@pytest.fixture
def request_ctx(app):
    """A request context, for services that read the signed-in person or sign data."""
    with app.test_request_context():
        yield


def fixed_date(days_from_today: int) -> date:
    return today_london() + timedelta(days=days_from_today)


@pytest.fixture
def submitter(make_user, partnership, school):
    from tests.returns import submission_builders

    return submission_builders.make_submitter(make_user, partnership, school)


@pytest.fixture
def s175_return(partnership, school):
    from tests.returns import submission_builders

    return submission_builders.return_in_progress(partnership, school)


@pytest.fixture
def ready_return(partnership, school, submitter):
    from tests.returns import submission_builders

    return submission_builders.make_ready_return(partnership, school, submitter)
