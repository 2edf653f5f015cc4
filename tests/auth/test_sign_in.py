"""Signing in and out, server-side sessions and their timeouts."""
from datetime import timedelta

import pytest

from audit_app.audit_log.models import AuditEvent
from audit_app.auth.models import UserSession
from audit_app.auth.routes import SIGN_IN_FAILED, safe_next
from audit_app.extensions import db
from tests.fixtures import DEFAULT_PASSWORD


def sign_in_with(client, email, password=DEFAULT_PASSWORD, next_url=None):
    url = "/sign-in" + (f"?next={next_url}" if next_url else "")
    return client.post(url, data={"email": email, "password": password})


@pytest.fixture
def admin(make_user, partnership):
    return make_user("admin", partnership, email="admin@example.org")


@pytest.fixture
def respondent(make_user, partnership, school):
    return make_user("respondent", partnership, organisation=school,
                     email="dsl@example.org")


def test_sign_in_creates_a_server_side_session(client, respondent):
    response = sign_in_with(client, "DSL@example.org ")
    assert response.status_code == 302
    records = UserSession.query.filter_by(user_id=respondent.id).all()
    assert len(records) == 1 and records[0].ended_at is None
    assert client.get("/dashboard").status_code == 200
    assert AuditEvent.query.filter_by(action="auth.sign_in",
                                      actor_id=respondent.id).count() == 1


def test_staff_sign_in_with_a_code_creates_one_session(client, admin, sign_in_with_code):
    sign_in_with_code(client, admin)
    records = UserSession.query.filter_by(user_id=admin.id).all()
    assert len(records) == 1 and records[0].ended_at is None
    assert records[0].second_factor_at is not None
    assert client.get("/people/").status_code == 200
    assert AuditEvent.query.filter_by(action="auth.sign_in", actor_id=admin.id).count() == 1


def test_unknown_email_and_wrong_password_get_the_same_answer(client, admin):
    unknown = sign_in_with(client, "nobody@example.org")
    wrong = sign_in_with(client, "admin@example.org", "not the password")
    assert unknown.status_code == wrong.status_code == 200
    for response in (unknown, wrong):
        assert SIGN_IN_FAILED in response.get_data(as_text=True)
        assert "There is a problem" in response.get_data(as_text=True)
    assert UserSession.query.count() == 0
    assert AuditEvent.query.filter_by(action="auth.sign_in_failed").count() == 2


def test_deactivated_person_cannot_sign_in(client, admin):
    admin.active = False
    db.session.commit()
    response = sign_in_with(client, "admin@example.org")
    assert SIGN_IN_FAILED in response.get_data(as_text=True)


def test_sign_out_ends_the_session_record(client, admin, sign_in_with_code):
    sign_in_with_code(client, admin)
    assert client.get("/people/").status_code == 200
    with client.session_transaction() as cookie:
        stolen = dict(cookie)
    assert client.post("/sign-out").status_code == 302
    record = UserSession.query.filter_by(user_id=admin.id).one()
    assert record.ended_at is not None and record.ended_reason == "signed_out"
    # Replaying the old cookie does not sign anyone in.
    with client.session_transaction() as cookie:
        cookie.update(stolen)
    assert client.get("/people/").status_code == 302


def test_new_session_at_sign_in(client, admin):
    with client.session_transaction() as cookie:
        cookie["planted"] = "by an attacker"
    sign_in_with(client, "admin@example.org")
    with client.session_transaction() as cookie:
        assert "planted" not in cookie


@pytest.mark.parametrize("field,delta,reason", [
    ("last_seen_at", timedelta(minutes=31), "idle_timeout"),
    ("created_at", timedelta(hours=12, minutes=1), "absolute_timeout"),
])
def test_sessions_time_out(client, admin, field, delta, reason, sign_in_with_code):
    sign_in_with_code(client, admin)
    record = UserSession.query.one()
    setattr(record, field, getattr(record, field) - delta)
    db.session.commit()
    response = client.get("/people/")
    assert response.status_code == 302 and "/sign-in" in response.headers["Location"]
    assert "expired=1" in response.headers["Location"]
    page = client.get(response.headers["Location"]).get_data(as_text=True)
    assert "You were signed out because you had not done anything for a while" in page
    db.session.refresh(record)
    assert record.ended_reason == reason


def test_a_timeout_found_by_a_background_request_is_still_explained(client, admin,
                                                                     sign_in_with_code):
    sign_in_with_code(client, admin)
    record = UserSession.query.one()
    record.last_seen_at -= timedelta(minutes=31)
    db.session.commit()
    # The page's autosave or session check finds the session expired, not the person.
    client.get("/healthz")
    client.get("/people/", headers={"Accept": "application/json"})
    page = client.get("/sign-in").get_data(as_text=True)
    assert "You were signed out because you had not done anything for a while" in page
    # Said once: a later visit to the sign-in page is a plain one.
    page = client.get("/sign-in").get_data(as_text=True)
    assert "You were signed out because" not in page


def test_anonymous_person_is_sent_to_sign_in_with_next(client, partnership):
    response = client.get("/people/")
    assert response.status_code == 302
    assert "/sign-in?next=" in response.headers["Location"]


@pytest.mark.parametrize("target,expected", [
    ("/people/", "/people/"),
    ("https://evil.example/", None),
    ("//evil.example/", None),
    ("/\\evil.example", None),
    ("javascript:alert(1)", None),
    ("", None),
])
def test_only_local_next_redirects(app, target, expected):
    with app.test_request_context():
        result = safe_next(target)
        assert result == (expected or "/dashboard")


def test_next_is_followed_after_sign_in(client, respondent):
    response = sign_in_with(client, "dsl@example.org", next_url="/returns/")
    assert response.headers["Location"] == "/returns/"
    response = sign_in_with(client, "dsl@example.org", next_url="https://evil.example/")
    assert response.headers["Location"] == "/dashboard"


def test_next_is_followed_through_the_second_factor(client, admin, sign_in_with_code):
    response = sign_in_with_code(client, admin, next_url="/people/")
    assert response.headers["Location"] == "/people/"


def test_forged_csrf_token_is_refused_and_changes_nothing(client, admin, csrf_enabled):
    response = client.post("/sign-in", data={"email": "admin@example.org",
                                             "password": DEFAULT_PASSWORD,
                                             "csrf_token": "forged"})
    assert response.status_code == 400
    assert "Your form could not be sent" in response.get_data(as_text=True)
    assert UserSession.query.count() == 0
    assert AuditEvent.query.filter_by(action="security.csrf_failure").count() == 1


def test_security_headers_on_pages(client, partnership):
    response = client.get("/sign-in")
    csp = response.headers["Content-Security-Policy"]
    assert "'unsafe-inline'" not in csp and "frame-ancestors 'none'" in csp
    assert "nonce-" in csp
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert response.headers["Cache-Control"] == "no-store"
