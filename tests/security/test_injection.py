"""The injection corpus (tests/security/payloads.py) through every text field a person can
fill: answers' comments, action plan items, evidence references, query messages, approvers'
and people's names, organisation names (typed, and imported from GIAS and agency files) and
a questionnaire's own text. Wherever it is shown it must stay text: escaped in pages and
emails, printed literally in PDFs, cleaned in Markdown, neutralised in spreadsheets, and
escaped in logs."""
import io
import logging

import pytest
from markupsafe import escape

from audit_app.extensions import db
from tests.security import (EVIDENCE_QUESTION, RATED, build_hostile, build_world, client_as,
                            fill_with_corpus, hostile_definition, long_forms, payloads,
                            post_comment)
from tests.security.payloads import (APPROVER, HOSTILE_CYCLE, HOSTILE_SCHOOL, assert_inert,
                                     errors_on, live_markup)


@pytest.fixture
def world(app, partnership, make_user):
    return build_world(partnership, make_user, app)


@pytest.fixture
def filled(app, world):
    """Organisation A's return with the corpus typed into it: (world, client, text)."""
    return (world, *fill_with_corpus(app, world))


def test_the_respondent_s_pages_show_the_corpus_as_text(filled):
    world, client, _text = filled
    base = f"/returns/{world.ids['return_a']}"
    for url in (f"{base}/sections/leadership", f"{base}/questions/{RATED}/actions",
                f"{base}/questions/{EVIDENCE_QUESTION}/evidence", f"{base}/check",
                f"{base}/queries/{world.ids['query_a']}"):
        response = client.get(url)
        assert response.status_code == 200, url
        assert_inert(response.get_data(as_text=True), where=url)
    assert_inert(client.get(f"{base}/check").get_data(as_text=True),
                 shown=(APPROVER, payloads.SCRIPT), where="the approvals")


def test_the_reviewer_s_pages_show_the_corpus_as_text(app, filled):
    world, _client, _text = filled
    reviewer = client_as(app, world.people["reviewer_in"])
    base = f"/review/returns/{world.ids['return_a']}"
    for url in (f"{base}/questions/{RATED}", f"{base}/history"):
        response = reviewer.get(url)
        assert response.status_code == 200, url
        page = response.get_data(as_text=True)
        assert_inert(page, shown=(), where=url)
    page = reviewer.get(f"{base}/questions/{RATED}").get_data(as_text=True)
    assert_inert(page, where="the reviewer's question page")


def test_the_resubmitted_corpus_is_text_for_the_reviewer_and_in_the_changes(app, filled):
    """Resubmitted: the reviewer's pages, the changes between submissions (where a diff
    marks up the text) and the submission's PDF."""
    from audit_app.auth.models import User
    from audit_app.cycles.models import AuditReturn
    from audit_app.returns.submission import submit
    from tests.returns.test_submission_pdf import flat, pdf_text

    world, _client, _text = filled
    with app.test_request_context():
        audit_return = db.session.get(AuditReturn, world.ids["return_a"])
        respondent = db.session.get(User, world.people["respondent_a"])
        assert submit(audit_return, respondent, True, audit_return.lock_version).number == 2
        db.session.commit()
    reviewer = client_as(app, world.people["reviewer_in"])
    base = f"/review/returns/{world.ids['return_a']}"
    for url in (base, f"{base}/questions/{RATED}",
                f"/returns/{world.ids['return_a']}/changes"):
        response = reviewer.get(url)
        assert response.status_code == 200, url
        assert_inert(response.get_data(as_text=True), where=url)
    response = reviewer.get(f"/returns/{world.ids['return_a']}/submissions/2.pdf")
    printed = flat(pdf_text(response.data)[1]).replace(" ", "")
    for payload in payloads.TEXT:
        assert flat(payload).replace(" ", "") in printed, payload


