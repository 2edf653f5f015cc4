"""The purge applies the privacy notice's other periods: sign-in sessions 2 years, sent email
1 year, accounts 1 year after they are deactivated."""
import secrets
from datetime import timedelta

import pyotp

from audit_app.audit_log.models import AuditEvent
from audit_app.auth.models import Grant, RecoveryCode, User, UserSession, UserToken
from audit_app.auth.services import authenticate, deactivate
from audit_app.auth.tokens import issue_token
from audit_app.auth.two_factor import enrol_with_secret, issue_recovery_codes
from audit_app.extensions import db
from audit_app.mail.models import OutboxMessage
from audit_app.retention.records import FORMER_USER_NAME
from audit_app.timeutil import utcnow
from tests.fixtures import DEFAULT_PASSWORD

YEAR = timedelta(days=365)
DAY = timedelta(days=1)


def purge(runner, *args):
    result = runner.invoke(args=["retention", "purge", *args])
    assert result.exit_code == 0, result.output
    return result.output.strip().splitlines()[-1]


def counts(line: str) -> dict:
    return {key: int(value) for key, value in (item.split("=") for item in line.split())}


def add_session(user, *, last_seen_ago, ended_ago=None) -> int:
    now = utcnow()
    item = UserSession(token_hash=secrets.token_hex(32), user_id=user.id,
                       created_at=now - last_seen_ago - timedelta(minutes=30),
                       last_seen_at=now - last_seen_ago,
                       ended_at=None if ended_ago is None else now - ended_ago,
                       ip_address="203.0.113.7", user_agent="Firefox")
    db.session.add(item)
    db.session.commit()
    return item.id


def add_email(*, sent_ago=None, created_ago=None) -> int:
    now = utcnow()
    created_ago = created_ago if created_ago is not None else sent_ago
    item = OutboxMessage(kind="reminder", to_address="dsl@school.example.org",
                         subject="Your audit is due", body_text="Dear Ms Green",
                         created_at=now - created_ago,
                         sent_at=None if sent_ago is None else now - sent_ago)
    db.session.add(item)
    db.session.commit()
    return item.id


def exists(model, item_id: int) -> bool:
    db.session.expire_all()
    return db.session.get(model, item_id) is not None


def test_sign_in_sessions_go_two_years_after_the_sign_in_ended(runner, partnership,
                                                               make_user):
    user = make_user("admin", partnership)
    old = add_session(user, last_seen_ago=2 * YEAR + 2 * DAY)
    old_ended = add_session(user, last_seen_ago=3 * YEAR, ended_ago=2 * YEAR + DAY)
    ended_recently = add_session(user, last_seen_ago=3 * YEAR, ended_ago=2 * YEAR - 2 * DAY)
    recent = add_session(user, last_seen_ago=2 * YEAR - 2 * DAY)
    current = add_session(user, last_seen_ago=timedelta(0))

    assert counts(purge(runner, "--dry-run"))["sessions"] == 2
    assert all(exists(UserSession, item) for item in (old, old_ended))

    assert counts(purge(runner))["sessions"] == 2
    assert not exists(UserSession, old) and not exists(UserSession, old_ended)
    assert all(exists(UserSession, item) for item in (ended_recently, recent, current))
    assert exists(User, user.id)


def test_sent_email_goes_after_a_year_and_unsent_email_stays(runner, partnership):
    old = add_email(sent_ago=YEAR + 2 * DAY)
    recent = add_email(sent_ago=YEAR - 2 * DAY)
    unsent = add_email(created_ago=5 * YEAR)

    assert counts(purge(runner, "--dry-run"))["sent_emails"] == 1
    assert exists(OutboxMessage, old)

    assert counts(purge(runner))["sent_emails"] == 1
    assert not exists(OutboxMessage, old)
    assert exists(OutboxMessage, recent) and exists(OutboxMessage, unsent)


def leaver(make_user, partnership, school, *, deactivated_ago, email):
    """A respondent with everything an account can hold, deactivated ``deactivated_ago``."""
    user = make_user("respondent", partnership, school, email=email, name="Priya Leaver")
    user.job_title = "Designated safeguarding lead"
    enrol_with_secret(user, pyotp.random_base32())
    user.totp_last_counter = 123
    issue_recovery_codes(user)
    issue_token(user, "reset")
    deactivate(user)
    user.deactivated_at = utcnow() - deactivated_ago
    db.session.commit()
    return user


