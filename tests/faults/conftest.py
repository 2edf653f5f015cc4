"""Fixtures of the fault tests: the returns builders, databases of their own (SQLite files,
or PostgreSQL databases made and dropped on the suite's server), applications on them, and
a respondent's return with answers and an evidence file to break or back up."""
import os
import uuid
from dataclasses import dataclass

import pytest
import sqlalchemy as sa
from sqlalchemy.engine import make_url

from audit_app import create_app
from audit_app.extensions import db
from tests.returns.conftest import (audit_return, cycle, respondent,  # noqa: F401
                                    respondent_client)
from tests.settings import settings_for_tests

PASSWORD = "a long and unusual fault phrase"


def postgres_server_or_skip() -> str:
    """The suite's PostgreSQL server URL; without one, the test is skipped, loudly: it runs
    in the PostgreSQL pass of `make test` (TEST_DATABASE_URL)."""
    server = os.environ.get("TEST_DATABASE_URL")
    if not server:
        pytest.skip("SKIPPED LOUDLY: PostgreSQL only; this runs in the PostgreSQL pass "
                    "(TEST_DATABASE_URL, `make test-postgres`)")
    return server


@pytest.fixture
def new_database(tmp_path):
    """new_database(kind) -> the URL of a new empty database ("sqlite": a file under
    tmp_path; "postgresql": a database on the suite's server, dropped afterwards)."""
    made: list[tuple[sa.Engine, str]] = []

    def _new(kind: str) -> str:
        if kind == "sqlite":
            return f"sqlite:///{tmp_path / f'fault_{uuid.uuid4().hex[:8]}.sqlite3'}"
        url = make_url(postgres_server_or_skip())
        admin = sa.create_engine(url.set(database="postgres"), isolation_level="AUTOCOMMIT")
        name = f"audit_fault_{uuid.uuid4().hex[:10]}"
        with admin.connect() as connection:
            connection.exec_driver_sql(f'CREATE DATABASE "{name}"')
        made.append((admin, name))
        return url.set(database=name).render_as_string(hide_password=False)

    yield _new
    for admin, name in made:
        with admin.connect() as connection:
            connection.exec_driver_sql(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        admin.dispose()


@pytest.fixture
def make_app():
    """make_app(database_url, folder, migrate=True, **settings) -> an application whose
    sessions commit for real; its engine is disposed afterwards."""
    made = []

    def _make(database_url: str, folder, migrate: bool = True, **settings):
        application = create_app({**settings_for_tests(database_url, folder), **settings})
        if migrate:
            from flask_migrate import upgrade

            with application.app_context():
                upgrade()
        made.append(application)
        return application

    yield _make
    for application in made:
        with application.app_context():
            db.session.remove()
            db.engine.dispose()


@dataclass(frozen=True)
class Seeded:
    return_id: int
    email: str
    evidence_id: int
    evidence_bytes: bytes


def seed_return(application, with_evidence: bool = True) -> Seeded:
    """A partnership, a school, an open cycle, the school's return with two answers (and an
    evidence file), and its respondent, who signs in with PASSWORD; all committed."""
    from audit_app.auth.models import Grant, User
    from audit_app.auth.passwords import hash_password
    from audit_app.organisations.models import Partnership
    from audit_app.returns.evidence import add_file
    from tests.fixtures import add_school
    from tests.returns.conftest import make_cycle, make_return
    from tests.returns.files import pdf_bytes
    from tests.returns.helpers import save

    with application.app_context():
        partnership = Partnership(slug="faults", name="Faultshire Safeguarding Partnership")
        db.session.add(partnership)
        db.session.commit()
        school = add_school(partnership)
        person = User(email="dsl@faultshire.example.org", name="Dee Lead",
                      password_hash=hash_password(PASSWORD))
        db.session.add(person)
        db.session.add(Grant(user=person, role="respondent", partnership_id=partnership.id,
                             organisation_id=school.id))
        audit_return = make_return(make_cycle(partnership), school)
        evidence_id, data = 0, b""
        with application.test_request_context():
            save(audit_return, "leadership", {"gov_training": "yes"}, actor=person)
            db.session.commit()
            if with_evidence:
                data = pdf_bytes()
                evidence_id = add_file(audit_return, "gov_named_governor", "Minutes.pdf",
                                       data, person).id
                db.session.commit()
        seeded = Seeded(audit_return.id, person.email, evidence_id, data)
        db.session.remove()
    return seeded


def sign_in_form(client, email: str, password: str = PASSWORD):
    """Sign in through the real sign-in page; the response to the form's post."""
    return client.post("/sign-in", data={"email": email, "password": password})
