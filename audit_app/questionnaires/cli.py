"""Questionnaire definition commands: ``check``, ``load`` and ``list`` (DESIGN §9)."""
import click
from flask.cli import AppGroup

from ..extensions import db
from .services import DefinitionProblems, LoadRefused, check_paths, list_lines, load_paths

questionnaires_cli = AppGroup("questionnaires", help="Questionnaire definition commands.")


@questionnaires_cli.command("check")
@click.argument("paths", nargs=-1, type=click.Path())
def check_command(paths):
    """Check definition files (default: every questionnaire except the example). Prints
    each problem as FILE:LINE: message and exits 1 if there is any."""
    results = check_paths(paths)
    if not results:
        raise click.ClickException("No questionnaire files found")
    problems = [problem for result in results for problem in result.problems]
    for problem in problems:
        click.echo(str(problem))
    failed = sum(1 for result in results if result.problems)
    if problems:
        click.echo(f"{len(problems)} problem{'s' if len(problems) != 1 else ''} in {failed} "
                   f"of {len(results)} file{'s' if len(results) != 1 else ''}", err=True)
        raise SystemExit(1)
    click.echo(f"{len(results)} file{'s' if len(results) != 1 else ''} checked: no problems",
               err=True)


@questionnaires_cli.command("load")
@click.argument("paths", nargs=-1, type=click.Path())
def load_command(paths):
    """Check, then store definitions (default: every questionnaire except the example).
    Loading again is harmless; a version a cycle uses cannot change."""
    try:
        report = load_paths(paths)
    except DefinitionProblems as error:
        db.session.rollback()
        for problem in error.problems:
            click.echo(str(problem))
        click.echo("Nothing was loaded: fix the problems above", err=True)
        raise SystemExit(1) from error
    except LoadRefused as error:
        db.session.rollback()
        for line in error.lines:
            click.echo(line)
        click.echo("Nothing was loaded", err=True)
        raise SystemExit(1) from error
    db.session.commit()
    for line in report.lines:
        click.echo(line)
    click.echo(report.summary())


@questionnaires_cli.command("list")
def list_command():
    """Print ID VERSION sections=N questions=M TITLE for every stored version."""
    lines = list_lines()
    if not lines:
        click.echo("No questionnaire versions are loaded", err=True)
    for line in lines:
        click.echo(line)
