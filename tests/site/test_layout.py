"""The layout's moving parts: error summary, flashed messages, navigation and sign out."""
import re

from audit_app.auth.models import UserSession
from tests.site.helpers import header_of, title_of


def test_a_form_with_errors_gets_one_error_summary_at_the_top(throwaway_app, partnership):
    response = throwaway_app.test_client().post("/throwaway/form", data={"name": ""})
    html = response.get_data(as_text=True)
    assert html.count('data-module="govuk-error-summary"') == 1
    main = html[html.index('id="main-content"'):]
    assert main.index("govuk-error-summary") < main.index("<h1")
    assert '<a href="#name">Enter the organisation name</a>' in html
    assert title_of(html).startswith("Error: Name the organisation – ")


def test_a_form_without_errors_gets_no_error_summary(throwaway_app, partnership):
    html = throwaway_app.test_client().get("/throwaway/form").get_data(as_text=True)
    assert "govuk-error-summary" not in html
    assert title_of(html).startswith("Name the organisation – ")


def test_flashed_messages_show_once_as_notification_banners(throwaway_app, partnership):
    client = throwaway_app.test_client()
    html = client.get("/throwaway/flash").get_data(as_text=True)
    banners = re.findall(r'<div class="govuk-notification-banner([^"]*)" role="(\w+)"', html)
    assert banners == [(" govuk-notification-banner--success", "alert"), ("", "region")]
    assert "Your answers have been saved" in html
    assert "The cycle closes on Friday" in html
    ids = re.findall(r'aria-labelledby="([^"]+)"', html)
    assert len(ids) == len(set(ids)) == 2, "each banner has its own title id"
    again = client.get("/throwaway/plain").get_data(as_text=True)
    assert "govuk-notification-banner" not in again


def navigation_texts(html):
    """The navigation items' texts (the service name's link puts href before class)."""
    return re.findall(r'class="govuk-service-navigation__link" href="[^"]+"[^>]*>\s*'
                      r'(?:<strong[^>]*>)?([^<]+?)\s*<', header_of(html))


def test_staff_navigation_follows_the_roles(throwaway_app, partnership, make_user, sign_in):
    expected = {
        "admin": ["Home", "Cycles", "Review", "Reports", "Organisations", "Questionnaires",
                  "People", "Audit log"],
        "reviewer": ["Home", "Review", "Reports", "Organisations", "Questionnaires"],
        "qa": ["Home", "Reports", "Organisations", "Questionnaires"],
        "respondent": ["Home", "Your audits"],
    }
    for role, items in expected.items():
        client = throwaway_app.test_client()
        sign_in(client, make_user(role, partnership))
        html = client.get("/throwaway/plain").get_data(as_text=True)
        assert navigation_texts(html) == items, role


def test_the_current_section_is_marked_active(throwaway_app, partnership, make_user,
                                              sign_in):
    client = throwaway_app.test_client()
    sign_in(client, make_user("admin", partnership))
    header = header_of(client.get("/dashboard").get_data(as_text=True))
    active = re.findall(r'<li class="govuk-service-navigation__item '
                        r'govuk-service-navigation__item--active">\s*<a [^>]*href="([^"]+)"',
                        header)
    assert active == ["/dashboard"]
    header = header_of(client.get("/throwaway/people-page").get_data(as_text=True))
    assert 'href="/people/" aria-current="true"' in header
    assert 'href="/dashboard" aria-current' not in header


def test_signed_in_the_header_offers_a_sign_out_button(client, partnership, make_user,
                                                       sign_in, csrf_enabled):
    user = make_user("respondent", partnership)
    sign_in(client, user)
    header = header_of(client.get("/dashboard").get_data(as_text=True))
    form = re.search(r'<form method="post" action="/sign-out"[^>]*>(.*?)</form>', header,
                     re.DOTALL)
    assert form, "a POST form, not a link"
    token = re.search(r'name="csrf_token" value="([^"]+)"', form.group(1)).group(1)
    assert '<button type="submit" class="app-service-navigation__sign-out-button">Sign out' \
        in form.group(1)
    response = client.post("/sign-out", data={"csrf_token": token})
    assert response.status_code == 302
    assert UserSession.query.filter_by(user_id=user.id, ended_at=None).count() == 0
    assert client.get("/dashboard").status_code == 302


def test_the_header_links_home_and_has_no_crown(client, partnership):
    header = header_of(client.get("/help").get_data(as_text=True))
    assert '<a href="/" class="govuk-generic-header__homepage-link">' in header
    assert "govuk-header__" not in header, "the crown header is not used"
