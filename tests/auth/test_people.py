"""People in the browser: admins invite and manage; respondents invite colleagues."""
import pytest

from audit_app.audit_log.models import AuditEvent
from audit_app.auth.models import Grant, User, UserSession
from audit_app.extensions import db
from audit_app.mail.models import OutboxMessage
from tests.fixtures import add_school


@pytest.fixture
def admin_client(client, make_user, partnership, sign_in):
    admin = make_user("admin", partnership, email="admin@example.org")
    sign_in(client, admin)
    client.admin = admin
    return client


def test_admin_invites_a_respondent(admin_client, school):
    response = admin_client.post("/people/invite", data={
        "email": "DSL@Oak.example.org", "name": "Dee Ess-Ell", "role": "respondent",
        "organisation_id": str(school.id), "questionnaire_key": ""})
    assert response.status_code == 302
    user = User.query.filter_by(email="dsl@oak.example.org").one()
    assert [(g.role, g.organisation_id) for g in user.grants] == [("respondent", school.id)]
    message = OutboxMessage.query.filter_by(to_address="dsl@oak.example.org").one()
    assert message.kind == "invite" and "/set-password/" in message.body_text
    assert AuditEvent.query.filter_by(action="people.grant_added").count() == 1


@pytest.mark.parametrize("data,error", [
    ({"email": "not-an-email", "name": "X", "role": "qa"},
     "Enter an email address in the correct format, like name@example.org"),
    ({"email": "a@example.org", "name": "", "role": "qa"}, "Enter the person&#39;s full name"),
    ({"email": "a@example.org", "name": "A", "role": ""}, "Select a role"),
    ({"email": "a@example.org", "name": "A", "role": "superuser"}, "Not a valid choice"),
    ({"email": "a@example.org", "name": "A", "role": "respondent", "organisation_id": ""},
     "Select the organisation this person responds for"),
    ({"email": "a@example.org", "name": "A", "role": "qa", "organisation_id": "SCHOOL"},
     "Only respondents are linked to an organisation"),
])
def test_invite_errors_change_nothing(admin_client, school, data, error):
    data = {"organisation_id": "", "questionnaire_key": "", **data}
    if data["organisation_id"] == "SCHOOL":
        data["organisation_id"] = str(school.id)
    response = admin_client.post("/people/invite", data=data)
    body = response.get_data(as_text=True)
    assert error in body and "There is a problem" in body
    assert User.query.count() == 1 and OutboxMessage.query.count() == 0


def test_invite_refuses_an_organisation_of_another_partnership(admin_client, make_user):
    from audit_app.organisations.models import Partnership

    other = Partnership(slug="elsewhere", name="Elsewhere SCP")
    db.session.add(other)
    db.session.commit()
    foreign = add_school(other, urn="999999", name="Foreign School")
    response = admin_client.post("/people/invite", data={
        "email": "x@example.org", "name": "X", "role": "respondent",
        "organisation_id": str(foreign.id), "questionnaire_key": ""})
    assert "Not a valid choice" in response.get_data(as_text=True)
    assert User.query.filter_by(email="x@example.org").count() == 0


def test_deactivate_ends_sessions_and_reactivate(admin_client, app, make_user, partnership,
                                                 sign_in):
    person = make_user("qa", partnership)
    their_client = app.test_client()
    sign_in(their_client, person)
    assert admin_client.post(f"/people/{person.id}/deactivate").status_code == 302
    db.session.refresh(person)
    assert not person.active
    assert UserSession.query.filter_by(user_id=person.id, ended_at=None).count() == 0
    assert their_client.get("/account/password").status_code == 302
    admin_client.post(f"/people/{person.id}/reactivate")
    db.session.refresh(person)
    assert person.active


def test_admin_cannot_deactivate_themselves(admin_client):
    admin_client.post(f"/people/{admin_client.admin.id}/deactivate")
    db.session.refresh(admin_client.admin)
    assert admin_client.admin.active


