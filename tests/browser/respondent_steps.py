"""What a respondent does in the browser, step by step, finding things by what the page
says: open a return, answer a section's questions as they appear, add evidence and an
action plan item, record the approvals and submit. Every page reached is checked with axe
(through ``visit`` and ``submit``)."""
import re
from dataclasses import dataclass, field
from datetime import date, timedelta

from tests.browser.harness import submit, visit

# Answers a person would give, by question type; ratings are green unless the journey
# picks a question to rate amber.
NUMBER_ANSWER = "12"
TEXT_ANSWER = "Recorded in the safeguarding folder; roles, not names."

VISIBLE_QUESTIONS = """() => [...document.querySelectorAll('.app-question')]
  .filter(q => !q.hidden && q.offsetParent !== null)
  .map(q => {
    const legend = q.querySelector('legend')
    const label = q.querySelector('label.govuk-label:not(.govuk-radios__label):not(.govuk-checkboxes__label)')
    const own = legend || label
    const text = own ? own.cloneNode(true) : null
    if (text) text.querySelectorAll('.govuk-caption-s, .govuk-visually-hidden').forEach(n => n.remove())
    const inputs = [...q.querySelectorAll('input, textarea, select')]
      .filter(i => i.type !== 'hidden' && !i.name.endsWith('__comment'))
    const answered = inputs.some(i => (i.type === 'radio' || i.type === 'checkbox')
      ? i.checked : i.value.trim() !== '')
    return {id: q.dataset.questionId, type: q.dataset.questionType,
            text: text ? text.textContent.replace(/\\s+/g, ' ').trim() : '', answered}
  })"""


@dataclass
class Filled:
    """What the journey answered, to find again later."""

    answers: dict = field(default_factory=dict)  # question text -> the option chosen / value
    amber: str | None = None
    evidence: str | None = None
    action: str | None = None


def visible_questions(page) -> list[dict]:
    return page.evaluate(VISIBLE_QUESTIONS)


def question_group(page, text: str):
    """The question's fieldset, found by its legend as a screen reader announces it."""
    return page.get_by_role("group", name=text).first


def answer(page, question: dict, filled: Filled, amber_text: str | None = None,
           keyboard: bool = False) -> None:
    """Answer one question as a person would, by its visible label."""
    text, kind = question["text"], question["type"]
    if kind == "rating":
        choice = "Amber" if text == amber_text else "Green"
        question_group(page, text).get_by_label(choice, exact=True).check()
        filled.answers[text] = choice
    elif kind == "yes_no":
        question_group(page, text).get_by_label("Yes", exact=True).check()
        filled.answers[text] = "Yes"
    elif kind in ("choice", "multi_choice"):
        group = question_group(page, text)
        first = group.locator("input").first
        first.check()
        filled.answers[text] = first.get_attribute("value")
    elif kind == "date":
        group = question_group(page, text)
        day = date.today() - timedelta(days=30)
        group.get_by_label("Day").fill(str(day.day))
        group.get_by_label("Month").fill(str(day.month))
        group.get_by_label("Year").fill(str(day.year))
        filled.answers[text] = day
    elif kind == "number":
        page.get_by_label(text, exact=True).fill(NUMBER_ANSWER)
        filled.answers[text] = NUMBER_ANSWER
    else:
        page.get_by_label(text, exact=True).fill(TEXT_ANSWER)
        filled.answers[text] = TEXT_ANSWER


def answer_visible(page, filled: Filled, amber_text: str | None = None) -> int:
    """Answer every question showing and not yet answered; answers that make other
    questions apply show them at once (with JavaScript), so keep going until none is left.
    Returns how many were answered."""
    count = 0
    for _round in range(10):
        pending = [q for q in visible_questions(page) if not q["answered"]]
        if not pending:
            return count
        for question in pending:
            answer(page, question, filled, amber_text)
            count += 1
    raise AssertionError("questions kept appearing")


def open_return(page, cycle_name: str) -> None:
    visit(page, "/returns/")
    submit(page, page.get_by_role("link", name=cycle_name).first)
    assert page.get_by_role("heading", level=1, name=cycle_name).is_visible()


def section_titles(page) -> list[str]:
    """The sections of the task list, in order."""
    return [title.strip() for title in
            page.locator(".govuk-task-list__name-and-hint a").all_inner_texts()]


