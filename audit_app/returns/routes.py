"""The respondent journey in the browser: the respondent's home, a return's task list, the
section pages (saved by their buttons, or in the background by the page's script) and the
keep-alive that the session timeout warning calls. Evidence and action plan pages are in
evidence_routes.py and action_routes.py, on the same blueprint."""
from flask import (Blueprint, abort, current_app, flash, jsonify, redirect, render_template,
                   request, url_for)
from flask_login import current_user

from ..auth.policy import access, authorize, current_partnership
from ..auth.sessions import current_session_record
from ..cycles.models import AuditReturn
from ..extensions import db
from ..timeutil import to_london, utcnow
from .concurrency import BaseRefused, apply_choices, as_fields, comment_key, read_base
from .drafts import JourneyError, ReturnContext, SectionUnavailable
from .forms import ProblemSummary, bind_section_form, posted_choices, section_form_class
from .progress import return_status_tag, respondent_home, task_list as task_list_of
from .section_page import (conflict_questions, read_only_rows, section_page,
                           snapshot_section)
from .services import (AnswersRefused, end_reading_transaction, lock_reason, save_section,
                       seconds_until_sign_out)

bp = Blueprint("returns", __name__, url_prefix="/returns")

CHECK_ENDPOINT = "submission.check"
OUT_OF_DATE = ("This page could not be saved because it is out of date. Go back to the "
               "section and reload it")


def return_or_404(return_id: int, action: str = "return.edit") -> AuditReturn:
    audit_return = db.session.get(AuditReturn, return_id)
    if audit_return is None:
        abort(404)
    authorize(action, audit_return, status=404)
    return audit_return


def section_or_404(audit_return: AuditReturn, section_id: str):
    context = ReturnContext.of(audit_return)
    try:
        section = context.section(section_id)
    except SectionUnavailable as error:
        abort(404, str(error))
    snapshot = snapshot_section(context, section)
    if not snapshot.section_applies:
        abort(404, "This section does not apply to your organisation")
    return snapshot


def session_seconds_left() -> int:
    record = current_session_record()
    if record is None:
        return 0
    config = current_app.config
    return seconds_until_sign_out(record, config["SESSION_IDLE_MINUTES"],
                                  config["SESSION_ABSOLUTE_HOURS"])


@bp.app_context_processor
def session_timeout_settings():
    return {"session_seconds_left": session_seconds_left}


@bp.route("/")
@access("respondent")
def home():
    return render_template("returns/home.html",
                           home=respondent_home(current_user, current_partnership()))


@bp.route("/<int:return_id>")
@access("respondent")
def task_list(return_id):
    audit_return = return_or_404(return_id)
    tasks = task_list_of(audit_return)
    items = [{"title": {"text": item.section.title},
              "href": url_for(".section", return_id=return_id, section_id=item.section.id),
              "status": {"text": item.words} if item.status == "completed"
              else {"tag": {"text": item.words, "classes": "govuk-tag--blue"
                            if item.status == "not_started" else "govuk-tag--light-blue"}}}
             for item in tasks.sections]
    check_url = (url_for(CHECK_ENDPOINT, return_id=return_id)
                 if CHECK_ENDPOINT in current_app.view_functions else None)
    return render_template("returns/task_list.html", audit_return=audit_return,
                           tasks=tasks, items=items, check_url=check_url,
                           status_tag=return_status_tag(audit_return.status),
                           locked=lock_reason(audit_return))


@bp.route("/<int:return_id>/sections/<section_id>", methods=["GET", "POST"])
@access("respondent")
def section(return_id, section_id):
    audit_return = return_or_404(return_id)
    snapshot = section_or_404(audit_return, section_id)
    locked = lock_reason(audit_return)
    if locked:
        if request.method == "POST":
            flash(f"Nothing was saved. {locked}", "error")
        return render_template("returns/section_read_only.html", snapshot=snapshot,
                               rows=read_only_rows(snapshot), locked=locked), \
            409 if request.method == "POST" else 200
    if request.method == "GET":
        return _render_section(section_page(snapshot))
    return _save_posted(audit_return, snapshot)


def _render_section(page, status: int = 200):
    return render_template("returns/section.html", page=page, form=page.summary,
                           snapshot=page.snapshot), status


class _Posted:
    """A section page's post, read: its base, its bound form, and what it asks for."""

    def __init__(self, snapshot):
        version, fields = read_base(request.form.get("base"), snapshot.context.audit_return.id,
                                    snapshot.section.id)
        self.based = snapshot.based_on(version, fields)
        self.conflict_keys = [key for key in request.form.get("conflicts", "").split(",")
                              if key]
        pairs = conflict_questions(self.based, self.conflict_keys)
        form_class = section_form_class(snapshot.context, snapshot.section,
                                        self.based.shown, snapshot.other_values, pairs)
        self.form = bind_section_form(form_class, snapshot.section, request.form)
        self.action = request.form.get("action", "draft")

    def fields(self) -> tuple[dict, dict]:
        """(answers, comments) as posted, after the person's choices between conflicts."""
        form = self.form
        fields = apply_choices(as_fields(form.answer_data(), form.comment_data()),
                               self.based.shown,
                               posted_choices(form, self.conflict_keys))
        questions = [q.id for q in self.based.section.questions]
        answers = {key: fields[key] for key in questions if key in fields}
        comments = {key: fields[comment_key(key)] for key in questions
                    if comment_key(key) in fields}
        return answers, comments