def test_accounts_are_anonymised_a_year_after_access_ends(runner, partnership, school,
                                                          make_user):
    gone = leaver(make_user, partnership, school, deactivated_ago=YEAR + 2 * DAY,
                  email="priya@school.example.org")
    also_gone = leaver(make_user, partnership, school, deactivated_ago=3 * YEAR,
                       email="sam@school.example.org")
    recent = leaver(make_user, partnership, school, deactivated_ago=YEAR - 2 * DAY,
                    email="kim@school.example.org")
    active = make_user("admin", partnership, email="still@here.example.org")

    assert counts(purge(runner, "--dry-run"))["accounts"] == 2
    db.session.expire_all()
    assert gone.email == "priya@school.example.org"

    assert counts(purge(runner))["accounts"] == 2
    db.session.expire_all()
    for user in (gone, also_gone):
        assert user.name == FORMER_USER_NAME
        assert user.email.endswith(".invalid") and "school.example.org" not in user.email
        assert (user.job_title, user.password_hash, user.password_changed_at) == \
            (None, None, None)
        assert (user.totp_secret, user.totp_enrolled_at, user.totp_last_counter) == \
            (None, None, None)
        assert user.active is False
        for model in (Grant, RecoveryCode, UserToken):
            assert model.query.filter_by(user_id=user.id).count() == 0, model
        event = AuditEvent.query.filter_by(action="people.anonymised",
                                           object_id=str(user.id)).one()
        assert event.detail == {"grants_removed": 1}
    assert gone.email != also_gone.email
    assert authenticate("priya@school.example.org", DEFAULT_PASSWORD) is None
    for user, email in ((recent, "kim@school.example.org"),
                        (active, "still@here.example.org")):
        assert (user.email, user.name) == (email, user.name)
        assert user.name != FORMER_USER_NAME
        assert Grant.query.filter_by(user_id=user.id).count() == 1
    assert recent.password_hash is not None and recent.totp_secret is not None

    # Nothing left to do: a second run changes and records nothing.
    events = AuditEvent.query.count()
    assert counts(purge(runner))["accounts"] == 0
    assert AuditEvent.query.count() == events


def test_an_anonymised_account_still_resolves_in_a_returns_history(app, runner, partnership,
                                                                    school, make_user,
                                                                    people_of, sign_in):
    from flask import url_for

    from tests.retention.conftest import closed_cycle

    reviewer = people_of["reviewer"]
    reviewer.name = "Rita Reviewer-Jones"
    db.session.commit()
    recent = closed_cycle(partnership, school, people_of["submitter"], reviewer,
                          closed_years_ago=1)
    deactivate(reviewer)
    reviewer.deactivated_at = utcnow() - 2 * YEAR
    db.session.commit()
    line = purge(runner)
    assert counts(line)["cycles"] == 0 and counts(line)["accounts"] == 1

    client = sign_in(app.test_client(), make_user("admin", partnership))
    with app.test_request_context():
        url = url_for("review.return_history", return_id=recent.audit_return.id)
    html = client.get(url).get_data(as_text=True)
    assert FORMER_USER_NAME in html
    assert "Rita Reviewer-Jones" not in html


def test_nothing_old_means_nothing_to_do(runner, partnership, make_user):
    user = make_user("admin", partnership)
    add_session(user, last_seen_ago=DAY)
    add_email(sent_ago=DAY)
    assert purge(runner).endswith(" sessions=0 sent_emails=0 accounts=0 audit_events=0")
    assert AuditEvent.query.filter_by(action="retention.records_purged").count() == 0


def test_what_the_purge_removed_is_recorded(runner, partnership, make_user):
    add_session(make_user("admin", partnership), last_seen_ago=3 * YEAR)
    add_email(sent_ago=2 * YEAR)
    purge(runner)
    event = AuditEvent.query.filter_by(action="retention.records_purged").one()
    assert event.detail == {"sessions": 1, "sent_emails": 1, "accounts": 0,
                            "audit_events": 0}


def test_an_anonymised_account_cannot_be_reactivated(app, make_user, partnership):
    import pytest

    from audit_app.auth.services import PeopleError, reactivate
    from audit_app.retention.records import anonymise

    person = make_user("respondent", partnership)
    person.active = False
    with app.test_request_context():
        anonymise(person)
        with pytest.raises(PeopleError, match="anonymised"):
            reactivate(person)
    assert person.active is False
