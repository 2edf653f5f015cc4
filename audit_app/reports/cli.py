"""``flask reports export`` (DESIGN §9): bad input ends with one line saying why, a non-zero
exit, and no file written."""
from pathlib import Path

import click
from flask.cli import AppGroup

from ..extensions import db
from .csv_export import codebook_path
from .exports import record_export, report_for_export, write_export_file
from .services import ReportError, find_report_cycle

reports_cli = AppGroup("reports", help="Reports for the Quality Assurance subgroup.")


@reports_cli.command("export")
@click.option("--cycle", "cycle_ref", required=True, help="The cycle's id or name")
@click.option("--format", "format_name", required=True,
              type=click.Choice(["csv", "xlsx", "pdf"]), help="csv, xlsx or pdf")
@click.option("--out", "out", required=True, help="The file to write")
@click.option("--partnership", default=None, help="Partnership slug (when there are several)")
def export_command(cycle_ref, format_name, out, partnership):
    """Write a cycle's report. CSV writes the answers at OUT and the codebook beside it
    (OUT with a -codebook suffix)."""
    from ..organisations.partnerships import cli_partnership

    path = Path(out)
    if not path.parent.is_dir():
        raise click.ClickException(f"No such folder for --out: {str(path.parent)!r}")
    if path.is_dir():
        raise click.ClickException(f"--out must be a file, not the folder {out!r}")
    try:
        cycle = find_report_cycle(cli_partnership(partnership), cycle_ref)
    except ReportError as error:
        raise click.ClickException(str(error)) from None
    report = report_for_export(cycle, format_name)
    written = []
    try:
        written.append(write_export_file(report, format_name, path))
        if format_name == "csv":
            written.append(write_export_file(report, "codebook", codebook_path(path)))
    except OSError as error:
        for file in written:
            file.unlink(missing_ok=True)
        raise click.ClickException(f"Could not write {error.filename or path}: "
                                   f"{error.strerror or error}") from None
    record_export(report, format_name, via="cli")
    db.session.commit()
    for file in written:
        click.echo(f"wrote {file}")
    click.echo(f"returns={len(report.returns)} answers={len(report.answers)}")
