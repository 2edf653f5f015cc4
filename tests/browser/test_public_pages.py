"""The pages anyone can see: the start page, the footer pages (the accessibility statement
first among them), sign-in with its error summary, and the page-not-found page."""
import pytest

from tests.browser.harness import check_axe, screenshot, submit, visit

FOOTER_PAGES = (("Help completing your audit", "Help completing your audit"),
                ("Accessibility statement", "Accessibility statement"),
                ("Privacy notice", "Privacy notice"),
                ("Cookies", "Cookies"))


@pytest.mark.parametrize("link, heading", FOOTER_PAGES)
def test_each_footer_page_is_linked_from_every_page(page, link, heading):
    visit(page, "/")
    footer = page.locator("footer, .govuk-footer")
    submit(page, footer.get_by_role("link", name=link, exact=True))
    assert page.get_by_role("heading", level=1).inner_text().strip().startswith(heading)


def test_the_accessibility_statement_is_a_complete_public_sector_statement(page, tmp_path):
    visit(page, "/accessibility")
    text = page.locator("main").inner_text()
    for heading in ("How accessible this service is",
                    "Feedback and contact information",
                    "Enforcement procedure",
                    "Technical information about this service’s accessibility",
                    "Compliance status",
                    "Non-accessible content",
                    "How we tested this service",
                    "Preparation of this accessibility statement"):
        assert page.get_by_role("heading", name=heading, exact=True).is_visible(), heading
    assert "Web Content Accessibility Guidelines version 2.2" in text
    assert "axe-core" in text and "Chromium" in text
    assert "This statement was prepared on" in text
    screenshot(page, "accessibility-statement", tmp_path, full_page=False)


def test_sign_in_problems_are_summarised_and_linked_to_their_fields(page):
    visit(page, "/sign-in")
    submit(page, page.get_by_role("button", name="Sign in"))
    summary = page.locator(".govuk-error-summary")
    assert "There is a problem" in page.get_by_role("alert").inner_text()
    assert summary.evaluate("element => element.contains(document.activeElement)"), \
        "the error summary takes the focus"
    first_link = summary.get_by_role("link").first
    first_link.click()
    assert page.evaluate("document.activeElement.id") in ("email", "password")
    check_axe(page, "after following the error summary")


def test_a_page_that_does_not_exist(page):
    response = visit(page, "/no-such-page")
    assert response.status == 404
    assert page.get_by_role("heading", level=1, name="Page not found").is_visible()
