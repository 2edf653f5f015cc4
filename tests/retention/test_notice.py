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


def test_the_notice_states_the_periods_the_purge_applies(client, partnership):
    from audit_app.retention.records import (ACCOUNT_YEARS, AUDIT_LOG_YEARS, FORMER_USER_NAME,
                                             SENT_EMAIL_YEARS, SIGN_IN_RECORD_YEARS)

    text = notice(client)
    assert f"Until your access ends, then {ACCOUNT_YEARS} year." in text
    assert f"replace your name with “{FORMER_USER_NAME}”" in text
    assert f"{SIGN_IN_RECORD_YEARS} years after you signed out or your sign-in ended" in text
    assert f"{SENT_EMAIL_YEARS} year after we sent them, then we delete them" in text
    assert "An email waiting to be sent is kept until it is sent." in text
    assert f"<td class=\"govuk-table__cell\">{AUDIT_LOG_YEARS} years, then we delete it." in text
    assert "it cannot be deleted sooner" in text
