"""Staff in Chromium, signing in with a password and a code from their authenticator app:
the business unit opens a cycle, the SASE moderates, queries and returns a return that the
school then answers and resubmits, and the QA subgroup reads and downloads its reports."""
import io
import re
from datetime import date, timedelta

from tests.browser.harness import screenshot, sign_in, sign_in_with_code, submit, visit
from tests.browser.respondent_steps import (add_action, check_answers_page, open_return,
                                            question_group,
                                            record_approvals_and_submit, save_and_continue)

OVERRIDE_REASON = "The minutes show governors have not had training since 2023."
QUERY = "Please tell us when the governors were last trained, or change the rating."
REPLY = "You are right: two new governors are not trained yet. Rating changed to amber."
ACTION = "Book the two new governors onto the partnership's governor training"


def staff_page(new_context, live_server, email):
    page = new_context().new_page()
    sign_in_with_code(page, email, live_server.totp[email])
    return page


def test_the_business_unit_opens_an_s175_cycle_for_primary_schools(new_context, live_server):
    page = staff_page(new_context, live_server, "admin@example.org")
    submit(page, page.get_by_role("link", name="Cycles", exact=True))
    submit(page, page.get_by_role("button", name="Open a new cycle"))
    page.get_by_label("Questionnaire").select_option(
        label="Safeguarding self-audit for schools and colleges (section 175/157), "
              "2025 to 2026 (s175 2025-26)")
    page.get_by_label("Name of the cycle").fill("S175 primary schools spring 2026")
    due = date.today() + timedelta(days=60)
    dates = page.get_by_role("group", name="Due date")
    dates.get_by_label("Day").fill(str(due.day))
    dates.get_by_label("Month").fill(str(due.month))
    dates.get_by_label("Year").fill(str(due.year))
    page.get_by_role("group", name="Phase").get_by_label("Primary", exact=True).check()
    submit(page, page.get_by_role("button", name="Preview the organisations covered"))
    heading = page.get_by_role("heading", name=re.compile(r"This cycle would cover \d+"))
    covered = int(re.search(r"cover (\d+)", heading.inner_text()).group(1))
    assert covered > 10
    assert "Secondary" not in page.locator("table").inner_text()
    submit(page, page.get_by_role("button", name="Open cycle"))
    banner = page.locator(".govuk-notification-banner--success").inner_text()
    assert f"{covered} returns created" in banner
    assert page.get_by_role("heading", level=1,
                            name="S175 primary schools spring 2026").is_visible()
    assert page.locator("tbody tr").count() >= covered


def test_the_sase_moderates_queries_and_returns_and_the_school_resubmits(
        new_context, live_server, submitted_school_return, tmp_path):
    work = submitted_school_return
    school = work.respondent
    sase = staff_page(new_context, live_server, "sase@example.org")
    submit(sase, sase.get_by_role("link", name="Review", exact=True))
    row = sase.get_by_role("row").filter(has_text=school.organisation).filter(
        has_text=school.cycle)
    submit(sase, row.get_by_role("link").first)
    card = sase.locator(".govuk-summary-card",
                        has=sase.get_by_role("heading", name=work.question_text))
    moderate_link = card.get_by_role("link", name=re.compile("^Moderate or query"))
    submit(sase, moderate_link)
    sase.get_by_role("group", name="Your rating").get_by_label("Amber", exact=True).check()
    sase.get_by_label("Reason for changing the rating").fill(OVERRIDE_REASON)
    submit(sase, sase.get_by_role("button", name="Save rating"))
    assert "Moderated rating saved" in sase.locator(".govuk-notification-banner").inner_text()
    assert OVERRIDE_REASON in card.inner_text()
    submit(sase, moderate_link)
    screenshot(sase, "review-question", tmp_path, full_page=False)
    sase.get_by_label("Raise a query about this answer").fill(QUERY)
    submit(sase, sase.get_by_role("button", name="Raise query"))
    assert "Query raised" in sase.locator(".govuk-notification-banner").inner_text()
    assert "Queries\t1" in card.inner_text() or "Queries\n1" in card.inner_text()
    submit(sase, sase.get_by_role("button", name="Return for changes"))
    assert "Returned" in sase.locator("main").inner_text()

    # The school sees the query beside the question, replies, changes its rating, adds an
    # action and resubmits.
    page = new_context().new_page()
    sign_in(page, school.email, school.password)
    open_return(page, school.cycle)
    assert "The reviewer has 1 query about this return" in page.locator("main").inner_text()
    submit(page, page.get_by_role("link", name=work.question_text))
    assert page.get_by_role("heading", level=1, name=work.section_title).is_visible()
    assert QUERY in page.locator("main").inner_text()
    page.get_by_label("Your reply").fill(REPLY)
    submit(page, page.get_by_role("button", name="Send reply to this query"))
    assert REPLY in page.locator("main").inner_text()
    question_group(page, work.question_text).get_by_label("Amber", exact=True).check()
    add_action(page, work.question_text, ACTION)
    save_and_continue(page, work.section_title)
    check_answers_page(page)
    assert record_approvals_and_submit(page) == "2"

    # The SASE sees what changed, and accepts.
    review_url = sase.url
    visit(sase, review_url)
    submit(sase, sase.get_by_role("link", name="What changed since submission 1"))
    changes = sase.locator("main").inner_text()
    assert work.question_text[:40] in changes and "Amber" in changes
    visit(sase, review_url)
    sase.get_by_label("Your name, to countersign the return").fill("Sam Okoro")
    submit(sase, sase.get_by_role("button", name="Accept return"))
    assert "Accepted" in sase.locator("main").inner_text()


def test_qa_filters_the_dashboard_and_reads_the_downloads(
        new_context, live_server, tmp_path):
    from openpyxl import load_workbook
    from pypdf import PdfReader

    from tests.browser.conftest import make_respondent, submit_for

    primary = submit_for(live_server, make_respondent(
        live_server, "S175 audit 2025-26", "reported", phase="Primary"))
    page = staff_page(new_context, live_server, "qa@example.org")
    submit(page, page.get_by_role("link", name="Reports").first)
    submit(page, page.get_by_role("link", name="S175 audit 2025-26").first)
    page.get_by_label("Phase").select_option("Primary")
    submit(page, page.get_by_role("button", name="Apply filters"))
    assert "Phase: Primary" in page.locator("main").inner_text()
    screenshot(page, "qa-dashboard", tmp_path, full_page=False)

    with page.expect_download() as xlsx_download:
        page.get_by_role("link", name="Summary tables (Excel spreadsheet)").click()
    workbook = load_workbook(io.BytesIO(open(xlsx_download.value.path(), "rb").read()),
                             read_only=True)
    cells = {str(value) for sheet in workbook.worksheets
             for row in sheet.iter_rows(values_only=True) for value in row if value is not None}
    assert primary.respondent.organisation in cells, "the submitted return is in the workbook"
    assert not any("Secondary" == cell for cell in cells), "only primary schools"

    with page.expect_download() as pdf_download:
        page.get_by_role("link", name="Report for the board (PDF)").click()
    reader = PdfReader(pdf_download.value.path())
    text = "\n".join(page_.extract_text() or "" for page_ in reader.pages)
    assert "S175 audit 2025-26" in text
    assert "Primary" in text
