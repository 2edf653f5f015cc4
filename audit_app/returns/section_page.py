"""What a section page shows, read in a handful of queries whatever the number of questions:
the questions (those that do not apply are in the page but hidden, for the page's script to
reveal), each with its answer field, comment box, evidence and action plan items, the
version and signed base the page is rendered from, and the problems to show."""
import json
from dataclasses import dataclass, field
from datetime import date

import sqlalchemy as sa

from ..auth.models import User
from ..extensions import db
from ..questionnaires.definition import Question
from ..questionnaires.schema import one_of
from ..timeutil import format_date
from .actions import actions_of, edit_mode
from .concurrency import comment_key, question_of, sign_base
from .drafts import ReturnContext, stored_answers
from .evidence import evidence_of, size_words
from .forms import (ProblemSummary, answer_anchor, choice_name, describe_choices,
                    section_form_class, shown_marker)
from .models import Answer, SectionState
from .services import lock_reason


@dataclass
class SectionSnapshot:
    """A section as a page shows it: the version, which questions apply, and its fields
    (a question that does not apply shows nothing), with the other sections' answers."""
    context: ReturnContext
    section: object
    version: int
    applying: set
    shown: dict
    other_values: dict
    state: SectionState | None = None
    section_applies: bool = True

    @property
    def base(self) -> str:
        return sign_base(self.context.audit_return.id, self.section.id, self.version,
                         self.shown)

    def based_on(self, version: int, fields: dict) -> "SectionSnapshot":
        """This snapshot as the page that posted ``fields`` at ``version`` showed it."""
        shown = {key: fields.get(key) for key in self.shown}
        return SectionSnapshot(self.context, self.section, version, self.applying, shown,
                               self.other_values, self.state, self.section_applies)


def snapshot_section(context: ReturnContext, section) -> SectionSnapshot:
    """The section as stored now (two queries)."""
    stored = stored_answers(context.audit_return.id)
    state = (SectionState.query.filter_by(return_id=context.audit_return.id,
                                          section_key=section.id)
             .execution_options(populate_existing=True).one_or_none())
    values = stored.values
    visibility = context.definition.visibility(context.org, values)
    applying = {question.id for question in visibility.questions}
    shown = {key: (value if question_of(key) in applying else None)
             for key, value in stored.fields_of(section.questions).items()}
    own = {q.id for q in section.questions}
    other_values = {key: value for key, value in values.items() if key not in own}
    return SectionSnapshot(context, section, state.version if state else 0, applying, shown,
                           other_values, state, section in visibility.sections)


def answer_words(question: Question, value) -> str:
    """An answer as a person reads it: option labels, '3 March 2026', '12 deputies'."""
    chosen = question.read(value)
    if chosen is None:
        return "Not answered"
    if isinstance(chosen, list):
        return ", ".join(question.option(item).label for item in chosen)
    if question.options:
        return question.option(chosen).label
    if isinstance(chosen, date):
        return format_date(chosen)
    if question.type_name == "number":
        return f"{chosen:,}" + (f" {question.unit}" if question.unit else "")
    return str(chosen)


def conflict_questions(snapshot: SectionSnapshot, field_keys) -> list:
    """(field key, question) for the fields of this section among ``field_keys``."""
    definition = snapshot.context.definition
    pairs = []
    for key in dict.fromkeys(field_keys):
        if key in snapshot.shown:
            pairs.append((key, definition.question(question_of(key))))
    return pairs


@dataclass
class QuestionItem:
    question: Question
    field: object
    comment: object
    applies: bool
    condition: str | None
    marker: str | None
    evidence: list | None       # None: the question takes no evidence
    actions: list | None        # None: no action plan part for this question
    choices: list = field(default_factory=list)
    problems: dict = field(default_factory=dict)     # kind -> message
    action_hint: str | None = None


@dataclass
class SectionPage:
    snapshot: SectionSnapshot
    form: object
    items: list
    conflict_fields: list
    summary: ProblemSummary | None
    locked: str | None
    condition_answers: str
    org_attributes: str
    changed_by: str | None


