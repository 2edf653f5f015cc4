"""Every page carries a Content-Security-Policy whose nonce is on each of its scripts."""
import pytest

from tests.site.helpers import assert_no_inline_styles, csp_nonce_of, script_nonces

PUBLIC_PAGES = ["/", "/help", "/accessibility", "/privacy", "/cookies", "/sign-in",
                "/no-such-page"]


@pytest.mark.parametrize("path", PUBLIC_PAGES)
def test_every_script_carries_the_nonce_of_the_policy(client, partnership, path):
    response = client.get(path)
    nonce = csp_nonce_of(response)
    html = response.get_data(as_text=True)
    nonces = script_nonces(html)
    assert len(nonces) >= 2, "the layout's js-enabled script and its module script"
    assert nonces == [nonce] * len(nonces)
    assert_no_inline_styles(html)


def test_signed_in_pages_carry_the_nonce_too(client, partnership, make_user, sign_in):
    sign_in(client, make_user("admin", partnership))
    response = client.get("/dashboard")
    assert response.status_code == 200
    nonce = csp_nonce_of(response)
    html = response.get_data(as_text=True)
    assert set(script_nonces(html)) == {nonce}
    assert_no_inline_styles(html)


def test_each_response_has_a_new_nonce(throwaway_app, partnership):
    # The throwaway application, because the session's one runs every request of a test
    # inside the test's application context (and so one `g`).
    client = throwaway_app.test_client()
    nonces = {csp_nonce_of(client.get("/help")) for _ in range(3)}
    assert len(nonces) == 3


def test_the_policy_allows_no_inline_script_or_style_without_the_nonce(client, partnership):
    policy = client.get("/").headers["Content-Security-Policy"]
    assert "'unsafe-inline'" not in policy
    directives = dict(part.strip().split(" ", 1) for part in policy.split(";"))
    assert directives["script-src"].startswith("'self' 'nonce-")
    assert directives["style-src"].startswith("'self' 'nonce-")


def test_scripts_and_styles_are_served_from_this_site(client, partnership):
    html = client.get("/").get_data(as_text=True)
    assert '<script type="module" nonce="' in html
    assert 'src="/static/build/app.js"' in html
    assert '<link rel="stylesheet" href="/static/build/app.css">' in html
    assert "https://" not in html.split("</head>")[0], "nothing loaded from another site"
