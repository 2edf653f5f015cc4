"""The content of a submission: the return as it stands, as data (answers with display
text and scores, evidence with SHA-256, actions, the declaration and its approvals, the
status history), and the approvals the return needs."""
import hashlib
import json
from dataclasses import dataclass
from datetime import date

from ..questionnaires.definition import Definition, Question
from ..questionnaires.scoring import score_answer
from ..timeutil import format_date
from .actions import actions_of
from .evidence import evidence_of
from .models import Approval
from .services import ReturnContext, stored_answers


@dataclass
class ApprovalSlot:
    """An approval the declaration needs from this organisation, and its record if any."""
    id: str
    label: str
    hint: str | None
    recorded: Approval | None = None

    @property
    def who(self) -> str:
        return self.label[:1].lower() + self.label[1:]


def definition_of(audit_return) -> Definition:
    return Definition.of(audit_return.cycle.questionnaire_version)


def approval_slots(audit_return) -> list[ApprovalSlot]:
    """The approvals this return needs (from the definition's declaration for its
    organisation), in order, each with what has been recorded."""
    recorded = {approval.approval_key: approval
                for approval in Approval.query.filter_by(return_id=audit_return.id)}
    context = ReturnContext.of(audit_return)
    needed = context.definition.approvals_for(context.org)
    return [ApprovalSlot(item.id, item.label, item.hint, recorded.get(item.id))
            for item in needed]


# The content of a submission ----------------------------------------------------------

def _iso(value) -> str | None:
    return value.isoformat() if value is not None else None


def answer_text(question: Question, value) -> str | None:
    """An answer as a person reads it: option labels, '3 March 2026', '12 referrals'."""
    chosen = question.read(value)
    if chosen is None:
        return None
    if isinstance(chosen, list):
        return "; ".join(question.option(item).label for item in chosen)
    if question.options:
        return question.option(chosen).label
    if isinstance(chosen, date):
        return format_date(chosen)
    if question.type_name == "number":
        return f"{chosen:,}" + (f" {question.unit}" if question.unit else "")
    return str(chosen)


def _question_content(question: Question, value, comment) -> dict:
    scored = score_answer(question, value)
    return {
        "id": question.id, "text": question.text, "ref": question.ref,
        "type": question.type_name, "required": question.required,
        "value": question.type.serialise(value), "answer": answer_text(question, value),
        "comment": (comment or "").strip() or None,
        "score": scored.achieved if scored else None,
        "maximum": scored.maximum if scored else None,
        "compliant": scored.compliant if scored else None,
        "excluded": bool(scored and scored.excluded),
    }


def _organisation_content(audit_return) -> dict:
    organisation = audit_return.organisation
    locality = next((membership.locality for membership in organisation.memberships
                     if membership.partnership_id == audit_return.cycle.partnership_id), None)
    fields = ("id", "name", "kind", "urn", "code", "establishment_type", "type_group", "phase",
              "legal_basis", "la_name", "sector", "duty_basis")
    return {**{name: getattr(organisation, name) for name in fields}, "locality": locality}


def _history_content(audit_return) -> list[dict]:
    return [{"at": _iso(event.created_at), "kind": event.kind, "from": event.from_status,
             "to": event.to_status, "reason": event.reason,
             "by": event.actor.name if event.actor is not None else None}
            for event in audit_return.events]


def snapshot(audit_return, *, number: int | None = None, submitted_at=None,
             submitted_by=None) -> dict:
    """The return as it stands, as data: what a submission stores, and what the check page
    and the draft PDF show. Only what applies to the organisation is included: answers of
    visible questions (with display text, score and comment), their evidence (with
    SHA-256) and actions, the declaration with its approvals, and the status history."""
    context = ReturnContext.of(audit_return)
    stored = stored_answers(audit_return.id)
    visibility = context.definition.visibility(context.org, stored.values)
    visible = {question.id for question in visibility.questions}
    cycle, version = audit_return.cycle, audit_return.cycle.questionnaire_version
    sections = []
    for section in visibility.sections:
        questions = [_question_content(question, visibility.answers.get(question.id),
                                       stored.comments.get(question.id))
                     for question in visibility.questions if question.section is section]
        if questions:
            sections.append({"id": section.id, "title": section.title, "questions": questions})
    return {
        "format": 1, "return_id": audit_return.id, "number": number,
        "submitted_at": _iso(submitted_at),
        "submitted_by": {"name": submitted_by.name, "email": submitted_by.email}
        if submitted_by is not None else None,
        "partnership": {"name": cycle.partnership.name},
        "organisation": _organisation_content(audit_return),
        "cycle": {"id": cycle.id, "name": cycle.name, "open_date": _iso(cycle.open_date),
                  "due_date": _iso(cycle.due_date),
                  "final_deadline": _iso(cycle.final_deadline),
                  "extension_until": _iso(audit_return.extension_until)},
        "questionnaire": {"id": version.questionnaire_key, "version": version.version,
                          "title": version.title, "sha256": version.sha256},
        "sections": sections,
        "evidence": [{"question_id": item.question_key, "kind": item.kind,
                      "reference": item.reference, "file_name": item.original_name,
                      "content_type": item.content_type, "size": item.size,
                      "sha256": item.sha256, "added_at": _iso(item.uploaded_at)}
                     for item in evidence_of(audit_return.id, visible)],
        "actions": [{"question_id": item.question_key, "description": item.description,
                     "owner": item.owner, "target_date": _iso(item.target_date),
                     "status": item.status, "progress_note": item.progress_note}
                    for item in actions_of(audit_return.id)
                    if item.question_key is None or item.question_key in visible],
        "declaration": {
            "text": context.definition.declaration_text,
            "approvals": [{"id": slot.id, "label": slot.label,
                           "name": slot.recorded.approver_name if slot.recorded else None,
                           "role": slot.recorded.approver_role if slot.recorded else None,
                           "approved_on": _iso(slot.recorded.approved_on)
                           if slot.recorded else None}
                          for slot in approval_slots(audit_return)]},
        "history": _history_content(audit_return),
    }


def content_sha256(content: dict) -> str:
    canonical = json.dumps(content, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
    return hashlib.sha256(canonical.encode("utf-8")).hexdigest()


def content_questions(content: dict) -> dict[str, dict]:
    """The answers of a stored submission's content by question id, in the order they
    were asked, each with its section's title."""
    return {question["id"]: {**question, "section_title": section.get("title")}
            for section in content.get("sections", [])
            for question in section.get("questions", [])}