def _save_posted(audit_return, snapshot):
    try:
        posted = _Posted(snapshot)
    except BaseRefused:
        abort(400, OUT_OF_DATE)
    if not posted.form.validate_draft():
        return _render_section(section_page(posted.based, form=posted.form,
                                            conflict_keys=posted.conflict_keys), 400)
    # Going to a question's evidence or actions saves without changing what the person
    # said about the section: a completed section stays completed while it qualifies.
    complete = {"continue": True, "draft": False}.get(posted.action)
    result = _save(audit_return, snapshot, posted, complete)
    if isinstance(result, str):
        flash(result, "error")
        return redirect(url_for(".task_list", return_id=audit_return.id))
    if isinstance(result, AnswersRefused):
        return _render_section(section_page(posted.based, form=posted.form,
                                            conflict_keys=posted.conflict_keys,
                                            problems=result.problems), 400)
    fresh = snapshot_section(snapshot.context, snapshot.section)
    if result.conflicts:
        mine = as_fields(*posted.fields())
        return _render_section(section_page(fresh, mine=mine,
                                            conflict_keys=[c.field for c in result.conflicts]))
    if complete is True and not result.completed:
        return _render_section(section_page(fresh, problems=result.problems))
    return _after_save(audit_return, snapshot.section, posted.action, result)


def _save(audit_return, snapshot, posted, complete):
    """The save's result; the message when the return cannot be changed; the refusal
    when an answer is malformed."""
    answers, comments = posted.fields()
    end_reading_transaction()
    try:
        result = save_section(audit_return, snapshot.section.id, answers, comments,
                              posted.based.version, posted.based.shown, current_user,
                              complete, context=snapshot.context)
    except AnswersRefused as error:
        db.session.rollback()
        return error
    except SectionUnavailable as error:
        db.session.rollback()
        abort(404, str(error))
    except JourneyError as error:
        db.session.rollback()
        return f"Nothing was saved. {error}"
    db.session.commit()
    return result


def _after_save(audit_return, section, action: str, result):
    target, _colon, question_id = action.partition(":")
    if target == "evidence" and question_id:
        return redirect(url_for(".evidence_page", return_id=audit_return.id,
                                question_id=question_id))
    if target == "actions" and question_id:
        return redirect(url_for(".actions_page", return_id=audit_return.id,
                                question_id=question_id))
    if target == "continue":
        flash(f"You have completed ‘{section.title}’", "success")
        return redirect(url_for(".task_list", return_id=audit_return.id))
    flash("Your answers have been saved", "success")
    return redirect(url_for(".section", return_id=audit_return.id, section_id=section.id))


@bp.route("/<int:return_id>/sections/<section_id>/autosave", methods=["POST"])
@access("respondent")
def autosave(return_id, section_id):
    audit_return = return_or_404(return_id)
    snapshot = section_or_404(audit_return, section_id)
    locked = lock_reason(audit_return)
    if locked:
        return _json("locked", 409, message=f"Your answers were not saved. {locked}")
    try:
        posted = _Posted(snapshot)
    except BaseRefused:
        return _json("refused", 400, message=OUT_OF_DATE)
    if not posted.form.validate_draft():
        return _json("invalid", 422, message=_invalid_message(
            section_page(posted.based, form=posted.form).summary))
    result = _save(audit_return, snapshot, posted, None)
    if isinstance(result, str):
        return _json("locked", 409, message=result)
    if isinstance(result, AnswersRefused):
        return _json("invalid", 422, message=f"Your answers have not been saved yet. "
                                             f"{result.problems[0].message}")
    if result.conflicts:
        return _json("conflict", 409, message=(
            "Someone else has changed this section since you opened it. Select ‘Save as "
            "draft’ to see their answers beside yours and choose which to keep"))
    # The definition and organisation are those read before the save; the answers and
    # version are read again.
    fresh = snapshot_section(snapshot.context, snapshot.section)
    return _json("saved", 200, version=fresh.version, base=fresh.base,
                 section_status=result.status,
                 saved_at=f"{to_london(utcnow()):%H:%M}")


def _invalid_message(summary: ProblemSummary | None) -> str:
    first = next(iter(summary.errors.values()))[0] if summary else "check your answers"
    return f"Your answers have not been saved yet. {first}"


def _json(status: str, code: int, **values):
    response = jsonify({"status": status, "seconds_left": session_seconds_left(), **values})
    response.headers["Cache-Control"] = "no-store"
    return response, code


@bp.route("/keep-alive", methods=["POST"])
@access("signed_in")
def keep_alive():
    """Called by the session timeout warning's 'Stay signed in' button: the request itself
    keeps the session alive."""
    return _json("ok", 200)


from . import action_routes, evidence_routes  # noqa: E402,F401  (their routes join bp)
