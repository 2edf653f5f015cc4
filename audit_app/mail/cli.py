"""Email outbox commands."""
import time

import click
from flask.cli import AppGroup

from .services import deliver_pending

mail_cli = AppGroup("mail", help="Email outbox commands.")


@mail_cli.command("send")
@click.option("--watch", type=click.IntRange(min=1), default=None,
              help="Keep running, delivering every N seconds.")
def send_command(watch):
    """Deliver queued email (SMTP when MAIL_SERVER is set, else .eml files)."""
    while True:
        sent, failed = deliver_pending()
        if sent or failed or not watch:
            click.echo(f"sent={sent} failed={failed}")
        if not watch:
            if failed:
                raise SystemExit(1)
            return
        time.sleep(watch)
