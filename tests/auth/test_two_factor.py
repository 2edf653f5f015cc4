"""Two-factor sign-in: enrolment, codes used once, recovery codes, the gate on half-signed-in
sessions, respondents' choice and the admin's reset."""
import re

import pyotp
import pytest

from audit_app.audit_log.models import AuditEvent
from audit_app.auth.models import RecoveryCode, User, UserSession
from audit_app.auth.sessions import SESSION_KEY
from audit_app.auth.two_factor import (CODE_WRONG, RECOVERY_WRONG, enrol_with_secret,
                                       issue_recovery_codes)
from audit_app.extensions import db
from tests.fixtures import DEFAULT_PASSWORD, next_totp_code

CODE_PAGE = "/sign-in/two-factor"
SET_UP_PAGE = "/account/two-factor/set-up"


def password_step(client, user, next_url=None):
    url = "/sign-in" + (f"?next={next_url}" if next_url else "")
    return client.post(url, data={"email": user.email, "password": DEFAULT_PASSWORD})


def enrolled(user):
    enrol_with_secret(user, pyotp.random_base32())
    db.session.commit()
    return user


@pytest.fixture
def admin(make_user, partnership):
    return make_user("admin", partnership)


@pytest.fixture
def respondent(make_user, partnership, school):
    return make_user("respondent", partnership, organisation=school)


def session_record(client) -> UserSession:
    from audit_app.auth.sessions import _hash

    with client.session_transaction() as cookie:
        token = cookie[SESSION_KEY]
    return UserSession.query.filter_by(token_hash=_hash(token)).one()


def test_unenrolled_staff_must_enrol_before_anything_else(client, admin):
    response = password_step(client, admin, next_url="/people/")
    assert response.headers["Location"] == f"{SET_UP_PAGE}?next=/people/"
    # Every other page sends them back to the set-up, including the code page.
    for url in ("/people/", "/dashboard", CODE_PAGE, "/account/password"):
        response = client.get(url)
        assert response.status_code == 302 and \
            response.headers["Location"].startswith(SET_UP_PAGE), url

    page = client.get(f"{SET_UP_PAGE}?next=/people/").get_data(as_text=True)
    assert "Because you can see other organisations' audits" in page
    assert client.post("/account/two-factor/set-up/start?next=/people/").headers[
        "Location"] == f"{SET_UP_PAGE}?next=/people/"
    db.session.refresh(admin)
    assert admin.totp_secret and not admin.two_factor_enrolled

    response = client.get(f"{SET_UP_PAGE}?next=/people/")
    page = response.get_data(as_text=True)
    # The QR code is drawn here, as a data: image; the key is there to type by hand.
    src = re.search(r'<img src="([^"]+)"', page).group(1)
    assert src.startswith("data:image/svg+xml")
    assert " ".join(re.findall(".{1,4}", admin.totp_secret)) in page
    assert "style=" not in page
    assert "img-src 'self' data:" in response.headers["Content-Security-Policy"]
    assert response.headers["Cache-Control"] == "no-store"
    # Nothing to navigate to until the set-up is done; signing out is there.
    assert "Questionnaires" not in page and "Sign out" in page

    response = client.post(f"{SET_UP_PAGE}?next=/people/", data={"code": wrong_code(admin)})
    assert CODE_WRONG in response.get_data(as_text=True)
    db.session.refresh(admin)
    assert not admin.two_factor_enrolled

    response = client.post(f"{SET_UP_PAGE}?next=/people/",
                           data={"code": pyotp.TOTP(admin.totp_secret).now()})
    assert response.status_code == 200
    page = response.get_data(as_text=True)
    codes = re.findall(r"<code>([a-z0-9]{4}-[a-z0-9]{4}-[a-z0-9]{4}-[a-z0-9]{4})</code>", page)
    assert len(set(codes)) == 10
    assert 'href="/people/"' in page
    db.session.refresh(admin)
    assert admin.two_factor_enrolled
    # Stored hashed only.
    stored = {row.code_hash for row in RecoveryCode.query.filter_by(user_id=admin.id)}
    assert len(stored) == 10 and not stored & {c.replace("-", "") for c in codes}
    assert session_record(client).second_factor_at is not None
    assert client.get("/people/").status_code == 200
    assert AuditEvent.query.filter_by(action="auth.two_factor_enrolled",
                                      actor_id=admin.id).count() == 1


