"""Invitation and reset links, password rules, password changes."""
from datetime import timedelta

import pytest

from audit_app.auth.models import User, UserSession, UserToken
from audit_app.auth.passwords import password_problem, verify_password
from audit_app.auth.services import request_password_reset
from audit_app.auth.tokens import issue_token
from audit_app.extensions import db
from audit_app.mail.models import OutboxMessage
from tests.fixtures import DEFAULT_PASSWORD

NEW_PASSWORD = "purple elephants dance quietly"


@pytest.mark.parametrize("password,problem", [
    ("short", "Password must be 8 characters or more"),
    ("x" * 129, "Password must be 128 characters or fewer"),
    ("Password123", "Password is too common. Choose a password that is harder to guess"),
    ("person@example.org", "Password must not be your email address"),
    ("correct horse battery staple", None),
    ("alllowercaseisfine", None),
])
def test_password_rules(password, problem):
    assert password_problem(password, "person@example.org") == problem


@pytest.fixture
def invited(app_ctx, partnership):
    user = User(email="new@example.org", name="New Person")
    db.session.add(user)
    db.session.commit()
    with app_ctx.test_request_context():
        token = issue_token(user, "invite")
    db.session.commit()
    return user, token


def test_opening_the_link_does_not_use_it_up(client, invited):
    user, token = invited
    for _ in range(3):  # mail scanners open links first
        response = client.get(f"/set-password/{token}")
        assert response.status_code == 200
        assert "new@example.org" in response.get_data(as_text=True)
    assert UserToken.query.one().used_at is None


def test_the_button_sets_the_password_and_signs_in(client, invited):
    user, token = invited
    response = client.post(f"/set-password/{token}",
                           data={"password": NEW_PASSWORD, "confirm": NEW_PASSWORD})
    assert response.status_code == 302
    db.session.refresh(user)
    assert verify_password(user.password_hash, NEW_PASSWORD)
    assert UserSession.query.filter_by(user_id=user.id, ended_at=None).count() == 1
    # Used once: the second use is refused and changes nothing.
    again = client.post(f"/set-password/{token}",
                        data={"password": "another fine phrase", "confirm": "another fine phrase"})
    assert again.status_code == 410
    assert "already been used" in again.get_data(as_text=True)
    db.session.refresh(user)
    assert verify_password(user.password_hash, NEW_PASSWORD)


def test_a_bad_password_keeps_the_token(client, invited):
    user, token = invited
    response = client.post(f"/set-password/{token}",
                           data={"password": "password1", "confirm": "password1"})
    assert response.status_code == 200
    assert "Password is too common" in response.get_data(as_text=True)
    assert UserToken.query.one().used_at is None
    assert db.session.get(User, user.id).password_hash is None


def test_mismatched_confirmation(client, invited):
    _user, token = invited
    response = client.post(f"/set-password/{token}",
                           data={"password": NEW_PASSWORD, "confirm": "something else"})
    assert "Passwords must match" in response.get_data(as_text=True)


def test_expired_and_unknown_links(client, invited):
    _user, token = invited
    record = UserToken.query.one()
    record.expires_at = record.expires_at - timedelta(days=30)
    db.session.commit()
    assert "expired" in client.get(f"/set-password/{token}").get_data(as_text=True)
    response = client.get("/set-password/not-a-real-token")
    assert response.status_code == 410 and "not valid" in response.get_data(as_text=True)


def test_a_new_link_replaces_the_old_one(app_ctx, invited):
    user, old = invited
    with app_ctx.test_request_context():
        issue_token(user, "invite")
    db.session.commit()
    assert UserToken.query.filter_by(used_at=None).count() == 1


def test_reset_request_queues_an_email_only_for_real_accounts(client, make_user, partnership):
    make_user("qa", partnership, email="qa@example.org")
    for email in ("qa@example.org", "nobody@example.org"):
        response = client.post("/reset-password", data={"email": email})
        assert response.status_code == 200
        assert "Check your email" in response.get_data(as_text=True)
    messages = OutboxMessage.query.all()
    assert [m.to_address for m in messages] == ["qa@example.org"]
    assert "/reset-password/" in messages[0].body_text
    assert messages[0].body_html and "/reset-password/" in messages[0].body_html


def test_reset_link_sets_a_new_password(client, app_ctx, make_user, partnership):
    user = make_user("qa", partnership, email="qa@example.org")
    with app_ctx.test_request_context():
        request_password_reset("qa@example.org")
    db.session.commit()
    link = OutboxMessage.query.one().body_text.split("http://localhost")[1].split()[0]
    response = client.post(link, data={"password": NEW_PASSWORD, "confirm": NEW_PASSWORD})
    assert response.status_code == 302
    db.session.refresh(user)
    assert verify_password(user.password_hash, NEW_PASSWORD)


def test_password_change_ends_other_sessions(client, app, make_user, partnership, sign_in):
    user = make_user("qa", partnership)
    other_device = app.test_client()
    sign_in(other_device, user)
    sign_in(client, user)
    response = client.post("/account/password", data={
        "current_password": DEFAULT_PASSWORD, "password": NEW_PASSWORD,
        "confirm": NEW_PASSWORD})
    assert response.status_code == 302
    assert UserSession.query.filter_by(user_id=user.id, ended_at=None).count() == 1
    assert other_device.get("/account/password").status_code == 302
    assert client.get("/account/password").status_code == 200


def test_password_change_needs_the_current_password(client, make_user, partnership, sign_in):
    user = make_user("qa", partnership)
    sign_in(client, user)
    response = client.post("/account/password", data={
        "current_password": "wrong", "password": NEW_PASSWORD, "confirm": NEW_PASSWORD})
    assert "Your current password is not correct" in response.get_data(as_text=True)
    db.session.refresh(user)
    assert verify_password(user.password_hash, DEFAULT_PASSWORD)


def test_passwords_are_stored_with_argon2id(make_user, partnership):
    user = make_user("respondent", partnership)
    assert user.password_hash.startswith("$argon2id$")
    assert verify_password(user.password_hash, DEFAULT_PASSWORD)
    assert not verify_password(user.password_hash, DEFAULT_PASSWORD + " ")


@pytest.mark.parametrize("password", ["quietly8", "q" * 64 + "w" * 64])
def test_8_and_128_characters_are_accepted(password):
    assert len(password) in (8, 128)
    assert password_problem(password, "person@example.org") is None
