"""People in the browser: admins invite and manage; respondents invite colleagues."""
from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_login import current_user

from ..extensions import db
from ..organisations.models import Organisation
from .models import Grant, User
from .people import (member_organisation, organisation_choices, people_in, person_status,
                     questionnaire_choices, respondents_of)
from .people_forms import ROLE_HINTS, AddGrantForm, ButtonForm, ColleagueForm, InviteForm
from .policy import access, authorized_or_404, current_partnership
from .services import (PeopleError, add_grant, deactivate, invite_person, reactivate,
                       remove_grant, send_invitation)
from .two_factor import remove_two_factor

bp = Blueprint("people", __name__, url_prefix="/people")
PAGE_SIZE = 50


def _prepare_grant_fields(form):
    partnership = current_partnership()
    form.organisation_id.choices = organisation_choices(partnership)
    form.questionnaire_key.choices = questionnaire_choices()
    return partnership


def _grant_scope(form, partnership):
    """The organisation and questionnaire named by the form, checked against the role."""
    organisation = member_organisation(partnership, form.organisation_id.data)
    role = form.role.data
    if role == "respondent" and organisation is None:
        form.organisation_id.errors.append("Select the organisation this person responds for")
        return None
    if role != "respondent" and form.organisation_id.data:
        form.organisation_id.errors.append("Only respondents are linked to an organisation")
        return None
    if role != "reviewer" and form.questionnaire_key.data:
        form.questionnaire_key.errors.append("Only reviewers are limited to a questionnaire")
        return None
    return {"organisation": organisation, "questionnaire_key": form.questionnaire_key.data or None}


def _person_or_404(user_id: int) -> User:
    return authorized_or_404(User, user_id, "user.manage")

@bp.route("/")
@access("admin")
def index():
    partnership = current_partnership()
    search = request.args.get("q", "")[:100]
    role = request.args.get("role", "")
    role = role if role in ROLE_HINTS else ""
    page = db.paginate(people_in(partnership, search, role), per_page=PAGE_SIZE,
                       error_out=False)
    return render_template("people/index.html", page=page, search=search, role=role,
                           roles=ROLE_HINTS, status_of=person_status)


@bp.route("/invite", methods=["GET", "POST"])
@access("admin")
def invite():
    form = InviteForm()
    partnership = _prepare_grant_fields(form)
    if form.validate_on_submit():
        scope = _grant_scope(form, partnership)
        if scope is not None:
            try:
                user, is_new = invite_person(form.email.data, form.name.data, form.role.data,
                                             partnership, by=current_user, **scope)
            except PeopleError as error:
                db.session.rollback()
                form.email.errors.append(str(error))
            else:
                db.session.commit()
                flash(f"Invitation sent to {user.email}" if is_new
                      else f"{user.email} already had that role", "success")
                return redirect(url_for("people.show", user_id=user.id))
    return render_template("people/invite.html", form=form, role_hints=ROLE_HINTS)


@bp.route("/<int:user_id>")
@access("admin")
def show(user_id):
    user = _person_or_404(user_id)
    partnership = current_partnership()
    form = AddGrantForm()
    _prepare_grant_fields(form)
    grants = [g for g in user.grants if g.partnership_id == partnership.id]
    return render_template("people/show.html", person=user, grants=grants, form=form,
                           button=ButtonForm(), status=person_status(user),
                           role_hints=ROLE_HINTS)


@bp.route("/<int:user_id>/grants", methods=["POST"])
@access("admin")
def add_role(user_id):
    user = _person_or_404(user_id)
    form = AddGrantForm()
    partnership = _prepare_grant_fields(form)
    if form.validate_on_submit():
        scope = _grant_scope(form, partnership)
        if scope is not None:
            try:
                add_grant(user, form.role.data, partnership, by=current_user, **scope)
            except PeopleError as error:
                db.session.rollback()
                form.role.errors.append(str(error))
            else:
                db.session.commit()
                flash("Role added", "success")
                return redirect(url_for("people.show", user_id=user.id))
    grants = [g for g in user.grants if g.partnership_id == partnership.id]
    return render_template("people/show.html", person=user, grants=grants, form=form,
                           button=ButtonForm(), status=person_status(user),
                           role_hints=ROLE_HINTS), 400


