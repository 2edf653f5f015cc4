"""Admin pages for audit cycles: the list, a new cycle (with a preview of who it covers),
a cycle's returns, one return's extension and withdrawal, and closing the cycle."""
from flask import Blueprint, abort, flash, redirect, render_template, url_for
from flask_login import current_user

from ..auth.policy import access, authorized_or_404, current_partnership
from ..extensions import db
from ..questionnaires.models import QuestionnaireVersion
from ..timeutil import format_date, today_london
from .coverage import describe_coverage, filter_choices, preview_coverage
from .errors import CycleError
from .forms import ConfirmForm, ExtensionForm, NewCycleForm, WithdrawForm
from .invitations import organisations_without_contact
from .models import AuditReturn, Cycle
from .reminders import rung_words
from .services import (close_cycle, cycles_with_counts, give_extension, is_read_only,
                       open_cycle, refresh_cycle, returns_of, status_counts, unsubmitted_count,
                       withdraw)
from .views import (CYCLE_TAGS, STATUS_TAGS, can_extend, can_withdraw, history_rows,
                    organisation_url, version_choices)

bp = Blueprint("cycles", __name__, url_prefix="/cycles")


def _cycle_or_404(cycle_id: int) -> Cycle:
    return authorized_or_404(Cycle, cycle_id, "cycle.manage")

def _return_or_404(cycle: Cycle, return_id: int) -> AuditReturn:
    audit_return = db.session.get(AuditReturn, return_id)
    if audit_return is None or audit_return.cycle_id != cycle.id:
        abort(404)
    return audit_return


@bp.route("/")
@access("admin")
def index():
    return render_template("cycles/index.html",
                           summaries=cycles_with_counts(current_partnership()),
                           status_tags=STATUS_TAGS, cycle_tags=CYCLE_TAGS)


def _prepare_new_form(form: NewCycleForm, partnership) -> None:
    form.version_id.choices = version_choices()
    for name, choices in filter_choices(partnership).items():
        getattr(form, name).choices = choices


def _chosen_version(form: NewCycleForm, partnership) -> QuestionnaireVersion | None:
    """The chosen version, unless the name is taken (then the form says so)."""
    version = db.session.get(QuestionnaireVersion, int(form.version_id.data))
    if Cycle.query.filter_by(partnership_id=partnership.id,
                             name=" ".join(form.name.data.split())).first():
        form.name.errors.append("A cycle with this name already exists: choose another "
                                "name, or open that cycle to add organisations to it")
        return None
    return version


@bp.route("/new", methods=["GET", "POST"])
@access("admin")
def new():
    partnership = current_partnership()
    form = NewCycleForm()
    _prepare_new_form(form, partnership)
    preview = None
    if form.validate_on_submit():
        version = _chosen_version(form, partnership)
        if version is not None:
            try:
                if form.preview.data:
                    preview = preview_coverage(partnership, version.audience, form.filters())
                else:
                    result = open_cycle(
                        partnership, version, form.name.data, due_date=form.due_date.data,
                        open_date=form.open_date.data, final_deadline=form.final_deadline.data,
                        filters=form.filters(), reminder_days=form.reminder_days.data,
                        actor=current_user)
                    db.session.commit()
                    flash(f"{result.cycle.name} is open: {len(result.returns_added)} returns "
                          f"created and {result.invitations} invitations queued", "success")
                    return redirect(url_for("cycles.show", cycle_id=result.cycle.id))
            except CycleError as error:
                db.session.rollback()
                form.kind.errors.append(str(error))
    status = 400 if form.errors else 200
    return render_template("cycles/new.html", form=form, preview=preview), status


@bp.route("/<int:cycle_id>")
@access("admin")
def show(cycle_id):
    cycle = _cycle_or_404(cycle_id)
    without_contact = [(organisation, organisation_url(organisation))
                       for organisation in organisations_without_contact(cycle)]
    return render_template(
        "cycles/show.html", cycle=cycle, returns=returns_of(cycle),
        counts=status_counts([cycle.id])[cycle.id], coverage=describe_coverage(cycle.coverage),
        reminders=[rung_words(offset) for offset in cycle.reminder_days],
        without_contact=without_contact, status_tags=STATUS_TAGS, cycle_tags=CYCLE_TAGS,
        button=ConfirmForm())