def test_the_draft_pdf_prints_the_corpus_literally(app, filled):
    from tests.returns.test_submission_pdf import flat, pdf_text

    world, client, _text = filled
    response = client.get(f"/returns/{world.ids['return_a']}/draft.pdf")
    assert response.status_code == 200
    assert response.data.startswith(b"%PDF")
    _pages, printed = pdf_text(response.data)
    printed = flat(printed).replace(" ", "")
    for payload in payloads.TEXT + (APPROVER,):
        assert flat(payload).replace(" ", "") in printed, payload


def test_control_characters_and_very_long_text_in_a_comment(app, world):
    client = client_as(app, world.people["respondent_a"])
    return_id = world.ids["return_a"]
    for text in (payloads.CONTROL, payloads.LONG, payloads.RTL):
        response = post_comment(client, return_id, text)
        assert response.status_code in (302, 400), response.status_code
        page = client.get(f"/returns/{return_id}/sections/leadership").get_data(as_text=True)
        assert "\x1b" not in page and "\x07" not in page
        pdf = client.get(f"/returns/{return_id}/draft.pdf")
        assert pdf.status_code == 200 and pdf.data.startswith(b"%PDF")


def test_an_evidence_file_s_name_is_text_in_pages_and_headers(app, world):
    from tests.returns.files import pdf_bytes

    client = client_as(app, world.people["respondent_a"])
    page_url = f"/returns/{world.ids['return_a']}/questions/{EVIDENCE_QUESTION}/evidence"
    # What a browser can send: it writes a quote or a line break in a file name as %22, %0D.
    name = payloads.SCRIPT + payloads.TEMPLATE + "\x07X-Injected: 1" + payloads.RTL + ".pdf"
    response = client.post(f"{page_url}/upload", data={"file": (io.BytesIO(pdf_bytes()), name)},
                           content_type="multipart/form-data")
    assert response.status_code == 302, errors_on(response.get_data(as_text=True))
    page = client.get(page_url).get_data(as_text=True)
    # The name keeps what follows its last slash (a browser may send a folder), less the
    # control character.
    assert_inert(page, shown=("script>" + payloads.TEMPLATE + "X-Injected: 1",),
                 where="evidence page")
    from audit_app.returns.models import Evidence

    newest = Evidence.query.order_by(Evidence.id.desc()).first()
    download = client.get(f"/returns/{world.ids['return_a']}/evidence/{newest.id}")
    assert download.status_code == 200
    disposition = download.headers["Content-Disposition"]
    assert disposition.startswith("attachment;") and "X-Injected" not in download.headers
    assert all(ord(char) < 128 and char not in "\r\n" for char in disposition)


def test_people_s_names_in_pages_and_emails(app, world):
    from audit_app.mail.models import OutboxMessage

    admin = client_as(app, world.people["admin"])
    name = payloads.ATTRIBUTE + payloads.TEMPLATE
    response = admin.post("/people/invite", data={
        "email": "new.person@example.org", "name": name, "role": "respondent",
        "organisation_id": str(world.ids["school_a"]), "questionnaire_key": ""})
    assert response.status_code == 302, errors_on(response.get_data(as_text=True))
    assert_inert(admin.get(response.headers["Location"]).get_data(as_text=True),
                 shown=(name,), where="people.show")
    assert_inert(admin.get("/people/").get_data(as_text=True), shown=(name,),
                 where="people.index")
    message = OutboxMessage.query.filter_by(to_address="new.person@example.org").one()
    assert_inert(message.body_html, shown=(), where="the invitation's HTML")
    assert "\r" not in message.subject and "\n" not in message.subject


