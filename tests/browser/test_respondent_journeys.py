"""Respondents in Chromium: a school completes, leaves, comes back to and submits its S175
return; an agency submits its Section 11 return. Each page is checked with axe-core."""
from tests.browser.harness import screenshot, sign_in, sign_out, submit
from tests.browser.respondent_steps import (Filled, add_action, add_evidence_file,
                                            answer_visible, check_answers_page,
                                            complete_all_sections, complete_section,
                                            open_return, open_section,
                                            record_approvals_and_submit, save_and_continue,
                                            section_titles, visible_questions)

LETS_PREMISES = "The school lets its premises to other organisations"
LETTINGS = "Every letting agreement requires the hirer to have safeguarding arrangements"
AMBER_ACTION = "Train the two new governors in safeguarding before the spring term"


def test_a_school_completes_leaves_returns_and_submits_its_s175_return(
        page, school_respondent, tmp_path):
    person = school_respondent
    sign_in(page, person.email, person.password)
    open_return(page, person.cycle)
    titles = section_titles(page)
    assert len(titles) >= 10
    assert page.get_by_text("Not started").count() >= len(titles)
    screenshot(page, "task-list", tmp_path)
    filled = Filled()

    # The first section: one amber answer (which needs an action plan item), and a file
    # of evidence for another answer.
    first = titles[0]
    open_section(page, first)
    questions = visible_questions(page)
    evidence_for, amber = questions[0]["text"], questions[1]["text"]
    answer_visible(page, filled, amber_text=amber)
    filled.amber = amber
    screenshot(page, "section", tmp_path, full_page=False)
    submit(page, page.get_by_role("button", name="Save and continue"))
    summary = page.locator(".govuk-error-summary")
    assert summary.is_visible()
    assert "Add an action plan item" in summary.inner_text()
    filled.evidence = add_evidence_file(page, evidence_for, tmp_path)
    add_action(page, amber, AMBER_ACTION)
    filled.action = AMBER_ACTION
    save_and_continue(page, first)

    # A question that applies only after an earlier answer appears as soon as it applies.
    site = next(title for title in titles if title.startswith("Site"))
    open_section(page, site)
    lettings = page.get_by_role("group", name=LETTINGS)
    assert lettings.count() == 0 or not lettings.is_visible()
    page.get_by_role("group", name=LETS_PREMISES).get_by_label("Yes", exact=True).check()
    assert page.get_by_role("group", name=LETTINGS).is_visible()
    complete_section(page, site, filled)

    # Half the sections, then leave.
    remaining = [title for title in titles if title not in (first, site)]
    done_before_leaving = remaining[:len(remaining) // 2]
    for title in done_before_leaving:
        open_section(page, title)
        complete_section(page, title, filled)
    sign_out(page)

    # Signed in again, everything is where it was left.
    sign_in(page, person.email, person.password)
    open_return(page, person.cycle)
    completed = page.locator(".govuk-task-list__item", has_text="Completed")
    assert completed.count() == len(done_before_leaving) + 2
    open_section(page, first)
    group = page.get_by_role("group", name=amber)
    assert group.get_by_label("Amber", exact=True).is_checked()
    assert page.get_by_role("link", name=filled.evidence).is_visible()
    assert page.get_by_text(AMBER_ACTION).is_visible()
    submit(page, page.get_by_role("link", name="Back to the list of sections"))

    for title in remaining[len(remaining) // 2:]:
        open_section(page, title)
        complete_section(page, title, filled)
    assert f"{len(titles)} of {len(titles)}" in page.locator("#progress").inner_text()

    check_answers_page(page)
    body = page.locator("main").inner_text()
    assert "Amber" in body and AMBER_ACTION in body and filled.evidence in body
    screenshot(page, "check-your-answers", tmp_path, full_page=False)
    number = record_approvals_and_submit(page)
    assert number == "1"
    assert person.organisation in page.locator("main").inner_text()
    screenshot(page, "submitted", tmp_path)


def test_an_agency_completes_and_submits_its_section_11_return(
        page, agency_respondent, tmp_path):
    person = agency_respondent
    sign_in(page, person.email, person.password)
    open_return(page, person.cycle)
    filled = Filled()
    complete_all_sections(page, filled)
    check_answers_page(page)
    number = record_approvals_and_submit(page)
    assert number == "1"
    submit(page, page.get_by_role("link", name="Back to your return"))
    assert "Submitted" in page.locator("main").inner_text()
