"""One function, ``build_section_form``, turns a section of a stored definition into a WTForms
form class: a GOV.UK field per question that applies, a ``<qid>__comment`` box where comments
apply, guidance in a details component, and messages worded the Design System's way.

The form validates in two ways: ``validate()`` (also used by ``validate_on_submit()``) for
"save and continue", where required answers and the comment or reason an answer needs must
be there; ``validate_draft()`` for saving a draft, which only refuses malformed answers (not
a whole number, not a real date, an option that does not exist). A field that is not posted
keeps its saved answer; a question that stops applying because of an answer in the same post
is not validated, and is left out of ``answer_data()``."""
import threading
from collections import OrderedDict
from functools import cache, lru_cache

from flask_wtf import FlaskForm
from markupsafe import Markup
from wtforms import TextAreaField
from wtforms.validators import StopValidation

from .definition import Definition, Question, Visibility
from .markdown import render_markdown
from .question_types import DEFAULT_TEXT_LENGTH, QuestionTextArea
from .schema import one_of

COMMENT_SUFFIX = "__comment"
COMMENT_LENGTH = DEFAULT_TEXT_LENGTH
FIELDSET_TYPES = ("rating", "yes_no", "choice", "multi_choice", "date")
PRIVACY_REMINDER = "Do not name children, family members or staff."
# Rendered question markup kept (see _RenderedOnce): a few options per question of every
# questionnaire, with and without each message, fit well within this.
RENDERED_LIMIT = 4096
# Questions whose widgets are kept (see _answer_widget): every question of a few versions.
WIDGET_CACHE_SIZE = 2048


def comment_field_name(question_id: str) -> str:
    return f"{question_id}{COMMENT_SUFFIX}"


def comment_problem(question: Question, value, comment) -> str | None:
    """The message when an answer needs a comment or a reason and has none."""
    if value is None or (isinstance(comment, str) and comment.strip()):
        return None
    needs = question.requirements(value)
    if "reason" in needs:
        return f"Enter a comment explaining why ‘{question.name}’ does not apply"
    if "comment" in needs:
        return f"Enter a comment explaining your answer to ‘{question.name}’"
    return None


def unmet_requirements(definition, question_id: str, value, comment, has_evidence: bool,
                       has_action: bool) -> list[str]:
    """What an answer still needs before its section can be completed (comment or reason,
    evidence, an action plan item), as messages; empty when nothing is missing or there is
    no answer. ``value`` is the stored text or the form's value."""
    question = Definition.of(definition).question(question_id)
    value = question.read(value)
    if value is None:
        return []
    messages = []
    problem = comment_problem(question, value, comment)
    if problem:
        messages.append(problem)
    needs = question.requirements(value)
    if "evidence" in needs and not has_evidence:
        messages.append(f"Add evidence for ‘{question.name}’: upload a file or give a "
                        "reference")
    if "action" in needs and not has_action:
        messages.append(f"Add an action plan item for ‘{question.name}’, with an owner and a "
                        "target date")
    return messages


class AnswerCheck:
    """The field validator of a question: applies, answered if required, well-formed."""

    def __init__(self, question: Question):
        self.question = question

    def __call__(self, form, field):
        question = self.question
        if not form.applies(question.id):
            raise StopValidation()
        if question.type.is_blank(field):
            if form.completing and question.required:
                raise StopValidation(question.type.required_message.format(name=question.name))
            raise StopValidation()
        problem = question.type.format_problem(question, field)
        if problem:
            raise StopValidation(problem)


class CommentCheck:
    def __init__(self, question: Question):
        self.question = question

    def __call__(self, form, field):
        if not form.applies(self.question.id):
            raise StopValidation()
        if isinstance(field.data, str) and len(field.data) > COMMENT_LENGTH:
            raise StopValidation(f"The comment on ‘{self.question.name}’ must be "
                                 f"{COMMENT_LENGTH:,} characters or fewer")


