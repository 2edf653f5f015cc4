"""``flask retention purge``: run from cron (or by hand) to apply the retention period.
Bad input exits non-zero with one line and changes nothing."""
import click
from flask.cli import AppGroup

from ..extensions import db
from ..organisations.partnerships import cli_partnership, partnership_option
from ..timeutil import utcnow
from .services import RetentionError, delete_files, parse_years, purge, retention_years_of

retention_cli = AppGroup("retention", help="Data retention commands.")


def _line(result, dry_run: bool) -> str:
    cycle = result.cycle
    verb = "would purge" if dry_run else "purged"
    return (f"{cycle.id} {cycle.name} closed={cycle.closed_at:%Y-%m-%d} {verb} "
            f"returns={result.returns} evidence_files={result.evidence_files} "
            f"evidence_references={result.evidence_references} "
            f"submissions={result.submissions}")


@retention_cli.command("purge")
@click.option("--older-than", "older_than", metavar="YEARS", default=None,
              help="Purge cycles closed more than YEARS years ago (default: the "
                   "partnership's retention_years setting, else 6).")
@click.option("--dry-run", is_flag=True, help="Say what would be purged; change nothing.")
@partnership_option
def purge_command(older_than, dry_run, partnership_ref):
    """Delete evidence and remove personal data of long-closed cycles."""
    partnership = cli_partnership(partnership_ref)
    try:
        years = (parse_years(older_than) if older_than is not None
                 else retention_years_of(partnership))
        results = purge(partnership, years, utcnow(), dry_run=dry_run)
    except RetentionError as error:
        db.session.rollback()
        raise click.ClickException(str(error)) from error
    except Exception:
        db.session.rollback()
        raise
    if dry_run:
        db.session.rollback()
    else:
        try:
            db.session.commit()
        except Exception as error:
            db.session.rollback()
            raise click.ClickException(f"The purge could not be saved, so nothing was "
                                       f"changed: {error}") from error
    for result in results:
        click.echo(_line(result, dry_run))
    if not dry_run:
        # Only now that the rows are gone for good may the files go.
        failed = delete_files(path for result in results for path in result.files)
        for path in failed:
            click.echo(f"could not delete {path}", err=True)
    click.echo(f"cycles={len(results)} returns={sum(r.returns for r in results)} "
               f"evidence_files={sum(r.evidence_files for r in results)}")
    if not dry_run and failed:
        raise SystemExit(1)
