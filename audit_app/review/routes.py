"""The reviewer's pages: the queue, a return under review, one answer (moderation and
queries), the decisions, spot-check samples and the history of a return."""
from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_login import current_user

from ..auth.policy import access, authorize, can, current_partnership, roles_in
from ..cycles.models import AuditReturn, Cycle
from ..cycles.views import STATUS_TAGS
from ..extensions import db
from ..questionnaires.definition import Definition
from ..timeutil import today_london
from . import queue as review_queue
from .forms import (AcceptForm, CloseQueryForm, ModerationForm, QueryForm, ReopenForm,
                    ReturnForm, SampleForm)
from .models import ReviewQuery
from .sampling import draw_sample, samples_for
from .services import (ReviewError, accept, all_queries, close_query, latest_submission,
                       moderate, raise_query, reopen, return_for_changes,
                       submitted_questions)
from .views import history, query_threads, review_answers

bp = Blueprint("review", __name__, url_prefix="/review")


def _return_or_404(return_id: int, action: str = "return.view") -> AuditReturn:
    audit_return = db.session.get(AuditReturn, return_id)
    if audit_return is None:
        abort(404)
    authorize(action, audit_return)
    return audit_return


def _add_error(field, message: str) -> None:
    # A field that was never validated holds its errors in a tuple.
    field.errors = [*field.errors, message]


def _roles() -> set[str]:
    return roles_in(current_user, current_partnership())


def _queue_page(sample_form=None, status=200):
    partnership, roles = current_partnership(), _roles()
    filters = review_queue.QueueFilters.from_args(request.args)
    choices = review_queue.filter_choices(current_user, partnership, roles)
    sample_form = sample_form or SampleForm(formdata=None)
    sample_form.cycle_id.choices = [("", "Select an audit cycle")] + \
        [(str(cycle_id), name) for cycle_id, name in choices["cycles"]]
    samples = samples_for({cycle_id: name for cycle_id, name in choices["cycles"]})
    return render_template(
        "review/queue.html", filters=filters, choices=choices, status_tags=STATUS_TAGS,
        counts=review_queue.status_counts(current_user, partnership, roles),
        rows=review_queue.queue_rows(current_user, partnership, roles, filters,
                                     today_london()),
        sample_form=sample_form, samples=samples,
        form=sample_form if sample_form.errors else None), status


@bp.route("/")
@access("reviewer")
def queue():
    return _queue_page()


@bp.route("/samples", methods=["POST"])
@access("reviewer")
def draw_spot_check():
    form = SampleForm()
    cycle_id = form.cycle_id.data or ""
    cycle = db.session.get(Cycle, int(cycle_id)) if cycle_id.isdigit() else None
    if cycle is None or cycle.partnership_id != current_partnership().id:
        _add_error(form.cycle_id, "Select an audit cycle")
        return _queue_page(form, 400)
    if not (form.validate_on_submit() and _may_sample(cycle)):
        _add_error(form.cycle_id, "Select an audit cycle you review")
        return _queue_page(form, 400)
    try:
        sample = draw_sample(cycle, form.percentage.data, form.seed.data, current_user)
    except ReviewError as error:
        db.session.rollback()
        field = form.seed if "seed" in str(error) else form.percentage
        _add_error(field, str(error))
        return _queue_page(form, 400)
    db.session.commit()
    flash(f"Sample drawn: {len(sample.return_ids)} of the accepted returns of {cycle.name}",
          "success")
    return redirect(url_for(".queue"))


def _may_sample(cycle: Cycle) -> bool:
    """Whether the person reviews every accepted return of the cycle."""
    return all(can(current_user, "return.review", item) for item in cycle.returns)


def _review_page(audit_return, status=200, **forms):
    forms.setdefault("query_form", QueryForm(formdata=None))
    forms.setdefault("accept_form", AcceptForm(formdata=None,
                                               countersigned_name=current_user.name))
    forms.setdefault("return_form", ReturnForm(formdata=None))
    forms.setdefault("reopen_form", ReopenForm(formdata=None))
    submission = latest_submission(audit_return)
    return render_template(
        "review/return.html", audit_return=audit_return, submission=submission,
        answers=review_answers(audit_return),
        whole_return_queries=query_threads([query for query in all_queries(audit_return)
                                            if query.question_key is None]),
        status_tag=STATUS_TAGS[audit_return.status],
        may_review=can(current_user, "return.review", audit_return),
        may_reopen="admin" in _roles() and audit_return.status == "accepted",
        close_form=CloseQueryForm(formdata=None), **forms), status


@bp.route("/returns/<int:return_id>")
@access("staff")
def review_return(return_id):
    audit_return = _return_or_404(return_id)
    return _review_page(audit_return)


def _question_page(audit_return, question, status=200, moderation_form=None,
                   query_form=None):
    submitted = submitted_questions(latest_submission(audit_return)).get(question.id)
    answer = next(item for item in review_answers(audit_return) if item.id == question.id)
    if moderation_form is None:
        moderation_form = ModerationForm(
            formdata=None, rating=answer.moderation.moderated_value
            if answer.moderation else "agree",
            reason=answer.moderation.reason if answer.moderation else None)
    moderation_form.set_scale(answer.rating_options, submitted.get("answer"))
    query_form = query_form or QueryForm(formdata=None, question_id=question.id)
    return render_template(
        "review/question.html", audit_return=audit_return, answer=answer,
        threads=query_threads(answer.queries), close_form=CloseQueryForm(formdata=None),
        form=moderation_form if moderation_form.errors else query_form,
        moderation_form=moderation_form, query_form=query_form,
        may_review=can(current_user, "return.review", audit_return)
        and audit_return.status == "submitted"), status