def test_a_typed_agency_name_and_imported_names_are_text(app, world):
    from audit_app.organisations.agencies import import_agencies
    from audit_app.organisations.gias import import_gias
    from audit_app.organisations.models import Organisation, Partnership
    from tests.organisations.helpers import data_bytes

    admin = client_as(app, world.people["admin"])
    typed = payloads.SCRIPT + " Typed agency"
    response = admin.post("/organisations/agencies/new", data={
        "name": typed, "sector": payloads.ATTRIBUTE, "duty_basis": "voluntary",
        "statutory_partner": "no"})
    assert response.status_code == 302, errors_on(response.get_data(as_text=True))
    partnership = db.session.get(Partnership, world.ids["partnership"])
    csv_name = payloads.HYPERLINK.replace('"', "'")
    agencies = ("name,sector,duty_basis,statutory_partner,partnership_involvement\n"
                f'"{csv_name}",Housing,voluntary,no,"{payloads.TEMPLATE_BLOCK}"\n')
    result = import_agencies(agencies.encode(), partnership)
    assert result.created == 1, result
    lines = data_bytes("gias_rules.csv").decode().splitlines()
    first = lines[1].split(",")
    gias_name = payloads.ATTRIBUTE.replace('"', "'") + " School"
    first[0], first[4] = "990001", gias_name
    result = import_gias("\n".join([lines[0], ",".join(first)]).encode(), partnership)
    assert result.created == 1, result
    db.session.commit()
    assert_inert(admin.get("/organisations/").get_data(as_text=True), shown=(),
                 where="organisations.index")
    for name in (typed, csv_name, gias_name):
        organisation = Organisation.query.filter_by(name=name).one()
        assert_inert(admin.get(f"/organisations/{organisation.id}").get_data(as_text=True),
                     shown=(name,), where=name)


# The reviewer's and the admin's text, about an organisation named with the corpus --------
@pytest.fixture
def hostile(app, world, make_user):
    """The ids of a school, a cycle and a submitter named with the corpus (its return
    submitted); the admin's client."""
    return build_hostile(app, world, make_user), client_as(app, world.people["admin"])


def _pages(client, urls, shown=(), names=()) -> None:
    """Each page is inert and shows everything of ``shown`` and one of ``names``."""
    for url in urls:
        response = client.get(url)
        assert response.status_code == 200, url
        page = response.get_data(as_text=True)
        assert_inert(page, shown=shown, where=url)
        assert not names or any(str(escape(name)) in page for name in names), url


def test_moderation_and_queries_are_text_in_pages_and_the_email(app, hostile):
    from audit_app.mail.models import OutboxMessage

    ids, admin = hostile
    text = payloads.combined()
    base = f"/review/returns/{ids['return']}"
    steps = [admin.post(f"{base}/questions/{RATED}/moderate",
                        data={"rating": "amber", "reason": text}),
             admin.post(f"{base}/queries", data={"question_id": RATED, "body": text}),
             admin.post(f"{base}/queries", data={"question_id": "", "body": text})]
    assert [step.status_code for step in steps] == [302] * 3, \
        [errors_on(step.get_data(as_text=True)) for step in steps]
    _pages(admin, [base, f"{base}/questions/{RATED}", f"{base}/history"], payloads.TEXT)
    _pages(admin, ["/review/", f"/cycles/{ids['cycle']}", "/organisations/",
                   f"/cycles/{ids['cycle']}/returns/{ids['return']}", "/reports/",
                   f"/reports/cycles/{ids['cycle']}", f"/organisations/{ids['school']}"],
           names=(HOSTILE_CYCLE, HOSTILE_SCHOOL))
    assert admin.post(f"{base}/return", data={}).status_code == 302
    message = OutboxMessage.query.filter_by(to_address="dsl@hostile.example.org",
                                            kind="review_returned").one()
    assert "\r" not in message.subject and "\n" not in message.subject
    assert HOSTILE_CYCLE in message.subject
    assert_inert(message.body_html, shown=(HOSTILE_CYCLE,), where="the returned email")
    respondent = client_as(app, ids["submitter"])
    _pages(respondent, [f"/returns/{ids['return']}", "/returns/"],
           names=(HOSTILE_CYCLE, HOSTILE_SCHOOL))
    _pages(respondent, [f"/returns/{ids['return']}/sections/leadership"], payloads.TEXT)