def section_page(snapshot: SectionSnapshot, *, form=None, mine: dict | None = None,
                 conflict_keys=(), problems=(), today: date | None = None) -> SectionPage:
    """The page for a snapshot: a fresh form showing what is stored, with ``mine`` (the
    person's values) in the conflicting fields; or ``form``, bound to what was posted. Each
    conflict gets its choice and each problem is put where it is fixed."""
    context, section = snapshot.context, snapshot.section
    pairs = conflict_questions(snapshot, conflict_keys)
    if form is None:
        defaults = {**snapshot.shown, **{key: (mine or {}).get(key) for key, _q in pairs}}
        form = section_form_class(context, section, defaults, snapshot.other_values,
                                  pairs)(formdata=None)
    describe_choices(form, {key: (_field_words(form, question, key),
                                  _stored_words(question, key, snapshot.shown.get(key)))
                            for key, question in pairs})
    by_question = {}
    for problem in problems:
        by_question.setdefault(problem.question_id, {})[problem.kind] = problem.message
        if problem.kind == "answer":
            form[problem.question_id].errors = [problem.message]
        elif problem.kind == "comment" and form.comment_field(problem.question_id):
            form.comment_field(problem.question_id).errors = [problem.message]
    question_ids = [q.id for q in section.questions]
    evidence = _grouped(evidence_of(context.audit_return.id, question_ids))
    actions = _grouped(actions_of(context.audit_return.id, question_ids))
    items = [_item(form, question, evidence, actions, pairs, by_question)
             for question in section.questions]
    return SectionPage(snapshot, form, items, [key for key, _q in pairs],
                       _summary(items), lock_reason(context.audit_return, today),
                       json.dumps(_condition_values(context, snapshot.other_values)),
                       json.dumps(context.org, default=str), _changed_by(snapshot, pairs))


def _field_words(form, question: Question, key: str) -> str:
    if key == question.id:
        return answer_words(question, question.type.serialise(
            question.read(form[question.id].data)))
    comment = form.comment_field(question.id)
    return (comment.data or "").strip() or "No comment"


def _stored_words(question: Question, key: str, value) -> str:
    if key == question.id:
        return answer_words(question, value)
    return value or "No comment"


def _condition_values(context: ReturnContext, values: dict) -> dict:
    """Answers of other sections as the page's script compares them (JSON values)."""
    counted = context.definition.visibility(context.org, values).answers
    return {key: (value.isoformat() if isinstance(value, date) else value)
            for key, value in counted.items()}


def _grouped(records) -> dict:
    grouped = {}
    for item in records:
        grouped.setdefault(item.question_key, []).append(item)
    return grouped


def _options_needing_action(question: Question) -> list[str]:
    return [option.label for option in question.options
            if "action" in question.requirements(option.value)]


def _item(form, question, evidence, actions, pairs, by_question) -> QuestionItem:
    has_actions = question.id in actions
    needing = _options_needing_action(question)
    return QuestionItem(
        question=question, field=form[question.id], comment=form.comment_field(question.id),
        applies=form.applies(question.id),
        condition=json.dumps(question.show_if) if question.show_if else None,
        marker=shown_marker(question.id) if question.type_name == "multi_choice" else None,
        evidence=[(item, size_words(item.size)) for item in evidence.get(question.id, [])]
        if question.evidence != "none" else None,
        actions=actions.get(question.id, []) if needing or has_actions else None,
        action_hint=f"Needed if you answer {one_of(needing)}" if needing else None,
        choices=[form[choice_name(key)] for key, q in pairs if q.id == question.id],
        problems=by_question.get(question.id, {}))


def _summary(items) -> ProblemSummary | None:
    entries = []
    for item in items:
        for choice in item.choices:
            entries.extend((choice.id, message) for message in choice.errors)
        entries.extend((answer_anchor(item.question), message)
                       for message in item.field.errors)
        if item.comment is not None:
            entries.extend((item.comment.id, message) for message in item.comment.errors)
        if "evidence" in item.problems:
            entries.append((f"{item.question.id}-evidence", item.problems["evidence"]))
        if "action" in item.problems:
            entries.append((f"{item.question.id}-actions", item.problems["action"]))
    return ProblemSummary(entries) if entries else None


def _changed_by(snapshot: SectionSnapshot, pairs) -> str | None:
    """Who saved the answers this person is in conflict with (one query)."""
    question_ids = {question.id for _key, question in pairs}
    if not question_ids:
        return None
    names = db.session.scalars(
        sa.select(User.name).distinct().join(Answer, Answer.updated_by_id == User.id)
        .where(Answer.return_id == snapshot.context.audit_return.id,
               Answer.question_key.in_(question_ids))
        .order_by(User.name)).all()
    return " and ".join(names) or None


def read_only_rows(snapshot: SectionSnapshot) -> list[dict]:
    """The answers of a locked section that apply, with their evidence and actions."""
    context = snapshot.context
    question_ids = [q.id for q in snapshot.section.questions]
    evidence = _grouped(evidence_of(context.audit_return.id, question_ids))
    actions = _grouped(actions_of(context.audit_return.id, question_ids))
    can_update = edit_mode(context.audit_return) is not None
    return [{"question": question,
             "answer": answer_words(question, snapshot.shown.get(question.id)),
             "comment": snapshot.shown.get(comment_key(question.id)),
             "evidence": [(item, size_words(item.size))
                          for item in evidence.get(question.id, [])],
             "actions": actions.get(question.id, []),
             "can_update_actions": can_update}
            for question in snapshot.section.questions if question.id in snapshot.applying]
