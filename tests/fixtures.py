"""Shared builders for tests: partnerships, organisations, people, signed-in clients."""
import pytest

from audit_app.extensions import db
from audit_app.organisations.models import Membership, Organisation, Partnership


@pytest.fixture
def partnership(db_session):
    item = Partnership(slug="testshire", name="Testshire Safeguarding Children Partnership")
    db.session.add(item)
    db.session.commit()
    return item


def add_school(partnership, urn="100001", name="Oak Tree Primary School", **attrs):
    values = dict(kind="school", urn=urn, name=name, establishment_type="Community school",
                  type_group="Local authority maintained schools", phase="Primary",
                  legal_basis="s175", boarders=False, nursery=False, sixth_form=False,
                  statutory_low_age=4, statutory_high_age=11, status="open")
    values.update(attrs)
    organisation = Organisation(**values)
    db.session.add(organisation)
    db.session.add(Membership(partnership=partnership, organisation=organisation))
    db.session.commit()
    return organisation


def add_agency(partnership, name="Testshire Police", **attrs):
    values = dict(kind="agency", name=name, name_key=name.lower(), sector="Police",
                  duty_basis="s11", status="open")
    values.update(attrs)
    organisation = Organisation(**values)
    db.session.add(organisation)
    db.session.add(Membership(partnership=partnership, organisation=organisation))
    db.session.commit()
    return organisation


@pytest.fixture
def school(partnership):
    return add_school(partnership)


@pytest.fixture
def agency(partnership):
    return add_agency(partnership)


DEFAULT_PASSWORD = "a long and unusual test phrase"


@pytest.fixture
def make_user(db_session):
    """make_user(role, partnership, organisation=None, email=None) -> a user with a
    password and one grant (role None: no grant)."""
    from audit_app.auth.models import Grant, User
    from audit_app.auth.passwords import hash_password

    password_hash = hash_password(DEFAULT_PASSWORD)
    counter = iter(range(1, 10_000))

    def _make(role, partnership, organisation=None, email=None, name=None,
              questionnaire_key=None, cycle=None):
        number = next(counter)
        user = User(email=email or f"{role or 'person'}{number}@example.org",
                    name=name or f"Test {role or 'person'} {number}",
                    password_hash=password_hash)
        db.session.add(user)
        if role:
            db.session.add(Grant(user=user, role=role, partnership_id=partnership.id,
                                 organisation_id=getattr(organisation, "id", None),
                                 questionnaire_key=questionnaire_key,
                                 cycle_id=getattr(cycle, "id", None)))
        db.session.commit()
        return user

    return _make


@pytest.fixture
def sign_in(app):
    """sign_in(client, user): the client now holds a real server-side session."""
    from audit_app.auth.sessions import SESSION_KEY, start_session

    def _sign_in(client, user):
        with app.test_request_context():
            token = start_session(db.session.merge(user))
            db.session.commit()
        with client.session_transaction() as cookie_session:
            cookie_session[SESSION_KEY] = token
        return client

    return _sign_in


@pytest.fixture
def smtp_server():
    """A real SMTP server on a free local port: (controller, handler with .messages)."""
    import socket

    from aiosmtpd.controller import Controller

    class Collect:
        def __init__(self):
            self.messages = []

        async def handle_DATA(self, server, session, envelope):
            self.messages.append((envelope.rcpt_tos, envelope.content))
            return "250 OK"

    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    handler = Collect()
    controller = Controller(handler, hostname="127.0.0.1", port=port)
    controller.start()
    yield controller, handler
    controller.stop()


@pytest.fixture
def own_database_url(tmp_path, database_url):
    """An empty database of its own, on the suite's server (a file for SQLite), for tests
    that commit for real from several threads or migrate from nothing."""
    import uuid

    import sqlalchemy as sa
    from sqlalchemy.engine import make_url

    url = make_url(database_url)
    if url.get_backend_name() == "sqlite":
        yield f"sqlite:///{tmp_path / 'own.sqlite3'}"
        return
    name = f"audit_own_{uuid.uuid4().hex[:10]}"
    admin = sa.create_engine(url.set(database="postgres"), isolation_level="AUTOCOMMIT")
    with admin.connect() as connection:
        connection.exec_driver_sql(f'CREATE DATABASE "{name}"')
    yield url.set(database=name).render_as_string(hide_password=False)
    with admin.connect() as connection:
        connection.exec_driver_sql(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
    admin.dispose()


@pytest.fixture
def own_app(own_database_url, tmp_path):
    """An application on ``own_database_url``, migrated; its sessions commit for real."""
    from flask_migrate import upgrade

    from audit_app import create_app
    from tests.settings import settings_for_tests

    application = create_app({**settings_for_tests(own_database_url, tmp_path),
                              "WTF_CSRF_ENABLED": True})
    with application.app_context():
        upgrade()
    yield application
    with application.app_context():
        db.session.remove()
        db.engine.dispose()


def policy_allows(app, user, action, obj=None) -> bool:
    """What the policy answers for ``user`` signed in, in a request of its own."""
    from flask import g
    from flask_login import login_user

    from audit_app.auth.policy import can

    with app.test_request_context():
        login_user(user)
        g.pop("partnership", None)
        return can(user, action, obj)
