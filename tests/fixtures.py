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
    """sign_in(client, user): the client now holds a real server-side session, past the
    second factor (``sign_in_with_code`` goes through the real forms)."""
    from audit_app.auth.sessions import SESSION_KEY, start_session

    def _sign_in(client, user):
        with app.test_request_context():
            token = start_session(db.session.merge(user), second_factor=True)
            db.session.commit()
        with client.session_transaction() as cookie_session:
            cookie_session[SESSION_KEY] = token
        return client

    return _sign_in


@pytest.fixture(autouse=True)
def throttle_counters_of_its_own(app):
    """Each test counts failed sign-ins from zero: every test client signs in from
    127.0.0.1, and test emails repeat from test to test."""
    import uuid

    previous = app.config["RATELIMIT_KEY_PREFIX"]
    app.config["RATELIMIT_KEY_PREFIX"] = f"test-{uuid.uuid4().hex}"
    yield
    app.config["RATELIMIT_KEY_PREFIX"] = previous


def next_totp_code(user) -> str:
    """A code the service has not accepted yet: the current one, or the next time-step's
    if the current one was used (the service allows one step of clock drift)."""
    import pyotp

    from audit_app.timeutil import utcnow

    db.session.refresh(user)
    totp = pyotp.TOTP(user.totp_secret)
    now = totp.timecode(utcnow())
    step = max(now, (user.totp_last_counter if user.totp_last_counter is not None else -1) + 1)
    assert step <= now + 1, "no unused code left in this time-step: sign in less often"
    return totp.generate_otp(step)


@pytest.fixture
def sign_in_with_code(app):
    """sign_in_with_code(client, user, password=DEFAULT_PASSWORD): through the real
    sign-in and two-factor forms, the code computed from the person's secret (enrolled
    first if they are not). Returns the last response."""
    from audit_app.auth.two_factor import enrol_with_secret

    def _sign_in(client, user, password=DEFAULT_PASSWORD, next_url=None):
        import pyotp

        user = db.session.merge(user)
        if not user.two_factor_enrolled:
            enrol_with_secret(user, pyotp.random_base32())
            db.session.commit()
        url = "/sign-in" + (f"?next={next_url}" if next_url else "")
        response = client.post(url, data={"email": user.email, "password": password})
        assert response.status_code == 302, response.status_code
        assert response.headers["Location"].startswith("/sign-in/two-factor")
        response = client.post(response.headers["Location"],
                               data={"code": next_totp_code(user)})
        assert response.status_code == 302, response.get_data(as_text=True)
        return response

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