def open_section(page, title: str) -> None:
    submit(page, page.get_by_role("link", name=title, exact=True))
    assert page.get_by_role("heading", level=1, name=title).is_visible()


def add_evidence_file(page, question_text: str, tmp_path, name="safeguarding-policy.txt"):
    """From a section page: the question's evidence page, a file uploaded, and back."""
    submit(page, page.get_by_role("button", name=f"Add or remove evidence for ‘{question_text[:40]}"))
    assert page.get_by_role("heading", level=1, name="Evidence").is_visible()
    path = tmp_path / name
    path.write_text("Child protection policy, approved by the governing body.\n")
    page.get_by_label("Upload a file").set_input_files(str(path))
    submit(page, page.get_by_role("button", name="Upload file"))
    assert page.get_by_role("link", name=name).is_visible()
    submit(page, page.get_by_role("link", name=re.compile("^Return to ")))
    return name


def add_action(page, question_text: str, description: str, owner="Headteacher") -> None:
    """From a section page: the question's action plan, an action added, and back."""
    submit(page, page.get_by_role("button", name=f"Add or change actions for ‘{question_text[:40]}"))
    assert page.get_by_role("heading", level=1, name="Action plan").is_visible()
    page.get_by_label("Action", exact=True).fill(description)
    page.get_by_label("Owner").fill(owner)
    target = date.today() + timedelta(days=90)
    dates = page.get_by_role("group", name="Target date")
    dates.get_by_label("Day").fill(str(target.day))
    dates.get_by_label("Month").fill(str(target.month))
    dates.get_by_label("Year").fill(str(target.year))
    submit(page, page.get_by_role("button", name="Add action"))
    assert page.get_by_role("cell", name=description).is_visible()
    submit(page, page.get_by_role("link", name=re.compile("^Return to ")))


def save_and_continue(page, title: str) -> None:
    submit(page, page.get_by_role("button", name="Save and continue"))
    banner = page.locator(".govuk-notification-banner--success")
    problems = page.locator(".govuk-error-summary")
    assert banner.is_visible(), f"‘{title}’ was not completed ({page.url}): " + (
        problems.inner_text() if problems.count() else "no error summary")
    assert f"You have completed ‘{title}’" in banner.inner_text()


def complete_section(page, title: str, filled: Filled, *, js: bool = True,
                     amber_text: str | None = None) -> None:
    """Answer every question of the open section and select ‘Save and continue’. Without
    JavaScript, questions that start to apply appear once the draft is saved."""
    answer_visible(page, filled, amber_text)
    if not js:
        for _round in range(5):
            submit(page, page.get_by_role("button", name="Save as draft", exact=True).last)
            if not answer_visible(page, filled, amber_text):
                break
    save_and_continue(page, title)


def complete_all_sections(page, filled: Filled, *, js: bool = True) -> list[str]:
    titles = section_titles(page)
    for title in titles:
        open_section(page, title)
        complete_section(page, title, filled, js=js)
    assert "completed" in page.locator("#progress").inner_text()
    return titles


def record_approvals_and_submit(page) -> str:
    """On check your answers: each approval (name, role, date), the confirmation, Submit.
    Returns the submission number shown on the receipt."""
    approved = date.today() - timedelta(days=1)
    slots = page.locator("[id^='approval-']")
    for index in range(slots.count()):
        slot = slots.nth(index)
        role = slot.get_by_role("heading", level=3).inner_text().strip()
        slot.get_by_label("Full name of the").fill(f"Approver {index + 1}")
        slot.get_by_label("Role", exact=True).fill(role[:60])
        slot.get_by_label("Day").fill(str(approved.day))
        slot.get_by_label("Month").fill(str(approved.month))
        slot.get_by_label("Year").fill(str(approved.year))
    page.get_by_label("I confirm that the approvers").check()
    submit(page, page.get_by_role("button", name="Submit", exact=True))
    panel = page.locator(".govuk-panel")
    assert panel.is_visible(), page.url
    assert "Return submitted" in panel.inner_text()
    return panel.locator("strong").inner_text().strip()


def check_answers_page(page) -> None:
    submit(page, page.get_by_role("link", name="Check your answers"))
    assert page.get_by_role("heading", level=1,
                            name="Check your answers before submitting").is_visible()
