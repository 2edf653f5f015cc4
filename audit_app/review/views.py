"""What the review pages show, worked out here so that templates hold no logic."""
from dataclasses import dataclass, field
from datetime import date

from flask import url_for

from ..auth.models import User
from ..cycles.models import AuditReturn
from ..cycles.views import history_rows as cycle_history_rows
from ..questionnaires.definition import Definition
from ..returns.evidence import evidence_of
from .models import Moderation, ReviewQuery
from .services import latest_submission, queries_by_question

QUERY_TAGS = {
    "open": {"text": "Open", "classes": "govuk-tag--orange"},
    "answered": {"text": "Answered", "classes": "govuk-tag--blue"},
    "closed": {"text": "Closed", "classes": "govuk-tag--grey"},
}
# Review events whose words are notes to the organisation: shown to it only once the
# return has been returned or accepted.
REVIEW_NOTE_KINDS = ("moderated", "moderation_removed", "query_raised", "query_closed")
REVIEW_EVENT_WORDS = {
    "moderated": "Rating moderated",
    "moderation_removed": "Moderated rating removed: the self-rating stands",
    "query_raised": "Query raised",
    "query_answered": "Query answered",
    "query_closed": "Query closed",
}


@dataclass
class ReviewAnswer:
    id: str
    text: str
    ref: str | None
    section: str
    answer: str | None
    value: object
    comment: str | None
    scored: bool
    rating_options: list = field(default_factory=list)
    moderation: Moderation | None = None
    moderated_label: str | None = None
    # Set when the moderation was given to an earlier answer that a resubmission changed: it
    # no longer counts (reports use the self-rating) until the reviewer moderates again.
    moderation_note: str | None = None
    evidence: list = field(default_factory=list)
    actions: list = field(default_factory=list)
    queries: list = field(default_factory=list)


OUTDATED_MODERATION = ("Given to an earlier answer that the organisation has since changed, so "
                       "it no longer counts: rate this answer again if you disagree with it.")


def _evidence_links(audit_return: AuditReturn, content_evidence: list[dict]) -> dict:
    """Evidence of the submission by question, each file with a download link to the live
    upload it was submitted from (matched by SHA-256)."""
    uploads = {(item.question_key, item.sha256): item
               for item in evidence_of(audit_return.id) if item.kind == "file"}
    found: dict[str, list] = {}
    for item in content_evidence:
        upload = uploads.get((item["question_id"], item.get("sha256")))
        link = url_for("returns.download_evidence", return_id=audit_return.id,
                       evidence_id=upload.id) if upload is not None else None
        found.setdefault(item["question_id"], []).append(
            {"label": item.get("file_name") or item.get("reference"), "link": link,
             "sha256": item.get("sha256")})
    return found


def review_answers(audit_return: AuditReturn) -> list[ReviewAnswer]:
    """Every answer of the latest submission, with its moderation, evidence, actions and
    queries."""
    submission = latest_submission(audit_return)
    if submission is None:
        return []
    definition = Definition.of(audit_return.cycle.questionnaire_version)
    moderations = {item.question_key: item
                   for item in Moderation.query.filter_by(return_id=audit_return.id)}
    queries = queries_by_question(audit_return)
    evidence = _evidence_links(audit_return, submission.content.get("evidence", []))
    actions: dict[str, list] = {}
    for item in submission.content.get("actions", []):
        target = item.get("target_date")
        actions.setdefault(item["question_id"], []).append(
            {**item, "target_date": date.fromisoformat(target) if target else None})
    rows = []
    for section in submission.content.get("sections", []):
        for item in section["questions"]:
            question = definition.question(item["id"]) \
                if definition.has_question(item["id"]) else None
            scored = bool(question and question.scored)
            moderation = moderations.get(item["id"])
            moderated = question.option(moderation.moderated_value) \
                if moderation is not None and question is not None else None
            rows.append(ReviewAnswer(
                id=item["id"], text=item["text"], ref=item.get("ref"),
                section=section["title"], answer=item.get("answer"), value=item.get("value"),
                comment=item.get("comment"), scored=scored,
                rating_options=[(option.value, option.label) for option in question.options]
                if scored else [],
                moderation=moderation,
                moderated_label=moderated.label if moderated else None,
                moderation_note=OUTDATED_MODERATION if moderation is not None
                and moderation.self_value != item.get("value") else None,
                evidence=evidence.get(item["id"], []), actions=actions.get(item["id"], []),
                queries=queries.get(item["id"], [])))
    return rows


def query_threads(queries: list[ReviewQuery]) -> list[dict]:
    """Each query with its messages and their authors' names."""
    author_ids = {message.author_id for query in queries for message in query.messages}
    names = {user.id: user.name for user in User.query.filter(User.id.in_(author_ids))} \
        if author_ids else {}
    return [{"query": query, "tag": QUERY_TAGS[query.status],
             "messages": [{"body": message.body, "at": message.created_at,
                           "by": names.get(message.author_id, "Unknown")}
                          for message in query.messages]}
            for query in queries]


def _review_words(event) -> str:
    detail = event.detail or {}
    words = REVIEW_EVENT_WORDS.get(event.kind)
    if words is None:
        return event.kind.replace("_", " ").capitalize()
    if event.kind == "moderated":
        words += f": {detail.get('question')} from {detail.get('from')} to {detail.get('to')}"
    elif detail.get("question"):
        words += f" on {detail['question']}"
    return words


def history(audit_return: AuditReturn, *, staff: bool) -> list[dict]:
    """Every state change and review event, newest first (who, when, what, why). The
    organisation sees the reviewer's notes only once the return is returned or accepted."""
    shows_notes = staff or audit_return.status in ("returned", "accepted")
    rows = cycle_history_rows(audit_return)
    for row, event in zip(rows, reversed(audit_return.events)):
        if event.kind in REVIEW_EVENT_WORDS:
            row["what"] = _review_words(event)
        elif event.kind == "transition" and event.to_status == "accepted":
            name = (event.detail or {}).get("countersigned_name")
            if name:
                row["what"] += f", countersigned by {name}"
        if event.kind in REVIEW_NOTE_KINDS and not shows_notes:
            row["reason"] = ""
    return rows
