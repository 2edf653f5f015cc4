"""The admin's page for assigning reviewers to every audit, a questionnaire or a cycle."""
from flask import flash, redirect, render_template, url_for
from flask_login import current_user

from ..auth.policy import access, current_partnership, forget_cached_grants
from ..extensions import db
from .assignments import EVERYTHING, assign_reviewer, assignments, reviewers_in, \
    scope_choices
from .forms import AssignmentForm
from .routes import _add_error, bp
from .services import ReviewError


def _page(form, status=200):
    partnership = current_partnership()
    form.user_id.choices = [("", "Select a reviewer")] + \
        [(str(user.id), f"{user.name} ({user.email})") for user in reviewers_in(partnership)]
    form.scope.choices = scope_choices(partnership)
    return render_template("review/assignments.html", form=form,
                           rows=assignments(partnership)), status


@bp.route("/assignments", methods=["GET", "POST"])
@access("admin")
def assign_reviewers():
    form = AssignmentForm(scope=EVERYTHING)
    if form.validate_on_submit():
        try:
            grant, is_new = assign_reviewer(current_partnership(), form.user_id.data,
                                            form.scope.data, current_user)
        except ReviewError as error:
            db.session.rollback()
            target = form.user_id if str(error) == "Select a reviewer" else form.scope
            _add_error(target, str(error))
        else:
            db.session.commit()
            forget_cached_grants()
            flash(f"{grant.user.name} is assigned" if is_new
                  else f"{grant.user.name} was already assigned to that", "success")
            return redirect(url_for(".assign_reviewers"))
        return _page(form, 400)
    return _page(form)
