"""A return's live draft as the journey reads it: the return with its stored definition and
organisation, its stored answers (in one query), which questions have evidence or actions,
and what is still missing before a section (or the return) is complete."""
from dataclasses import dataclass, field

import sqlalchemy as sa

from ..cycles.models import AuditReturn
from ..extensions import db
from ..questionnaires.conditions import organisation_attributes
from ..questionnaires.definition import Definition, Question
from ..questionnaires.forms import comment_problem, unmet_requirements
from .concurrency import comment_key, normalise, question_of
from .models import ActionItem, Answer, Evidence, SectionState


class JourneyError(Exception):
    """The change cannot be made; the message says why, in words for the person."""


class SectionUnavailable(JourneyError):
    """No such section, or it does not apply to the organisation."""


@dataclass(frozen=True)
class Problem:
    """Something wrong with an answer, and the id of the page element where it is fixed."""
    question_id: str
    kind: str         # answer, comment, evidence or action
    message: str

    @property
    def anchor(self) -> str:
        return {"answer": self.question_id, "comment": comment_key(self.question_id),
                "evidence": f"{self.question_id}-evidence",
                "action": f"{self.question_id}-actions"}[self.kind]


@dataclass
class ReturnContext:
    """A return with what its pages need from the cycle: the stored definition and the
    organisation's attributes (as conditions name them)."""
    audit_return: AuditReturn
    definition: Definition
    org: dict

    @classmethod
    def of(cls, audit_return: AuditReturn) -> "ReturnContext":
        return cls(audit_return, Definition.of(audit_return.cycle.questionnaire_version),
                   organisation_attributes(audit_return.organisation))

    def section(self, section_id: str):
        try:
            return self.definition.section(section_id)
        except KeyError:
            raise SectionUnavailable("This section is not part of this audit") from None


@dataclass
class StoredAnswers:
    """A return's stored answers, read in one query."""
    rows: dict = field(default_factory=dict)       # question id -> Answer

    @property
    def values(self) -> dict:
        return {key: row.value for key, row in self.rows.items()}

    @property
    def comments(self) -> dict:
        return {key: row.comment for key, row in self.rows.items()}

    def fields_of(self, questions) -> dict:
        """The fields (answer and comment boxes) of these questions as stored."""
        fields = {}
        for key in question_fields(questions):
            row = self.rows.get(question_of(key))
            stored = None if row is None else row.value if key == row.question_key \
                else row.comment
            fields[key] = normalise(stored)
        return fields


def question_fields(questions) -> list[str]:
    """The field keys of these questions: each answer, and its comment box if it has one."""
    keys = []
    for question in questions:
        keys.append(question.id)
        if question.comment != "none":
            keys.append(comment_key(question.id))
    return keys


def stored_answers(return_id: int, section_id: str | None = None) -> StoredAnswers:
    """The return's answers (or one section's), in one query, fresh from the database."""
    query = Answer.query.filter_by(return_id=return_id)
    if section_id is not None:
        query = query.filter_by(section_key=section_id)
    rows = query.execution_options(populate_existing=True).all()
    return StoredAnswers({row.question_key: row for row in rows})


def evidence_keys(return_id: int) -> set[str]:
    """Questions that have evidence (not removed)."""
    return set(db.session.scalars(
        sa.select(Evidence.question_key).distinct()
        .where(Evidence.return_id == return_id, Evidence.removed_at.is_(None))))


def action_keys(return_id: int) -> set[str]:
    """Questions that have an action plan item (not dropped)."""
    return set(db.session.scalars(
        sa.select(ActionItem.question_key).distinct()
        .where(ActionItem.return_id == return_id, ActionItem.status != "dropped",
               ActionItem.question_key.isnot(None))))


def section_states(return_id: int) -> dict[str, SectionState]:
    return {state.section_key: state
            for state in SectionState.query.filter_by(return_id=return_id)}


def applying_question(context: ReturnContext, question_id: str) -> Question:
    """A question of the return that applies to the organisation with its answers so far;
    SectionUnavailable otherwise."""
    definition = context.definition
    if not definition.has_question(question_id):
        raise SectionUnavailable("This question is not part of this audit")
    values = stored_answers(context.audit_return.id).values
    if not definition.visibility(context.org, values).includes(question_id):
        raise SectionUnavailable("This question does not apply to your organisation")
    return definition.question(question_id)


# What a section needs ----------------------------------------------------------------------

def answer_problems(context: ReturnContext, values: dict, comments: dict,
                    with_evidence: set, with_actions: set,
                    section_id: str | None = None) -> list[Problem]:
    """Every required answer missing and every rule not met (comment or reason, evidence,
    action plan item) among the questions that apply, in page order."""
    definition = context.definition
    visibility = definition.visibility(context.org, values)
    problems = []
    for question in visibility.questions:
        if section_id is not None and question.section.id != section_id:
            continue
        value = visibility.answers.get(question.id)
        if value is None:
            if question.required:
                problems.append(Problem(question.id, "answer",
                                        question.type.required_message.format(
                                            name=question.name)))
            continue
        problems.extend(_rule_problems(definition, question, values.get(question.id), value,
                                       comments.get(question.id),
                                       question.id in with_evidence,
                                       question.id in with_actions))
    return problems


def _rule_problems(definition, question: Question, stored, value, comment, has_evidence,
                   has_action) -> list[Problem]:
    # The engine words the messages, in the order comment, evidence, action; the kinds
    # say where on the page each one is put right.
    needs = question.requirements(value)
    kinds = [kind for kind, missing in (
        ("comment", comment_problem(question, value, comment) is not None),
        ("evidence", "evidence" in needs and not has_evidence),
        ("action", "action" in needs and not has_action)) if missing]
    messages = unmet_requirements(definition, question.id, stored, comment, has_evidence,
                                  has_action)
    return [Problem(question.id, kind, message) for kind, message in zip(kinds, messages)]
