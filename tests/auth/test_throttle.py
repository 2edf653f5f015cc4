"""Throttling of failed sign-ins (per account, and per address with a higher limit), of
two-factor codes and of password reset requests; in memory and in Redis."""
import re
import time
import uuid

import pytest

from audit_app.audit_log.models import AuditEvent
from audit_app.auth.models import UserSession
from audit_app.auth.routes import SIGN_IN_FAILED
from audit_app.auth.two_factor import enrol_with_secret
from audit_app.extensions import db
from audit_app.mail.models import OutboxMessage
from tests.fixtures import DEFAULT_PASSWORD, next_totp_code

THROTTLED = "Too many failed attempts. Wait 15 minutes, then try again."
LIMITS = {"SIGN_IN_ACCOUNT_LIMIT": "3 per 15 minutes",
          "SIGN_IN_ADDRESS_LIMIT": "8 per 15 minutes",
          "TWO_FACTOR_LIMIT": "3 per 15 minutes",
          "PASSWORD_RESET_LIMIT": "2 per 15 minutes"}


@pytest.fixture
def low_limits(app):
    previous = {key: app.config[key] for key in LIMITS}
    app.config.update(LIMITS)
    yield
    app.config.update(previous)


@pytest.fixture
def respondent(make_user, partnership, school):
    return make_user("respondent", partnership, organisation=school, email="dsl@example.org")


def attempt(client, email, password="not the password"):
    return client.post("/sign-in", data={"email": email, "password": password})


def comparable(response, email) -> str:
    """The page with what legitimately differs (the address typed, the CSP nonce) masked."""
    page = response.get_data(as_text=True).replace(email, "EMAIL")
    return re.sub(r'nonce="[^"]+"', 'nonce=""', page)


def test_failures_per_account_are_throttled_known_or_unknown(app, respondent, low_limits):
    responses = {}
    for email in ("dsl@example.org", "nobody@example.org"):
        client = app.test_client()
        for _ in range(3):
            response = attempt(client, email)
            assert response.status_code == 200
            assert SIGN_IN_FAILED in response.get_data(as_text=True)
        # Then even the right password is not looked at.
        responses[email] = attempt(client, email, DEFAULT_PASSWORD)
    known, unknown = responses["dsl@example.org"], responses["nobody@example.org"]
    assert known.status_code == unknown.status_code == 429
    assert THROTTLED in known.get_data(as_text=True)
    assert "There is a problem" in known.get_data(as_text=True)
    assert comparable(known, "dsl@example.org") == comparable(unknown, "nobody@example.org")
    assert UserSession.query.count() == 0
    assert AuditEvent.query.filter_by(action="auth.sign_in_failed").count() == 6
    throttled = AuditEvent.query.filter_by(action="auth.sign_in_throttled").all()
    assert {e.detail["email"] for e in throttled} == {"dsl@example.org", "nobody@example.org"}
    assert all(e.detail["limits"] == ["sign-in-account"] for e in throttled)


def test_the_account_limit_counts_the_address_as_typed(app, respondent, low_limits):
    client = app.test_client()
    for email in ("dsl@example.org", " DSL@example.org", "Dsl@Example.org "):
        attempt(client, email)
    assert attempt(client, "dsl@example.org", DEFAULT_PASSWORD).status_code == 429


def test_one_account_throttled_leaves_the_others_alone(app, respondent, make_user,
                                                       partnership, school, low_limits):
    colleague = make_user("respondent", partnership, organisation=school,
                          email="head@example.org")
    client = app.test_client()
    for _ in range(3):
        attempt(client, "dsl@example.org")
    response = attempt(client, colleague.email, DEFAULT_PASSWORD)
    assert response.status_code == 302 and response.headers["Location"] == "/dashboard"


def test_failures_per_address_have_a_higher_limit(app, respondent, low_limits):
    school_network = app.test_client()
    # Eight colleagues behind one address each mistype once or twice: no account reaches
    # its own limit, the address reaches its limit.
    for number in range(8):
        assert attempt(school_network, f"colleague{number}@example.org").status_code == 200
    response = attempt(school_network, "dsl@example.org", DEFAULT_PASSWORD)
    assert response.status_code == 429 and THROTTLED in response.get_data(as_text=True)
    unknown = attempt(school_network, "newcomer@example.org", DEFAULT_PASSWORD)
    assert unknown.status_code == 429
    assert comparable(response, "dsl@example.org") == comparable(unknown,
                                                                 "newcomer@example.org")
    event = AuditEvent.query.filter_by(action="auth.sign_in_throttled").first()
    assert event.detail["limits"] == ["sign-in-address"]
    # Another address is not affected.
    elsewhere = app.test_client()
    elsewhere.environ_base["REMOTE_ADDR"] = "192.0.2.10"
    assert attempt(elsewhere, "dsl@example.org", DEFAULT_PASSWORD).status_code == 302


def test_successful_sign_ins_do_not_count(app, respondent, low_limits):
    client = app.test_client()
    for _ in range(5):
        assert attempt(client, "dsl@example.org", DEFAULT_PASSWORD).status_code == 302
        client.post("/sign-out")


