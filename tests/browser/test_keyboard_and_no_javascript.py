"""A section completed with the keyboard alone, the focus visible at every step; and a
whole return completed and submitted in a browser with JavaScript turned off."""
from tests.browser.harness import check_axe, screenshot, sign_in, submit
from tests.browser.respondent_steps import (Filled, check_answers_page, complete_all_sections,
                                            open_return, record_approvals_and_submit)

SECTION = "Prevent duty"
FOCUS_YELLOW = "rgb(255, 221, 0)"

# What has the focus, and how it shows: its own outline, box shadow or yellow background,
# or (for GOV.UK radios, whose input is invisible) the drawn circle before its label.
FOCUSED = """(yellow) => {
  const element = document.activeElement
  if (!element || element === document.body) return {tag: 'body', visible: false}
  const styles = [getComputedStyle(element)]
  if (element.matches('.govuk-radios__input, .govuk-checkboxes__input')) {
    const label = document.querySelector(`label[for="${element.id}"]`)
    styles.push(getComputedStyle(label, '::before'), getComputedStyle(label, '::after'))
  }
  if (element.matches('summary')) {
    styles.push(...[...element.querySelectorAll('*')].map(child => getComputedStyle(child)))
  }
  const shows = style =>
    (style.outlineStyle !== 'none' && parseFloat(style.outlineWidth) >= 2) ||
    (style.boxShadow && style.boxShadow !== 'none') ||
    style.backgroundColor === yellow
  const label = element.labels && element.labels[0]
  return {
    tag: element.tagName.toLowerCase(), type: element.type || '', value: element.value || '',
    name: element.name || '', checked: !!element.checked,
    text: ((label && label.textContent) || element.textContent || '').replace(/\\s+/g, ' ').trim().slice(0, 80),
    visible: styles.some(shows)
  }
}"""


def focused(page) -> dict:
    state = page.evaluate(FOCUSED, FOCUS_YELLOW)
    assert state["visible"], f"no visible focus indicator on {state} at {page.url}"
    return state


def tab_to(page, predicate, limit=200) -> dict:
    """Press Tab until ``predicate(focused element)``; the focus must show at every step."""
    for _press in range(limit):
        page.keyboard.press("Tab")
        state = focused(page)
        if predicate(state):
            return state
    raise AssertionError("Tab never reached the element")


def test_a_section_completed_and_saved_with_the_keyboard_alone(page, school_respondent):
    person = school_respondent
    sign_in(page, person.email, person.password)
    open_return(page, person.cycle)

    tab_to(page, lambda state: state["tag"] == "a" and state["text"] == SECTION)
    with page.expect_navigation():
        page.keyboard.press("Enter")
    check_axe(page)
    assert page.get_by_role("heading", level=1, name=SECTION).is_visible()

    used_arrows = False
    answered_groups = set()
    for _press in range(300):
        page.keyboard.press("Tab")
        state = focused(page)
        if state["tag"] == "button" and state["text"] == "Save and continue":
            break
        if state["type"] == "radio" and state["name"] not in answered_groups:
            page.keyboard.press("Space")
            if not used_arrows:
                # Arrows move between a group's options (and choose them), as in any
                # radio group: down to Amber and back up to Green.
                page.keyboard.press("ArrowDown")
                assert focused(page)["text"].startswith("Amber")
                page.keyboard.press("ArrowUp")
                used_arrows = True
            state = focused(page)
            assert state["checked"] and state["text"].startswith(("Green", "Yes")), state
            answered_groups.add(state["name"])
        elif state["tag"] == "input" and state["type"] == "text" and not state["value"]:
            page.keyboard.type("2")
    else:
        raise AssertionError("never reached ‘Save and continue’")
    assert used_arrows and len(answered_groups) >= 5
    with page.expect_navigation():
        page.keyboard.press("Enter")
    check_axe(page)
    banner = page.locator(".govuk-notification-banner--success")
    assert f"You have completed ‘{SECTION}’" in banner.inner_text(), \
        page.locator("main").inner_text()[:2000]
    item = page.locator(".govuk-task-list__item", has_text=SECTION)
    assert "Completed" in item.inner_text()


def test_a_whole_return_completed_and_submitted_without_javascript(
        new_context, agency_respondent, tmp_path):
    context = new_context(java_script_enabled=False)
    page = context.new_page()
    person = agency_respondent
    sign_in(page, person.email, person.password)
    open_return(page, person.cycle)
    filled = Filled()
    complete_all_sections(page, filled, js=False)
    check_answers_page(page)
    number = record_approvals_and_submit(page)
    assert number == "1"
    screenshot(page, "submitted-without-javascript", tmp_path)
    submit(page, page.get_by_role("link", name="Back to your return"))
    assert "Submitted" in page.locator("main").inner_text()
