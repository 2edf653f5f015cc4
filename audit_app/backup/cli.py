"""``flask backup create|check|restore``: what cron runs, and what an operator runs after a
disaster. Each exits non-zero with a one-line reason when it cannot do its job."""
import click
import sqlalchemy as sa
from flask.cli import AppGroup

from ..extensions import db
from .errors import BackupError
from .services import check_backup, create_backup, restore_backup

backup_cli = AppGroup("backup", help="Back up and restore the database and evidence files.")


def _fail(error: Exception):
    if isinstance(error, sa.exc.SQLAlchemyError):
        reason = str(getattr(error, "orig", None) or error).strip().splitlines()[0]
        message = f"The database could not be used: {reason}"
    else:
        message = str(error)
    try:
        db.session.rollback()
    except sa.exc.SQLAlchemyError:
        db.session.close()
    raise click.ClickException(message) from error


@backup_cli.command("create")
@click.option("--out", "out", required=True, type=click.Path(file_okay=False),
              help="A new (or empty) folder for the backup.")
def create_command(out):
    """Copy the database and the uploads folder into OUT, with a manifest of SHA-256s."""
    try:
        outcome = create_backup(out)
    except (BackupError, OSError, sa.exc.SQLAlchemyError) as error:
        _fail(error)
    click.echo(f"backup written to {outcome.folder}: {outcome.summary()}")


@backup_cli.command("check")
@click.argument("folder", type=click.Path(exists=True, file_okay=False))
def check_command(folder):
    """Check a backup's manifest and hashes without restoring anything."""
    try:
        manifest = check_backup(folder)
    except (BackupError, OSError, sa.exc.SQLAlchemyError) as error:
        _fail(error)
    counts = manifest["database"]["row_counts"]
    click.echo(f"backup of {manifest['created_at']} is complete: tables={len(counts)} "
               f"rows={sum(counts.values())} files={len(manifest['uploads']['files'])}")


@backup_cli.command("restore")
@click.argument("folder", type=click.Path(exists=True, file_okay=False))
@click.option("--force", is_flag=True,
              help="Replace a database that is not empty, and add to an uploads folder "
                   "that is not empty.")
def restore_command(folder, force):
    """Restore FOLDER's backup into the configured database and uploads folder."""
    try:
        outcome = restore_backup(folder, force=force)
    except (BackupError, OSError, sa.exc.SQLAlchemyError) as error:
        _fail(error)
    click.echo(f"restored {outcome.folder}: {outcome.summary()}")