def test_the_window_passes(app, respondent):
    previous = app.config["SIGN_IN_ACCOUNT_LIMIT"]
    app.config["SIGN_IN_ACCOUNT_LIMIT"] = "2 per 1 second"
    try:
        client = app.test_client()
        attempt(client, "dsl@example.org")
        attempt(client, "dsl@example.org")
        response = attempt(client, "dsl@example.org", DEFAULT_PASSWORD)
        assert response.status_code == 429
        assert "Wait 1 minute, then try again." in response.get_data(as_text=True)
        time.sleep(1.1)
        assert attempt(client, "dsl@example.org", DEFAULT_PASSWORD).status_code == 302
    finally:
        app.config["SIGN_IN_ACCOUNT_LIMIT"] = previous


def test_two_factor_codes_are_throttled(app, make_user, partnership, low_limits):
    import pyotp

    admin = make_user("admin", partnership)
    enrol_with_secret(admin, pyotp.random_base32())
    db.session.commit()
    client = app.test_client()
    attempt(client, admin.email, DEFAULT_PASSWORD)
    for _ in range(3):
        response = client.post("/sign-in/two-factor", data={"code": "000000"})
        assert response.status_code == 200
    response = client.post("/sign-in/two-factor", data={"code": next_totp_code(admin)})
    assert response.status_code == 429 and THROTTLED in response.get_data(as_text=True)
    assert client.get("/people/").headers["Location"].startswith("/sign-in/two-factor")
    # Recovery codes count against the same limit.
    response = client.post("/sign-in/recovery-code", data={"code": "abcd-efgh-jkmn-pqrs"})
    assert response.status_code == 429
    assert AuditEvent.query.filter_by(action="auth.second_factor_throttled").count() == 2


def test_password_reset_requests_are_throttled(client, respondent, low_limits):
    for email in ("dsl@example.org", "nobody@example.org"):
        for _ in range(2):
            response = client.post("/reset-password", data={"email": email})
            assert response.status_code == 200
        response = client.post("/reset-password", data={"email": email})
        assert response.status_code == 429
        assert "Too many requests to reset a password. Wait 15 minutes, then try again." \
            in response.get_data(as_text=True)
    assert OutboxMessage.query.count() == 2
    assert AuditEvent.query.filter_by(action="auth.reset_throttled").count() == 2


def test_each_application_keeps_its_own_storage(app, tmp_path, database_url):
    """Flask-Limiter has one storage per Limiter: a second application (here on Redis)
    must not take the first one's counters over."""
    from limits.storage import MemoryStorage

    from audit_app import create_app
    from tests.settings import settings_for_tests

    create_app({**settings_for_tests(database_url, tmp_path),
                "RATELIMIT_STORAGE_URI": "redis://127.0.0.1:6379/0"})
    assert isinstance(app.extensions["audit_throttle"].storage, MemoryStorage)


@pytest.fixture
def redis_apps(database_url, tmp_path):
    """Two applications (as two servers would be) sharing one Redis, with a key prefix of
    this test's own; its keys are removed afterwards."""
    import redis

    from audit_app import create_app
    from tests.settings import settings_for_tests

    prefix = f"test-{uuid.uuid4().hex}"
    connection = redis.Redis.from_url("redis://127.0.0.1:6379/0")
    try:
        connection.ping()
    except redis.exceptions.ConnectionError as error:
        pytest.fail(f"Redis at 127.0.0.1:6379 is needed for this test: {error}")
    settings = {**settings_for_tests(database_url, tmp_path), **LIMITS,
                "RATELIMIT_STORAGE_URI": "redis://127.0.0.1:6379/0",
                "RATELIMIT_KEY_PREFIX": prefix}
    apps = [create_app(settings), create_app(settings)]
    yield apps, connection, prefix
    for key in connection.scan_iter(match=f"*{prefix}*"):
        connection.delete(key)
    connection.close()


def test_redis_storage_is_shared_between_servers(redis_apps, respondent):
    from limits.storage import RedisStorage

    (first, second), connection, prefix = redis_apps
    assert isinstance(first.extensions["audit_throttle"].storage, RedisStorage)
    for _ in range(3):
        assert attempt(first.test_client(), "dsl@example.org").status_code == 200
    assert list(connection.scan_iter(match=f"*{prefix}*"))
    # The other server sees the same counters: known and unknown alike.
    response = attempt(second.test_client(), "dsl@example.org", DEFAULT_PASSWORD)
    assert response.status_code == 429 and THROTTLED in response.get_data(as_text=True)
    for _ in range(3):
        attempt(second.test_client(), "ghost@example.org")
    assert attempt(first.test_client(), "ghost@example.org").status_code == 429
    # No email address is written to Redis.
    assert not [k for k in connection.scan_iter(match=f"*{prefix}*") if b"@" in k]


def test_an_unreachable_redis_does_not_lock_people_out(database_url, tmp_path, respondent,
                                                       caplog):
    from audit_app import create_app
    from tests.settings import settings_for_tests

    broken = create_app({**settings_for_tests(database_url, tmp_path),
                         "RATELIMIT_STORAGE_URI": "redis://127.0.0.1:1/0"})
    client = broken.test_client()
    assert attempt(client, "dsl@example.org").status_code == 200
    assert attempt(client, "dsl@example.org", DEFAULT_PASSWORD).status_code == 302
    assert "throttle storage unavailable" in caplog.text
