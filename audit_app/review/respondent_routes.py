"""The organisation's pages for a returned return (the queries and replies to them), and
the reviewer's page of what changed between the last two submissions."""
from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_login import current_user
from flask_wtf import FlaskForm
from govuk_frontend_wtf.wtforms_widgets import GovTextArea
from wtforms import TextAreaField

from ..auth.policy import access, authorize
from ..cycles.models import AuditReturn
from ..extensions import db
from .respondent import (QueryNotFound, ReplyRefused, latest_changes, query_of,
                         reply_to_query, respondent_queries, thread_of)

bp = Blueprint("review_respondent", __name__, url_prefix="/returns")

REPLY_HINT = ("Do not include the names of children, young people or staff. Change your "
              "answers on the section page, then reply here to say what you changed.")


class QueryReplyForm(FlaskForm):
    body = TextAreaField("Your reply", widget=GovTextArea())


def reply_form(query_id: int, formdata=None) -> QueryReplyForm:
    # One form per query on a page: the prefix keeps their field names and ids apart.
    return QueryReplyForm(formdata=formdata, prefix=f"query-{query_id}")


@bp.app_context_processor
def respondent_query_helpers():
    return {"respondent_queries": respondent_queries, "query_reply_form": reply_form}


def _return_or_404(return_id: int, action: str) -> AuditReturn:
    audit_return = db.session.get(AuditReturn, return_id)
    if audit_return is None:
        abort(404)
    authorize(action, audit_return, status=404)
    return audit_return


def _query_or_404(audit_return, query_id: int):
    try:
        return query_of(audit_return, query_id)
    except QueryNotFound:
        abort(404, "This query does not exist, or it has been closed")


def _where_to_go_back(audit_return, thread) -> str:
    if thread.section_id:
        return url_for("returns.section", return_id=audit_return.id,
                       section_id=thread.section_id, _anchor=f"query-{thread.id}")
    return url_for("returns.task_list", return_id=audit_return.id, _anchor=f"query-{thread.id}")


@bp.route("/<int:return_id>/queries/<int:query_id>", methods=["GET", "POST"])
@access("respondent")
def query(return_id, query_id):
    audit_return = _return_or_404(return_id, "return.edit")
    review_query = _query_or_404(audit_return, query_id)
    form = reply_form(query_id, formdata=request.form if request.method == "POST" else None)
    status = 200
    if request.method == "POST":
        try:
            reply_to_query(audit_return, query_id, form.body.data, current_user)
        except ReplyRefused as error:
            db.session.rollback()
            form.body.errors = [str(error)]
            status = 400
        else:
            db.session.commit()
            flash("Your reply has been sent to the reviewer", "success")
            return redirect(_where_to_go_back(audit_return, thread_of(audit_return,
                                                                      review_query)))
    thread = thread_of(audit_return, review_query)
    return render_template("review/respondent_query.html", audit_return=audit_return,
                           thread=thread, form=form, hint=REPLY_HINT,
                           can_reply=respondent_queries(audit_return).can_reply,
                           back_url=_where_to_go_back(audit_return, thread)), status


@bp.route("/<int:return_id>/changes")
@access("reviewer")
def changes(return_id):
    audit_return = _return_or_404(return_id, "return.review")
    found = latest_changes(audit_return)
    return render_template("review/diff_page.html", audit_return=audit_return,
                           older=found.older, newer=found.newer, diff=found.diff)
