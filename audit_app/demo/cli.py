"""Demo partnership commands."""
import click
from flask.cli import AppGroup

from ..extensions import db
from .services import DemoRefused, seed

demo_cli = AppGroup("demo", help="Demo partnership commands.")


@demo_cli.command("seed")
@click.option("--password", default=None, help="Set every demo login's password to this.")
@click.option("--partnership", default=None, help="Partnership name or slug.")
def seed_command(password, partnership):
    """Build the demo partnership (organisations, questionnaires, one login per role)."""
    if password is not None and len(password) < 8:
        raise click.ClickException("--password must be 8 characters or more")
    try:
        report = seed(partnership, password)
    except (DemoRefused, LookupError) as error:
        db.session.rollback()
        raise click.ClickException(str(error)) from error
    click.echo(f"Demo partnership: {report.partnership.name}")
    click.echo(f"schools={report.schools} agencies={report.agencies} "
               f"questionnaires={len(report.questionnaires)}")
    if report.cycles:
        click.echo(f"cycles created: {', '.join(report.cycles)}")
    click.echo("Demo logins:")
    for login, shown_password in report.logins:
        click.echo(f"  {login.email:<24} password: {shown_password:<18} role: {login.role}"
                   f" ({login.job_title})")
    # One line per account with two-factor sign-in, after the logins: testers add the
    # secret to an authenticator app, scripts and tests compute codes from it.
    for email, secret in report.totp:
        click.echo(f"TOTP {email} {secret}")
