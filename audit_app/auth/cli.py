"""People commands: ``flask users create``, ``import`` and ``reset-two-factor``."""
import click
from flask.cli import AppGroup

from ..extensions import db
from ..urls import external_url
from ..organisations.csvfile import ImportFileError
from .importing import find_organisation, import_people
from .services import PeopleError, add_grant, get_or_create_user
from .tokens import issue_token

users_cli = AppGroup("users", help="People commands.")


def _partnership(value):
    from ..organisations.partnerships import resolve_partnership

    try:
        return resolve_partnership(value)
    except LookupError as error:
        raise click.ClickException(str(error)) from error


@users_cli.command("create")
@click.option("--email", required=True)
@click.option("--name", required=True)
@click.option("--role", required=True, help="admin, respondent, reviewer or qa")
@click.option("--org", "organisation_ref", default=None, help="URN or agency name (respondents)")
@click.option("--questionnaire", default=None, help="Reviewers: limit to one questionnaire id")
@click.option("--partnership", default=None)
def create_command(email, name, role, organisation_ref, questionnaire, partnership):
    """Create a person with one role and print their set-password link."""
    partnership = _partnership(partnership)
    organisation = None
    if organisation_ref:
        organisation = find_organisation(partnership, organisation_ref)
        if organisation is None:
            raise click.ClickException(
                f"No organisation with URN or name {organisation_ref!r} in {partnership.name}")
    try:
        user, created = get_or_create_user(email, name)
        add_grant(user, role, partnership, organisation=organisation,
                  questionnaire_key=questionnaire)
    except PeopleError as error:
        db.session.rollback()
        raise click.ClickException(str(error)) from error
    link = None
    if not user.has_password:
        link = external_url("auth.set_password", token=issue_token(user, "invite"))
    db.session.commit()
    click.echo(f"{'created' if created else 'updated'} {user.email} role={role}")
    if link:
        click.echo(f"set password: {link}")


@users_cli.command("import")
@click.argument("path", type=click.Path(dir_okay=False))
@click.option("--partnership", default=None)
def import_command(path, partnership):
    """Upsert people from a CSV (email, name, role, organisation URN or agency name)."""
    partnership = _partnership(partnership)
    try:
        with open(path, "rb") as handle:
            raw = handle.read()
    except OSError as error:
        raise click.ClickException(f"Cannot read {path}: {error.strerror}") from error
    try:
        report = import_people(raw, partnership)
    except ImportFileError as error:
        db.session.rollback()
        raise click.ClickException(f"{path}: {error}") from error
    db.session.commit()
    for line in report.lines:
        click.echo(line)
    click.echo(report.summary())


@users_cli.command("reset-two-factor")
@click.option("--email", required=True)
def reset_two_factor_command(email):
    """Forget a person's authenticator app and recovery codes, and sign them out (for an
    administrator locked out with no other administrator to reset it in the browser)."""
    from .services import find_user
    from .two_factor import remove_two_factor

    user = find_user(email)
    if user is None:
        raise click.ClickException(f"No person with the email address {email!r}")
    if not user.two_factor_enrolled:
        raise click.ClickException(f"{user.email} has not set up two-factor sign-in")
    remove_two_factor(user)
    db.session.commit()
    click.echo(f"reset two-factor sign-in of {user.email}")