def _submitted_question_or_404(audit_return, question_id: str):
    if question_id not in submitted_questions(latest_submission(audit_return)):
        abort(404, "This question is not part of the return's latest submission.")
    return Definition.of(audit_return.cycle.questionnaire_version).question(question_id)


@bp.route("/returns/<int:return_id>/questions/<question_id>")
@access("staff")
def review_question(return_id, question_id):
    audit_return = _return_or_404(return_id)
    return _question_page(audit_return, _submitted_question_or_404(audit_return, question_id))


@bp.route("/returns/<int:return_id>/questions/<question_id>/moderate", methods=["POST"])
@access("reviewer")
def moderate_answer(return_id, question_id):
    audit_return = _return_or_404(return_id, "return.review")
    question = _submitted_question_or_404(audit_return, question_id)
    form = ModerationForm()
    if form.validate_on_submit():
        try:
            moderation = moderate(audit_return, question_id, form.chosen_rating(),
                                  form.reason.data, current_user)
        except ReviewError as error:
            db.session.rollback()
            target = form.reason if "reason" in str(error) else form.rating
            _add_error(target, str(error))
        else:
            db.session.commit()
            flash("Moderated rating saved" if moderation else "You agreed with the "
                  "self-rating", "success")
            return redirect(url_for(".review_return", return_id=return_id))
    return _question_page(audit_return, question, 400, moderation_form=form)


@bp.route("/returns/<int:return_id>/queries", methods=["POST"])
@access("reviewer")
def raise_return_query(return_id):
    audit_return = _return_or_404(return_id, "return.review")
    form = QueryForm()
    question_id = form.question_id.data or None
    if form.validate_on_submit():
        try:
            raise_query(audit_return, question_id, form.body.data, current_user)
        except ReviewError as error:
            db.session.rollback()
            _add_error(form.body, str(error))
        else:
            db.session.commit()
            flash("Query raised", "success")
            return redirect(url_for(".review_return", return_id=return_id))
    if question_id and question_id in submitted_questions(latest_submission(audit_return)):
        return _question_page(audit_return, _submitted_question_or_404(
            audit_return, question_id), 400, query_form=form)
    return _review_page(audit_return, 400, query_form=form, form=form)


@bp.route("/returns/<int:return_id>/queries/<int:query_id>/close", methods=["POST"])
@access("reviewer")
def close_return_query(return_id, query_id):
    audit_return = _return_or_404(return_id, "return.review")
    query = db.session.get(ReviewQuery, query_id)
    if query is None or query.return_id != audit_return.id:
        abort(404)
    if CloseQueryForm().validate_on_submit():
        try:
            close_query(query, current_user)
        except ReviewError as error:
            db.session.rollback()
            flash(str(error), "error")
        else:
            db.session.commit()
            flash("Query closed", "success")
    return redirect(url_for(".review_return", return_id=return_id))


@bp.route("/returns/<int:return_id>/return", methods=["POST"])
@access("reviewer")
def return_for_changes_view(return_id):
    audit_return = _return_or_404(return_id, "return.review")
    form = ReturnForm()
    if form.validate_on_submit():
        try:
            sent = return_for_changes(audit_return, current_user)
        except ReviewError as error:
            db.session.rollback()
            _add_error(form.send_back, str(error))
        else:
            db.session.commit()
            flash(f"The return has been returned for changes. {sent} "
                  f"{'person has' if sent == 1 else 'people have'} been emailed", "success")
            return redirect(url_for(".review_return", return_id=return_id))
    return _review_page(audit_return, 400, return_form=form, form=form)


@bp.route("/returns/<int:return_id>/accept", methods=["POST"])
@access("reviewer")
def accept_return(return_id):
    audit_return = _return_or_404(return_id, "return.review")
    form = AcceptForm()
    if form.validate_on_submit():
        try:
            accept(audit_return, current_user, form.countersigned_name.data)
        except ReviewError as error:
            db.session.rollback()
            _add_error(form.countersigned_name, str(error))
        else:
            db.session.commit()
            flash("The return has been accepted", "success")
            return redirect(url_for(".review_return", return_id=return_id))
    return _review_page(audit_return, 400, accept_form=form, form=form)


@bp.route("/returns/<int:return_id>/reopen", methods=["POST"])
@access("admin")
def reopen_return(return_id):
    audit_return = _return_or_404(return_id, "return.review")
    form = ReopenForm()
    if form.validate_on_submit():
        try:
            reopen(audit_return, current_user, form.reason.data)
        except ReviewError as error:
            db.session.rollback()
            _add_error(form.reason, str(error))
        else:
            db.session.commit()
            flash("The return has been reopened and returned to the organisation", "success")
            return redirect(url_for(".review_return", return_id=return_id))
    return _review_page(audit_return, 400, reopen_form=form, form=form)


@bp.route("/returns/<int:return_id>/history")
@access("signed_in")
def return_history(return_id):
    audit_return = _return_or_404(return_id)
    staff = bool(_roles() & {"admin", "reviewer", "qa"})
    return render_template("review/history.html", audit_return=audit_return,
                           rows=history(audit_return, staff=staff),
                           status_tag=STATUS_TAGS[audit_return.status])
from . import assignment_routes  # noqa: E402,F401  (its routes join bp)
