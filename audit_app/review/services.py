"""The reviewer's work on a return: queries to the organisation, moderated ratings and the
decisions (return for changes, accept, reopen). Each function checks the return's state and
its input before it changes anything; the caller commits, or rolls back on ReviewError."""
from collections import defaultdict


from ..audit_log.services import record
from ..cycles.invitations import respondents_by_organisation, return_link
from ..cycles.models import AuditReturn, ReturnEvent
from ..cycles.transitions import TransitionError, transition
from ..extensions import db
from ..mail.services import queue_email
from ..questionnaires.definition import Definition
from ..returns.models import Submission
from ..returns.submission_content import content_questions
from ..timeutil import utcnow
from .models import Moderation, QueryMessage, ReviewQuery

MAX_TEXT_LENGTH = 5000
MAX_NAME_LENGTH = 200
OPEN_QUERY_STATUSES = ("open", "answered")


class ReviewError(ValueError):
    """The review step cannot be taken; the message says why, in words for the person."""


# Reading the latest submission ---------------------------------------------------------

def latest_submission(audit_return: AuditReturn) -> Submission | None:
    if not audit_return.latest_submission_number:
        return None
    return Submission.query.filter_by(return_id=audit_return.id,
                                      number=audit_return.latest_submission_number).first()


def submitted_questions(submission: Submission | None) -> dict[str, dict]:
    """The answers of a submission by question id, in the order they were asked."""
    return content_questions(submission.content) if submission is not None else {}


def _clean_text(body: str | None, missing: str) -> str:
    text = (body or "").strip()
    if not text:
        raise ReviewError(missing)
    if len(text) > MAX_TEXT_LENGTH:
        raise ReviewError(f"The text must be {MAX_TEXT_LENGTH:,} characters or fewer")
    return text


def _event(audit_return, kind: str, actor, detail: dict, reason: str | None = None):
    db.session.add(ReturnEvent(audit_return=audit_return, kind=kind, reason=reason,
                               detail=detail, actor_id=getattr(actor, "id", None)))


# Queries ---------------------------------------------------------------------------------

def raise_query(audit_return: AuditReturn, question_key: str | None, body: str,
                reviewer) -> ReviewQuery:
    """A query to the organisation about one answer of the latest submission, or about the
    whole return when ``question_key`` is None."""
    if audit_return.status != "submitted":
        raise ReviewError("You can only raise a query on a return that has been submitted "
                          "and is waiting for review")
    text = _clean_text(body, "Enter your query")
    submission = latest_submission(audit_return)
    if question_key is not None and question_key not in submitted_questions(submission):
        raise ReviewError("Select a question of this return")
    query = ReviewQuery(return_id=audit_return.id, question_key=question_key, status="open",
                        submission_number=audit_return.latest_submission_number,
                        raised_by_id=reviewer.id, raised_at=utcnow())
    query.messages.append(QueryMessage(author_id=reviewer.id, body=text))
    db.session.add(query)
    db.session.flush()
    _event(audit_return, "query_raised", reviewer,
           {"query_id": query.id, "question": question_key}, reason=text)
    record("review.query_raised", obj=audit_return, actor=reviewer,
           partnership=audit_return.cycle.partnership,
           detail={"query_id": query.id, "question": question_key})
    return query


def answer_query(query: ReviewQuery, body: str, respondent) -> QueryMessage:
    """The organisation's reply to a query; the query is then ``answered``."""
    if query.status == "closed":
        raise ReviewError("This query has been closed, so it cannot be answered")
    text = _clean_text(body, "Enter your answer to the query")
    message = QueryMessage(author_id=respondent.id, body=text)
    query.messages.append(message)
    query.status = "answered"
    db.session.flush()
    audit_return = db.session.get(AuditReturn, query.return_id)
    _event(audit_return, "query_answered", respondent, {"query_id": query.id,
                                                        "question": query.question_key})
    record("review.query_answered", obj=audit_return, actor=respondent,
           partnership=audit_return.cycle.partnership, detail={"query_id": query.id})
    return message


def close_query(query: ReviewQuery, reviewer) -> None:
    if query.status == "closed":
        raise ReviewError("This query is already closed")
    query.status = "closed"
    query.closed_by_id = reviewer.id
    query.closed_at = utcnow()
    audit_return = db.session.get(AuditReturn, query.return_id)
    _event(audit_return, "query_closed", reviewer, {"query_id": query.id,
                                                    "question": query.question_key})
    record("review.query_closed", obj=audit_return, actor=reviewer,
           partnership=audit_return.cycle.partnership, detail={"query_id": query.id})


def all_queries(audit_return: AuditReturn) -> list[ReviewQuery]:
    return ReviewQuery.query.filter_by(return_id=audit_return.id) \
        .order_by(ReviewQuery.raised_at, ReviewQuery.id).all()


def open_queries(audit_return: AuditReturn) -> list[ReviewQuery]:
    """Queries still waiting for the reviewer: open, or answered and not yet closed."""
    return [query for query in all_queries(audit_return)
            if query.status in OPEN_QUERY_STATUSES]


def queries_by_question(audit_return: AuditReturn) -> dict[str | None, list[ReviewQuery]]:
    """Every query of the return by question id (None: about the whole return)."""
    grouped: dict[str | None, list[ReviewQuery]] = defaultdict(list)
    for query in all_queries(audit_return):
        grouped[query.question_key].append(query)
    return dict(grouped)


