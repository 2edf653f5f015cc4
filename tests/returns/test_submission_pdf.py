"""The PDFs of a return: a draft from the live answers and each submission from its stored
content. Their text is read back with pypdf."""
from io import BytesIO

import pytest
from pypdf import PdfReader

from audit_app.extensions import db
from audit_app.returns import pdf
from audit_app.returns.pdf import PdfFontMissing, download_name, draft_pdf, submission_pdf
from audit_app.returns.submission import definition_of, snapshot, submit
from tests.returns.conftest import EXAMPLE
from tests.returns.submission_builders import (UNICODE_NAME, add_action, add_evidence,
                                                    answer_everything, approve_all,
                                                    make_ready_return, make_submitter,
                                                    return_in_progress, set_answer)





def pdf_text(data: bytes) -> tuple[int, str]:
    reader = PdfReader(BytesIO(data))
    pages = [page.extract_text() for page in reader.pages]
    return len(pages), "\n".join(pages)


def flat(text: str) -> str:
    """The text with line breaks made spaces, for phrases that wrap."""
    return " ".join(text.split())


def test_the_draft_pdf_holds_every_answer_and_is_marked_draft(ready_return):
    set_answer(ready_return, "leadership_board_lead_governor", "red",
               "No governor has been named since the summer")
    add_action(ready_return, "leadership_board_lead_governor",
               description="Name a safeguarding governor", owner="Clerk to governors")
    add_evidence(ready_return, "dsl_job_description", reference="DSL job description")
    add_evidence(ready_return, "dsl_job_description", file_name="policy.pdf",
                 sha256="0123456789abcdef" * 4)
    data = draft_pdf(ready_return)
    assert data.startswith(b"%PDF")
    pages, text = pdf_text(data)
    words = flat(text)
    assert pages > 3
    assert "DRAFT" in text
    assert "Draft printed" in words
    assert f"Page 1 of {pages}" in text and f"Page {pages} of {pages}" in text
    assert "Oak Tree Primary School" in text
    assert "URN 100001" in words
    assert ready_return.cycle.name in text
    content = snapshot(ready_return)
    for section in content["sections"]:
        assert flat(section["title"]) in words
        for question in section["questions"]:
            assert flat(question["text"])[:60] in words, question["id"]
    assert "Answer: Red" in words
    assert "Comment: No governor has been named since the summer" in words
    assert "Name a safeguarding governor" in words and "Clerk to governors" in words
    assert "Evidence reference: DSL job description" in words
    assert "Evidence file: policy.pdf" in words
    assert "0123456789abcdef" * 4 in text.replace("\n", "")
    assert "Declaration" in text and "By recording their approval" in words
    assert "Headteacher or principal" in words and "Chair of governors" in words
    assert "Status history" in text


def test_every_name_prints(ready_return):
    set_answer(ready_return, "leadership_board_lead_governor", "green",
               "Reviewed with Zoë O’Brien–Łukasz, Ørsted Çelik and Σοφία Παπαδοπούλου")
    _, text = pdf_text(draft_pdf(ready_return))
    assert UNICODE_NAME in text
    assert "Ørsted Çelik" in text and "Σοφία Παπαδοπούλου" in text


def test_user_text_is_printed_not_read_as_markup(ready_return):
    set_answer(ready_return, "leadership_board_lead_governor", "green",
               "Minutes <b>& actions</b> are <font size=40>filed</font> & signed")
    _, text = pdf_text(draft_pdf(ready_return))
    assert "Minutes <b>& actions</b> are <font size=40>filed</font> & signed" in flat(text)


def test_a_long_comment_flows_over_pages(ready_return):
    set_answer(ready_return, "leadership_board_lead_governor", "green",
               "\n".join(f"Line {n} of a long comment about governance." for n in range(400)))
    pages, text = pdf_text(draft_pdf(ready_return))
    assert "Line 399 of a long comment" in text
    assert pages > 10


def test_the_submission_pdf_reads_the_stored_submission(ready_return, submitter):
    submission = submit(ready_return, submitter, True, ready_return.lock_version)
    db.session.commit()
    # The live draft changes afterwards (say, returned for changes): the PDF does not.
    set_answer(ready_return, "leadership_board_lead_governor", "red", "Changed later")
    pages, text = pdf_text(submission_pdf(submission))
    words = flat(text)
    assert "DRAFT" not in text
    assert "Submission 1, submitted" in words and f"by {UNICODE_NAME}" in words
    assert "Changed later" not in text and "Answer: Red" not in words
    assert "Answer: Green" in words
    assert UNICODE_NAME in text  # the approvers
    assert "In progress to submitted" in words
    assert f"Page {pages} of {pages}" in text


def test_every_question_type_prints(partnership, school, submitter):
    audit_return = return_in_progress(partnership, school, EXAMPLE)
    answer_everything(audit_return)
    set_answer(audit_return, "vulnerable_groups", '["send", "young_carers"]')
    set_answer(audit_return, "dsl_deputies", "3")
    set_answer(audit_return, "policy_reviewed_on", "2025-10-07")
    approve_all(audit_return, submitter)
    words = flat(pdf_text(draft_pdf(audit_return))[1])
    assert ("Children with special educational needs or disabilities; Young carers"
            in words)
    assert "Answer: 3 deputies" in words
    assert "Answer: 7 October 2025" in words
    assert definition_of(audit_return).question("dsl_cover").options[0].label in words


def test_an_unanswered_question_says_so(s175_return):
    _, text = pdf_text(draft_pdf(s175_return))
    assert "Answer: Not answered" in flat(text)
    assert "Not recorded" in text  # the approvals


def test_download_names():
    content = {"organisation": {"name": "St Mary’s C of E (Aided) School"}, "number": 2,
               "questionnaire": {"id": "s175", "version": "2025-26"}}
    assert download_name(content, draft=True) == \
        "st-mary-s-c-of-e-aided-school-s175-2025-26-draft.pdf"
    assert download_name(content, draft=False).endswith("-submission-2.pdf")


def test_a_missing_font_is_said_plainly(app, monkeypatch, tmp_path, s175_return):
    monkeypatch.setattr(pdf.pdfmetrics, "getRegisteredFontNames", lambda: [])
    monkeypatch.setitem(app.config, "PDF_FONT_DIR", str(tmp_path))
    with pytest.raises(PdfFontMissing) as raised:
        draft_pdf(s175_return)
    assert "make install" in str(raised.value) and "PDF_FONT_DIR" in str(raised.value)