def test_resend_invitation_replaces_the_link(admin_client, partnership):
    user = User(email="late@example.org", name="Late")
    db.session.add(user)
    db.session.add(Grant(user=user, role="qa", partnership_id=partnership.id))
    db.session.commit()
    admin_client.post(f"/people/{user.id}/resend")
    admin_client.post(f"/people/{user.id}/resend")
    assert OutboxMessage.query.filter_by(to_address="late@example.org").count() == 2
    from audit_app.auth.models import UserToken

    assert UserToken.query.filter_by(user_id=user.id, used_at=None).count() == 1


def test_change_grants(admin_client, school, make_user, partnership):
    person = make_user("qa", partnership)
    response = admin_client.post(f"/people/{person.id}/grants", data={
        "role": "reviewer", "organisation_id": "", "questionnaire_key": ""})
    assert response.status_code == 302
    grants = {g.role: g for g in Grant.query.filter_by(user_id=person.id)}
    assert set(grants) == {"qa", "reviewer"}
    admin_client.post(f"/people/{person.id}/grants/{grants['qa'].id}/remove")
    assert {g.role for g in Grant.query.filter_by(user_id=person.id)} == {"reviewer"}
    assert AuditEvent.query.filter_by(action="people.grant_removed").count() == 1


def test_forged_grant_id_is_404(admin_client, make_user, partnership):
    person = make_user("qa", partnership)
    other = make_user("qa", partnership)
    other_grant = other.grants[0]
    response = admin_client.post(f"/people/{person.id}/grants/{other_grant.id}/remove")
    assert response.status_code == 404
    assert db.session.get(Grant, other_grant.id) is not None


def test_people_list_search(admin_client, make_user, partnership):
    make_user("qa", partnership, name="Priya Shah", email="priya@example.org")
    make_user("qa", partnership, name="Tom Jones", email="tom@example.org")
    body = admin_client.get("/people/?q=priya").get_data(as_text=True)
    assert "Priya Shah" in body and "Tom Jones" not in body


@pytest.fixture
def dsl_client(client, make_user, partnership, school, sign_in):
    dsl = make_user("respondent", partnership, organisation=school, email="dsl@example.org")
    sign_in(client, dsl)
    client.dsl = dsl
    return client


def test_respondent_invites_and_removes_a_colleague(dsl_client, school):
    url = f"/people/organisation/{school.id}"
    assert dsl_client.get(url).status_code == 200
    response = dsl_client.post(url, data={"email": "head@oak.example.org", "name": "Head"})
    assert response.status_code == 302
    colleague = User.query.filter_by(email="head@oak.example.org").one()
    assert colleague.grants[0].organisation_id == school.id
    assert colleague.grants[0].role == "respondent"
    response = dsl_client.post(f"{url}/{colleague.id}/remove")
    assert response.status_code == 302
    assert Grant.query.filter_by(user_id=colleague.id).count() == 0


def test_respondent_cannot_reach_another_organisation(dsl_client, partnership):
    other = add_school(partnership, urn="100002", name="Elm Primary")
    assert dsl_client.get(f"/people/organisation/{other.id}").status_code == 404
    response = dsl_client.post(f"/people/organisation/{other.id}",
                               data={"email": "x@example.org", "name": "X"})
    assert response.status_code == 404
    assert User.query.filter_by(email="x@example.org").count() == 0
    assert AuditEvent.query.filter_by(action="access.denied").count() == 2


def test_respondent_cannot_open_admin_pages(dsl_client):
    assert dsl_client.get("/people/").status_code == 403
    assert dsl_client.get("/people/invite").status_code == 403


def test_organisation_page_links_to_its_people_for_those_who_may_manage(
        client, app, make_user, partnership, school, sign_in):
    dsl = make_user("respondent", partnership, organisation=school)
    qa = make_user("qa", partnership)
    link = f"/people/organisation/{school.id}"
    sign_in(client, dsl)
    assert link in client.get(f"/organisations/{school.id}").get_data(as_text=True)
    qa_client = app.test_client()
    sign_in(qa_client, qa)
    page = qa_client.get(f"/organisations/{school.id}")
    assert page.status_code == 200 and link not in page.get_data(as_text=True)