class SectionForm(FlaskForm):
    """The base of every built section form; the builder sets the class attributes."""

    definition: Definition = None
    section_id: str = ""
    org_attributes: dict | None = None
    saved_answers: dict = {}
    question_ids: tuple = ()
    show_all = False
    completing = True

    def questions(self) -> list[Question]:
        return [self.definition.question(question_id) for question_id in self.question_ids]

    def comment_field(self, question_id: str):
        return self._fields.get(comment_field_name(question_id))

    def question_fields(self) -> list[tuple]:
        """(question, answer field, comment field or None) for each question, in order."""
        return [(question, self[question.id], self.comment_field(question.id))
                for question in self.questions()]

    def current_visibility(self) -> Visibility:
        """What applies given the saved answers with this form's answers over them."""
        answers = dict(self.saved_answers)
        answers.update({question_id: self[question_id].data
                        for question_id in self.question_ids})
        return self.definition.visibility(self.org_attributes, answers)

    def applies(self, question_id: str) -> bool:
        if self.show_all:
            return True
        if getattr(self, "_visibility", None) is None:
            self._visibility = self.current_visibility()
        return self._visibility.includes(question_id)

    def validate(self, extra_validators=None) -> bool:
        return self._validate(True, extra_validators)

    def validate_draft(self) -> bool:
        return self._validate(False, None)

    def _validate(self, completing: bool, extra_validators) -> bool:
        self.completing = completing
        self._visibility = None
        valid = super().validate(extra_validators)
        if completing:
            valid = self._check_comments_needed() and valid
        return valid

    def _check_comments_needed(self) -> bool:
        valid = True
        for question, field, comment in self.question_fields():
            if comment is None or field.errors or comment.errors \
                    or not self.applies(question.id):
                continue
            problem = comment_problem(question, question.read(field.data), comment.data)
            if problem:
                comment.errors.append(problem)
                valid = False
        return valid

    def answer_data(self) -> dict:
        """Question id -> the answer as stored text (None when empty), for the questions of
        this form that still apply."""
        return {question.id: question.type.serialise(question.read(field.data))
                for question, field, _ in self.question_fields() if self.applies(question.id)}

    def comment_data(self) -> dict:
        """Question id -> comment text (None when empty), for questions that still apply."""
        return {question.id: (comment.data or "").strip() or None
                for question, _, comment in self.question_fields()
                if comment is not None and self.applies(question.id)}


def build_section_form(definition, section_id: str, org_attributes: dict | None,
                       answers: dict | None, *, comments: dict | None = None,
                       show_all: bool = False) -> type[SectionForm]:
    """The form class of one section for an organisation (attributes by README name) and
    its saved answers (question id -> stored text), which are the fields' defaults, as
    ``comments`` are the comment boxes'. ``show_all`` shows every question of the section
    whatever the conditions (for staff previews). Unknown section: KeyError."""
    definition = Definition.of(definition)
    section = definition.section(section_id)
    answers = dict(answers or {})
    comments = dict(comments or {})
    questions = section.questions if show_all else \
        definition.visible_questions(org_attributes, answers, section_id)
    attributes = {
        "definition": definition,
        "section_id": section.id,
        "org_attributes": org_attributes,
        "saved_answers": answers,
        "question_ids": tuple(question.id for question in questions),
        "show_all": show_all,
    }
    for question in questions:
        attributes[question.id] = _answer_field(question, answers.get(question.id))
        if question.comment != "none":
            attributes[comment_field_name(question.id)] = _comment_field(
                question, comments.get(question.id))
    return type(f"SectionForm_{section.id}", (SectionForm,), attributes)


def _answer_field(question: Question, saved):
    label, widget = _answer_widget(question)
    field = question.type.make_field(question, label, widget.default_params)
    field.kwargs["widget"] = widget
    field.kwargs["validators"] = [AnswerCheck(question)]
    field.kwargs["default"] = question.type.field_data(question.read(saved))
    return field


# A question's label and widget depend on the question alone (its guidance is Markdown to
# render), and a parsed definition is kept by version, so they are worked out once per
# question rather than for every page and save. Widgets keep no state between renders.
@lru_cache(maxsize=WIDGET_CACHE_SIZE)
def _answer_widget(question: Question) -> tuple:
    label = question.text if question.required else f"{question.text} (optional)"
    field = question.type.make_field(question, label, _question_params(question, label))
    widget = field.kwargs["widget"]
    return label, rendered_once(type(widget))(params=widget.default_params)


def _question_params(question: Question, label: str) -> dict:
    if question.type_name in FIELDSET_TYPES:
        legend = {"text": label, "classes": "govuk-fieldset__legend--s"}
        if question.scale is not None and question.scale.label:
            # The scale's label follows the question, e.g. "Self-assessment rating".
            legend["html"] = Markup('{} <span class="govuk-caption-s govuk-!-display-block '
                                    'govuk-!-margin-top-1">{}</span>'
                                    ).format(label, question.scale.label)
        params = {"fieldset": {"legend": legend}}
    else:
        params = {"label": {"text": label, "classes": "govuk-label--s"}}
    hint = _hint_html(question)
    if hint:
        params["hint"] = {"html": hint}
    if question.options:
        params["items"] = [{"hint": {"text": option.hint}} if option.hint else {}
                           for option in question.options]
        if question.type_name == "yes_no" and not any(o.hint for o in question.options):
            params["classes"] = "govuk-radios--inline"
    if question.type_name == "number":
        params.update({"inputmode": "numeric", "spellcheck": False,
                       "classes": "govuk-input--width-10"})
        if question.unit:
            params["suffix"] = {"text": question.unit}
    if question.type_name == "text":
        params["rows"] = 5
    return params


