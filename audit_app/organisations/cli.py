"""Organisation register commands. Each prints one line per skipped, rejected or closed row,
then ``created=N updated=N closed=N skipped=N rejected=N`` as its last line."""
import os

import click
from flask.cli import AppGroup
from sqlalchemy.exc import SQLAlchemyError

from ..extensions import db
from .agencies import import_agencies
from .csvfile import ImportFileError
from .gias import import_gias
from .partnerships import cli_partnership, partnership_option

orgs_cli = AppGroup("orgs", help="Organisation register commands.")


def _read(path: str) -> bytes:
    try:
        with open(path, "rb") as handle:
            return handle.read()
    except OSError as error:
        raise click.ClickException(f"{path}: cannot read the file ({error.strerror})") from error


def _run_import(path: str, partnership_ref: str | None, importer, **options) -> None:
    raw = _read(path)
    partnership = cli_partnership(partnership_ref)
    try:
        result = importer(raw, partnership, filename=os.path.basename(path), **options)
        db.session.commit()
    except ImportFileError as error:
        db.session.rollback()
        raise click.ClickException(f"{path}: {error}") from error
    except SQLAlchemyError as error:
        db.session.rollback()
        reason = str(getattr(error, "orig", None) or error).splitlines()[0]
        raise click.ClickException(
            f"{path}: the import failed and nothing was saved ({reason})") from error
    for message in result.messages:
        click.echo(message)
    click.echo(result.summary())


def _la_code(value: str | None) -> str | None:
    if value is None:
        return None
    value = value.strip()
    if not (value.isascii() and value.isdigit()):
        raise click.ClickException(
            f"--la-code {value!r} is not a local authority number, like 356")
    return value


@orgs_cli.command("import-gias")
@click.argument("path", metavar="FILE", type=click.Path(dir_okay=False))
@click.option("--la-code", default=None, metavar="CODE",
              help="Import only the schools of this local authority (its GIAS LA code).")
@partnership_option
def import_gias_command(path, la_code, partnership_ref):
    """Import schools from a GIAS all-establishments CSV extract."""
    _run_import(path, partnership_ref, import_gias, la_code=_la_code(la_code))


@orgs_cli.command("import-agencies")
@click.argument("path", metavar="FILE", type=click.Path(dir_okay=False))
@partnership_option
def import_agencies_command(path, partnership_ref):
    """Import agencies from a CSV (name, sector, duty_basis, and optionally code,
    statutory_partner, partnership_involvement)."""
    _run_import(path, partnership_ref, import_agencies)
