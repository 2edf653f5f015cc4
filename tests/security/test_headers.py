"""Security headers and cookies on every GET route of the route map: a Content-Security-
Policy with a nonce of each response's own and no unsafe sources, no framing, nosniff, a
Referrer-Policy, HSTS over HTTPS (and not over plain HTTP in development), session cookies
HttpOnly, SameSite=Lax and Secure in production, and nothing cached of a signed-in page or
a download. Static assets stay public and cacheable, and never touch the database."""
import re

import pytest
import sqlalchemy as sa
from flask import url_for

from audit_app import create_app
from audit_app.extensions import db
from tests.settings import settings_for_tests
from tests.site.helpers import csp_nonce_of, script_nonces
from tests.test_route_access import ALLOWED, ROUTE_ACCESS, people, url_values  # noqa: F401

HTTPS = "https://localhost"
REFERRER_POLICIES = {"no-referrer", "same-origin", "strict-origin",
                     "strict-origin-when-cross-origin"}


def get_routes(app):
    return sorted((rule for rule in app.url_map.iter_rules()
                   if "GET" in rule.methods and rule.endpoint != "static"),
                  key=lambda rule: rule.endpoint)


def requester(rule) -> list[str]:
    """Who asks for the route: a signed-in person it is for (an admin where admins may,
    else a respondent), and anonymously too when it is public."""
    allowed = ALLOWED[ROUTE_ACCESS[rule.endpoint]]
    who = ["admin" if "admin" in allowed else "respondent"]
    if "anonymous" in allowed:
        who.append("anonymous")
    return who


def assert_policy(response) -> str:
    policy = response.headers.get("Content-Security-Policy", "")
    directives = {part.strip().split(" ", 1)[0]: part.strip()
                  for part in policy.split(";") if part.strip()}
    nonce = csp_nonce_of(response)
    assert f"'nonce-{nonce}'" in directives["style-src"]
    assert "'unsafe-inline'" not in policy and "'unsafe-eval'" not in policy
    assert directives["frame-ancestors"] == "frame-ancestors 'none'"
    assert directives["object-src"] == "object-src 'none'"
    if response.mimetype == "text/html":
        assert set(script_nonces(response.get_data(as_text=True))) <= {nonce}
    return nonce


def assert_common_headers(response):
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert response.headers["Referrer-Policy"] in REFERRER_POLICIES


def test_every_get_route_carries_the_security_headers(app, people, sign_in):
    clients = {"anonymous": app.test_client(),
               "admin": sign_in(app.test_client(), people["admin"]),
               "respondent": sign_in(app.test_client(), people["respondent"])}
    nonces, checked = [], set()
    for rule in get_routes(app):
        with app.test_request_context():
            url = url_for(rule.endpoint, **url_values(rule, people))
        for who in requester(rule):
            response = clients[who].get(url, base_url=HTTPS)
            context = (rule.endpoint, who, response.status_code)
            assert response.status_code < 500, context
            nonces.append(assert_policy(response))
            assert_common_headers(response)
            assert response.headers["Strict-Transport-Security"].startswith(
                "max-age=31536000"), context
            if who != "anonymous":
                assert "no-store" in response.headers.get("Cache-Control", ""), context
            checked.add(rule.endpoint)
    assert checked == {rule.endpoint for rule in get_routes(app)}
    assert len(nonces) == len(set(nonces)), "a nonce was used for two responses"


def test_downloads_are_never_cached(app, people, sign_in):
    client = sign_in(app.test_client(), people["respondent"])
    audit_return, evidence = people["audit_return"], people["evidence"]
    with app.test_request_context():
        urls = [url_for("returns.download_evidence", return_id=audit_return.id,
                        evidence_id=evidence.id),
                url_for("submission.draft_pdf_download", return_id=audit_return.id)]
    for url in urls:
        response = client.get(url)
        assert response.status_code == 200, url
        assert response.headers["Content-Disposition"].startswith("attachment"), url
        assert "no-store" in response.headers["Cache-Control"], url
        assert_common_headers(response)


def test_no_hsts_over_plain_http_in_development(app, partnership, monkeypatch):
    monkeypatch.setitem(app.config, "AUDIT_ENV", "development")
    client = app.test_client()
    plain = client.get("/help")
    assert plain.status_code == 200
    assert "Strict-Transport-Security" not in plain.headers
    assert "Strict-Transport-Security" in client.get("/help", base_url=HTTPS).headers


def session_cookie_of(response, name="audit_session") -> str:
    cookies = [value for value in response.headers.getlist("Set-Cookie")
               if value.startswith(name + "=")]
    assert cookies, response.headers
    return cookies[-1]


def cookie_attributes(cookie: str) -> dict:
    parts = [part.strip() for part in cookie.split(";")[1:]]
    return {part.split("=", 1)[0].lower(): part.split("=", 1)[1] if "=" in part else True
            for part in parts}


def app_with_profile(app, folder, profile: str):
    """An application of the given profile on the suite's database, with CSRF on (the
    sign-in form then puts its token in the session, so the page sets the cookie)."""
    return create_app({**settings_for_tests(app.config["SQLALCHEMY_DATABASE_URI"], folder),
                       "AUDIT_ENV": profile, "WTF_CSRF_ENABLED": True})


@pytest.mark.parametrize("profile, secure", [("development", False), ("test", False),
                                             ("production", True)])
def test_the_session_cookie_is_httponly_lax_and_secure_in_production(
        app, partnership, tmp_path, profile, secure):
    client = app_with_profile(app, tmp_path, profile).test_client()
    response = client.get("/sign-in", base_url=HTTPS)
    assert response.status_code == 200
    attributes = cookie_attributes(session_cookie_of(response))
    assert attributes["httponly"] is True
    assert attributes["samesite"] == "Lax"
    # Development and test serve plain HTTP on the developer's machine: a Secure cookie
    # would never come back there.
    assert attributes.get("secure", False) is secure
    assert response.headers["Strict-Transport-Security"].startswith("max-age=31536000")
    assert "no-store" in response.headers["Cache-Control"]


@pytest.fixture
def statements(app):
    """The SQL statements run while the fixture is live."""
    seen = []

    def count(conn, cursor, statement, *args):
        seen.append(statement)

    with app.app_context():
        engine = db.engine
    sa.event.listen(engine, "before_cursor_execute", count)
    yield seen
    sa.event.remove(engine, "before_cursor_execute", count)


def test_static_files_are_cacheable_and_never_read_the_session(app, people, sign_in,
                                                               statements):
    client = sign_in(app.test_client(), people["admin"])
    statements.clear()
    response = client.get("/static/build/app.css", base_url=HTTPS)
    assert response.status_code == 200
    assert statements == [], "a static file read the database"
    assert "no-store" not in response.headers.get("Cache-Control", "")
    assert_common_headers(response)
    # A page of the same person does read the session: the count above can fail.
    assert "no-store" in client.get("/dashboard").headers["Cache-Control"]
    assert any(re.search(r"\buser_sessions\b", statement) for statement in statements)