# Moderation ------------------------------------------------------------------------------

def moderations_of(audit_return: AuditReturn) -> dict[str, Moderation]:
    return {item.question_key: item
            for item in Moderation.query.filter_by(return_id=audit_return.id)}


def moderate(audit_return: AuditReturn, question_key: str, rating: str | None,
             reason: str | None, reviewer) -> Moderation | None:
    """Agree with the self-rating (``rating`` None or equal to it: any earlier moderation
    is removed) or set a moderated rating, which needs a reason."""
    if audit_return.status != "submitted":
        raise ReviewError("You can only moderate a return that has been submitted and is "
                          "waiting for review")
    submission = latest_submission(audit_return)
    submitted = submitted_questions(submission).get(question_key)
    if submitted is None:
        raise ReviewError("Select a question of this return")
    question = Definition.of(audit_return.cycle.questionnaire_version).question(question_key)
    if not question.scored:
        raise ReviewError("Only rated answers can be moderated")
    existing = Moderation.query.filter_by(return_id=audit_return.id,
                                          question_key=question_key).one_or_none()
    if not rating or rating == submitted["value"]:
        if existing is not None:
            db.session.delete(existing)
            _event(audit_return, "moderation_removed", reviewer, {"question": question_key})
            record("review.moderation_removed", obj=audit_return, actor=reviewer,
                   partnership=audit_return.cycle.partnership,
                   detail={"question": question_key})
        return None
    if question.option(rating) is None:
        raise ReviewError("Select a rating from the scale")
    text = _clean_text(reason, "Enter the reason for changing the rating")
    moderation = existing or Moderation(return_id=audit_return.id, question_key=question_key)
    moderation.submission_id = submission.id
    moderation.self_value = submitted["value"]
    moderation.moderated_value = rating
    moderation.reason = text
    moderation.reviewer_id = reviewer.id
    db.session.add(moderation)
    detail = {"question": question_key, "from": submitted["value"], "to": rating}
    _event(audit_return, "moderated", reviewer, detail, reason=text)
    record("review.moderated", obj=audit_return, actor=reviewer,
           partnership=audit_return.cycle.partnership, detail=detail)
    return moderation


# Decisions -------------------------------------------------------------------------------

def _move(audit_return, to_status: str, actor, reason=None, detail=None):
    try:
        return transition(audit_return, to_status, actor=actor, reason=reason, detail=detail)
    except TransitionError as error:
        raise ReviewError(str(error)) from error


def return_for_changes(audit_return: AuditReturn, reviewer) -> int:
    """Send the return back to the organisation with its open queries, and email its
    respondents. Returns how many emails were queued."""
    if audit_return.status != "submitted":
        raise ReviewError("Only a submitted return can be returned for changes")
    queries = open_queries(audit_return)
    if not queries:
        raise ReviewError("Raise at least one query before returning this return for "
                          "changes")
    _move(audit_return, "returned", reviewer, detail={"open_queries": len(queries)})
    return _email_respondents(audit_return, len(queries))


def _email_respondents(audit_return: AuditReturn, query_count: int) -> int:
    partnership = audit_return.cycle.partnership
    people = respondents_by_organisation(partnership, [audit_return.organisation_id])
    context = {"organisation": audit_return.organisation, "cycle": audit_return.cycle,
               "query_count": query_count, "link": return_link(audit_return),
               "partnership": partnership}
    subject = f"Your safeguarding self-audit has been returned for changes: {audit_return.cycle.name}"
    recipients = people.get(audit_return.organisation_id, [])
    for user in recipients:
        queue_email(user.email, subject, "review_returned", kind="review_returned",
                    partnership=partnership, return_id=audit_return.id, **{
                        key: value for key, value in context.items() if key != "partnership"})
    return len(recipients)


def accept(audit_return: AuditReturn, reviewer, countersigned_name: str | None) -> None:
    """Accept the return, countersigned with the reviewer's name (the date is stamped)."""
    if audit_return.status != "submitted":
        raise ReviewError("Only a submitted return can be accepted")
    name = (countersigned_name or "").strip()
    if not name:
        raise ReviewError("Enter your name to countersign the return")
    if len(name) > MAX_NAME_LENGTH:
        raise ReviewError(f"Your name must be {MAX_NAME_LENGTH} characters or fewer")
    _move(audit_return, "accepted", reviewer, detail={"countersigned_name": name})
    audit_return.countersigned_name = name


def reopen(audit_return: AuditReturn, admin, reason: str | None) -> None:
    """An admin sends an accepted return back to the organisation, with a reason."""
    if audit_return.status != "accepted":
        raise ReviewError("Only an accepted return can be reopened")
    text = _clean_text(reason, "Enter the reason for reopening this return")
    _move(audit_return, "returned", admin, reason=text)
    audit_return.countersigned_name = None


def moderated_values(return_ids) -> dict[tuple[int, str], str]:
    """The reviewers' ratings by (return id, question id), in one query: for reports, the
    final rating is this where present, else the self-rating."""
    ids = list(return_ids)
    if not ids:
        return {}
    return {(item.return_id, item.question_key): item.moderated_value
            for item in Moderation.query.filter(Moderation.return_id.in_(ids))}
