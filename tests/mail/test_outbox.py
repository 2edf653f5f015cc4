"""Email is queued in the outbox and delivered by `flask mail send`."""
import email


from audit_app.extensions import db
from audit_app.mail.models import OutboxMessage
from audit_app.mail.services import deliver_pending, queue_email


def queue_one(app, partnership, to="person@example.org", dedupe_key=None):
    from audit_app.auth.models import User

    with app.test_request_context():
        user = User(email=to, name="A <b>Person</b>")
        message = queue_email(to, "Subject", "invite", kind="invite", partnership=partnership,
                              user=user, link="http://localhost/set-password/abc",
                              dedupe_key=dedupe_key)
        db.session.commit()
    return message


def test_queue_renders_text_and_escaped_html(app, partnership):
    message = queue_one(app, partnership)
    assert "A <b>Person</b>" in message.body_text
    assert "A &lt;b&gt;Person&lt;/b&gt;" in message.body_html
    assert partnership.name in message.body_text


def test_dedupe_key_queues_once(app, partnership):
    assert queue_one(app, partnership, dedupe_key="reminder:1:-14") is not None
    assert queue_one(app, partnership, dedupe_key="reminder:1:-14") is None
    assert OutboxMessage.query.count() == 1


def test_send_writes_eml_files(app, runner, partnership, tmp_path):
    app.config["OUTBOX_DIR"] = str(tmp_path)
    queue_one(app, partnership)
    result = runner.invoke(args=["mail", "send"])
    assert result.exit_code == 0 and "sent=1 failed=0" in result.output
    files = list(tmp_path.glob("*.eml"))
    assert len(files) == 1
    parsed = email.message_from_bytes(files[0].read_bytes())
    assert parsed["To"] == "person@example.org"
    assert {part.get_content_type() for part in parsed.walk()} >= {"text/plain", "text/html"}
    # Sent once: a second run sends nothing.
    assert "sent=0" in runner.invoke(args=["mail", "send"]).output
    assert OutboxMessage.query.one().sent_at is not None



def test_send_through_a_real_smtp_server(app, partnership, smtp_server):
    controller, handler = smtp_server
    port = controller.port
    app.config.update(MAIL_SERVER="127.0.0.1", MAIL_PORT=port)
    try:
        queue_one(app, partnership)
        with app.app_context():
            assert deliver_pending() == (1, 0)
    finally:
        app.config.update(MAIL_SERVER="", MAIL_PORT=25)
    assert handler.messages[0][0] == ["person@example.org"]
    assert b"/set-password/abc" in handler.messages[0][1]


def test_failed_send_is_kept_for_retry(app, partnership):
    app.config.update(MAIL_SERVER="127.0.0.1", MAIL_PORT=1)
    try:
        queue_one(app, partnership)
        with app.app_context():
            assert deliver_pending() == (0, 1)
    finally:
        app.config.update(MAIL_SERVER="", MAIL_PORT=25)
    message = OutboxMessage.query.one()
    assert message.sent_at is None and message.attempts == 1 and message.last_error