def test_an_enrolled_person_needs_a_code(client, admin):
    enrolled(admin)
    response = password_step(client, admin, next_url="/people/")
    assert response.headers["Location"] == f"{CODE_PAGE}?next=/people/"
    assert session_record(client).second_factor_at is None
    response = client.get("/people/")
    assert response.headers["Location"].startswith(CODE_PAGE)
    page = client.get(response.headers["Location"]).get_data(as_text=True)
    assert "Enter the 6-digit code from your authenticator app" in page

    for code, message in (("", "Enter the 6-digit code from your authenticator app"),
                          ("12ab56", "The code must be 6 numbers"),
                          (wrong_code(admin), CODE_WRONG)):
        response = client.post(f"{CODE_PAGE}?next=/people/", data={"code": code})
        assert response.status_code == 200 and message in response.get_data(as_text=True)
        assert client.get("/people/").status_code == 302

    before = session_record(client)
    old_token_hash = before.token_hash
    response = client.post(f"{CODE_PAGE}?next=/people/", data={"code": next_totp_code(admin)})
    assert response.headers["Location"] == "/people/"
    record = session_record(client)
    assert record.id == before.id and record.second_factor_at is not None
    # A new token once the second factor is passed.
    assert record.token_hash != old_token_hash
    assert client.get("/people/").status_code == 200
    assert AuditEvent.query.filter_by(action="auth.second_factor_failed",
                                      actor_id=admin.id).count() == 1
    assert AuditEvent.query.filter_by(action="auth.second_factor", actor_id=admin.id).count() == 1


def wrong_code(user) -> str:
    import time

    totp = pyotp.TOTP(user.totp_secret)
    now = totp.timecode(time.time())
    # Every code that could be valid while the test runs (a step either side, and the next).
    valid = {totp.generate_otp(now + offset) for offset in range(-2, 3)}
    return next(code for code in ("123456", "654321", "000001") if code not in valid)


def test_a_used_code_is_refused_a_second_time_in_any_session(app, admin):
    enrolled(admin)
    code = next_totp_code(admin)
    first, second = app.test_client(), app.test_client()
    password_step(first, admin)
    assert first.post(CODE_PAGE, data={"code": code}).status_code == 302
    password_step(second, admin)
    response = second.post(CODE_PAGE, data={"code": code})
    assert response.status_code == 200 and CODE_WRONG in response.get_data(as_text=True)
    assert second.get("/people/").headers["Location"].startswith(CODE_PAGE)


def test_recovery_codes_work_once(app, admin):
    enrolled(admin)
    codes = issue_recovery_codes(admin)
    db.session.commit()
    first, second = app.test_client(), app.test_client()
    password_step(first, admin)
    assert "Use a recovery code instead" in first.get(CODE_PAGE).get_data(as_text=True)
    response = first.post("/sign-in/recovery-code?next=/people/",
                          data={"code": codes[0].upper().replace("-", " ")})
    assert response.headers["Location"] == "/people/"
    assert "You have 9 recovery codes left" in first.get("/people/").get_data(as_text=True)

    password_step(second, admin)
    response = second.post("/sign-in/recovery-code", data={"code": codes[0]})
    assert response.status_code == 200
    assert RECOVERY_WRONG in response.get_data(as_text=True)
    assert second.get("/people/").status_code == 302
    assert second.post("/sign-in/recovery-code", data={"code": codes[1]}).status_code == 302
    assert RecoveryCode.query.filter_by(user_id=admin.id, used_at=None).count() == 8


def _gate_urls(app):
    """One URL per route, with placeholder values: the gate acts before any view looks."""
    from flask import url_for
    from werkzeug.routing.converters import AnyConverter

    urls = []
    with app.test_request_context():
        for rule in app.url_map.iter_rules():
            if rule.endpoint == "static":
                continue
            values = {}
            for name in rule.arguments:
                converter = rule._converters[name]
                if isinstance(converter, AnyConverter):
                    values[name] = sorted(converter.items)[0]
                elif "int" in type(converter).__name__.lower():
                    values[name] = 1
                else:
                    values[name] = "x"
            urls.append((rule, url_for(rule.endpoint, **values)))
    return urls


@pytest.mark.parametrize("enrol,page", [(True, CODE_PAGE), (False, SET_UP_PAGE)])
def test_a_half_signed_in_session_reaches_only_the_two_factor_pages(app, admin, enrol, page):
    if enrol:
        enrolled(admin)
    client = app.test_client()
    password_step(client, admin)
    allowed = {"verify": {"two_factor.verify", "two_factor.recovery"},
               "enrol": {"two_factor.set_up", "two_factor.start"}}["verify" if enrol
                                                                  else "enrol"]
    checked = 0
    for rule, url in _gate_urls(app):
        if rule.endpoint in allowed or rule.endpoint == "auth.sign_out":
            continue
        declared = getattr(app.view_functions[rule.endpoint], "access_rule", None)
        for method in sorted(rule.methods & {"GET", "POST"}):
            response = client.open(url, method=method, data={})
            if declared == "public":
                # Public pages see nobody signed in.
                assert response.status_code < 500, (method, url)
                assert "Sign out" not in response.get_data(as_text=True), (method, url)
                continue
            assert response.status_code == 302, (method, url, response.status_code)
            assert response.headers["Location"].startswith(page), (method, url)
            checked += 1
    assert checked > 40
    assert session_record(client).second_factor_at is None
    assert client.post("/sign-out").status_code == 302
    assert UserSession.query.filter_by(user_id=admin.id, ended_at=None).count() == 0


