"""`flask demo seed`: a believable partnership, one login per role, idempotent."""
import pytest

from audit_app.auth.models import Grant, User
from audit_app.auth.passwords import verify_password
from audit_app.demo.logins import DEFAULT_PASSWORD, DEMO_LOGINS
from audit_app.organisations.models import Membership, Organisation, Partnership
from audit_app.cycles.models import AuditReturn, Cycle
from audit_app.mail.models import OutboxMessage
from audit_app.questionnaires.models import QuestionnaireVersion
from audit_app.returns.models import ActionItem, Answer, Submission


def counts():
    return tuple(model.query.count() for model in (
        Partnership, Organisation, Membership, User, Grant, QuestionnaireVersion, Cycle,
        AuditReturn, Submission, Answer, ActionItem, OutboxMessage))


@pytest.fixture
def seeded(runner):
    result = runner.invoke(args=["demo", "seed"])
    assert result.exit_code == 0, result.output
    return result


def test_seed_builds_the_partnership(seeded):
    assert "Demo partnership: Stockport Safeguarding Children Partnership" in seeded.output
    assert "schools=140 agencies=17" in seeded.output
    for login in DEMO_LOGINS:
        assert login.email in seeded.output
    schools = Organisation.query.filter_by(kind="school")
    assert schools.count() == 140
    # Every kind of school a shipped condition may ask about is there.
    assert schools.filter_by(boarders=True).count() >= 1
    assert schools.filter_by(sixth_form=True).count() >= 1
    assert schools.filter_by(nursery=True).count() >= 1
    assert {"s175", "s157", "nmss"} <= {s.legal_basis for s in schools}
    assert {"Independent schools", "Special schools", "Colleges", "Academies"} <= \
        {s.type_group for s in schools}
    assert Organisation.query.filter_by(kind="agency", duty_basis="voluntary").count() >= 1
    assert Membership.query.filter(Membership.locality.is_(None)).count() == 0


def test_every_login_has_its_role_and_password(seeded):
    for login in DEMO_LOGINS:
        user = User.query.filter_by(email=login.email).one()
        assert verify_password(user.password_hash, DEFAULT_PASSWORD)
        roles = {grant.role for grant in user.grants}
        assert roles == {login.role}
        if login.role == "respondent":
            assert all(grant.organisation_id for grant in user.grants)
    sase = User.query.filter_by(email="sase@example.org").one()
    assert {g.questionnaire_key for g in sase.grants} == {"s175", "prevent"}


def test_cycles_in_every_state(seeded):
    previous = Cycle.query.filter_by(name="S175 audit 2024-25").one()
    assert previous.status == "closed"
    assert {r.status for r in previous.returns} == {"accepted", "not_started"}
    current = Cycle.query.filter_by(name="S175 audit 2025-26").one()
    assert current.previous_cycle_id == previous.id
    s11 = Cycle.query.filter_by(name="Section 11 audit 2025-26").one()
    for cycle in (current, s11):
        assert cycle.status == "open"
        assert {"not_started", "in_progress", "submitted", "returned", "accepted"} <= \
            {r.status for r in cycle.returns}
    # The demo respondents have live work of their own.
    for email in ("dsl@example.org", "agency@example.org"):
        organisation_id = User.query.filter_by(email=email).one().grants[0].organisation_id
        statuses = {r.status for r in AuditReturn.query.filter_by(
            organisation_id=organisation_id) if r.cycle.status == "open"}
        assert statuses == {"in_progress"}
    # Submitted returns carry real submissions, amber and red answers carry actions.
    submitted = AuditReturn.query.filter(AuditReturn.status.in_(
        ("submitted", "returned", "accepted"))).all()
    assert all(r.latest_submission_number >= 1 for r in submitted)
    assert ActionItem.query.count() > 0
    returned = [r for r in submitted if r.status == "returned"]
    assert returned and all(any(e.to_status == "returned" for e in r.events) for r in returned)


def test_review_work_in_the_demo(seeded):
    from audit_app.review.models import Moderation, ReviewQuery

    # Returned returns carry open queries; resubmitted ones an answered query and a second
    # submission; some accepted returns carry a reviewer's override with its reason.
    for audit_return in AuditReturn.query.filter_by(status="returned"):
        assert ReviewQuery.query.filter_by(return_id=audit_return.id, status="open").count()
    resubmitted = [r for r in AuditReturn.query.filter_by(status="submitted")
                   if r.latest_submission_number == 2]
    assert len(resubmitted) == 3
    for audit_return in resubmitted:
        assert ReviewQuery.query.filter_by(return_id=audit_return.id,
                                           status="answered").count() == 1
    overrides = Moderation.query.all()
    assert overrides and all(m.reason and m.moderated_value == "amber" for m in overrides)


def test_second_run_duplicates_nothing(runner, seeded):
    before = counts()
    again = runner.invoke(args=["demo", "seed"])
    assert again.exit_code == 0, again.output
    assert counts() == before


def test_password_option_sets_every_login(runner, seeded):
    result = runner.invoke(args=["demo", "seed", "--password", "another-demo-phrase"])
    assert result.exit_code == 0
    for login in DEMO_LOGINS:
        user = User.query.filter_by(email=login.email).one()
        assert verify_password(user.password_hash, "another-demo-phrase")


def test_short_password_is_refused(runner):
    result = runner.invoke(args=["demo", "seed", "--password", "short"])
    assert result.exit_code != 0 and "8 characters" in result.output
    assert Organisation.query.count() == 0


def test_seed_is_refused_in_production(app, runner):
    app.config["AUDIT_ENV"] = "production"
    try:
        result = runner.invoke(args=["demo", "seed"])
    finally:
        app.config["AUDIT_ENV"] = "test"
    assert result.exit_code != 0
    assert "refused in production" in result.output
    assert Organisation.query.count() == 0


def test_demo_logins_sign_in(client, seeded):
    response = client.post("/sign-in", data={"email": "dsl@example.org",
                                             "password": DEFAULT_PASSWORD})
    assert response.status_code == 302
    assert client.get("/dashboard").status_code == 200


def totp_lines(output: str) -> dict[str, str]:
    return dict(line.split()[1:] for line in output.splitlines() if line.startswith("TOTP "))


def test_seed_prints_the_staff_two_factor_secrets(runner, seeded):
    import pyotp

    from tests.fixtures import next_totp_code

    secrets = totp_lines(seeded.output)
    staff = {login.email for login in DEMO_LOGINS if login.role != "respondent"}
    assert set(secrets) == staff
    lines = seeded.output.splitlines()
    # After every login line: the lines scripts already read come first, unchanged.
    last_login = max(i for i, line in enumerate(lines) if "password:" in line)
    assert all(i > last_login for i, line in enumerate(lines) if line.startswith("TOTP "))
    for email, secret in secrets.items():
        user = User.query.filter_by(email=email).one()
        assert user.two_factor_enrolled and user.totp_secret == secret
        assert len(pyotp.TOTP(secret).now()) == 6
    # A tester signs in with the printed secret.
    from flask import current_app

    client = current_app.test_client()
    response = client.post("/sign-in", data={"email": "sase@example.org",
                                             "password": DEFAULT_PASSWORD})
    assert response.headers["Location"].startswith("/sign-in/two-factor")
    sase = User.query.filter_by(email="sase@example.org").one()
    response = client.post(response.headers["Location"], data={"code": next_totp_code(sase)})
    assert response.status_code == 302
    assert client.get("/review/").status_code == 200
    # Running the seed again keeps the secrets (an app set up once keeps working).
    again = runner.invoke(args=["demo", "seed"])
    assert totp_lines(again.output) == secrets
