"""The reviewer's services without HTTP: queries, moderation, decisions, samples, the
queue and the history; every refusal changes nothing."""
import pytest

from audit_app.cycles.models import ReturnEvent
from audit_app.extensions import db
from audit_app.mail.models import OutboxMessage
from audit_app.review import queue as review_queue
from audit_app.review.models import Moderation, ReviewQuery, SpotCheckSample
from audit_app.review.sampling import draw_ids, draw_sample
from audit_app.review.services import (ReviewError, accept, answer_query, close_query,
                                       moderate, open_queries, queries_by_question,
                                       raise_query, reopen, return_for_changes)
from audit_app.review.views import history
from audit_app.timeutil import today_london
from tests.fixtures import add_school
from tests.review.review_builders import RATED, TRAINING, submitted_return


def _counts(audit_return):
    return (ReviewQuery.query.filter_by(return_id=audit_return.id).count(),
            Moderation.query.filter_by(return_id=audit_return.id).count(),
            ReturnEvent.query.filter_by(return_id=audit_return.id).count())


def test_a_query_thread_is_raised_answered_and_closed(submitted, reviewer, submitter):
    query = raise_query(submitted, RATED, "  Show the minutes  ", reviewer)
    whole = raise_query(submitted, None, "Who approved this?", reviewer)
    db.session.commit()
    assert query.status == "open" and query.messages[0].body == "Show the minutes"
    assert query.submission_number == 1
    assert queries_by_question(submitted) == {RATED: [query], None: [whole]}
    message = answer_query(query, "Attached", submitter)
    db.session.commit()
    assert query.status == "answered" and message.author_id == submitter.id
    assert open_queries(submitted) == [query, whole]
    close_query(query, reviewer)
    db.session.commit()
    assert query.status == "closed" and query.closed_by_id == reviewer.id
    assert open_queries(submitted) == [whole]
    with pytest.raises(ReviewError, match="closed"):
        answer_query(query, "Too late", submitter)
    with pytest.raises(ReviewError, match="already closed"):
        close_query(query, reviewer)


@pytest.mark.parametrize("question, body, message", [
    ("no_such_question", "Why?", "Select a question of this return"),
    (RATED, "   ", "Enter your query"),
    (RATED, "x" * 5001, "5,000 characters or fewer"),
])
def test_a_bad_query_changes_nothing(submitted, reviewer, question, body, message):
    before = _counts(submitted)
    with pytest.raises(ReviewError, match=message):
        raise_query(submitted, question, body, reviewer)
    db.session.rollback()
    assert _counts(submitted) == before


def test_a_query_needs_a_submitted_return(partnership, school, reviewer):
    from tests.returns.submission_builders import return_in_progress

    draft = return_in_progress(partnership, school)
    with pytest.raises(ReviewError, match="submitted"):
        raise_query(draft, None, "Why?", reviewer)


def test_moderation_needs_a_reason_and_agreeing_removes_it(submitted, reviewer):
    with pytest.raises(ReviewError, match="Enter the reason for changing the rating"):
        moderate(submitted, RATED, "amber", "  ", reviewer)
    db.session.rollback()
    assert Moderation.query.count() == 0
    moderation = moderate(submitted, RATED, "amber", "No minutes seen", reviewer)
    db.session.commit()
    assert (moderation.self_value, moderation.moderated_value) == ("green", "amber")
    assert moderation.reason == "No minutes seen"
    moderate(submitted, RATED, "red", "Not in post", reviewer)
    db.session.commit()
    assert [m.moderated_value for m in Moderation.query.all()] == ["red"]
    assert moderate(submitted, RATED, None, None, reviewer) is None
    db.session.commit()
    assert Moderation.query.count() == 0


@pytest.mark.parametrize("question, rating, message", [
    ("forged_answer", "amber", "Select a question of this return"),
    (RATED, "purple", "Select a rating from the scale"),
])
def test_a_forged_moderation_changes_nothing(submitted, reviewer, question, rating, message):
    before = _counts(submitted)
    with pytest.raises(ReviewError, match=message):
        moderate(submitted, question, rating, "Because", reviewer)
    db.session.rollback()
    assert _counts(submitted) == before