def test_respondents_choose_two_factor(client, respondent, sign_in_with_code):
    response = password_step(client, respondent)
    assert response.headers["Location"] == "/dashboard"
    assert client.get("/dashboard").status_code == 200
    page = client.get("/account/two-factor").get_data(as_text=True)
    assert "Two-factor sign-in is off" in page
    assert "Because you can see other organisations' audits" not in \
        client.get(SET_UP_PAGE).get_data(as_text=True)
    client.post("/account/two-factor/set-up/start")
    db.session.refresh(respondent)
    response = client.post(SET_UP_PAGE, data={"code": pyotp.TOTP(respondent.totp_secret).now()})
    assert "Save your recovery codes" in response.get_data(as_text=True)
    db.session.refresh(respondent)
    assert respondent.two_factor_enrolled

    # From now on they need a code, like staff.
    other = client.application.test_client()
    assert password_step(other, respondent).headers["Location"].startswith(CODE_PAGE)

    # They may turn it off again, with their password.
    assert "Turn off two-factor sign-in" in client.get("/account/two-factor").get_data(
        as_text=True)
    response = client.post("/account/two-factor/turn-off", data={"password": "wrong"})
    assert "Your password is not correct" in response.get_data(as_text=True)
    response = client.post("/account/two-factor/turn-off",
                           data={"password": DEFAULT_PASSWORD})
    assert response.status_code == 302
    db.session.refresh(respondent)
    assert not respondent.two_factor_enrolled and respondent.totp_secret is None
    assert client.get("/dashboard").status_code == 200
    assert RecoveryCode.query.filter_by(user_id=respondent.id).count() == 0
    assert password_step(client.application.test_client(), respondent).headers[
        "Location"] == "/dashboard"


def test_staff_cannot_turn_two_factor_off(client, admin, sign_in_with_code):
    sign_in_with_code(client, admin)
    assert "cannot be turned off" in client.get("/account/two-factor").get_data(as_text=True)
    client.post("/account/two-factor/turn-off", data={"password": DEFAULT_PASSWORD})
    db.session.refresh(admin)
    assert admin.two_factor_enrolled


def test_new_recovery_codes_replace_the_old(client, respondent, sign_in_with_code):
    sign_in_with_code(client, respondent)
    old = issue_recovery_codes(db.session.merge(respondent))
    db.session.commit()
    page = client.post("/account/two-factor/recovery-codes").get_data(as_text=True)
    new = re.findall(r"<code>([a-z0-9-]{19})</code>", page)
    assert len(new) == 10 and not set(new) & set(old)
    assert RecoveryCode.query.filter_by(user_id=respondent.id).count() == 10


def test_admin_resets_a_persons_two_factor(app, admin, make_user, partnership, sign_in,
                                           sign_in_with_code):
    reviewer = make_user("reviewer", partnership)
    their_client = app.test_client()
    sign_in_with_code(their_client, reviewer)
    issue_recovery_codes(db.session.merge(reviewer))
    db.session.commit()
    admin_client = sign_in(app.test_client(), admin)
    page = admin_client.get(f"/people/{reviewer.id}").get_data(as_text=True)
    assert "Reset two-factor sign-in" in page

    response = admin_client.post(f"/people/{reviewer.id}/two-factor/reset")
    assert response.status_code == 302
    reviewer = db.session.get(User, reviewer.id)
    db.session.refresh(reviewer)
    assert not reviewer.two_factor_enrolled and reviewer.totp_secret is None
    assert RecoveryCode.query.filter_by(user_id=reviewer.id).count() == 0
    assert UserSession.query.filter_by(user_id=reviewer.id, ended_at=None).count() == 0
    assert their_client.get("/dashboard").headers["Location"].startswith("/sign-in")
    event = AuditEvent.query.filter_by(action="people.two_factor_reset").one()
    assert event.actor_id == admin.id and event.object_id == str(reviewer.id)
    # At their next sign-in they set it up again.
    assert password_step(app.test_client(), reviewer).headers["Location"].startswith(
        SET_UP_PAGE)


def test_admin_cannot_reset_their_own_two_factor(client, admin, sign_in):
    enrolled(admin)
    sign_in(client, admin)
    client.post(f"/people/{admin.id}/two-factor/reset")
    db.session.refresh(admin)
    assert admin.two_factor_enrolled
    assert AuditEvent.query.filter_by(action="people.two_factor_reset").count() == 0


def test_a_reviewer_cannot_reset_anyones_two_factor(client, make_user, partnership, sign_in):
    target = enrolled(make_user("qa", partnership))
    sign_in(client, make_user("reviewer", partnership))
    assert client.post(f"/people/{target.id}/two-factor/reset").status_code == 403
    db.session.refresh(target)
    assert target.two_factor_enrolled
