"""The organisation's side of queries, without HTTP: what it sees, grouped by question,
and replying (with every refusal changing nothing)."""
from datetime import timedelta

import pytest

from audit_app.extensions import db
from audit_app.returns.submission import submit
from audit_app.review.respondent import (QueryNotFound, ReplyRefused, latest_changes,
                                         query_of, reply_to_query, respondent_queries)
from audit_app.review.services import close_query, raise_query, return_for_changes
from audit_app.timeutil import today_london
from tests.fixtures import add_school
from tests.returns.conftest import make_return
from tests.returns.submission_builders import make_ready_return, make_submitter, set_answer

QUESTION = "training_staff_trained_count"


@pytest.fixture
def people(partnership, school, make_user):
    return {"submitter": make_submitter(make_user, partnership, school),
            "reviewer": make_user("reviewer", partnership, name="Sam Reviewer")}


@pytest.fixture
def request_ctx(app):
    """Submitting queues emails with links, which need a request context."""
    with app.test_request_context():
        yield


@pytest.fixture
def submitted(partnership, school, people, request_ctx):
    audit_return = make_ready_return(partnership, school, people["submitter"])
    submit(audit_return, people["submitter"], True, audit_return.lock_version)
    db.session.commit()
    return audit_return


def send_back(audit_return, people, *questions):
    queries = [raise_query(audit_return, key, f"About {key}", people["reviewer"])
               for key in questions]
    return_for_changes(audit_return, people["reviewer"])
    db.session.commit()
    return queries


def test_nothing_is_shown_before_the_return_is_returned(submitted, people):
    raise_query(submitted, QUESTION, "Draft note", people["reviewer"])
    db.session.commit()
    shown = respondent_queries(submitted)
    assert shown.all == [] and not shown.can_reply


def test_queries_are_grouped_by_question_with_their_threads(submitted, people):
    on_question, whole, closed = send_back(submitted, people, QUESTION, None, QUESTION)
    close_query(closed, people["reviewer"])
    db.session.commit()
    shown = respondent_queries(submitted)
    assert shown.can_reply
    assert [thread.id for thread in shown.for_question(QUESTION)] == [on_question.id]
    assert [thread.id for thread in shown.for_question(None)] == [whole.id]
    assert shown.for_question("no_such_question") == []
    thread = shown.for_question(QUESTION)[0]
    assert thread.question_text.startswith("Number of staff")
    assert thread.section_id and thread.messages[0].from_reviewer
    assert thread.messages[0].author == "Sam Reviewer (reviewer)"
    assert shown.for_question(None)[0].question_text is None
    assert shown.waiting == 2


def test_a_reply_answers_the_query(submitted, people):
    [query] = send_back(submitted, people, QUESTION)
    reply_to_query(submitted, query.id, "  Corrected to 45  ", people["submitter"])
    db.session.commit()
    assert query.status == "answered"
    assert query.messages[-1].body == "Corrected to 45"
    thread = respondent_queries(submitted).for_question(QUESTION)[0]
    assert thread.answered and not thread.messages[-1].from_reviewer
    assert respondent_queries(submitted).waiting == 0


@pytest.mark.parametrize("body, message", [
    ("", "Enter your answer to the query"), (None, "Enter your answer to the query"),
    ("x" * 5001, "The text must be 5,000 characters or fewer"),
], ids=["empty", "missing", "too-long"])
def test_a_bad_reply_is_refused(submitted, people, body, message):
    [query] = send_back(submitted, people, QUESTION)
    with pytest.raises(ReplyRefused, match=message):
        reply_to_query(submitted, query.id, body, people["submitter"])
    db.session.rollback()
    assert query.status == "open" and len(query.messages) == 1


def test_a_forged_or_closed_or_foreign_query_is_not_found(submitted, people, partnership,
                                                          make_user):
    [query] = send_back(submitted, people, QUESTION)
    with pytest.raises(QueryNotFound):
        reply_to_query(submitted, query.id + 999, "Reply", people["submitter"])
    other_return = make_return(submitted.cycle, add_school(partnership, urn="100777"))
    with pytest.raises(QueryNotFound):
        query_of(other_return, query.id)
    close_query(query, people["reviewer"])
    db.session.commit()
    with pytest.raises(QueryNotFound):
        reply_to_query(submitted, query.id, "Reply", people["submitter"])
    assert len(query.messages) == 1


def test_a_returned_return_can_be_answered_after_the_final_deadline(submitted, people):
    [query] = send_back(submitted, people, QUESTION)
    cycle = submitted.cycle
    cycle.open_date = today_london() - timedelta(days=40)
    cycle.due_date = today_london() - timedelta(days=20)
    cycle.final_deadline = today_london() - timedelta(days=10)
    db.session.commit()
    assert respondent_queries(submitted).can_reply
    reply_to_query(submitted, query.id, "Reply", people["submitter"])
    assert query.status == "answered"


def test_no_reply_once_the_cycle_has_closed(submitted, people):
    [query] = send_back(submitted, people, QUESTION)
    submitted.cycle.status = "closed"
    db.session.commit()
    assert not respondent_queries(submitted).can_reply
    with pytest.raises(ReplyRefused, match="cycle has closed"):
        reply_to_query(submitted, query.id, "Reply", people["submitter"])
    db.session.rollback()
    assert query.status == "open"


def test_latest_changes_compares_the_last_two_submissions(submitted, people):
    assert latest_changes(submitted).diff is None
    send_back(submitted, people, QUESTION)
    set_answer(submitted, QUESTION, "45")
    db.session.commit()
    submit(submitted, people["submitter"], True, submitted.lock_version)
    db.session.commit()
    found = latest_changes(submitted)
    assert (found.older.number, found.newer.number) == (1, 2)
    assert [item.question_id for item in found.diff.questions] == [QUESTION]
    assert found.diff.questions[0].answer.new_text == "45 staff"