def test_a_countersignature_a_reopening_and_a_withdrawal_are_text(app, hostile):
    ids, admin = hostile
    base = f"/review/returns/{ids['return']}"
    name, reason = payloads.ATTRIBUTE + payloads.TEMPLATE, payloads.combined()
    assert admin.post(f"{base}/accept", data={"countersigned_name": name}).status_code == 302
    assert admin.post(f"{base}/reopen", data={"reason": reason}).status_code == 302
    _pages(admin, [base], names=(HOSTILE_SCHOOL,))
    _pages(admin, [f"{base}/history"], (name,) + payloads.TEXT)
    manage = f"/cycles/{ids['cycle']}/returns/{ids['return']}"
    response = admin.post(f"{manage}/withdraw", data={"reason": reason})
    assert response.status_code == 302, errors_on(response.get_data(as_text=True))
    _pages(admin, [manage], names=(HOSTILE_SCHOOL,))
    _pages(admin, [f"{base}/history"], payloads.TEXT)


def test_a_colleague_s_name_and_imported_people_are_text(app, world):
    from audit_app.auth.importing import import_people
    from audit_app.mail.models import OutboxMessage
    from audit_app.organisations.models import Partnership

    respondent = client_as(app, world.people["respondent_a"])
    colleagues = f"/people/organisation/{world.ids['school_a']}"
    name = payloads.SCRIPT + payloads.TEMPLATE
    response = respondent.post(colleagues, data={"email": "colleague@alder.example.org",
                                                 "name": name})
    assert response.status_code == 302, errors_on(response.get_data(as_text=True))
    partnership = db.session.get(Partnership, world.ids["partnership"])
    imported = payloads.ATTRIBUTE.replace('"', "'") + " " + payloads.TEMPLATE_BLOCK
    csv = f'email,name,role,organisation\nimported@alder.example.org,"{imported}",' \
          f"respondent,610001\n"
    with app.test_request_context():
        report = import_people(csv.encode(), partnership)
        db.session.commit()
    assert report.created == 1, report.lines
    _pages(respondent, [colleagues], (name, imported))
    for message in OutboxMessage.query.filter(OutboxMessage.to_address.like("%alder%")):
        assert_inert(message.body_html, shown=(), where=message.to_address)


def test_report_downloads_never_start_a_formula(app, hostile):
    import csv

    ids, admin = hostile
    response = admin.get(f"/reports/cycles/{ids['cycle']}/download/csv")
    assert response.status_code == 200
    rows = list(csv.reader(io.StringIO(response.get_data(as_text=True))))
    cells = [cell for row in rows for cell in row]
    assert "'" + HOSTILE_SCHOOL in cells
    for cell in cells:
        if cell[:1] in ("=", "+", "-", "@", "\t", "\r"):
            float(cell)  # only a plain number may start so


def test_the_xlsx_and_pdf_reports_hold_the_corpus_as_text(app, hostile):
    from openpyxl import load_workbook

    from tests.returns.test_submission_pdf import flat, pdf_text

    ids, admin = hostile
    response = admin.get(f"/reports/cycles/{ids['cycle']}/download/xlsx")
    assert response.status_code == 200
    book = load_workbook(io.BytesIO(response.data))
    values = [cell for sheet in book.worksheets for row in sheet.iter_rows() for cell in row]
    assert not [cell.coordinate for cell in values if cell.data_type == "f"]
    texts = [cell.value for cell in values if isinstance(cell.value, str)]
    assert "'" + HOSTILE_SCHOOL in texts
    assert not [text for text in texts if text[:1] in ("=", "+", "-", "@", "\t", "\r")]
    response = admin.get(f"/reports/cycles/{ids['cycle']}/download/pdf")
    assert response.status_code == 200 and response.data.startswith(b"%PDF")
    assert flat(HOSTILE_CYCLE) in flat(pdf_text(response.data)[1])


def test_the_audit_log_shows_and_exports_what_was_typed_as_text(app, world):
    import csv

    # A refusal records the path asked for: B's respondent asks for a section of A's return.
    attempt = '=HYPERLINK("x")' + payloads.ATTRIBUTE.replace("/", "")
    respondent_b = client_as(app, world.people["respondent_b"])
    assert respondent_b.get(f"/returns/{world.ids['return_a']}/sections/{attempt}") \
        .status_code == 404
    admin = client_as(app, world.people["admin"])
    response = admin.get("/admin/audit-log")
    assert response.status_code == 200
    assert_inert(response.get_data(as_text=True), shown=(f"sections/{attempt}",),
                 where="the audit log")
    rows = list(csv.reader(io.StringIO(admin.get("/admin/audit-log/export.csv")
                                       .get_data(as_text=True))))
    assert len(rows) > 1
    assert not [cell for row in rows for cell in row if cell[:1] in ("=", "+", "-", "@")]


