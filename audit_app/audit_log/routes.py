"""The admin's audit log: search it, page through it and export it as CSV."""
from flask import Blueprint, Response, render_template, request, stream_with_context, url_for

from ..auth.policy import access, current_partnership
from ..extensions import db
from ..organisations.display import pagination
from ..timeutil import utcnow
from .export import csv_lines
from .forms import AuditLogFilterForm
from .search import detail_text, search_query
from .services import record

bp = Blueprint("audit_log", __name__, url_prefix="/admin/audit-log")
PAGE_SIZE = 50


def _search_form() -> AuditLogFilterForm:
    form = AuditLogFilterForm(formdata=request.args)
    # The first visit (no search yet) is not an error: it lists everything.
    if request.args:
        form.validate()
    return form


def _render(form, page=None, status=200):
    query_args = form.query_args() if not form.errors else {}
    return render_template(
        "audit_log/index.html", form=form, page=page,
        detail_text=detail_text,
        pagination=pagination(page, lambda number: url_for(".index", page=number,
                                                           **query_args))
        if page is not None else None,
        export_href=url_for(".export", **query_args)), status


@bp.route("")
@access("admin")
def index():
    form = _search_form()
    if form.errors:
        return _render(form)
    page = db.paginate(search_query(current_partnership(), form.filters()),
                       per_page=PAGE_SIZE, max_per_page=PAGE_SIZE, error_out=False)
    return _render(form, page)


@bp.route("/export.csv")
@access("admin")
def export():
    form = _search_form()
    if form.errors:
        return _render(form, status=400)
    partnership, filters = current_partnership(), form.filters()
    # The export is itself a record: who took a copy of the log, and of which part.
    record("audit_log.exported", partnership, detail={"filters": filters.described()},
           partnership=partnership)
    db.session.commit()
    filename = f"audit-log-{partnership.slug}-{utcnow():%Y%m%d-%H%M%S}.csv"
    return Response(stream_with_context(csv_lines(partnership, filters)),
                    mimetype="text/csv",
                    headers={"Content-Disposition": f'attachment; filename="{filename}"'})
