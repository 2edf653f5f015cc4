"""Action plan pages: one answer's action plan items (and adding one), changing an item
(everything while the return can be changed; its status and progress note afterwards), and
removing an item added by mistake."""
from flask import abort, flash, redirect, render_template, url_for
from flask_login import current_user

from ..auth.policy import access
from ..extensions import db
from .actions import (FULL, ActionErrors, ActionInput, actions_of, add_action, edit_mode,
                      is_overdue, remove_action, update_action)
from .drafts import JourneyError, ReturnContext, applying_question
from .forms import (ActionEditForm, ActionPlanForm, ActionProgressForm, ButtonForm,
                    form_summary, put_errors)
from .models import ActionItem
from .progress import ACTION_STATUS_WORDS
from .routes import bp, return_or_404
from .services import end_reading_transaction, lock_reason

DATE_ANCHOR = {"target_date": "target_date-day"}


def _question_or_404(audit_return, question_id: str):
    try:
        return applying_question(ReturnContext.of(audit_return), question_id)
    except JourneyError as error:
        abort(404, str(error))


def _action_or_404(audit_return, action_id: int) -> ActionItem:
    action = db.session.get(ActionItem, action_id)
    if action is None or action.return_id != audit_return.id or action.status == "dropped":
        abort(404)
    return action


def _data(form, name: str, default: str = "") -> str:
    return (form[name].data or default) if name in form else default


def _entry(form) -> ActionInput:
    day, month, year = form.target_date.parts() if "target_date" in form else ("", "", "")
    # A new action has no status field: it starts open.
    status = _data(form, "status") if "status" in form else "open"
    return ActionInput(description=_data(form, "description"), owner=_data(form, "owner"),
                       day=day, month=month, year=year, status=status, note=_data(form, "note"))


def _render_list(audit_return, question, form=None, status=200):
    form = form or ActionPlanForm(formdata=None)
    actions = actions_of(audit_return.id, [question.id])
    return render_template(
        "returns/actions.html", audit_return=audit_return, question=question,
        actions=[(action, ACTION_STATUS_WORDS[action.status], is_overdue(action))
                 for action in actions],
        action_form=form, form=form_summary(form, anchors=DATE_ANCHOR),
        can_add=edit_mode(audit_return) == FULL, locked=lock_reason(audit_return),
        remove_form=ButtonForm()), status


@bp.route("/<int:return_id>/questions/<question_id>/actions", methods=["GET", "POST"])
@access("respondent")
def actions_page(return_id, question_id):
    audit_return = return_or_404(return_id)
    question = _question_or_404(audit_return, question_id)
    form = ActionPlanForm()
    if not form.is_submitted():
        return _render_list(audit_return, question)
    entry = _entry(form)
    end_reading_transaction()
    try:
        add_action(audit_return, question.id, entry, current_user)
    except ActionErrors as error:
        db.session.rollback()
        put_errors(form, error.errors)
        return _render_list(audit_return, question, form, status=400)
    except JourneyError as error:
        db.session.rollback()
        flash(f"Nothing was added. {error}", "error")
        return redirect(url_for(".actions_page", return_id=return_id, question_id=question.id))
    db.session.commit()
    flash("The action has been added to the action plan", "success")
    return redirect(url_for(".actions_page", return_id=return_id, question_id=question.id))


def _edit_form(action: ActionItem, mode: str):
    form_class = ActionEditForm if mode == FULL else ActionProgressForm
    form = form_class()
    if not form.is_submitted():
        form = form_class(formdata=None, data={
            "description": action.description, "owner": action.owner,
            "target_date": action.target_date, "status": action.status,
            "note": action.progress_note})
    return form


@bp.route("/<int:return_id>/actions/<int:action_id>", methods=["GET", "POST"])
@access("respondent")
def edit_action(return_id, action_id):
    audit_return = return_or_404(return_id)
    action = _action_or_404(audit_return, action_id)
    mode = edit_mode(audit_return)
    if mode is None:
        flash("This return has been withdrawn, so its actions cannot be changed", "error")
        return redirect(url_for(".home"))
    form = _edit_form(action, mode)
    status = 200
    if form.is_submitted():
        entry = _entry(form)
        end_reading_transaction()
        try:
            update_action(action, audit_return, entry, current_user)
        except ActionErrors as error:
            db.session.rollback()
            put_errors(form, error.errors)
            status = 400
        except JourneyError as error:
            db.session.rollback()
            flash(f"Nothing was changed. {error}", "error")
            return redirect(url_for(".edit_action", return_id=return_id, action_id=action_id))
        else:
            db.session.commit()
            flash("The action has been updated", "success")
            return redirect(_after_edit(audit_return, action, mode))
    return render_template("returns/action_edit.html", audit_return=audit_return,
                           action=action, action_form=form, full=mode == FULL,
                           form=form_summary(form, anchors=DATE_ANCHOR),
                           back=_after_edit(audit_return, action, mode)), status


def _after_edit(audit_return, action: ActionItem, mode: str) -> str:
    if mode == FULL and action.question_key:
        return url_for(".actions_page", return_id=audit_return.id,
                       question_id=action.question_key)
    return url_for(".home")


@bp.route("/<int:return_id>/actions/<int:action_id>/remove", methods=["POST"])
@access("respondent")
def remove_action_item(return_id, action_id):
    audit_return = return_or_404(return_id)
    action = _action_or_404(audit_return, action_id)
    question_id = action.question_key
    end_reading_transaction()
    try:
        remove_action(action, audit_return, current_user)
    except JourneyError as error:
        db.session.rollback()
        flash(f"Nothing was removed. {error}", "error")
    else:
        db.session.commit()
        flash("The action has been removed from the action plan", "success")
    if question_id:
        return redirect(url_for(".actions_page", return_id=return_id,
                                question_id=question_id))
    return redirect(url_for(".home"))