# Questionnaire text ------------------------------------------------------------------------

@pytest.fixture
def hostile_questionnaire(app, tmp_path):
    return hostile_definition(tmp_path)


def test_a_questionnaire_s_text_is_shown_as_text(app, world, hostile_questionnaire):
    version, section_id = hostile_questionnaire
    reviewer = client_as(app, world.people["admin"])
    for url in (f"/questionnaires/{version.id}",
                f"/questionnaires/{version.id}/sections/{section_id}"):
        response = reviewer.get(url)
        assert response.status_code == 200, url
        page = response.get_data(as_text=True)
        assert_inert(page, shown=(payloads.HOSTILE_TITLE,), where=url)


def test_a_questionnaire_s_text_prints_literally_in_a_return_s_pdf(app, world,
                                                                  hostile_questionnaire):
    from audit_app.organisations.models import Organisation
    from tests.returns.conftest import make_cycle, make_return
    from tests.returns.test_submission_pdf import flat, pdf_text

    version, _section_id = hostile_questionnaire
    partnership = db.session.get(Organisation, world.ids["school_a"]).memberships[0].partnership
    cycle = make_cycle(partnership, version, name="Hostile audit")
    audit_return = make_return(cycle, db.session.get(Organisation, world.ids["school_a"]))
    client = client_as(app, world.people["respondent_a"])
    for url in (f"/returns/{audit_return.id}", f"/returns/{audit_return.id}/check"):
        assert_inert(client.get(url).get_data(as_text=True), shown=(), where=url)
    response = client.get(f"/returns/{audit_return.id}/draft.pdf")
    assert response.status_code == 200
    printed = flat(pdf_text(response.data)[1]).replace(" ", "")
    for text in (payloads.REPORTLAB_MARKUP, payloads.ATTRIBUTE + " " + payloads.TEMPLATE):
        assert flat(text).replace(" ", "") in printed, text


@pytest.mark.parametrize("markdown", payloads.MARKDOWN)
def test_markdown_guidance_is_cleaned(markdown):
    from audit_app.questionnaires.markdown import render_markdown

    html = str(render_markdown(markdown))
    assert live_markup(html) == [], html
    assert "<script" not in html and "<div" not in html and "<a" not in html.replace(
        '<a href="http://example.org"', ""), html


# Logs --------------------------------------------------------------------------------------

def test_control_characters_are_escaped_in_log_messages_and_arguments(app):
    from audit_app.logging_setup import EscapeControlCharacters, escape_controls

    assert escape_controls("a\r\nb\tc\x00\x1b[31m\u202e\u2028\x85") == \
        "a\\r\\nb\\tc\\x00\\x1b[31m\\u202e\\u2028\\x85"
    assert any(isinstance(item, EscapeControlCharacters) for item in app.logger.filters)
    stream = io.StringIO()
    handler = logging.StreamHandler(stream)
    app.logger.addHandler(handler)
    try:
        app.logger.warning("Sign-in failed for %s\nforged: %s", "ann@example.org\r\nINFO ok",
                           {"x": "\x1b[2J"})
    finally:
        app.logger.removeHandler(handler)
    written = stream.getvalue()
    assert written.count("\n") == 1 and "\r" not in written and "\x1b" not in written
    assert "ann@example.org\\r\\nINFO ok" in written and "\\nforged" in written


