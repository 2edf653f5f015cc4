"""The session timeout (WCAG 2.2.1): before the idle timeout an accessible warning lets the
person stay signed in; if the session ends anyway, the draft has been saved and, once signed
in again, the person is back on the same page with their answers.

The page's clock is Playwright's (minutes pass at once); the server's idea of how long the
person has been idle is moved back in its session record, as if that time had passed there."""
from datetime import timedelta

from tests.browser.harness import check_axe, screenshot, sign_in, submit
from tests.browser.respondent_steps import open_return, open_section, question_group

SECTION = "Prevent duty"
QUESTION = "The school has a current assessment of the risk"
LATER_QUESTION = "Visiting speakers are checked before they speak to pupils"


def idle_for(live_server, email: str, minutes: int) -> None:
    """The person's open session was last used ``minutes`` ago, as far as the server knows."""
    from audit_app.auth.models import User, UserSession
    from audit_app.extensions import db
    from audit_app.timeutil import utcnow

    with live_server.context():
        user = User.query.filter_by(email=email).one()
        records = UserSession.query.filter_by(user_id=user.id, ended_at=None).all()
        assert records, "the person has no open session"
        for record in records:
            record.last_seen_at = utcnow() - timedelta(minutes=minutes)
        db.session.commit()


def last_seen_minutes_ago(live_server, email: str) -> float:
    from audit_app.auth.models import User, UserSession
    from audit_app.timeutil import utcnow

    with live_server.context():
        user = User.query.filter_by(email=email).one()
        record = (UserSession.query.filter_by(user_id=user.id, ended_at=None)
                  .order_by(UserSession.id.desc()).first())
        return (utcnow() - record.last_seen_at).total_seconds() / 60


def test_the_warning_lets_the_person_stay_signed_in(page, live_server, school_respondent,
                                                    tmp_path):
    person = school_respondent
    page.clock.install()
    sign_in(page, person.email, person.password)
    open_return(page, person.cycle)
    open_section(page, SECTION)
    warning = page.get_by_role("dialog", name="You are about to be signed out")
    assert warning.count() == 0

    page.clock.fast_forward("27:00")
    assert warning.count() == 0, "no warning three minutes before the timeout"
    idle_for(live_server, person.email, 28)
    page.clock.fast_forward("01:05")
    assert warning.is_visible()
    assert warning.get_attribute("aria-modal") == "true"
    assert "sign you out in 2 minutes" in warning.inner_text()
    stay = warning.get_by_role("button", name="Stay signed in")
    assert stay.evaluate("button => document.activeElement === button"), \
        "the focus moves into the warning"
    check_axe(page, "the session timeout warning")
    screenshot(page, "session-timeout-warning", tmp_path, full_page=False)

    with page.expect_response(lambda response: "keep-alive" in response.url) as keep_alive:
        page.keyboard.press("Enter")
    assert keep_alive.value.ok
    assert keep_alive.value.json()["seconds_left"] > 29 * 60
    assert warning.count() == 0 or not warning.is_visible()
    assert last_seen_minutes_ago(live_server, person.email) < 1, "the session was extended"

    # Well past the first deadline, the person is still signed in.
    page.clock.fast_forward("05:00")
    assert not page.get_by_role("dialog").is_visible()
    submit(page, page.get_by_role("link", name="Back to the list of sections"))
    assert "/sign-in" not in page.url


def test_an_expired_session_loses_nothing_and_returns_to_the_same_page(
        page, live_server, school_respondent):
    person = school_respondent
    page.clock.install()
    sign_in(page, person.email, person.password)
    open_return(page, person.cycle)
    open_section(page, SECTION)
    section_url = page.url

    # The answer is saved in the background when the person moves on from it.
    question_group(page, QUESTION).get_by_label("Amber", exact=True).check()
    with page.expect_response(lambda response: response.url.endswith("/autosave")) as saved:
        page.keyboard.press("Tab")
    assert saved.value.json()["status"] == "saved"
    assert "Saved at" in page.locator("#autosave-status").inner_text()

    # A later answer is chosen, then the person walks away before it is sent.
    question_group(page, LATER_QUESTION).get_by_label("Green", exact=True).check()
    idle_for(live_server, person.email, 31)
    page.clock.fast_forward("31:00")
    signed_out = page.get_by_role("dialog", name="You have been signed out")
    assert signed_out.is_visible()
    assert "kept in this browser tab" in signed_out.inner_text()
    check_axe(page, "the signed-out dialog")

    with page.expect_navigation():
        signed_out.get_by_role("button", name="Sign in again").click()
    check_axe(page)
    assert "/sign-in" in page.url
    sign_in(page, person.email, person.password)
    assert page.url == section_url, "back on the page the person was on"
    assert question_group(page, QUESTION).get_by_label("Amber", exact=True).is_checked()
    later = question_group(page, LATER_QUESTION).get_by_label("Green", exact=True)
    assert later.is_checked(), "the answer kept in the tab is back"
    page.wait_for_function(
        "() => document.getElementById('autosave-status').textContent.includes('Saved at')")

    # Both answers are saved on the server: a fresh page shows them.
    page.reload()
    check_axe(page)
    assert question_group(page, QUESTION).get_by_label("Amber", exact=True).is_checked()
    assert question_group(page, LATER_QUESTION).get_by_label("Green", exact=True).is_checked()
