"""`flask users create` and `flask users import`."""
import pytest

from audit_app.auth.models import Grant, User
from audit_app.mail.models import OutboxMessage
from tests.fixtures import add_agency, add_school


def test_create_prints_a_set_password_link(runner, partnership, school):
    result = runner.invoke(args=["users", "create", "--email", "New@Example.org",
                                 "--name", "New Person", "--role", "respondent",
                                 "--org", school.urn])
    assert result.exit_code == 0, result.output
    assert "created new@example.org role=respondent" in result.output
    assert "set password: http://localhost/set-password/" in result.output
    user = User.query.filter_by(email="new@example.org").one()
    assert user.grants[0].organisation_id == school.id


@pytest.mark.parametrize("args,message", [
    (["--role", "wizard"], "Unknown role 'wizard'"),
    (["--role", "respondent", "--org", "000000"], "No organisation with URN or name '000000'"),
    (["--role", "respondent"], "A respondent must be linked to an organisation"),
])
def test_create_bad_input_changes_nothing(runner, partnership, school, args, message):
    result = runner.invoke(args=["users", "create", "--email", "x@example.org",
                                 "--name", "X", *args])
    assert result.exit_code != 0
    assert message in result.output
    assert User.query.count() == 0


def test_import_upserts_by_email_and_reports_per_row(runner, partnership, tmp_path):
    school = add_school(partnership, urn="123456")
    add_agency(partnership, name="Testshire Police")
    path = tmp_path / "people.csv"
    path.write_text(
        "email,name,role,organisation\n"
        "dsl@oak.example.org,Dee,respondent,123456\n"
        "police@example.org,Pat,respondent,testshire police\n"
        "sase@example.org,Sam,reviewer,\n"
        "bad,Bad,qa,\n"
        "who@example.org,Who,respondent,999999\n"
        "dsl@oak.example.org,Dee,respondent,123456\n", encoding="utf-8")
    result = runner.invoke(args=["users", "import", str(path)])
    assert result.exit_code == 0, result.output
    lines = result.output.strip().splitlines()
    assert lines[-1] == "created=3 updated=0 unchanged=1 rejected=2"
    assert "line 5: bad: rejected: Enter an email address" in result.output
    assert "line 6: who@example.org: rejected: no organisation with URN or name '999999'" \
        in result.output
    assert User.query.count() == 3
    assert Grant.query.filter_by(organisation_id=school.id).count() == 1
    assert OutboxMessage.query.count() == 3
    again = runner.invoke(args=["users", "import", str(path)])
    assert again.output.strip().splitlines()[-1] == "created=0 updated=0 unchanged=4 rejected=2"


def test_import_refuses_a_file_without_the_columns(runner, partnership, tmp_path):
    path = tmp_path / "people.csv"
    path.write_text("mail,who\nx@example.org,X\n", encoding="utf-8")
    result = runner.invoke(args=["users", "import", str(path)])
    assert result.exit_code == 1
    assert "missing the required column(s): email, name, role" in result.output
    assert User.query.count() == 0


def test_import_refuses_a_binary_file(runner, partnership, tmp_path):
    path = tmp_path / "people.csv"
    path.write_bytes(b"\x00\x01\x02PK\x03\x04")
    result = runner.invoke(args=["users", "import", str(path)])
    assert result.exit_code == 1 and "not a text CSV file" in result.output


def test_reset_two_factor(runner, partnership, make_user):
    import pyotp

    from audit_app.audit_log.models import AuditEvent
    from audit_app.auth.two_factor import enrol_with_secret
    from audit_app.extensions import db

    admin = make_user("admin", partnership)
    enrol_with_secret(admin, pyotp.random_base32())
    db.session.commit()
    result = runner.invoke(args=["users", "reset-two-factor", "--email", admin.email.upper()])
    assert result.exit_code == 0, result.output
    assert f"reset two-factor sign-in of {admin.email}" in result.output
    db.session.refresh(admin)
    assert not admin.two_factor_enrolled and admin.totp_secret is None
    assert AuditEvent.query.filter_by(action="people.two_factor_reset").count() == 1
    again = runner.invoke(args=["users", "reset-two-factor", "--email", admin.email])
    assert again.exit_code != 0 and "has not set up two-factor sign-in" in again.output
    unknown = runner.invoke(args=["users", "reset-two-factor", "--email", "x@example.org"])
    assert unknown.exit_code != 0 and "No person with the email address" in unknown.output
