"""Check your answers, approvals, submit, the confirmation, and the PDFs of a return."""
from datetime import date

from flask import (Blueprint, abort, flash, make_response, redirect,
                   render_template, request, url_for)
from flask_login import current_user
from flask_wtf import FlaskForm
from govuk_frontend_wtf.wtforms_widgets import GovCheckboxInput, GovDateInput, GovTextInput
from wtforms import BooleanField, Field, HiddenField, StringField

from ..auth.policy import access, authorize
from ..cycles.models import AuditReturn
from ..extensions import db
from ..questionnaires.markdown import render_markdown
from .models import Submission
from .pdf import download_name, render, submission_pdf
from .services import lock_reason
from .submission import (NOT_CONFIRMED, AlreadySubmitted, ApprovalEntry, ApprovalErrors,
                         SubmissionBlocked, SubmissionError, approval_slots, record_approvals,
                         snapshot, submit)

bp = Blueprint("submission", __name__, url_prefix="/returns")


class DatePartsField(Field):
    """Day, month and year as typed; the service decides whether they make a date."""

    widget = GovDateInput()

    def process_formdata(self, valuelist):
        if not valuelist:
            # Not posted at all: like the text fields, keep what is recorded.
            self.raw_data = None
            return
        parts = [str(value).strip() for value in valuelist[:3]]
        self.raw_data = parts + [""] * (3 - len(parts))
        self.data = None

    def process_data(self, value):
        self.data = value if isinstance(value, date) else None

    def _value(self):
        return self.data.isoformat() if isinstance(self.data, date) else ""

    def parts(self) -> tuple[str, str, str]:
        if self.raw_data:
            return tuple(self.raw_data)
        if isinstance(self.data, date):
            return str(self.data.day), str(self.data.month), str(self.data.year)
        return "", "", ""


class CheckForm(FlaskForm):
    """The approvals (fields added per approval the return needs), the confirmation and
    the version of the return the person checked. Problems that are not fields (an
    unanswered question) join the errors under the id of the row that shows them."""

    lock_version = HiddenField()
    confirm = BooleanField(
        "I confirm that the approvers named above have agreed the declaration, and that "
        "this return is ready to submit", widget=GovCheckboxInput())

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.page_problems: dict[str, list[str]] = {}

    @property
    def errors(self):
        return {**super().errors, **self.page_problems}


def _field(slot_id: str, part: str) -> str:
    return f"approval_{slot_id}_{part}"


def _check_form_class(slots):
    attributes = {}
    for slot in slots:
        attributes[_field(slot.id, "name")] = StringField("Full name", widget=GovTextInput())
        attributes[_field(slot.id, "role")] = StringField("Role", widget=GovTextInput())
        attributes[_field(slot.id, "date")] = DatePartsField("Date approved")
    return type("ApprovalsCheckForm", (CheckForm,), attributes)


def _make_form(audit_return, slots, formdata=None):
    form_class = _check_form_class(slots)
    data = {"lock_version": audit_return.lock_version}
    for slot in slots:
        if slot.recorded is not None:
            data[_field(slot.id, "name")] = slot.recorded.approver_name
            data[_field(slot.id, "role")] = slot.recorded.approver_role
            data[_field(slot.id, "date")] = slot.recorded.approved_on
    return form_class(formdata=formdata, data=data)


def _entries(form, slots) -> dict[str, ApprovalEntry]:
    entries = {}
    for slot in slots:
        day, month, year = form[_field(slot.id, "date")].parts()
        entries[slot.id] = ApprovalEntry(form[_field(slot.id, "name")].data or "",
                                         form[_field(slot.id, "role")].data or "",
                                         day, month, year)
    return entries


def _return_or_404(return_id: int, action: str) -> AuditReturn:
    audit_return = db.session.get(AuditReturn, return_id)
    if audit_return is None:
        abort(404)
    authorize(action, audit_return, status=404)
    return audit_return


def section_url(audit_return, section_id: str, question_id: str) -> str:
    """Where an answer is changed: the question on its section page."""
    return url_for("returns.section", return_id=audit_return.id, section_id=section_id,
                   _anchor=question_id)


def _items_by_question(content: dict) -> dict:
    """Question id -> its evidence and actions, with dates as dates for the page."""
    items = {}
    for item in content["evidence"]:
        items.setdefault(item["question_id"], {}).setdefault("evidence", []).append(item)
    for item in content["actions"]:
        action = {**item, "target_date": date.fromisoformat(item["target_date"])}
        items.setdefault(item["question_id"], {}).setdefault("actions", []).append(action)
    return items


def _render_check(audit_return, form, problems=(), status=200):
    by_question = {}
    for problem in problems:
        if problem.approval_id:
            form[_field(problem.approval_id, "name")].errors.append(problem.message)
        else:
            form.page_problems.setdefault(problem.anchor, []).append(problem.message)
            by_question.setdefault(problem.question_id, []).append(problem.message)
    content = snapshot(audit_return)
    latest = (Submission.query.filter_by(return_id=audit_return.id)
              .order_by(Submission.number.desc()).first())
    return render_template(
        "returns/submission/check.html", audit_return=audit_return, form=form,
        content=content, items=_items_by_question(content),
        declaration_html=render_markdown(content["declaration"]["text"]),
        slots=approval_slots(audit_return), field_name=_field,
        problems_by_question=by_question, section_url=section_url, latest=latest,
        locked=lock_reason(audit_return)), status


