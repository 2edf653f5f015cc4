"""The start page, the footer pages and the health check render in the layout."""
import re

import pytest

from audit_app.extensions import db
from audit_app.organisations.models import Partnership
from tests.site.helpers import (assert_in_layout, assert_no_inline_styles, footer_of, h1_of,
                                header_of, title_of)

FOOTER_PAGES = {
    "/help": "Help completing your audit",
    "/accessibility": "Accessibility statement",
    "/privacy": "Privacy notice",
    "/cookies": "Cookies",
}


@pytest.mark.parametrize("path,heading", FOOTER_PAGES.items())
def test_footer_pages_render_in_the_layout(client, partnership, path, heading):
    response = client.get(path)
    assert response.status_code == 200
    html = response.get_data(as_text=True)
    assert_in_layout(html, partnership.name)
    assert_no_inline_styles(html)
    assert h1_of(html) == heading
    assert title_of(html) == f"{heading} – Safeguarding self-audit – {partnership.name}"


def test_the_start_page_explains_the_service_and_offers_sign_in(client, partnership):
    response = client.get("/")
    assert response.status_code == 200
    html = response.get_data(as_text=True)
    assert_in_layout(html, partnership.name)
    assert h1_of(html) == "Safeguarding self-audit"
    assert title_of(html) == f"Safeguarding self-audit – {partnership.name}"
    assert re.search(r'<a href="/sign-in"[^>]*class="govuk-button govuk-button--start"', html)
    assert "section 11" in html


def test_the_footer_links_to_every_footer_page_and_each_works(client, partnership):
    footer = footer_of(client.get("/").get_data(as_text=True))
    links = dict((text.strip(), href) for href, text in
                 re.findall(r'<a class="govuk-footer__link" href="([^"]+)">([^<]+)</a>', footer))
    assert links == {"Help completing your audit": "/help",
                     "Accessibility statement": "/accessibility",
                     "Privacy notice": "/privacy", "Cookies": "/cookies"}
    for href in links.values():
        assert client.get(href).status_code == 200, href


def test_the_privacy_notice_says_what_why_how_long_and_who_to_contact(client, partnership):
    partnership.contact_email = "lscp@example.gov.uk"
    db.session.commit()
    html = client.get("/privacy").get_data(as_text=True)
    for heading in ("What we hold", "Why we hold it", "How long we keep it", "Contact us"):
        assert f">{heading}</h2>" in html
    assert 'href="mailto:lscp@example.gov.uk"' in html


def test_the_cookies_page_names_the_session_cookie_and_no_analytics(app, client, partnership):
    html = client.get("/cookies").get_data(as_text=True)
    assert app.config["SESSION_COOKIE_NAME"] in html
    assert "does not use cookies to measure how you use the service" in html


def test_the_help_page_warns_against_naming_children_or_staff(client, partnership):
    html = client.get("/help").get_data(as_text=True)
    assert "Do not name or identify children, families or members of staff" in html
    for heading in ("Saving your answers", "Evidence", "Get help"):
        assert f">{heading}</h2>" in html


def test_without_a_partnership_the_layout_uses_the_configured_name(app, client):
    assert Partnership.query.count() == 0
    html = client.get("/help").get_data(as_text=True)
    assert_in_layout(html, app.config["PARTNERSHIP_NAME"])


def test_with_several_partnerships_a_visitor_sees_the_configured_name(app, client, partnership):
    db.session.add(Partnership(slug="otherborough", name="Otherborough Partnership"))
    db.session.commit()
    header = header_of(client.get("/help").get_data(as_text=True))
    assert app.config["PARTNERSHIP_NAME"] in header
    assert partnership.name not in header


def test_the_partnership_name_is_escaped(client, db_session):
    db.session.add(Partnership(slug="odd", name="<b>Odd</b> & Sons"))
    db.session.commit()
    header = header_of(client.get("/help").get_data(as_text=True))
    assert "&lt;b&gt;Odd&lt;/b&gt; &amp; Sons" in header
    assert "<b>Odd</b>" not in header


def test_healthz_says_ok_in_plain_text(client):
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.get_data(as_text=True) == "ok"
    assert response.mimetype == "text/plain"


def test_the_start_page_sends_a_signed_in_person_to_their_home_page(client, partnership,
                                                                    make_user, sign_in):
    sign_in(client, make_user("qa", partnership))
    response = client.get("/")
    assert response.status_code == 302
    assert response.headers["Location"].endswith("/dashboard")


def test_signed_out_there_is_no_navigation_and_no_sign_out(client, partnership):
    header = header_of(client.get("/").get_data(as_text=True))
    assert "govuk-service-navigation__list" not in header
    assert "Sign out" not in header
