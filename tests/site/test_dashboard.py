"""The signed-in home page offers what the person's roles allow."""
import re

from flask import url_for

from audit_app.auth.models import Grant
from audit_app.extensions import db
from audit_app.organisations.models import Partnership
from audit_app.site.services import dashboard_for
from tests.fixtures import add_school


def test_the_home_page_needs_sign_in(client, partnership):
    response = client.get("/dashboard")
    assert response.status_code == 302
    assert "/sign-in" in response.headers["Location"]


def test_an_admin_is_offered_people_management(app, partnership, make_user):
    admin = make_user("admin", partnership)
    with app.test_request_context():
        dashboard = dashboard_for(admin, partnership)
        people_url = url_for("people.index")
    assert dashboard.role_names == ["Administrator"]
    assert ("People", people_url) in [(link.text, link.href) for link in dashboard.staff_links]
    assert dashboard.organisations == []


def test_qa_is_not_offered_people_management(app, partnership, make_user):
    with app.test_request_context():
        dashboard = dashboard_for(make_user("qa", partnership), partnership)
    assert dashboard.role_names == ["Quality assurance"]
    assert "People" not in [link.text for link in dashboard.staff_links]


def test_links_to_pages_that_do_not_exist_yet_are_left_out(app, partnership, make_user):
    with app.test_request_context():
        dashboard = dashboard_for(make_user("reviewer", partnership), partnership)
    texts = {link.text for link in dashboard.staff_links}
    assert ("Organisations" in texts) == ("organisations.index" in app.view_functions)
    assert ("Questionnaires" in texts) == ("questionnaires.index" in app.view_functions)


def test_a_respondent_sees_only_their_own_organisations(app, partnership, make_user):
    own = add_school(partnership, urn="200001", name="Beech Primary School")
    add_school(partnership, urn="200002", name="Elm High School")
    respondent = make_user("respondent", partnership, organisation=own)
    with app.test_request_context():
        dashboard = dashboard_for(respondent, partnership)
        colleagues_url = url_for("people.colleagues", organisation_id=own.id)
    assert [organisation.name for organisation, _ in dashboard.organisations] == \
        ["Beech Primary School"]
    assert [link.href for link in dashboard.organisations[0][1]] == [colleagues_url]
    assert dashboard.staff_links == []


def test_someone_without_grants_is_told_how_to_get_access(client, partnership, make_user,
                                                           sign_in):
    sign_in(client, make_user(None, partnership))
    html = client.get("/dashboard").get_data(as_text=True)
    assert "You do not have access to any audits yet" in html


def test_the_home_page_renders_a_respondents_organisations(client, partnership, make_user,
                                                             sign_in):
    school = add_school(partnership, urn="200003", name="Ash Academy")
    sign_in(client, make_user("respondent", partnership, organisation=school))
    html = client.get("/dashboard").get_data(as_text=True)
    assert ">Ash Academy</h3>" in html
    assert f'href="/people/organisation/{school.id}"' in html
    assert "Work in another partnership" not in html


def test_someone_in_two_partnerships_can_change_partnership(client, partnership, make_user,
                                                            sign_in, csrf_enabled):
    other = Partnership(slug="otherborough", name="Otherborough Partnership")
    db.session.add(other)
    user = make_user("qa", partnership)
    db.session.add(Grant(user=user, role="admin", partnership=other))
    db.session.commit()
    sign_in(client, user)
    html = client.get("/dashboard").get_data(as_text=True)
    form = re.search(r'<form method="post" action="/account/partnership"[^>]*>(.*?)</form>',
                     html, re.DOTALL)
    assert form
    options = re.findall(r'<option value="(\d+)"[^>]*>([^<]+)</option>', form.group(1))
    assert sorted(options) == sorted([(str(partnership.id), partnership.name),
                                      (str(other.id), other.name)])
    assert 'name="csrf_token"' in form.group(1)
