"""Check your answers, approvals, submit, the confirmation and the PDF downloads, over
HTTP."""
from datetime import timedelta
from io import BytesIO

import pytest
from pypdf import PdfReader

from audit_app.extensions import db
from audit_app.mail.models import OutboxMessage
from audit_app.returns.models import Answer, Approval, Submission
from audit_app.timeutil import today_london
from tests.fixtures import add_school
from tests.returns.submission_builders import (UNICODE_NAME, make_ready_return,
                                                    make_submitter, return_in_progress,
                                                    set_answer)





def approval_form(audit_return, days_ago=2, **overrides):
    when = today_london() - timedelta(days=days_ago)
    data = {"lock_version": str(audit_return.lock_version)}
    for key, role in (("headteacher", "Headteacher"), ("chair_of_governors", "Chair")):
        data[f"approval_{key}_name"] = UNICODE_NAME
        data[f"approval_{key}_role"] = role
        data[f"approval_{key}_date"] = [str(when.day), str(when.month), str(when.year)]
    data.update(overrides)
    return data


@pytest.fixture
def signed_in(client, sign_in, submitter):
    return sign_in(client, submitter)


def test_check_your_answers_lists_every_answer(signed_in, ready_return):
    response = signed_in.get(f"/returns/{ready_return.id}/check")
    assert response.status_code == 200
    page = response.get_data(as_text=True)
    assert "<title>Check your answers before submitting –" in page
    assert "Leadership and governance" in page
    assert "A named governor or trustee leads on safeguarding for the governing body." in page
    assert "govuk-summary-card" in page and "govuk-summary-list__row" in page
    assert f'href="/returns/{ready_return.id}/draft.pdf"' in page
    assert "Download a draft PDF" in page
    assert 'name="approval_headteacher_name"' in page
    assert 'name="approval_chair_of_governors_date"' in page
    assert f'value="{UNICODE_NAME}"' in page
    assert "By recording their approval, each approver confirms that:" in page
    assert 'name="confirm"' in page
    assert f'formaction="/returns/{ready_return.id}/approvals"' in page
    # "Change" goes to the question on its section page; "Back" to the task list.
    assert (f'href="/returns/{ready_return.id}/sections/leadership'
            '#leadership_board_lead_governor"') in page
    assert f'href="/returns/{ready_return.id}" class="govuk-back-link"' in page
    assert "<script>" not in page and 'style="' not in page


def test_another_organisations_return_is_not_found(client, sign_in, partnership, make_user,
                                                   ready_return):
    other = add_school(partnership, urn="100777", name="Other School")
    sign_in(client, make_user("respondent", partnership, organisation=other))
    assert client.get(f"/returns/{ready_return.id}/check").status_code == 404
    assert client.get(f"/returns/{ready_return.id}/draft.pdf").status_code == 404
    response = client.post(f"/returns/{ready_return.id}/submit",
                           data={**approval_form(ready_return), "confirm": "y"})
    assert response.status_code == 404
    assert Submission.query.count() == 0
    response = client.post(f"/returns/{ready_return.id}/approvals",
                           data=approval_form(ready_return, approval_headteacher_name="X"))
    assert response.status_code == 404
    assert Approval.query.filter_by(approver_name="X").count() == 0


def test_saving_approvals(signed_in, s175_return):
    response = signed_in.post(f"/returns/{s175_return.id}/approvals",
                              data=approval_form(s175_return))
    assert response.status_code == 302
    assert response.headers["Location"].endswith(f"/returns/{s175_return.id}/check#approvals")
    assert {a.approval_key for a in Approval.query.filter_by(return_id=s175_return.id)} == \
        {"headteacher", "chair_of_governors"}
    page = signed_in.get(response.headers["Location"]).get_data(as_text=True)
    assert "Approvals saved" in page


