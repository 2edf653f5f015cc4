"""The privacy notice states the partnership's retention period."""
from audit_app.extensions import db


def notice(client) -> str:
    response = client.get("/privacy")
    assert response.status_code == 200
    return " ".join(response.get_data(as_text=True).split())


def test_the_notice_states_the_default_period(client, partnership):
    assert "6 years after the audit cycle closes" in notice(client)


def test_the_notice_states_the_partnerships_own_period(client, partnership):
    partnership.settings = {"retention_years": 8}
    db.session.commit()
    assert "8 years after the audit cycle closes" in notice(client)
    partnership.settings = {"retention_years": 1}
    db.session.commit()
    assert "1 year after the audit cycle closes" in notice(client)


def test_a_broken_setting_does_not_break_the_notice(client, partnership):
    partnership.settings = {"retention_years": "forever"}
    db.session.commit()
    assert "6 years after the audit cycle closes" in notice(client)