def _hint_html(question: Question) -> Markup | None:
    parts = []
    if question.type_name == "date":
        parts.append(Markup('<p class="govuk-!-margin-top-0">For example, 27 3 2025</p>'))
    if question.ref:
        parts.append(Markup('<p class="govuk-!-margin-top-0">Reference: {}</p>').format(
            question.ref))
    guidance = render_markdown(question.guidance)
    if guidance or question.typical_evidence:
        body = guidance
        if question.typical_evidence and guidance:
            body += Markup('<p class="govuk-body govuk-!-font-weight-bold">Typical evidence</p>'
                           '<p class="govuk-body">{}</p>').format(question.typical_evidence)
        elif question.typical_evidence:
            body = Markup('<p class="govuk-body">{}</p>').format(question.typical_evidence)
        summary = "Guidance" if guidance else "Typical evidence"
        parts.append(Markup(
            '<details class="govuk-details"><summary class="govuk-details__summary">'
            '<span class="govuk-details__summary-text">{}</span></summary>'
            '<div class="govuk-details__text">{}</div></details>').format(summary, body))
    return Markup("").join(parts) if parts else None


def _comment_field(question: Question, saved):
    return TextAreaField("Comment", validators=[CommentCheck(question)],
                         default=saved if isinstance(saved, str) else None,
                         widget=_comment_widget(question))


@lru_cache(maxsize=WIDGET_CACHE_SIZE)
def _comment_widget(question: Question):
    needed = [option.label for option in question.options
              if {"comment", "reason"} & set(question.requirements(option.value))]
    if question.comment == "required":
        hint, optional = f"Explain your answer. {PRIVACY_REMINDER}", False
    elif needed:
        hint, optional = f"Needed if you answer {one_of(needed)}. {PRIVACY_REMINDER}", False
    else:
        hint, optional = PRIVACY_REMINDER, True
    label = Markup('Comment{}<span class="govuk-visually-hidden"> on ‘{}’</span>').format(
        " (optional)" if optional else "", question.name)
    params = {"label": {"html": label, "classes": "govuk-label--s"},
              "hint": {"text": hint}, "rows": 3}
    return rendered_once(QuestionTextArea)(params=params)


class _Unkeyable(Exception):
    pass


def _render_key(value):
    """``value`` (a widget's GOV.UK params) as a hashable key equal only for params that
    render the same: Markup is told from text (one is escaped, the other not) and True from
    1. Anything else in the params makes it unkeyable, and the markup is then rendered."""
    if isinstance(value, str):
        return ("html", value) if isinstance(value, Markup) else value
    if value is None or isinstance(value, (bool, int, float)):
        return (type(value), value)
    if isinstance(value, dict):
        return ("dict",) + tuple((_render_key(key), _render_key(item))
                                 for key, item in value.items())
    if isinstance(value, (list, tuple)):
        return ("list",) + tuple(_render_key(item) for item in value)
    raise _Unkeyable


class _RenderedMarkup:
    """Markup already rendered, by widget template and params, least recently used first."""

    def __init__(self, limit: int):
        self.limit = limit
        self.items = OrderedDict()
        self.lock = threading.Lock()

    def get(self, key):
        with self.lock:
            html = self.items.get(key)
            if html is not None:
                self.items.move_to_end(key)
            return html

    def put(self, key, html) -> None:
        with self.lock:
            self.items[key] = html
            while len(self.items) > self.limit:
                self.items.popitem(last=False)


_rendered = _RenderedMarkup(RENDERED_LIMIT)


class _RenderedOnce:
    """A GOV.UK widget whose markup is rendered once per distinct params. The component
    macros are most of a section page's time, and every page of a section shows the same
    questions with one of a few answers chosen, so the same params come again and again;
    the markup depends on nothing else (the component templates see only their params)."""

    def render(self, params):
        try:
            key = (self.template, _render_key(params))
        except _Unkeyable:
            return super().render(params)
        html = _rendered.get(key)
        if html is None:
            html = super().render(params)
            _rendered.put(key, html)
        return html


@cache
def rendered_once(widget_class: type) -> type:
    """``widget_class`` rendering its markup once per distinct params."""
    return type(widget_class.__name__, (_RenderedOnce, widget_class), {})