def test_a_bad_approval_date_is_explained_and_saves_nothing(signed_in, s175_return):
    response = signed_in.post(f"/returns/{s175_return.id}/approvals", data=approval_form(
        s175_return, approval_chair_of_governors_date=["30", "2", "2026"]))
    assert response.status_code == 400
    page = response.get_data(as_text=True)
    assert "<title>Error: Check your answers" in page
    assert "There is a problem" in page
    assert "The date the chair of governors approved must be a real date" in page
    assert 'href="#approval_chair_of_governors_date"' in page
    assert 'value="30"' in page  # what was typed is kept
    assert Approval.query.filter_by(return_id=s175_return.id).count() == 0


def test_submitting_shows_the_confirmation_and_the_pdf(signed_in, ready_return):
    response = signed_in.post(f"/returns/{ready_return.id}/submit",
                              data={**approval_form(ready_return), "confirm": "y"})
    assert response.status_code == 302
    assert response.headers["Location"].endswith(f"/returns/{ready_return.id}/submissions/1")
    submission = Submission.query.filter_by(return_id=ready_return.id).one()
    assert submission.number == 1
    assert OutboxMessage.query.filter_by(kind="submission_receipt").count() == 1

    page = signed_in.get(response.headers["Location"]).get_data(as_text=True)
    assert "govuk-panel" in page and "Return submitted" in page
    assert "Submission number<br><strong>1</strong>" in page
    assert "Download the PDF of your submission" in page

    download = signed_in.get(f"/returns/{ready_return.id}/submissions/1.pdf")
    assert download.status_code == 200
    assert download.mimetype == "application/pdf"
    assert download.headers["Content-Disposition"] == \
        'attachment; filename="oak-tree-primary-school-s175-2025-26-submission-1.pdf"'
    text = "".join(page.extract_text() for page in PdfReader(BytesIO(download.data)).pages)
    assert "Submission 1, submitted" in text and "DRAFT" not in text

    # After submission the check page is read-only: no form, no Change links.
    check = signed_in.get(f"/returns/{ready_return.id}/check").get_data(as_text=True)
    assert 'name="confirm"' not in check
    assert "This return has been submitted, so its answers cannot be changed." in check
    assert "Submission 1 was made on" in check


def test_submitting_twice_makes_one_submission(signed_in, ready_return):
    form = {**approval_form(ready_return), "confirm": "y"}
    first = signed_in.post(f"/returns/{ready_return.id}/submit", data=form)
    second = signed_in.post(f"/returns/{ready_return.id}/submit", data=form)
    assert first.status_code == second.status_code == 302
    assert second.headers["Location"] == first.headers["Location"]
    assert Submission.query.filter_by(return_id=ready_return.id).count() == 1
    page = signed_in.get(second.headers["Location"]).get_data(as_text=True)
    assert "This return has already been submitted" in page


def test_posting_approvals_to_a_submitted_return_changes_nothing(signed_in, ready_return):
    signed_in.post(f"/returns/{ready_return.id}/submit",
                   data={**approval_form(ready_return), "confirm": "y"})
    response = signed_in.post(f"/returns/{ready_return.id}/approvals", data=approval_form(
        ready_return, approval_headteacher_name="Someone Else"))
    assert response.status_code == 302
    assert "This return has already been submitted" in \
        signed_in.get(response.headers["Location"]).get_data(as_text=True)
    assert Approval.query.filter_by(approver_name="Someone Else").count() == 0


def test_submit_needs_the_confirmation(signed_in, ready_return):
    response = signed_in.post(f"/returns/{ready_return.id}/submit",
                              data=approval_form(ready_return))
    assert response.status_code == 400
    page = response.get_data(as_text=True)
    assert "Confirm that the approvers have agreed the declaration" in page
    assert 'href="#confirm"' in page
    assert Submission.query.count() == 0