def test_return_for_changes_needs_an_open_query_and_emails_respondents(
        submitted, reviewer, submitter):
    with pytest.raises(ReviewError, match="Raise at least one query"):
        return_for_changes(submitted, reviewer)
    db.session.rollback()
    assert submitted.status == "submitted"
    raise_query(submitted, TRAINING, "How many were trained?", reviewer)
    outbox_before = OutboxMessage.query.filter_by(kind="review_returned").count()
    assert return_for_changes(submitted, reviewer) == 1
    db.session.commit()
    assert submitted.status == "returned"
    sent = OutboxMessage.query.filter_by(kind="review_returned").all()
    assert len(sent) == outbox_before + 1 and sent[-1].to_address == submitter.email
    assert "returned it for changes" in sent[-1].body_text
    with pytest.raises(ReviewError, match="Only a submitted return"):
        return_for_changes(submitted, reviewer)


def test_accept_countersigns_and_admin_reopens_with_a_reason(submitted, reviewer, admin):
    with pytest.raises(ReviewError, match="Enter your name"):
        accept(submitted, reviewer, "  ")
    db.session.rollback()
    assert submitted.status == "submitted" and submitted.countersigned_name is None
    accept(submitted, reviewer, "Sam Reviewer")
    db.session.commit()
    assert submitted.status == "accepted" and submitted.countersigned_name == "Sam Reviewer"
    assert submitted.accepted_at is not None and submitted.accepted_by_id == reviewer.id
    with pytest.raises(ReviewError, match="Only a submitted return can be accepted"):
        accept(submitted, reviewer, "Sam Reviewer")
    with pytest.raises(ReviewError, match="Enter the reason for reopening"):
        reopen(submitted, admin, "")
    db.session.rollback()
    assert submitted.status == "accepted"
    reopen(submitted, admin, "Headteacher changed")
    db.session.commit()
    assert submitted.status == "returned" and submitted.accepted_at is None
    assert submitted.events[-1].reason == "Headteacher changed"
    with pytest.raises(ReviewError, match="Only an accepted return can be reopened"):
        reopen(submitted, admin, "Again")


def test_history_hides_review_notes_from_the_organisation_until_returned(
        submitted, reviewer):
    raise_query(submitted, RATED, "Show the minutes", reviewer)
    moderate(submitted, RATED, "amber", "No minutes seen", reviewer)
    db.session.commit()
    db.session.expire(submitted, ["events"])
    staff_rows = history(submitted, staff=True)
    organisation_rows = history(submitted, staff=False)
    assert staff_rows[0]["what"].startswith("Rating moderated")
    assert staff_rows[0]["reason"] == "No minutes seen" and staff_rows[0]["who"] == "Sam Reviewer"
    assert organisation_rows[0]["reason"] == "" and organisation_rows[1]["reason"] == ""
    assert any(row["what"] == "Submitted" for row in organisation_rows)
    return_for_changes(submitted, reviewer)
    db.session.commit()
    db.session.expire(submitted, ["events"])
    rows = history(submitted, staff=False)
    assert rows[0]["what"] == "Returned for changes"
    assert any(row["reason"] == "No minutes seen" for row in rows)