@bp.route("/<int:return_id>/check")
@access("respondent")
def check(return_id):
    audit_return = _return_or_404(return_id, "return.edit")
    form = _make_form(audit_return, approval_slots(audit_return))
    return _render_check(audit_return, form)


def _posted_form(audit_return):
    slots = approval_slots(audit_return)
    return _make_form(audit_return, slots, formdata=request.form), slots


def _refused(audit_return, form, error: SubmissionError):
    """The check page again, with what stopped the approvals or the submission."""
    db.session.rollback()
    if isinstance(error, AlreadySubmitted):
        flash(str(error))
        return redirect(_after_submission_url(audit_return))
    if isinstance(error, (ApprovalErrors, SubmissionBlocked)):
        errors = error.errors if isinstance(error, ApprovalErrors) else error.approval_errors
        for (slot_id, part), message in errors.items():
            form[_field(slot_id, part)].errors.append(message)
        if isinstance(error, SubmissionBlocked) and not error.confirmed:
            form.confirm.errors.append(NOT_CONFIRMED)
        problems = error.problems if isinstance(error, SubmissionBlocked) else ()
        return _render_check(audit_return, form, problems, status=400)
    # The return changed under the person (a colleague, a second tab, the deadline): show
    # it as it is now, with the version they have now seen.
    db.session.refresh(audit_return)
    if audit_return.status in ("submitted", "accepted"):
        flash("This return has already been submitted")
        return redirect(_after_submission_url(audit_return))
    form.lock_version.data = audit_return.lock_version
    form.page_problems["return-status"] = [str(error)]
    return _render_check(audit_return, form, status=409)


def _after_submission_url(audit_return) -> str:
    db.session.refresh(audit_return)
    if audit_return.latest_submission_number:
        return url_for("submission.confirmation", return_id=audit_return.id,
                       number=audit_return.latest_submission_number)
    return url_for("submission.check", return_id=audit_return.id)


@bp.route("/<int:return_id>/approvals", methods=["POST"])
@access("respondent")
def save_approvals(return_id):
    audit_return = _return_or_404(return_id, "return.edit")
    form, slots = _posted_form(audit_return)
    if not form.validate_on_submit():
        return _render_check(audit_return, form, status=400)
    try:
        record_approvals(audit_return, _entries(form, slots), current_user)
    except SubmissionError as error:
        return _refused(audit_return, form, error)
    db.session.commit()
    flash("Approvals saved", "success")
    return redirect(url_for("submission.check", return_id=audit_return.id,
                            _anchor="approvals"))


@bp.route("/<int:return_id>/submit", methods=["POST"])
@access("respondent")
def submit_return(return_id):
    audit_return = _return_or_404(return_id, "return.edit")
    form, slots = _posted_form(audit_return)
    if not form.validate_on_submit():
        return _render_check(audit_return, form, status=400)
    expected = int(form.lock_version.data) if str(form.lock_version.data).isdigit() else -1
    try:
        submission = submit(audit_return, current_user, form.confirm.data, expected,
                            approvals=_entries(form, slots))
    except SubmissionError as error:
        return _refused(audit_return, form, error)
    db.session.commit()
    return redirect(url_for("submission.confirmation", return_id=audit_return.id,
                            number=submission.number))


def _submission_or_404(audit_return, number: int) -> Submission:
    submission = Submission.query.filter_by(return_id=audit_return.id,
                                            number=number).one_or_none()
    if submission is None:
        abort(404)
    return submission


@bp.route("/<int:return_id>/submissions/<int:number>")
@access("respondent")
def confirmation(return_id, number):
    audit_return = _return_or_404(return_id, "return.view")
    submission = _submission_or_404(audit_return, number)
    return render_template("returns/submission/confirmation.html",
                           audit_return=audit_return, submission=submission)


def _pdf_response(data: bytes, filename: str):
    response = make_response(data)
    response.headers["Content-Type"] = "application/pdf"
    response.headers["Content-Disposition"] = f'attachment; filename="{filename}"'
    response.headers["Cache-Control"] = "private, no-store"
    response.headers["X-Content-Type-Options"] = "nosniff"
    return response


@bp.route("/<int:return_id>/draft.pdf")
@access("signed_in")
def draft_pdf_download(return_id):
    audit_return = _return_or_404(return_id, "return.view")
    content = snapshot(audit_return)
    return _pdf_response(render(content, draft=True), download_name(content, draft=True))


@bp.route("/<int:return_id>/submissions/<int:number>.pdf")
@access("signed_in")
def submission_pdf_download(return_id, number):
    audit_return = _return_or_404(return_id, "return.view")
    submission = _submission_or_404(audit_return, number)
    return _pdf_response(submission_pdf(submission),
                         download_name(submission.content, draft=False))