@bp.route("/<int:cycle_id>/refresh", methods=["POST"])
@access("admin")
def refresh(cycle_id):
    cycle = _cycle_or_404(cycle_id)
    if not ConfirmForm().validate_on_submit():
        abort(400)
    try:
        result = refresh_cycle(cycle, actor=current_user)
    except CycleError as error:
        db.session.rollback()
        flash(str(error), "error")
    else:
        db.session.commit()
        flash(f"{len(result.returns_added)} organisations added and {result.invitations} "
              "invitations queued", "success")
    return redirect(url_for("cycles.show", cycle_id=cycle.id))


@bp.route("/<int:cycle_id>/close", methods=["GET", "POST"])
@access("admin")
def close(cycle_id):
    cycle = _cycle_or_404(cycle_id)
    form = ConfirmForm()
    if form.validate_on_submit():
        try:
            close_cycle(cycle, actor=current_user)
        except CycleError as error:
            db.session.rollback()
            flash(str(error), "error")
        else:
            db.session.commit()
            flash(f"{cycle.name} is closed", "success")
        return redirect(url_for("cycles.show", cycle_id=cycle.id))
    return render_template("cycles/close.html", cycle=cycle, form=form,
                           unsubmitted=unsubmitted_count(status_counts([cycle.id])[cycle.id]))


def _render_return(cycle, audit_return, *, extension_form=None, withdraw_form=None,
                   form=None, status=200):
    return render_template(
        "cycles/return.html", cycle=cycle, audit_return=audit_return,
        extension_form=extension_form or ExtensionForm(formdata=None),
        withdraw_form=withdraw_form or WithdrawForm(formdata=None), form=form,
        status_tags=STATUS_TAGS, history=history_rows(audit_return),
        read_only=is_read_only(audit_return, today_london()),
        can_extend=can_extend(audit_return), can_withdraw=can_withdraw(audit_return),
        organisation_link=organisation_url(audit_return.organisation)), status


@bp.route("/<int:cycle_id>/returns/<int:return_id>")
@access("admin")
def manage_return(cycle_id, return_id):
    cycle = _cycle_or_404(cycle_id)
    return _render_return(cycle, _return_or_404(cycle, return_id))


@bp.route("/<int:cycle_id>/returns/<int:return_id>/extension", methods=["POST"])
@access("admin")
def extension(cycle_id, return_id):
    cycle = _cycle_or_404(cycle_id)
    audit_return = _return_or_404(cycle, return_id)
    form = ExtensionForm()
    if form.validate_on_submit():
        try:
            give_extension(audit_return, form.until.data, actor=current_user)
        except CycleError as error:
            db.session.rollback()
            form.until.errors.append(str(error))
        else:
            db.session.commit()
            flash(f"{audit_return.organisation.name} can submit until "
                  f"{format_date(form.until.data)}", "success")
            return redirect(url_for("cycles.manage_return", cycle_id=cycle.id,
                                    return_id=audit_return.id))
    return _render_return(cycle, audit_return, extension_form=form, form=form, status=400)


@bp.route("/<int:cycle_id>/returns/<int:return_id>/withdraw", methods=["POST"])
@access("admin")
def withdraw_return(cycle_id, return_id):
    cycle = _cycle_or_404(cycle_id)
    audit_return = _return_or_404(cycle, return_id)
    form = WithdrawForm()
    if form.validate_on_submit():
        try:
            withdraw(audit_return, form.reason.data, actor=current_user)
        except CycleError as error:
            db.session.rollback()
            form.reason.errors.append(str(error))
        else:
            db.session.commit()
            flash(f"The return of {audit_return.organisation.name} has been withdrawn",
                  "success")
            return redirect(url_for("cycles.manage_return", cycle_id=cycle.id,
                                    return_id=audit_return.id))
    return _render_return(cycle, audit_return, withdraw_form=form, form=form, status=400)
