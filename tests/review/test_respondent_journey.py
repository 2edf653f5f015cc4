"""A returned return on the organisation's side, over HTTP: the reviewer's query beside its
question, the reply, a changed answer, the approvals confirmed again, the resubmission,
and the reviewer's page of exactly what changed."""
from html.parser import HTMLParser

import pytest

from audit_app.cycles.models import ReturnEvent
from audit_app.extensions import db
from audit_app.returns.models import Submission
from audit_app.review.models import ReviewQuery
from audit_app.review.services import raise_query, return_for_changes
from audit_app.returns.submission import definition_of
from tests.returns.submission_builders import make_ready_return, make_submitter

QUESTION = "training_staff_trained_count"
QUERY_TEXT = "Your staff count looks low: how many staff completed training this year?"
REPLY = "We had miscounted: 45 staff completed the training. The answer is corrected."


class SectionForm(HTMLParser):
    """What a browser sends with a section page's own form: the fields as they stand
    (checked radios, textarea contents), leaving out boxes that belong to another form."""

    def __init__(self, action_part: str):
        super().__init__()
        self.action_part, self.inside, self.data = action_part, False, {}
        self._textarea = None

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "form":
            self.inside = self.action_part in (attrs.get("action") or "")
        if not self.inside or "form" in attrs or not attrs.get("name"):
            return
        if tag == "input" and attrs.get("type") not in ("submit", "file"):
            if attrs.get("type") in ("radio", "checkbox") and "checked" not in attrs:
                return
            self.data[attrs["name"]] = attrs.get("value") or ""
        elif tag == "textarea":
            self._textarea = attrs["name"]
            self.data[self._textarea] = ""

    def handle_data(self, data):
        if self._textarea:
            self.data[self._textarea] += data

    def handle_endtag(self, tag):
        if tag == "textarea":
            self._textarea = None
        elif tag == "form":
            self.inside = False


def section_form(html: str, action_part: str) -> dict:
    reader = SectionForm(action_part)
    reader.feed(html)
    assert reader.data, "the page has no such form"
    return {name: value.lstrip("\n") for name, value in reader.data.items()}


def submit_from_check_page(client, audit_return):
    """Re-confirm: the check page's approvals as recorded, and the confirmation ticked."""
    page = client.get(f"/returns/{audit_return.id}/check").get_data(as_text=True)
    data = section_form(page, "/submit")
    assert any(name.startswith("approval_") for name in data)
    day_fields = [name for name in data if name.endswith("_date")]
    for name in day_fields:  # the GOV.UK date inputs post three values under one name
        data.pop(name)
    db.session.expire_all()
    from audit_app.returns.models import Approval

    for approval in Approval.query.filter_by(return_id=audit_return.id):
        when = approval.approved_on
        data[f"approval_{approval.approval_key}_date"] = [str(when.day), str(when.month),
                                                          str(when.year)]
    data["confirm"] = "y"
    return client.post(f"/returns/{audit_return.id}/submit", data=data)


WHOLE_RETURN_QUERY = "Who approved the return?"


@pytest.fixture
def returned(partnership, school, make_user, client, sign_in):
    """Submitted over HTTP, then returned by a reviewer with a query on QUESTION and one
    about the whole return."""
    submitter = make_submitter(make_user, partnership, school)
    audit_return = make_ready_return(partnership, school, submitter)
    sign_in(client, submitter)
    response = submit_from_check_page(client, audit_return)
    assert response.status_code == 302, response.get_data(as_text=True)[:3000]
    db.session.refresh(audit_return)
    assert audit_return.status == "submitted"
    reviewer = make_user("reviewer", partnership)
    query = raise_query(audit_return, QUESTION, QUERY_TEXT, reviewer)
    whole = raise_query(audit_return, None, WHOLE_RETURN_QUERY, reviewer)
    return_for_changes(audit_return, reviewer)
    db.session.commit()
    return {"return": audit_return, "query": query, "whole": whole, "client": client,
            "reviewer": reviewer, "submitter": submitter,
            "section": definition_of(audit_return).question(QUESTION).section.id}


def test_the_whole_loop_to_a_resubmission_and_its_changes(returned, app, sign_in):
    audit_return, query, client = returned["return"], returned["query"], returned["client"]
    base = f"/returns/{audit_return.id}"

    # The task list says the return came back, and links to the query's question.
    task_list = client.get(base).get_data(as_text=True)
    assert "Returned for changes" in task_list
    assert f'{base}/sections/{returned["section"]}#query-{query.id}' in task_list

    # The query and a reply box sit beside the question on its section page.
    section_url = f"{base}/sections/{returned['section']}"
    page = client.get(section_url).get_data(as_text=True)
    question_block = page[page.index(f'id="question-{QUESTION}"'):]
    question_block = question_block[:question_block.index('govuk-section-break')]
    assert QUERY_TEXT in question_block
    assert f'id="query-{query.id}"' in page
    assert f'form="query-reply-form-{query.id}"' in page
    assert f'name="query-{query.id}-body"' in question_block
    assert f'<form method="post" id="query-reply-form-{query.id}" action="{base}/queries/{query.id}"' in page

    # Reply.
    response = client.post(f"{base}/queries/{query.id}", data={f"query-{query.id}-body": REPLY})
    assert response.status_code == 302
    assert response.headers["Location"].endswith(f"{section_url}#query-{query.id}")
    db.session.expire_all()
    assert query.status == "answered"
    assert [message.body for message in query.messages] == [QUERY_TEXT, REPLY]

    # Change the answer through the section page, keeping everything else as it was.
    page = client.get(section_url).get_data(as_text=True)
    assert REPLY in page and "(you have replied)" in page
    data = section_form(page, f"/sections/{returned['section']}")
    assert data[QUESTION] == "2"
    data[QUESTION] = "45"
    data["action"] = "continue"
    response = client.post(section_url, data=data)
    assert response.status_code == 302, response.get_data(as_text=True)[:3000]

    # Re-confirm the approvals and resubmit: submission 2, the return submitted again.
    response = submit_from_check_page(client, audit_return)
    assert response.headers["Location"].endswith(f"{base}/submissions/2")
    db.session.expire_all()
    assert audit_return.status == "submitted"
    assert [s.number for s in Submission.query.filter_by(return_id=audit_return.id)
            .order_by(Submission.number)] == [1, 2]
    moves = [(event.from_status, event.to_status) for event in
             ReturnEvent.query.filter_by(return_id=audit_return.id, kind="transition")
             .order_by(ReturnEvent.id)]
    assert moves[-2:] == [("submitted", "returned"), ("returned", "submitted")]

    # The reviewer sees exactly that one change.
    reviewer_client = sign_in(app.test_client(), returned["reviewer"])
    changes = reviewer_client.get(f"{base}/changes")
    assert changes.status_code == 200
    html = changes.get_data(as_text=True)
    assert "Changes from submission 1 to submission 2: 1 question changed." in html
    assert f'id="changes-{QUESTION}"' in html
    assert "<del>2 staff</del>" in html and "<ins>45 staff</ins>" in html
    assert html.count('<th scope="row"') == 1


