"""Invitations and reminders leave through the outbox: to a real local SMTP server, and to
.eml files when no server is configured. Each email is plain text plus HTML with the
partnership's name and a working link."""
import email
from datetime import timedelta
from email import policy

import pytest

from audit_app.cycles.invitations import return_link
from audit_app.cycles.services import remind
from audit_app.extensions import db
from audit_app.mail.services import deliver_pending
from tests.cycles.conftest import add_respondent



@pytest.fixture
def reminded(partnership, school, open_school_cycle):
    """A cycle with one invitation and, 3 days before its due date, one reminder queued."""
    add_respondent(partnership, school, "dsl@oak.example.org")
    add_respondent(partnership, school, "head@oak.example.org", password=False)
    cycle = open_school_cycle(due_in=30).cycle
    assert remind(partnership, cycle.due_date - timedelta(days=3)) == 2
    db.session.commit()
    return cycle


def parts(raw: bytes) -> dict[str, str]:
    message = email.message_from_bytes(raw, policy=policy.default)
    # A long subject may be folded onto its own continuation line: unfold it.
    found = {"subject": str(message["Subject"]).strip(), "to": message["To"]}
    for part in message.walk():
        if part.get_content_type() in ("text/plain", "text/html"):
            found[part.get_content_type()] = part.get_content()
    return found


def check_reminder(found, partnership, link):
    assert "due in 3 days" in found["text/plain"] and "due in 3 days" in found["text/html"]
    assert partnership.name in found["text/plain"] and partnership.name in found["text/html"]
    assert link in found["text/plain"] and f'href="{link}"' in found["text/html"]


def test_reminders_and_invitations_through_a_real_smtp_server(app, partnership, reminded,
                                                              smtp_server):
    controller, handler = smtp_server
    app.config.update(MAIL_SERVER="127.0.0.1", MAIL_PORT=controller.port)
    try:
        assert deliver_pending() == (4, 0)
        assert deliver_pending() == (0, 0)          # sent once
    finally:
        app.config.update(MAIL_SERVER="", MAIL_PORT=25)
    received = [parts(content) for _recipients, content in handler.messages]
    assert sorted(recipients[0] for recipients, _ in handler.messages) == [
        "dsl@oak.example.org", "dsl@oak.example.org", "head@oak.example.org",
        "head@oak.example.org"]
    link = return_link(reminded.returns[0])
    reminders = [found for found in received if found["subject"].startswith("Reminder:")]
    invitations = [found for found in received if "complete the" in found["subject"]]
    assert len(reminders) == 2 and len(invitations) == 2
    for found in reminders:
        check_reminder(found, partnership, link)
    to_head = next(found for found in invitations if found["to"] == "head@oak.example.org")
    assert "http://localhost/set-password/" in to_head["text/plain"]
    assert 'href="http://localhost/set-password/' in to_head["text/html"]


def test_reminders_to_the_file_outbox(app, runner, partnership, reminded, tmp_path):
    app.config["OUTBOX_DIR"] = str(tmp_path)
    result = runner.invoke(args=["mail", "send"])
    assert result.exit_code == 0 and "sent=4 failed=0" in result.output
    files = sorted(tmp_path.glob("*-reminder.eml"))
    assert len(files) == 2
    link = return_link(reminded.returns[0])
    for path in files:
        check_reminder(parts(path.read_bytes()), partnership, link)
    assert len(list(tmp_path.glob("*-cycle_invitation.eml"))) == 2
