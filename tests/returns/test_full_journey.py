"""A whole return completed through the pages, as a person without JavaScript would: every
section of the real S175 and S11 audits, the approvals, submit, and the PDF of what was
submitted. Forms are read from the HTML the pages serve, never built by hand."""
import io
import re
from html.parser import HTMLParser
from pathlib import Path

import pytest
from pypdf import PdfReader

from audit_app.returns.models import Submission, SubmissionAnswer
from tests.fixtures import add_agency, add_school
from tests.returns.conftest import S175, load_version, make_cycle, make_return

S11 = Path(S175).parents[1] / "s11" / "2025-26.yaml"
COMMENT = "Checked at the termly safeguarding review."


class FormReader(HTMLParser):
    """The fields of the page's main form (the one with a Save and continue or Submit
    button), as a person's browser would send them with the first option of each choice."""

    def __init__(self):
        super().__init__()
        self.forms, self._current = [], None

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "form":
            self._current = {"action": attrs.get("action"), "fields": {}, "radios": {},
                             "checkboxes": {}, "buttons": [], "textareas": []}
            self.forms.append(self._current)
        if self._current is None:
            return
        name = attrs.get("name")
        if tag == "input" and name:
            kind = attrs.get("type", "text")
            if kind == "radio":
                self._current["radios"].setdefault(name, []).append(attrs.get("value"))
            elif kind == "checkbox":
                self._current["checkboxes"].setdefault(name, []).append(attrs.get("value"))
            elif kind not in ("submit", "file"):
                fields = self._current["fields"]
                if name in fields:  # a GOV.UK date: day, month and year share one name
                    self._current.setdefault("dates", set()).add(name)
                fields[name] = attrs.get("value") or ""
        elif tag == "textarea" and name:
            self._current["textareas"].append(name)
        elif tag == "button" and name:
            self._current["buttons"].append((name, attrs.get("value")))

    def handle_endtag(self, tag):
        if tag == "form":
            self._current = None


def main_form(html: str, button_value=None, action_part=None) -> dict:
    reader = FormReader()
    reader.feed(html)
    for form in reader.forms:
        if action_part and action_part not in (form["action"] or ""):
            continue
        if button_value and button_value not in [value for _, value in form["buttons"]]:
            continue
        return form
    raise AssertionError("the page has no such form")


def fill(form: dict) -> dict:
    """Answer everything: green (or the first option), numbers, dates and text."""
    data = dict(form["fields"])
    for name, values in form["radios"].items():
        data[name] = "green" if "green" in values else values[0]
    for name, values in form["checkboxes"].items():
        data[name] = values[0]
    for name in form["textareas"]:
        data[name] = COMMENT
    for name in list(data):
        if name in form.get("dates", ()):
            data[name] = ["3", "9", "2025"]
        elif not data[name] and name != "csrf_token":
            data[name] = "4"
    return data


def complete_every_section(client, audit_return) -> int:
    task_list = client.get(f"/returns/{audit_return.id}").get_data(as_text=True)
    sections = sorted(set(re.findall(rf"/returns/{audit_return.id}/sections/(\w+)", task_list)),
                      key=task_list.index)
    for section_id in sections:
        url = f"/returns/{audit_return.id}/sections/{section_id}"
        for _attempt in range(4):  # an answer may reveal more questions
            page = client.get(url).get_data(as_text=True)
            data = fill(main_form(page, button_value="continue"))
            data["action"] = "continue"
            response = client.post(url, data=data)
            if response.status_code == 302:
                break
        else:
            raise AssertionError(f"section {section_id} would not complete: "
                                 f"{response.get_data(as_text=True)[:2000]}")
    task_list = client.get(f"/returns/{audit_return.id}").get_data(as_text=True)
    assert f"{len(sections)} of {len(sections)} sections completed" in task_list
    return len(sections)


def approve_and_submit(client, audit_return):
    """Every approval the page asks for, dated the day the cycle opened, then Submit."""
    check = client.get(f"/returns/{audit_return.id}/check").get_data(as_text=True)
    form = main_form(check, action_part="/submit")
    opened = audit_return.cycle.open_date
    data = dict(form["fields"])
    for name in data:
        if name in form.get("dates", ()):
            data[name] = [str(opened.day), str(opened.month), str(opened.year)]
        elif name.endswith("name"):
            data[name] = "Zoë O’Brien-Łukasz"
        elif name.endswith("role"):
            data[name] = "Chair"
    for name in form["checkboxes"]:
        data[name] = "y"
    return client.post(f"/returns/{audit_return.id}/submit", data=data)


@pytest.mark.parametrize("audit", ["s175", "s11"])
def test_a_whole_return_through_the_pages(app, partnership, make_user, sign_in, audit):
    if audit == "s175":
        organisation = add_school(partnership, urn="400001", name="Hollins Secondary School",
                                  phase="Secondary", sixth_form=True,
                                  statutory_low_age=11, statutory_high_age=18)
        version = load_version(S175)
    else:
        organisation = add_agency(partnership, name="Testshire NHS Foundation Trust",
                                  sector="Health provider")
        version = load_version(S11)
    cycle = make_cycle(partnership, version, name=f"{audit} cycle")
    audit_return = make_return(cycle, organisation)
    client = sign_in(app.test_client(), make_user("respondent", partnership,
                                                  organisation=organisation))
    sections = complete_every_section(client, audit_return)
    assert sections >= 12

    response = approve_and_submit(client, audit_return)
    assert response.status_code == 302, response.get_data(as_text=True)[:3000]

    submission = Submission.query.filter_by(return_id=audit_return.id).one()
    rows = SubmissionAnswer.query.filter_by(submission_id=submission.id).all()
    assert len(rows) >= 50
    assert all(row.value for row in rows)
    assert {row.value for row in rows if row.score is not None} == {"green"}

    pdf = client.get(f"/returns/{audit_return.id}/submissions/1.pdf")
    assert pdf.status_code == 200 and pdf.headers["Content-Type"] == "application/pdf"
    text = " ".join(page.extract_text() for page in PdfReader(io.BytesIO(pdf.data)).pages)
    assert organisation.name in text and "Zoë O’Brien-Łukasz" in text
    assert COMMENT in text

    # Locked: a further change is refused and changes nothing.
    again = client.post(f"/returns/{audit_return.id}/sections/{rows[0].section_key}",
                        data={"action": "draft"})
    assert again.status_code in (302, 400, 403, 409)
    assert Submission.query.filter_by(return_id=audit_return.id).count() == 1
