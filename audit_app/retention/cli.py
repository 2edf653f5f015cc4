"""``flask retention purge``: run from cron (or by hand) to apply the retention periods:
the partnership's for its closed cycles, and the service's for sign-in sessions, sent
email, deactivated accounts and the audit log. Bad input exits non-zero with one line and
changes nothing."""
import click
import sqlalchemy as sa
from flask.cli import AppGroup

from ..extensions import db
from ..organisations.partnerships import cli_partnership, partnership_option
from ..timeutil import utcnow
from .records import purge_records
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
                   "partnership's retention_years setting, else 6). The periods for "
                   "sign-in sessions, sent email, accounts and the audit log are fixed.")
@click.option("--dry-run", is_flag=True, help="Say what would be purged; change nothing.")
@partnership_option
def purge_command(older_than, dry_run, partnership_ref):
    """Delete evidence and remove personal data of long-closed cycles; delete old sign-in
    sessions, sent email and audit log records; anonymise long-deactivated accounts."""
    partnership = cli_partnership(partnership_ref)
    try:
        years = (parse_years(older_than) if older_than is not None
                 else retention_years_of(partnership))
        now = utcnow()
        results = purge(partnership, years, now, dry_run=dry_run)
        records = purge_records(now, dry_run=dry_run)
    except RetentionError as error:
        db.session.rollback()
        raise click.ClickException(str(error)) from error
    except sa.exc.DatabaseError as error:
        # E.g. the audit log's trigger refusing a delete: say so in one line.
        db.session.rollback()
        raise click.ClickException(f"The purge failed, so nothing was changed: "
                                   f"{str(error.orig or error).splitlines()[0]}") from error
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
    counts = " ".join(f"{key}={value}" for key, value in records.counts().items())
    click.echo(f"cycles={len(results)} returns={sum(r.returns for r in results)} "
               f"evidence_files={sum(r.evidence_files for r in results)} {counts}")
    if not dry_run and failed:
        raise SystemExit(1)
