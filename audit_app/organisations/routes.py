"""The register pages: staff list and view organisations, admins add and edit agencies and
assign localities, respondents view their own organisation."""
from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_login import current_user

from ..auth.people import person_status, respondents_of
from ..auth.policy import access, authorized_or_404, can, current_partnership
from ..extensions import db
from .display import KIND_LABELS, list_rows, locality_row, other_register_rows, pagination, register_rows
from .forms import AddAgencyForm, AgencyForm, LocalityForm, RegisterFilterForm
from .models import Organisation
from .services import (RegisterError, create_agency, filter_values, localities_in,
                       localities_of, membership_of, register_query, set_locality,
                       update_agency)

bp = Blueprint("organisations", __name__, url_prefix="/organisations")
PAGE_SIZE = 50


def _organisation_or_404(organisation_id: int, action: str) -> Organisation:
    return authorized_or_404(Organisation, organisation_id, action)

def _localities_hint(partnership) -> str:
    localities = localities_in(partnership)
    if not localities:
        return "For example, the area team or district the organisation belongs to"
    return "Localities in use: " + ", ".join(localities)


@bp.route("/")
@access("staff")
def index():
    partnership = current_partnership()
    form = RegisterFilterForm(formdata=request.args)
    form.offer(filter_values(partnership))
    form.validate()
    page = db.paginate(register_query(partnership, form.filters()), per_page=PAGE_SIZE,
                       error_out=False)
    query_args = form.query_args()
    return render_template(
        "organisations/index.html", form=form, page=page,
        rows=list_rows(page.items, localities_of(partnership, page.items)),
        pagination=pagination(page, lambda number: url_for(".index", page=number,
                                                           **query_args)),
        may_add=can(current_user, "organisations.manage"))


@bp.route("/<int:organisation_id>")
@access("signed_in")
def show(organisation_id):
    organisation = _organisation_or_404(organisation_id, "organisation.view")
    partnership = current_partnership()
    may_edit = can(current_user, "organisation.edit", organisation)
    membership = membership_of(partnership, organisation)
    locality_href = (url_for(".change_locality", organisation_id=organisation.id)
                     if may_edit else None)
    return render_template(
        "organisations/show.html", organisation=organisation,
        rows=register_rows(organisation) + [locality_row(membership.locality, locality_href)],
        other_rows=other_register_rows(organisation),
        people=respondents_of(organisation, partnership), status_of=person_status,
        kind_label=KIND_LABELS[organisation.kind], may_edit=may_edit,
        may_edit_agency=may_edit and organisation.kind == "agency",
        may_list=can(current_user, "organisations.list"))


@bp.route("/agencies/new", methods=["GET", "POST"])
@access("admin")
def add_agency():
    partnership = current_partnership()
    form = AddAgencyForm()
    form.locality.description = _localities_hint(partnership)
    if form.validate_on_submit():
        try:
            organisation = create_agency(partnership, form.values(), form.locality.data)
        except RegisterError as error:
            db.session.rollback()
            getattr(form, error.field).errors.append(str(error))
        else:
            db.session.commit()
            flash(f"{organisation.name} has been added", "success")
            return redirect(url_for(".show", organisation_id=organisation.id))
    return render_template("organisations/agency_form.html", form=form, organisation=None,
                           title="Add an agency"), 400 if form.errors else 200


@bp.route("/<int:organisation_id>/edit", methods=["GET", "POST"])
@access("admin")
def edit_agency(organisation_id):
    organisation = _organisation_or_404(organisation_id, "organisation.edit")
    if organisation.kind != "agency":
        # Schools' attributes come from GIAS; they change by importing a new extract.
        abort(404)
    form = AgencyForm(data=AgencyForm.data_of(organisation))
    if form.validate_on_submit():
        try:
            changes = update_agency(current_partnership(), organisation, form.values())
        except RegisterError as error:
            db.session.rollback()
            getattr(form, error.field).errors.append(str(error))
        else:
            db.session.commit()
            if changes:
                flash(f"{organisation.name} has been updated", "success")
            else:
                flash("Nothing was changed")
            return redirect(url_for(".show", organisation_id=organisation.id))
    return render_template("organisations/agency_form.html", form=form,
                           organisation=organisation,
                           title=f"Change {organisation.name}"), 400 if form.errors else 200


@bp.route("/<int:organisation_id>/locality", methods=["GET", "POST"])
@access("admin")
def change_locality(organisation_id):
    organisation = _organisation_or_404(organisation_id, "organisation.edit")
    partnership = current_partnership()
    membership = membership_of(partnership, organisation)
    form = LocalityForm(data={"locality": membership.locality})
    form.locality.description = _localities_hint(partnership)
    if form.validate_on_submit():
        changed = set_locality(partnership, organisation, form.locality.data)
        db.session.commit()
        if changed:
            flash(f"Locality of {organisation.name} saved", "success")
        else:
            flash("Nothing was changed")
        return redirect(url_for(".show", organisation_id=organisation.id))
    return render_template("organisations/locality.html", form=form,
                           organisation=organisation), 400 if form.errors else 200
