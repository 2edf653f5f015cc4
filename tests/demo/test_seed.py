"""`flask demo seed`: a believable partnership, one login per role, idempotent."""
import pytest

from audit_app.auth.models import Grant, User
from audit_app.auth.passwords import verify_password
from audit_app.demo.logins import DEFAULT_PASSWORD, DEMO_LOGINS
from audit_app.organisations.models import Membership, Organisation, Partnership
from audit_app.questionnaires.models import QuestionnaireVersion


def counts():
    return (Partnership.query.count(), Organisation.query.count(), Membership.query.count(),
            User.query.count(), Grant.query.count(), QuestionnaireVersion.query.count())


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
