"""Test fixtures: the schema is migrated once per session on SQLite (default) or on
PostgreSQL (``TEST_DATABASE_URL``, a server URL: the suite makes and drops its own
database there), and every test runs inside a transaction that is rolled back."""
import os
import sys
import uuid

import pytest
import sqlalchemy as sa
from flask_sqlalchemy.session import Session as FlaskSession
from sqlalchemy.engine import make_url

from audit_app import create_app
from audit_app.extensions import db
from tests.settings import settings_for_tests

pytest_plugins = ["tests.fixtures"]


class ConnectionBoundSession(FlaskSession):
    """Every query of the test goes through the test's one connection and transaction."""

    def get_bind(self, mapper=None, clause=None, bind=None, **kwargs):
        return self.bind


def _postgres_database(server_url: str):
    url = make_url(server_url)
    admin_url = url.set(database="postgres")
    name = f"audit_test_{uuid.uuid4().hex[:10]}"
    try:
        engine = sa.create_engine(admin_url, isolation_level="AUTOCOMMIT")
        with engine.connect() as connection:
            connection.exec_driver_sql(f'CREATE DATABASE "{name}"')
    except sa.exc.OperationalError as error:
        message = (f"\n\n{'!' * 78}\nPostgreSQL at {admin_url.render_as_string(hide_password=True)}"
                   f" is unreachable: {error.orig}\n{'!' * 78}\n")
        if os.environ.get("CI", "").lower() == "true":
            pytest.exit(message + "CI=true: the PostgreSQL run is required.", returncode=3)
        sys.stderr.write(message + "SKIPPING the whole PostgreSQL run on this machine.\n")
        pytest.exit("PostgreSQL run skipped: server unreachable", returncode=0)
    return engine, url.set(database=name), name


@pytest.fixture(scope="session")
def database_url(tmp_path_factory):
    server_url = os.environ.get("TEST_DATABASE_URL")
    if not server_url:
        yield f"sqlite:///{tmp_path_factory.mktemp('db') / 'test.sqlite3'}"
        return
    admin_engine, url, name = _postgres_database(server_url)
    yield url.render_as_string(hide_password=False)
    with admin_engine.connect() as connection:
        connection.exec_driver_sql(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
    admin_engine.dispose()


@pytest.fixture(scope="session")
def app(database_url, tmp_path_factory):
    instance = tmp_path_factory.mktemp("instance")
    application = create_app(settings_for_tests(database_url, instance))
    with application.app_context():
        from flask_migrate import upgrade

        upgrade()
    yield application
    with application.app_context():
        db.engine.dispose()


@pytest.fixture(autouse=True)
def db_session(request, app):
    """Each test sees a clean database: everything it writes is rolled back."""
    if "no_db" in request.keywords:
        yield None
        return
    with app.app_context():
        connection = db.engine.connect()
        transaction = connection.begin()
        session = db._make_scoped_session(
            {"bind": connection, "class_": ConnectionBoundSession,
             "join_transaction_mode": "create_savepoint"})
        original = db.session
        db.session = session
        try:
            yield session
        finally:
            session.remove()
            db.session = original
            if transaction.is_active:
                transaction.rollback()
            connection.close()


@pytest.fixture
def app_ctx(app):
    with app.app_context():
        yield app


@pytest.fixture
def client(app):
    return app.test_client()


@pytest.fixture
def csrf_enabled(app):
    app.config["WTF_CSRF_ENABLED"] = True
    yield
    app.config["WTF_CSRF_ENABLED"] = False


@pytest.fixture
def runner(app):
    return app.test_cli_runner()


@pytest.fixture(autouse=True)
def forget_kept_reports():
    """Reports are kept per process until their data changes; ids are reused after a
    rollback, so each test starts without any."""
    yield
    from audit_app.reports.services import forget_reports

    forget_reports()