def test_records_of_the_application_s_modules_are_escaped_by_the_handlers(app):
    from audit_app.logging_setup import init_app

    stream = io.StringIO()
    handler = logging.StreamHandler(stream)
    root = logging.getLogger()
    root.addHandler(handler)
    try:
        init_app(app)  # as the factory does, now that the handler is there
        init_app(app)  # and only once however often it runs
        assert len(handler.filters) == 1
        logging.getLogger("audit_app.returns").error("upload %r", "evil\n.pdf")
    finally:
        root.removeHandler(handler)
    assert stream.getvalue() == "upload 'evil\\n.pdf'\n"


# Spreadsheets ------------------------------------------------------------------------------

@pytest.mark.parametrize("formula", payloads.FORMULAS)
def test_spreadsheet_text_never_starts_a_formula(formula):
    from audit_app.spreadsheet_safety import neutralise

    assert neutralise(formula) == "'" + formula
    assert neutralise(payloads.MINUS_FORMULA) == "'" + payloads.MINUS_FORMULA
    assert neutralise("-3") == "-3" and neutralise(2) == 2


def test_the_csv_writer_neutralises_every_text_cell(tmp_path):
    import csv

    import pandas as pd

    from audit_app.reports.csv_export import write_frame_csv

    frame = pd.DataFrame({"organisation": list(payloads.FORMULAS) + [payloads.SCRIPT],
                          "score": [3] * (len(payloads.FORMULAS) + 1)})
    target = tmp_path / "out.csv"
    write_frame_csv(frame, target)
    with open(target, newline="", encoding="utf-8") as handle:
        rows = list(csv.DictReader(handle))
    assert [row["organisation"] for row in rows] == \
        ["'" + formula for formula in payloads.FORMULAS] + [payloads.SCRIPT]
    assert {row["score"] for row in rows} == {"3"}


# Very long text, everywhere -----------------------------------------------------------------

def test_very_long_text_in_any_field_is_refused_or_kept_never_a_500(app, world, hostile):
    """On PostgreSQL a value longer than its column would fail the whole request."""
    from tests.security import undone

    hostile_ids, _admin = hostile
    for persona, url, fields in long_forms(world, hostile_ids):
        with undone():
            client = client_as(app, world.people.get(persona))
            response = client.post(url, data=fields)
            assert response.status_code in (200, 302, 400, 409), (url, response.status_code)
            if response.status_code == 400:
                assert "govuk-error-summary" in response.get_data(as_text=True), url


def test_very_long_names_in_imported_files_are_rejected_by_row(app, world):
    from audit_app.auth.importing import import_people
    from audit_app.organisations.agencies import import_agencies
    from audit_app.organisations.models import Partnership

    partnership = db.session.get(Partnership, world.ids["partnership"])
    long = payloads.LONG.strip()
    with app.test_request_context():
        people = import_people(f"email,name,role,organisation\nl@example.org,{long},qa,\n"
                               f"{'l' * 300}@example.org,Lee,qa,\n".encode(), partnership)
        agencies = import_agencies(f"name,sector,duty_basis\n{long},{long},voluntary\n"
                                   .encode(), partnership)
        db.session.commit()
    assert (people.created, people.rejected) == (0, 2), people.lines
    assert (agencies.created, agencies.rejected) == (0, 1)


def test_the_longest_names_fit_every_email_subject(app, partnership, make_user):
    """An organisation's name may be 300 characters and a cycle's 200: the receipt for a
    submission (and every other email) still queues, its subject one clean line."""
    from audit_app.mail.models import OutboxMessage
    from audit_app.returns.submission import submit
    from tests.fixtures import add_school
    from tests.returns.submission_builders import answer_everything, approve_all
    from tests.returns.submission_builders import return_in_progress

    school = add_school(partnership, urn="610098", name=("Long name\r\n" * 30)[:300])
    submitter = make_user("respondent", partnership, organisation=school)
    with app.test_request_context():
        audit_return = return_in_progress(partnership, school, name="C" * 200)
        answer_everything(audit_return)
        approve_all(audit_return, submitter)
        submit(audit_return, submitter, True, audit_return.lock_version)
        db.session.commit()
    subjects = [message.subject for message in OutboxMessage.query]
    assert subjects and all(len(subject) <= 300 and "\n" not in subject and "\r" not in subject
                            for subject in subjects)
