"""The forms of the respondent journey. The section form is the questionnaire engine's
(``build_section_form``) with every question of the section as a field, so that questions
can be revealed in the page, while only those that apply are validated and saved."""
from datetime import date

from flask_wtf import FlaskForm
from flask_wtf.file import FileField
from govuk_frontend_wtf.wtforms_widgets import (GovDateInput, GovFileInput, GovRadioInput,
                                                GovSubmitInput, GovTextArea, GovTextInput)
from wtforms import Field, RadioField, StringField, SubmitField, TextAreaField
from wtforms.validators import InputRequired

from ..questionnaires.forms import PRIVACY_REMINDER, build_section_form
from .actions import STATUS_CHOICES
from .concurrency import MINE, THEIRS, comment_key

CHOICE_SUFFIX = "__keep"
SHOWN_SUFFIX = "__shown"


def choice_name(field_key: str) -> str:
    return f"{field_key}{CHOICE_SUFFIX}"


def shown_marker(question_id: str) -> str:
    """A hidden input beside checkboxes: present with no box ticked means 'none chosen'
    (a browser sends nothing at all for unticked boxes)."""
    return f"{question_id}{SHOWN_SUFFIX}"


def section_form_class(context, section, shown: dict, other_values: dict, choices=()):
    """The form class of a section page. ``shown`` is what the page shows (and what an
    unposted field keeps): field key -> stored text. ``other_values`` are the answers of the
    other sections (conditions may use them). ``choices`` are (field key, question) for each
    conflict the person must resolve: a radio between their value and the saved one."""
    answers = {**other_values, **{q.id: shown.get(q.id) for q in section.questions}}
    comments = {q.id: shown.get(comment_key(q.id)) for q in section.questions}
    built = build_section_form(context.definition, section.id, context.org, answers,
                               comments=comments, show_all=True)
    # Every question is a field; which apply is worked out from the answers as posted.
    attributes = {"show_all": False}
    for field_key, question in choices:
        what = "answer to" if field_key == question.id else "comment on"
        attributes[choice_name(field_key)] = RadioField(
            f"Which {what} ‘{question.name}’ do you want to keep?",
            choices=[(MINE, "Yours"), (THEIRS, "The saved one")],
            validators=[InputRequired(message=f"Select which {what} ‘{question.name}’ "
                                              "to keep")],
            widget=GovRadioInput())
    return type(built.__name__, (built,), attributes)


def describe_choices(form, words: dict) -> None:
    """Label each conflict's options with the two values: field key -> (yours, saved)."""
    for field_key, (mine, theirs) in words.items():
        noun = "answer" if not field_key.endswith("__comment") else "comment"
        form[choice_name(field_key)].choices = [(MINE, f"Your {noun}: {mine}"),
                                               (THEIRS, f"The saved {noun}: {theirs}")]


def bind_section_form(form_class, section, formdata):
    """The form bound to posted data, with checkboxes cleared when none was ticked."""
    form = form_class(formdata=formdata)
    for question in section.questions:
        if question.type_name == "multi_choice" and shown_marker(question.id) in formdata \
                and question.id not in formdata:
            form[question.id].data = []
    return form


def posted_choices(form, field_keys) -> dict:
    return {key: form[choice_name(key)].data for key in field_keys
            if choice_name(key) in form._fields}


class ProblemSummary:
    """What base.html's error summary reads from a form (``errors`` and ``_fields``), for
    problems that belong to page parts rather than to one field: anchor -> [message]."""

    def __init__(self, problems):
        self._fields = {}
        self.errors = {}
        for anchor, message in problems:
            self.errors.setdefault(anchor, [message])


def form_summary(*forms, anchors: dict | None = None) -> ProblemSummary | None:
    """The error summary of one or more forms on a page; ``anchors`` moves a field's link
    (a date input's goes to its day box)."""
    anchors = anchors or {}
    entries = [(anchors.get(field.id, field.id), message)
               for form in forms for field in form for message in field.errors]
    return ProblemSummary(entries) if entries else None


def answer_anchor(question) -> str:
    """Where the error summary sends the person for an answer: its first input."""
    return f"{question.id}-day" if question.type_name == "date" else question.id


# Evidence --------------------------------------------------------------------------------

class EvidenceFileForm(FlaskForm):
    file = FileField("Upload a file", widget=GovFileInput())
    upload = SubmitField("Upload file", widget=GovSubmitInput())


class EvidenceReferenceForm(FlaskForm):
    reference = TextAreaField(
        "Describe where the evidence is kept", widget=GovTextArea(),
        description=f"For example, ‘Governors’ minutes, 12 March 2026, item 4’. "
                    f"{PRIVACY_REMINDER}")
    add = SubmitField("Add reference", widget=GovSubmitInput())


class ButtonForm(FlaskForm):
    submit = SubmitField("Remove", widget=GovSubmitInput())


# Actions ---------------------------------------------------------------------------------

class DatePartsField(Field):
    """A GOV.UK date input whose three parts are kept as typed, for the service to check."""

    widget = GovDateInput()

    def process_formdata(self, valuelist):
        parts = [str(value).strip() for value in valuelist[:3]]
        self.raw_data = parts + [""] * (3 - len(parts))
        self.data = None

    def process_data(self, value):
        self.data = value if isinstance(value, date) else None

    def _value(self):
        return self.data.isoformat() if self.data else ""

    def parts(self) -> tuple[str, str, str]:
        if self.raw_data:
            return tuple(self.raw_data)
        if self.data:
            return str(self.data.day), str(self.data.month), str(self.data.year)
        return "", "", ""


class ActionPlanForm(FlaskForm):
    description = TextAreaField("Action", widget=GovTextArea(),
                                description="What will be done to meet the standard. "
                                            f"{PRIVACY_REMINDER}")
    owner = StringField("Owner", widget=GovTextInput(),
                        description="The role responsible, for example ‘Deputy headteacher’")
    target_date = DatePartsField("Target date", description="For example, 31 3 2026")
    submit = SubmitField("Add action", widget=GovSubmitInput())


class ActionEditForm(ActionPlanForm):
    status = RadioField("Status", choices=list(STATUS_CHOICES), widget=GovRadioInput(),
                        validate_choice=False)
    note = TextAreaField("Progress note (optional)", widget=GovTextArea(),
                         description=f"What has been done so far. {PRIVACY_REMINDER}")
    submit = SubmitField("Save changes", widget=GovSubmitInput())


class ActionProgressForm(FlaskForm):
    status = RadioField("Status", choices=list(STATUS_CHOICES), widget=GovRadioInput(),
                        validate_choice=False)
    note = TextAreaField("Progress note (optional)", widget=GovTextArea(),
                         description=f"What has been done so far. {PRIVACY_REMINDER}")
    submit = SubmitField("Save progress", widget=GovSubmitInput())


def put_errors(form, errors: dict) -> None:
    """Show a service's field errors (field name -> message) on a form's fields."""
    for name, message in errors.items():
        form[name].errors = [message]