def test_samples_are_reproducible_and_only_of_accepted_returns(
        partnership, school, submitter, reviewer, request_ctx):
    assert draw_ids(list(range(1, 41)), 25, "visit 2026") == \
        draw_ids(list(reversed(range(1, 41))), 25, "visit 2026")
    assert len(draw_ids(list(range(1, 41)), 25, "visit 2026")) == 10
    assert draw_ids(list(range(1, 41)), 25, "visit 2026") != draw_ids(
        list(range(1, 41)), 25, "another seed")
    first = submitted_return(partnership, school, submitter)
    with pytest.raises(ReviewError, match="no accepted returns"):
        draw_sample(first.cycle, "50", "seed", reviewer)
    accept(first, reviewer, "Sam Reviewer")
    db.session.commit()
    for bad, message in (("0", "between 1 and 100"), ("abc", "between 1 and 100"),
                         ("", "Enter the percentage")):
        with pytest.raises(ReviewError, match=message):
            draw_sample(first.cycle, bad, "seed", reviewer)
    with pytest.raises(ReviewError, match="Enter a seed"):
        draw_sample(first.cycle, "50", " ", reviewer)
    db.session.rollback()
    assert SpotCheckSample.query.count() == 0
    sample = draw_sample(first.cycle, "50%", "seed", reviewer)
    db.session.commit()
    assert sample.return_ids == [first.id] and sample.percentage == 50


def test_queue_counts_amber_and_red_answers_and_open_queries_in_scope(
        partnership, school, submitter, reviewer, make_user, request_ctx):
    from tests.returns.submission_builders import return_in_progress

    amber = submitted_return(partnership, school, submitter, rating="amber")
    raise_query(amber, RATED, "Why amber?", reviewer)
    raise_query(amber, None, "And overall?", reviewer)
    other_school = add_school(partnership, urn="100777", name="Elm Academy",
                              type_group="Academies")
    draft = return_in_progress(partnership, other_school, name="Other cycle")
    db.session.commit()
    roles = {"reviewer"}
    rows = review_queue.queue_rows(reviewer, partnership, roles, review_queue.QueueFilters(),
                                   today_london())
    assert [row.audit_return.id for row in rows] == [amber.id]
    assert rows[0].amber_red > 0 and rows[0].open_queries == 2
    counts = review_queue.status_counts(reviewer, partnership, roles)
    assert counts["submitted"] == 1 and counts["in_progress"] == 1
    by_type = review_queue.QueueFilters(status="in_progress", type_group="Academies")
    assert [row.audit_return.id for row in review_queue.queue_rows(
        reviewer, partnership, roles, by_type, today_london())] == [draft.id]
    # A reviewer assigned to another questionnaire sees none of these.
    other = make_user("reviewer", partnership, questionnaire_key="s11")
    assert review_queue.queue_rows(other, partnership, roles, review_queue.QueueFilters(),
                                   today_london()) == []
    # A reviewer assigned to one cycle sees its returns only.
    of_cycle = make_user("reviewer", partnership, cycle=draft.cycle)
    assert [row.audit_return.id for row in review_queue.queue_rows(
        of_cycle, partnership, roles, review_queue.QueueFilters(status="in_progress"),
        today_london())] == [draft.id]


def test_moderated_values_are_the_final_ratings_for_reports(submitted, reviewer):
    from audit_app.review.services import moderated_values

    assert moderated_values([submitted.id]) == {}
    moderate(submitted, RATED, "red", "Not in post", reviewer)
    moderate(submitted, TRAINING, "amber", "Two governors untrained", reviewer)
    db.session.commit()
    assert moderated_values([submitted.id]) == {(submitted.id, RATED): "red",
                                                (submitted.id, TRAINING): "amber"}
    assert moderated_values([]) == {}


def test_the_overdue_filter_finds_unsubmitted_returns_past_their_due_date(
        partnership, school, reviewer, request_ctx):
    from tests.returns.submission_builders import return_in_progress

    late = return_in_progress(partnership, school, name="Late cycle", due_in_days=-5)
    on_time = return_in_progress(partnership, add_school(partnership, urn="100888"),
                                 name="On time cycle", due_in_days=5)
    db.session.commit()
    rows = review_queue.queue_rows(reviewer, partnership, {"reviewer"},
                                   review_queue.QueueFilters(overdue=True), today_london())
    assert [row.audit_return.id for row in rows] == [late.id] and rows[0].overdue
    late.extension_until = today_london()
    db.session.commit()
    assert review_queue.queue_rows(reviewer, partnership, {"reviewer"},
                                   review_queue.QueueFilters(overdue=True),
                                   today_london()) == []
    assert on_time.id not in [row.audit_return.id for row in rows]
