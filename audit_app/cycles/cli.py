"""Cycle commands (DESIGN §9): ``open``, ``list``, ``close`` and ``remind``. Every bad input
ends with one line saying why, a non-zero exit, and nothing changed."""
from datetime import date

import click
from flask.cli import AppGroup

from ..extensions import db
from ..timeutil import today_london
from .coverage import FILTER_NAMES
from .errors import CycleError
from .services import (close_cycle, cycles_with_counts, find_cycle, find_version, open_cycle,
                       remind, summary_line)

cycles_cli = AppGroup("cycles", help="Audit cycle commands.")


def _partnership(value):
    from ..organisations.partnerships import cli_partnership

    return cli_partnership(value)


def _date(value: str | None, option: str) -> date | None:
    if value is None:
        return None
    try:
        return date.fromisoformat(value.strip())
    except ValueError:
        raise click.ClickException(f"{option} must be a real date in the form YYYY-MM-DD, "
                                   f"like 2026-03-31 (not {value!r})") from None


def _required(value, option: str, what: str):
    if value is None or not str(value).strip():
        raise click.ClickException(f"Missing {option}: {what}")
    return value


def _filters(values_by_name: dict[str, tuple]) -> dict[str, list[str]]:
    """Each filter may be given several times, or as a comma-separated list."""
    return {name: [part.strip() for value in values for part in value.split(",")
                   if part.strip()]
            for name, values in values_by_name.items() if values}


def _fail(error: Exception):
    db.session.rollback()
    raise click.ClickException(str(error)) from error


@cycles_cli.command("open")
@click.option("--questionnaire", help="Questionnaire id, e.g. s175")
@click.option("--version", help="Questionnaire version, e.g. 2025-26")
@click.option("--name", help="The cycle's name, e.g. 'S175 2025-26'")
@click.option("--due", help="Due date, YYYY-MM-DD")
@click.option("--open-date", help="Open date, YYYY-MM-DD (default: today)")
@click.option("--final-deadline", help="Last day a return can be submitted, YYYY-MM-DD")
@click.option("--kind", multiple=True, help="Organisation kind (default: the audience)")
@click.option("--type-group", multiple=True, help="Establishment type group (repeatable)")
@click.option("--phase", multiple=True, help="Phase of education (repeatable)")
@click.option("--legal-basis", multiple=True, help="s175, s157 or nmss (repeatable)")
@click.option("--duty-basis", multiple=True, help="s11 or voluntary (repeatable)")
@click.option("--reminder-days", help="Reminder ladder in days from the due date, "
                                      "e.g. '-14,-3,0,7' (the default)")
@click.option("--partnership", default=None)
def open_command(questionnaire, version, name, due, open_date, final_deadline, kind,
                 type_group, phase, legal_basis, duty_basis, reminder_days, partnership):
    """Open a cycle, or with an existing name update it and add newly covered
    organisations. Invitations are queued for every respondent not yet invited."""
    _required(questionnaire, "--questionnaire", "the questionnaire id, e.g. s175")
    _required(version, "--version", "the questionnaire version, e.g. 2025-26")
    _required(name, "--name", "the cycle's name")
    due_date = _date(_required(due, "--due", "the due date, YYYY-MM-DD"), "--due")
    opens = _date(open_date, "--open-date")
    deadline = _date(final_deadline, "--final-deadline")
    filters = _filters(dict(zip(FILTER_NAMES, (kind, type_group, phase, legal_basis,
                                               duty_basis))))
    partnership = _partnership(partnership)
    try:
        result = open_cycle(partnership, find_version(questionnaire, version), name,
                            due_date=due_date, open_date=opens, final_deadline=deadline,
                            filters=filters, reminder_days=reminder_days)
    except CycleError as error:
        _fail(error)
    db.session.commit()
    cycle = result.cycle
    click.echo(f"{'opened' if result.created else 'updated'} cycle {cycle.id} {cycle.name}")
    for organisation in result.without_contact:
        reference = f" (URN {organisation.urn})" if organisation.urn else ""
        click.echo(f"no contact: {organisation.name}{reference}")
    click.echo(f"returns_added={len(result.returns_added)} returns={len(cycle.returns)} "
               f"invitations={result.invitations} no_contact={len(result.without_contact)}")


@cycles_cli.command("list")
@click.option("--partnership", default=None)
def list_command(partnership):
    """One line per cycle: ID NAME STATUS and its returns counted by status."""
    summaries = cycles_with_counts(_partnership(partnership))
    if not summaries:
        click.echo("No cycles yet", err=True)
    for summary in summaries:
        click.echo(summary_line(summary))


@cycles_cli.command("close")
@click.option("--cycle", "cycle_ref", help="The cycle's id or exact name")
@click.option("--partnership", default=None)
def close_command(cycle_ref, partnership):
    """Close a cycle: its unsubmitted returns become read-only non-returners."""
    _required(cycle_ref, "--cycle", "the cycle's id or exact name")
    partnership = _partnership(partnership)
    try:
        cycle = close_cycle(find_cycle(partnership, cycle_ref))
    except CycleError as error:
        _fail(error)
    db.session.commit()
    click.echo(f"closed cycle {cycle.id} {cycle.name}")


@cycles_cli.command("remind")
@click.option("--today", "today_text", help="Act as if today were YYYY-MM-DD")
@click.option("--cycle", "cycle_ref", help="Only this cycle (id or exact name)")
@click.option("--partnership", default=None)
def remind_command(today_text, cycle_ref, partnership):
    """Queue the reminders due today (each rung at most once per return). Ends with
    sent=N, the number of emails queued."""
    today = _date(today_text, "--today") or today_london()
    partnership = _partnership(partnership)
    try:
        cycle = find_cycle(partnership, cycle_ref) if cycle_ref is not None else None
        sent = remind(partnership, today, cycle=cycle)
    except CycleError as error:
        _fail(error)
    db.session.commit()
    click.echo(f"sent={sent}")