def test_a_blank_reply_is_refused_and_changes_nothing(returned):
    audit_return, query, client = returned["return"], returned["query"], returned["client"]
    response = client.post(f"/returns/{audit_return.id}/queries/{query.id}",
                           data={f"query-{query.id}-body": "   "})
    assert response.status_code == 400
    page = response.get_data(as_text=True)
    assert "Enter your answer to the query" in page and "govuk-error-summary" in page
    assert QUERY_TEXT in page
    db.session.expire_all()
    assert query.status == "open" and len(query.messages) == 1


def test_the_query_page_shows_the_thread_and_a_reply_box(returned):
    audit_return, query, client = returned["return"], returned["query"], returned["client"]
    page = client.get(f"/returns/{audit_return.id}/queries/{query.id}").get_data(as_text=True)
    assert QUERY_TEXT in page and f'name="query-{query.id}-body"' in page
    assert "(reviewer)" in page


def test_a_query_of_another_return_or_a_closed_one_is_not_found(returned, partnership,
                                                                  make_user):
    from audit_app.review.services import close_query
    from tests.fixtures import add_school

    audit_return, query, client = returned["return"], returned["query"], returned["client"]
    missing = client.post(f"/returns/{audit_return.id}/queries/{query.id + 1000}",
                          data={f"query-{query.id + 1000}-body": REPLY})
    assert missing.status_code == 404
    close_query(query, returned["reviewer"])
    db.session.commit()
    closed = client.post(f"/returns/{audit_return.id}/queries/{query.id}",
                         data={f"query-{query.id}-body": REPLY})
    assert closed.status_code == 404
    db.session.expire_all()
    assert len(query.messages) == 1


def test_another_organisation_cannot_see_or_answer_the_query(returned, partnership,
                                                             make_user, sign_in, app):
    from tests.fixtures import add_school

    audit_return, query = returned["return"], returned["query"]
    other = add_school(partnership, urn="100999", name="Elm Primary School")
    stranger = sign_in(app.test_client(), make_user("respondent", partnership,
                                                    organisation=other))
    url = f"/returns/{audit_return.id}/queries/{query.id}"
    assert stranger.get(url).status_code == 404
    assert stranger.post(url, data={f"query-{query.id}-body": REPLY}).status_code == 404
    db.session.expire_all()
    assert len(query.messages) == 1


def test_queries_stay_hidden_until_the_return_is_returned(partnership, school, make_user,
                                                          client, sign_in):
    submitter = make_submitter(make_user, partnership, school)
    audit_return = make_ready_return(partnership, school, submitter)
    sign_in(client, submitter)
    submit_from_check_page(client, audit_return)
    db.session.refresh(audit_return)
    query = raise_query(audit_return, QUESTION, QUERY_TEXT, make_user("reviewer", partnership))
    db.session.commit()
    assert QUERY_TEXT not in client.get(f"/returns/{audit_return.id}").get_data(as_text=True)
    assert client.get(f"/returns/{audit_return.id}/queries/{query.id}").status_code == 404
    assert db.session.get(ReviewQuery, query.id).status == "open"


def test_the_changes_page_with_a_single_submission(returned, app, sign_in):
    reviewer_client = sign_in(app.test_client(), returned["reviewer"])
    page = reviewer_client.get(f"/returns/{returned['return'].id}/changes")
    assert page.status_code == 200
    assert "submitted once, so there are no changes to show yet" in page.get_data(as_text=True)


def test_a_query_about_the_whole_return_is_answered_from_its_own_page(returned):
    audit_return, whole, client = returned["return"], returned["whole"], returned["client"]
    task_list = client.get(f"/returns/{audit_return.id}").get_data(as_text=True)
    url = f"/returns/{audit_return.id}/queries/{whole.id}"
    assert f'href="{url}"' in task_list and "About the whole return" in task_list
    assert "The reviewer has 2 queries about this return." in task_list
    page = client.get(url).get_data(as_text=True)
    assert WHOLE_RETURN_QUERY in page and "About: the whole return" in page
    response = client.post(url, data={f"query-{whole.id}-body": "The chair of governors"})
    assert response.headers["Location"].endswith(
        f"/returns/{audit_return.id}#query-{whole.id}")
    db.session.expire_all()
    assert whole.status == "answered"
