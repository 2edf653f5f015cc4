"""Error pages that write to the audit log still answer when the database cannot."""
from sqlalchemy.exc import OperationalError

from audit_app.extensions import db


def test_a_forged_form_gets_its_page_even_when_the_audit_record_cannot_be_written(
        app, client, csrf_enabled, monkeypatch):
    def refuse():
        raise OperationalError("COMMIT", {}, Exception("server closed the connection"))

    monkeypatch.setattr(db.session, "commit", refuse)
    response = client.post("/sign-in", data={"csrf_token": "forged", "email": "a@b.c"})
    assert response.status_code == 400
    assert "Your form could not be sent" in response.get_data(as_text=True)
