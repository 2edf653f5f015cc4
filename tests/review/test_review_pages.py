"""The reviewer's pages over HTTP: queue, review page, moderation, queries, decisions,
samples and history; bad input is refused with a message and changes nothing."""
import re

import pytest

from audit_app.cycles.models import AuditReturn
from audit_app.extensions import db
from audit_app.review.models import Moderation, ReviewQuery, SpotCheckSample
from tests.review.review_builders import RATED


@pytest.fixture
def reviewer_client(app, reviewer, sign_in):
    return sign_in(app.test_client(), reviewer)


def _status(audit_return) -> str:
    db.session.expire_all()
    return db.session.get(AuditReturn, audit_return.id).status


def test_the_queue_lists_submitted_returns_with_counts(submitted, reviewer_client):
    page = reviewer_client.get("/review/")
    assert page.status_code == 200
    html = page.get_data(as_text=True)
    assert "Returns to review" in html and "Oak Tree Primary School" in html
    assert f"/review/returns/{submitted.id}" in html
    assert reviewer_client.get("/review/?status=nonsense&cycle=x").status_code == 200
    assert "Select a status from the list" in reviewer_client.get(
        "/review/?status=nonsense").get_data(as_text=True)
    assert "Oak Tree" not in reviewer_client.get(
        "/review/?overdue=yes").get_data(as_text=True)


def test_the_review_page_shows_every_answer_and_the_decisions(submitted, reviewer_client):
    html = reviewer_client.get(f"/review/returns/{submitted.id}").get_data(as_text=True)
    assert "Review: Oak Tree Primary School" in html
    assert "Moderate or query" in html and "Accept return" in html
    assert "Return for changes" in html
    question = reviewer_client.get(f"/review/returns/{submitted.id}/questions/{RATED}")
    assert question.status_code == 200 and "Agree with the self-rating" in \
        question.get_data(as_text=True)
    assert reviewer_client.get(
        f"/review/returns/{submitted.id}/questions/forged").status_code == 404


def test_an_override_without_a_reason_is_refused(submitted, reviewer_client):
    url = f"/review/returns/{submitted.id}/questions/{RATED}/moderate"
    response = reviewer_client.post(url, data={"rating": "amber", "reason": ""})
    assert response.status_code == 400
    assert "Enter the reason for changing the rating" in response.get_data(as_text=True)
    assert Moderation.query.count() == 0
    response = reviewer_client.post(url, data={"rating": "amber", "reason": "No minutes"})
    assert response.status_code == 302
    assert Moderation.query.one().moderated_value == "amber"
    assert reviewer_client.post(f"/review/returns/{submitted.id}/questions/forged/moderate",
                                data={"rating": "amber", "reason": "x"}).status_code == 404


def test_the_whole_loop_query_return_and_accept(app, submitted, reviewer_client,
                                                sign_in, admin):
    base = f"/review/returns/{submitted.id}"
    refused = reviewer_client.post(f"{base}/return", data={})
    assert refused.status_code == 400
    assert "Raise at least one query" in refused.get_data(as_text=True)
    assert _status(submitted) == "submitted"
    forged = reviewer_client.post(f"{base}/queries", data={"question_id": "forged",
                                                           "body": "Why?"})
    assert forged.status_code == 400 and "Select a question of this return" in \
        forged.get_data(as_text=True)
    assert ReviewQuery.query.count() == 0
    assert reviewer_client.post(f"{base}/queries", data={"question_id": RATED,
                                                         "body": "Show the minutes"}
                                ).status_code == 302
    assert reviewer_client.post(f"{base}/return", data={}).status_code == 302
    assert _status(submitted) == "returned"
    wrong_state = reviewer_client.post(f"{base}/accept", data={"countersigned_name": "Sam"})
    assert wrong_state.status_code == 400
    assert "Only a submitted return can be accepted" in wrong_state.get_data(as_text=True)
    assert _status(submitted) == "returned"
    history = reviewer_client.get(f"{base}/history").get_data(as_text=True)
    assert "Returned for changes" in history and "Query raised" in history