def test_submit_lists_each_problem_with_a_link(signed_in, ready_return):
    Answer.query.filter_by(return_id=ready_return.id,
                           question_key="leadership_board_lead_governor").delete()
    db.session.commit()
    response = signed_in.post(f"/returns/{ready_return.id}/submit",
                              data={**approval_form(ready_return), "confirm": "y"})
    assert response.status_code == 400
    page = response.get_data(as_text=True)
    assert "There is a problem" in page
    assert 'href="#answer-leadership_board_lead_governor"' in page
    assert 'id="answer-leadership_board_lead_governor"' in page
    assert "Select a rating for ‘A named governor or trustee leads on safeguarding" in page
    assert Submission.query.count() == 0
    assert ready_return.status == "in_progress"


def test_a_stale_page_does_not_submit(signed_in, ready_return):
    response = signed_in.post(f"/returns/{ready_return.id}/submit", data={
        **approval_form(ready_return), "confirm": "y",
        "lock_version": str(ready_return.lock_version - 1)})
    assert response.status_code == 409
    page = response.get_data(as_text=True)
    assert "changed by someone else while you were checking it" in page
    assert Submission.query.count() == 0
    assert f'value="{ready_return.lock_version}"' in page  # the page now holds the latest


def test_a_post_without_the_csrf_token_changes_nothing(signed_in, ready_return, csrf_enabled):
    response = signed_in.post(f"/returns/{ready_return.id}/submit",
                              data={**approval_form(ready_return), "confirm": "y"})
    assert response.status_code == 400
    assert Submission.query.count() == 0


def test_staff_download_the_pdfs_but_cannot_submit(client, sign_in, make_user, partnership,
                                                   ready_return, submitter):
    from audit_app.returns.submission import submit

    submit(ready_return, submitter, True, ready_return.lock_version)
    db.session.commit()
    sign_in(client, make_user("reviewer", partnership))
    draft = client.get(f"/returns/{ready_return.id}/draft.pdf")
    assert draft.status_code == 200 and draft.mimetype == "application/pdf"
    assert draft.headers["Content-Disposition"].startswith("attachment;")
    assert client.get(f"/returns/{ready_return.id}/submissions/1.pdf").status_code == 200
    assert client.get(f"/returns/{ready_return.id}/submissions/2.pdf").status_code == 404
    assert client.get(f"/returns/{ready_return.id}/check").status_code == 403
    assert client.post(f"/returns/{ready_return.id}/submit", data={}).status_code == 403


def test_unknown_returns_are_not_found(signed_in):
    assert signed_in.get("/returns/999999/check").status_code == 404
    assert signed_in.get("/returns/999999/draft.pdf").status_code == 404


def test_user_text_on_the_check_page_is_escaped(signed_in, ready_return):
    set_answer(ready_return, "leadership_board_lead_governor", "green",
               "<script>alert('x')</script> & more")
    db.session.commit()
    page = signed_in.get(f"/returns/{ready_return.id}/check").get_data(as_text=True)
    assert "&lt;script&gt;alert(&#39;x&#39;)&lt;/script&gt; &amp; more" in page
    assert "<script>alert" not in page


def test_a_returned_return_is_resubmitted_as_number_two(signed_in, ready_return, make_user,
                                                        partnership):
    from audit_app.cycles.transitions import transition

    signed_in.post(f"/returns/{ready_return.id}/submit",
                   data={**approval_form(ready_return), "confirm": "y"})
    transition(ready_return, "returned", actor=make_user("reviewer", partnership))
    db.session.commit()
    page = signed_in.get(f"/returns/{ready_return.id}/check").get_data(as_text=True)
    assert "returned for changes after submission 1" in page
    assert 'name="confirm"' in page
    response = signed_in.post(f"/returns/{ready_return.id}/submit",
                              data={**approval_form(ready_return), "confirm": "y"})
    assert response.headers["Location"].endswith(f"/returns/{ready_return.id}/submissions/2")
    assert [s.number for s in Submission.query.filter_by(return_id=ready_return.id)
            .order_by(Submission.number)] == [1, 2]