@bp.route("/<int:user_id>/grants/<int:grant_id>/remove", methods=["POST"])
@access("admin")
def remove_role(user_id, grant_id):
    user = _person_or_404(user_id)
    grant = db.session.get(Grant, grant_id)
    if grant is None or grant.user_id != user.id or \
            grant.partnership_id != current_partnership().id:
        abort(404)
    if ButtonForm().validate_on_submit():
        if user.id == current_user.id and grant.role == "admin":
            flash("You cannot remove your own administrator role", "error")
        else:
            remove_grant(grant, by=current_user)
            db.session.commit()
            flash("Role removed", "success")
    return redirect(url_for("people.show", user_id=user.id))


@bp.route("/<int:user_id>/<any(deactivate, reactivate, resend):action>", methods=["POST"])
@access("admin")
def change_status(user_id, action):
    user = _person_or_404(user_id)
    if not ButtonForm().validate_on_submit():
        abort(400)
    try:
        if action == "deactivate":
            deactivate(user, by=current_user)
            message = f"{user.name} has been deactivated and signed out"
        elif action == "reactivate":
            reactivate(user, by=current_user)
            message = f"{user.name} has been reactivated"
        else:
            if not user.active:
                raise PeopleError("Reactivate this person before sending an invitation")
            send_invitation(user, current_partnership(), by=current_user)
            message = f"Invitation sent again to {user.email}"
    except PeopleError as error:
        db.session.rollback()
        flash(str(error), "error")
    else:
        db.session.commit()
        flash(message, "success")
    return redirect(url_for("people.show", user_id=user.id))


@bp.route("/<int:user_id>/two-factor/reset", methods=["POST"])
@access("admin")
def reset_two_factor(user_id):
    user = _person_or_404(user_id)
    if not ButtonForm().validate_on_submit():
        abort(400)
    if user.id == current_user.id:
        flash("You cannot reset your own two-factor sign-in. Ask another administrator",
              "error")
    elif not user.two_factor_enrolled:
        flash(f"{user.name} has not set up two-factor sign-in", "error")
    else:
        remove_two_factor(user, by=current_user)
        db.session.commit()
        flash(f"{user.name}'s two-factor sign-in has been reset. They have been signed out "
              "and will set it up again when they next sign in", "success")
    return redirect(url_for("people.show", user_id=user.id))


def _organisation_or_404(organisation_id: int) -> Organisation:
    return authorized_or_404(Organisation, organisation_id, "organisation.manage_people")

@bp.route("/organisation/<int:organisation_id>", methods=["GET", "POST"])
@access("signed_in")
def colleagues(organisation_id):
    organisation = _organisation_or_404(organisation_id)
    partnership = current_partnership()
    form = ColleagueForm()
    if form.validate_on_submit():
        try:
            user, is_new = invite_person(form.email.data, form.name.data, "respondent",
                                         partnership, organisation=organisation,
                                         by=current_user)
        except PeopleError as error:
            db.session.rollback()
            form.email.errors.append(str(error))
        else:
            db.session.commit()
            flash(f"Invitation sent to {user.email}" if is_new
                  else f"{user.email} can already complete this organisation's audits",
                  "success")
            return redirect(url_for("people.colleagues", organisation_id=organisation.id))
    return render_template("people/colleagues.html", organisation=organisation, form=form,
                           people=respondents_of(organisation, partnership),
                           button=ButtonForm(), status_of=person_status)


@bp.route("/organisation/<int:organisation_id>/<int:user_id>/remove", methods=["POST"])
@access("signed_in")
def remove_colleague(organisation_id, user_id):
    organisation = _organisation_or_404(organisation_id)
    partnership = current_partnership()
    grant = Grant.query.filter_by(user_id=user_id, role="respondent",
                                  organisation_id=organisation.id,
                                  partnership_id=partnership.id).one_or_none()
    if grant is None:
        abort(404)
    if ButtonForm().validate_on_submit():
        name = grant.user.name
        remove_grant(grant, by=current_user)
        db.session.commit()
        flash(f"{name} can no longer complete {organisation.name}'s audits", "success")
    return redirect(url_for("people.colleagues", organisation_id=organisation.id))