def test_accept_and_admin_reopen(app, submitted, reviewer_client, sign_in, admin):
    base = f"/review/returns/{submitted.id}"
    blank = reviewer_client.post(f"{base}/accept", data={"countersigned_name": " "})
    assert blank.status_code == 400 and "Enter your name" in blank.get_data(as_text=True)
    assert reviewer_client.post(f"{base}/accept", data={"countersigned_name": "Sam Reviewer"}
                                ).status_code == 302
    assert _status(submitted) == "accepted"
    page = reviewer_client.get(base).get_data(as_text=True)
    assert "Sam Reviewer" in page
    assert reviewer_client.post(f"{base}/reopen", data={"reason": "x"}).status_code == 403
    admin_client = sign_in(app.test_client(), admin)
    no_reason = admin_client.post(f"{base}/reopen", data={"reason": ""})
    assert no_reason.status_code == 400
    assert "Enter the reason for reopening" in no_reason.get_data(as_text=True)
    assert _status(submitted) == "accepted"
    assert admin_client.post(f"{base}/reopen", data={"reason": "New head"}).status_code == 302
    assert _status(submitted) == "returned"


def test_an_unassigned_reviewer_can_neither_see_nor_decide(app, submitted, make_user,
                                                           partnership, sign_in):
    other = make_user("reviewer", partnership, questionnaire_key="s11")
    client = sign_in(app.test_client(), other)
    assert "Oak Tree" not in client.get("/review/").get_data(as_text=True)
    assert client.get(f"/review/returns/{submitted.id}").status_code == 403
    assert client.post(f"/review/returns/{submitted.id}/accept",
                       data={"countersigned_name": "Me"}).status_code == 403
    assert _status(submitted) == "submitted"
    of_s175 = make_user("reviewer", partnership, questionnaire_key="s175")
    assert sign_in(app.test_client(), of_s175).get(
        f"/review/returns/{submitted.id}").status_code == 200


def test_the_organisation_sees_its_history(app, submitted, submitter, sign_in,
                                           reviewer_client):
    reviewer_client.post(f"/review/returns/{submitted.id}/questions/{RATED}/moderate",
                         data={"rating": "red", "reason": "Secret note for now"})
    client = sign_in(app.test_client(), submitter)
    html = client.get(f"/review/returns/{submitted.id}/history").get_data(as_text=True)
    assert "Submitted" in html and "Rating moderated" in html
    assert "Secret note for now" not in html
    assert client.get(f"/review/returns/{submitted.id}").status_code == 403


def test_a_spot_check_sample_is_drawn_and_listed(submitted, reviewer_client):
    assert reviewer_client.post(f"/review/returns/{submitted.id}/accept",
                                data={"countersigned_name": "Sam"}).status_code == 302
    bad = reviewer_client.post("/review/samples", data={
        "cycle_id": str(submitted.cycle_id), "percentage": "200", "seed": "visit"})
    assert bad.status_code == 400 and "between 1 and 100" in bad.get_data(as_text=True)
    assert SpotCheckSample.query.count() == 0
    done = reviewer_client.post("/review/samples", data={
        "cycle_id": str(submitted.cycle_id), "percentage": "10", "seed": "visit"})
    assert done.status_code == 302
    html = reviewer_client.get("/review/").get_data(as_text=True)
    assert re.search(r"10% with seed .visit.", html)


def test_a_moderation_of_an_answer_since_changed_is_marked_as_no_longer_counting(
        submitted, reviewer, reviewer_client):
    from audit_app.review.services import moderate

    moderate(submitted, RATED, "amber", "Minutes show no named governor", reviewer)
    db.session.commit()
    page = reviewer_client.get(f"/review/returns/{submitted.id}").get_data(as_text=True)
    assert "Minutes show no named governor" in page and "no longer counts" not in page
    # As after a resubmission in which the school changed the answer the reviewer rated.
    Moderation.query.filter_by(return_id=submitted.id).one().self_value = "red"
    db.session.commit()
    for url in (f"/review/returns/{submitted.id}",
                f"/review/returns/{submitted.id}/questions/{RATED}"):
        page = reviewer_client.get(url).get_data(as_text=True)
        assert "Given to an earlier answer that the organisation has since changed" in page
