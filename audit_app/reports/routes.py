"""The QA dashboard and its downloads, for admins, QA members and reviewers."""
import tempfile

from flask import Blueprint, abort, current_app, render_template, request, send_file
from flask_login import current_user

from ..auth.policy import access, authorized_or_404, can, current_partnership
from ..cycles.models import Cycle
from ..cycles.services import cycles_with_counts
from ..extensions import db
from .dashboard import dashboard_html
from .exports import FORMATS, download_name, record_export, report_for_export, write_export
from .filters import filters_from_args
from .services import load_report

bp = Blueprint("reports", __name__, url_prefix="/reports")

# Downloads up to this size stay in memory; bigger ones spill to a temporary file.
SPOOL_BYTES = 8 * 1024 * 1024


def _cycle_or_404(cycle_id: int) -> Cycle:
    return authorized_or_404(Cycle, cycle_id, "reports.view")

@bp.route("/")
@access("qa")
def index():
    summaries = [summary for summary in cycles_with_counts(current_partnership())
                 if can(current_user, "reports.view", summary.cycle)]
    return render_template("reports/index.html", summaries=summaries)


@bp.route("/cycles/<int:cycle_id>")
@access("qa")
def dashboard(cycle_id: int):
    cycle = _cycle_or_404(cycle_id)
    report = load_report(cycle, filters_from_args(request.args),
                         stale_ok=current_app.config["REPORTS_REFRESH_IN_BACKGROUND"],
                         prepare=dashboard_html)
    return render_template("reports/dashboard.html", report=report, cycle=cycle,
                           content=dashboard_html(report))


@bp.route("/cycles/<int:cycle_id>/download/<format_name>")
@access("qa")
def download(cycle_id: int, format_name: str):
    cycle = _cycle_or_404(cycle_id)
    export_format = FORMATS.get(format_name)
    if export_format is None:
        abort(404)
    report = report_for_export(cycle, format_name, filters_from_args(request.args))
    target = tempfile.SpooledTemporaryFile(max_size=SPOOL_BYTES)
    write_export(report, format_name, target)
    target.seek(0)
    record_export(report, format_name, via="web")
    db.session.commit()
    return send_file(target, mimetype=export_format.media_type, as_attachment=True,
                     download_name=download_name(cycle, export_format), max_age=0)
