"""The organisation's side of a returned return: the reviewer's queries, grouped by the
question they are about, with their threads; replying to a query; and, for reviewers, what
changed between the last two submissions."""
from dataclasses import dataclass, field

from ..auth.models import User
from ..extensions import db
from ..questionnaires.definition import Definition
from ..returns.models import Submission
from ..returns.services import lock_reason
from .diff import SubmissionDiff, diff_submissions
from .models import ReviewQuery
from .services import ReviewError, answer_query, queries_by_question

# The organisation sees the reviewer's queries once the return has been sent back to it;
# before that they are the reviewer's working notes.
VISIBLE_STATUSES = ("returned",)


class ReplyRefused(ValueError):
    """The reply cannot be recorded; the message says why, in words for the person."""


class QueryNotFound(LookupError):
    """No such query on this return (a forged or stale id)."""


@dataclass(frozen=True)
class ThreadMessage:
    author: str
    from_reviewer: bool
    body: str
    created_at: object


@dataclass
class QueryThread:
    query: ReviewQuery
    messages: list[ThreadMessage]
    question_text: str | None = None
    section_id: str | None = None

    @property
    def id(self) -> int:
        return self.query.id

    @property
    def answered(self) -> bool:
        return self.query.status == "answered"


@dataclass
class RespondentQueries:
    """The queries an organisation can see on its return, by question id (None: the whole
    return), and whether it can reply now."""
    by_question: dict = field(default_factory=dict)
    can_reply: bool = False

    def for_question(self, question_id: str | None) -> list[QueryThread]:
        return self.by_question.get(question_id, [])

    @property
    def all(self) -> list[QueryThread]:
        return [thread for threads in self.by_question.values() for thread in threads]

    @property
    def waiting(self) -> int:
        """How many queries have no reply from the organisation yet."""
        return sum(1 for thread in self.all if thread.query.status == "open")


def _authors(queries: list[ReviewQuery]) -> dict[int, User]:
    ids = {message.author_id for query in queries for message in query.messages
           if message.author_id is not None}
    if not ids:
        return {}
    return {user.id: user for user in User.query.filter(User.id.in_(ids))}


def _thread(query: ReviewQuery, authors: dict, definition: Definition) -> QueryThread:
    messages = []
    for message in query.messages:
        author = authors.get(message.author_id)
        from_reviewer = message.author_id == query.raised_by_id
        name = author.name if author is not None else "Unknown"
        messages.append(ThreadMessage(f"{name} (reviewer)" if from_reviewer else name,
                                      from_reviewer, message.body, message.created_at))
    thread = QueryThread(query, messages)
    if query.question_key and definition.has_question(query.question_key):
        question = definition.question(query.question_key)
        thread.question_text, thread.section_id = question.text, question.section.id
    return thread


def respondent_queries(audit_return) -> RespondentQueries:
    """The queries the organisation sees on its return (those not closed, once the return
    has been returned for changes), grouped by question, each with its thread."""
    if audit_return.status not in VISIBLE_STATUSES:
        return RespondentQueries()
    grouped = {key: [query for query in queries if query.status != "closed"]
               for key, queries in queries_by_question(audit_return).items()}
    grouped = {key: queries for key, queries in grouped.items() if queries}
    authors = _authors([query for queries in grouped.values() for query in queries])
    definition = Definition.of(audit_return.cycle.questionnaire_version)
    return RespondentQueries(
        {key: [_thread(query, authors, definition) for query in queries]
         for key, queries in grouped.items()},
        can_reply=lock_reason(audit_return) is None)


def query_of(audit_return, query_id: int) -> ReviewQuery:
    """A query of this return that the organisation can see; QueryNotFound otherwise."""
    query = db.session.get(ReviewQuery, query_id)
    if (query is None or query.return_id != audit_return.id
            or audit_return.status not in VISIBLE_STATUSES or query.status == "closed"):
        raise QueryNotFound()
    return query


def thread_of(audit_return, query: ReviewQuery) -> QueryThread:
    definition = Definition.of(audit_return.cycle.questionnaire_version)
    return _thread(query, _authors([query]), definition)


def reply_to_query(audit_return, query_id: int, body: str | None, respondent):
    """Record the organisation's reply to one of the queries on its returned return. The
    caller commits, or rolls back on ReplyRefused (nothing is then changed)."""
    query = query_of(audit_return, query_id)
    locked = lock_reason(audit_return)
    if locked:
        raise ReplyRefused(locked)
    try:
        return answer_query(query, body or "", respondent)
    except ReviewError as error:
        raise ReplyRefused(str(error)) from error


# What changed, for the reviewer ----------------------------------------------------------

@dataclass
class LatestChanges:
    older: Submission | None
    newer: Submission | None
    diff: SubmissionDiff | None


def latest_changes(audit_return) -> LatestChanges:
    """The difference between the return's last two submissions (diff None when there are
    fewer than two)."""
    newer, older = (Submission.query.filter_by(return_id=audit_return.id)
                    .order_by(Submission.number.desc()).limit(2).all() + [None, None])[:2]
    if newer is None or older is None:
        return LatestChanges(older, newer, None)
    return LatestChanges(older, newer, diff_submissions(older, newer))
