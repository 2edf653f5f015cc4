"""Email is queued in the outbox table inside the change that causes it, and delivered
later by ``flask mail send`` (SMTP when configured, else .eml files), never in a request."""
import os
import smtplib
from email.message import EmailMessage
from email.utils import formatdate, make_msgid

from flask import current_app, render_template

from ..extensions import db
from ..timeutil import utcnow
from .models import OutboxMessage

MAX_ATTEMPTS = 5


def queue_email(to: str, subject: str, template: str, *, kind: str, partnership=None,
                dedupe_key: str | None = None, return_id: int | None = None,
                **context) -> OutboxMessage | None:
    """Render ``mail/<template>.txt`` and ``.html`` and queue them. With a ``dedupe_key``
    that was already queued, nothing is queued and None is returned."""
    if dedupe_key and OutboxMessage.query.filter_by(dedupe_key=dedupe_key).first():
        return None
    context.setdefault("partnership", partnership)
    context.setdefault("service_name", current_app.config["SERVICE_NAME"])
    # Names go into subjects: whatever they hold, a subject is one header line (a line
    # break would end the header) that fits its column (on PostgreSQL, a longer value
    # would fail the whole change that sends it).
    subject = " ".join(subject.split())[:OutboxMessage.subject.type.length]
    message = OutboxMessage(
        to_address=to, subject=subject, kind=kind, dedupe_key=dedupe_key,
        partnership_id=getattr(partnership, "id", None), return_id=return_id,
        body_text=render_template(f"mail/{template}.txt", **context),
        body_html=render_template(f"mail/{template}.html", **context))
    db.session.add(message)
    return message


def _as_email(message: OutboxMessage) -> EmailMessage:
    email = EmailMessage()
    email["From"] = current_app.config["MAIL_FROM"]
    email["To"] = message.to_address
    email["Subject"] = message.subject
    email["Date"] = formatdate(localtime=False)
    email["Message-ID"] = make_msgid(domain=current_app.config["MAIL_FROM"].split("@")[-1])
    email.set_content(message.body_text)
    if message.body_html:
        email.add_alternative(message.body_html, subtype="html")
    return email


def _write_eml(message: OutboxMessage, email: EmailMessage) -> None:
    folder = current_app.config["OUTBOX_DIR"]
    os.makedirs(folder, exist_ok=True)
    path = os.path.join(folder, f"{message.id:08d}-{message.kind}.eml")
    with open(path, "wb") as handle:
        handle.write(bytes(email))


def _smtp_connection():
    config = current_app.config
    connection = smtplib.SMTP(config["MAIL_SERVER"], config["MAIL_PORT"], timeout=30)
    if config["MAIL_USE_TLS"]:
        connection.starttls()
    if config["MAIL_USERNAME"]:
        connection.login(config["MAIL_USERNAME"], config["MAIL_PASSWORD"])
    return connection


def deliver_pending(limit: int = 500) -> tuple[int, int]:
    """Send queued messages; returns (sent, failed). Each send is committed on its own so
    that a failure never resends what already went."""
    pending = (OutboxMessage.query.filter(OutboxMessage.sent_at.is_(None),
                                          OutboxMessage.attempts < MAX_ATTEMPTS)
               .order_by(OutboxMessage.id).limit(limit).all())
    if not pending:
        return 0, 0
    use_smtp = bool(current_app.config["MAIL_SERVER"])
    sent = failed = 0
    connection = None
    try:
        for message in pending:
            email = _as_email(message)
            message.attempts += 1
            try:
                if use_smtp:
                    connection = connection or _smtp_connection()
                    connection.send_message(email)
                else:
                    _write_eml(message, email)
            except (OSError, smtplib.SMTPException) as error:
                message.last_error = str(error)[:1000]
                failed += 1
                connection = None
            else:
                message.sent_at = utcnow()
                message.last_error = None
                sent += 1
            db.session.commit()
    finally:
        if connection is not None:
            try:
                connection.quit()
            except (OSError, smtplib.SMTPException):
                pass
    return sent, failed
