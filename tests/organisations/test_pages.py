"""The register pages: who may see and change what, and what they show."""
import re

import pytest

from audit_app.audit_log.models import AuditEvent
from audit_app.extensions import db
from audit_app.organisations.agencies import import_agencies
from audit_app.organisations.gias import import_gias
from audit_app.organisations.models import Membership, Organisation, Partnership
from tests.fixtures import add_agency, add_school

from .helpers import data_bytes

AGENCY_FORM = {"name": "Stockport Homes", "code": "", "sector": "Housing",
               "duty_basis": "voluntary", "statutory_partner": "no",
               "partnership_involvement": "Wider partnership events",
               "locality": "Heatons and Reddish"}


@pytest.fixture
def people(partnership, school, make_user):
    return {role: make_user(role, partnership, organisation=school if role == "respondent"
                            else None)
            for role in ("admin", "reviewer", "qa", "respondent")}


@pytest.fixture
def as_role(client, people, sign_in):
    def _as(role):
        return sign_in(client, people[role])
    return _as


@pytest.fixture
def other_partnership_school():
    other = Partnership(slug="elsewhere", name="Elsewhere Partnership")
    db.session.add(other)
    db.session.commit()
    return add_school(other, urn="800001", name="Elsewhere School")


def table_names(response) -> list[str]:
    return re.findall(r'<a class="govuk-link" href="/organisations/\d+">([^<]+)</a>',
                      response.get_data(as_text=True))


@pytest.mark.parametrize("role", ["admin", "reviewer", "qa"])
def test_staff_list_organisations(as_role, role, agency):
    response = as_role(role).get("/organisations/")
    assert response.status_code == 200
    assert table_names(response) == ["Oak Tree Primary School", "Testshire Police"]
    assert "2 organisations" in response.get_data(as_text=True)
    assert ("Add an agency" in response.get_data(as_text=True)) == (role == "admin")


def test_respondents_may_not_list_organisations(as_role):
    assert as_role("respondent").get("/organisations/").status_code == 403


def test_search_and_filters_narrow_the_list(as_role, partnership):
    import_gias(data_bytes("gias_rules.csv"), partnership)
    import_agencies(data_bytes("agencies_stockport.csv"), partnership)
    db.session.commit()
    client = as_role("reviewer")
    assert table_names(client.get("/organisations/?q=Hill")) == ["Hill Academy"]
    assert table_names(client.get("/organisations/?q=900005")) == ["Town College"]
    assert table_names(client.get("/organisations/?basis=nmss&kind=school")) == \
        ["Brook House School"]
    assert len(table_names(client.get("/organisations/?kind=agency&basis=voluntary"))) == 7
    page = client.get("/organisations/?phase=16+plus").get_data(as_text=True)
    assert '<option value="16 plus" selected>' in page
    assert client.get("/organisations/?q=nothing+like+this").get_data(as_text=True).count(
        "No organisations match your search") == 1


def test_a_filter_value_not_offered_gets_a_clear_error(as_role, agency):
    response = as_role("admin").get("/organisations/?phase=Bogus&status=gone")
    assert response.status_code == 200
    page = response.get_data(as_text=True)
    assert "There is a problem" in page
    assert "Select a phase from the list" in page and "Select open or closed" in page
    assert page.startswith("<!DOCTYPE html>") and "<title>Error: Organisations" in page
    assert len(table_names(response)) == 2  # the bad filters filter nothing


def test_pages_of_fifty_keep_the_filters(as_role, partnership):
    import_gias(data_bytes("gias_stockport_sample.csv"), partnership)
    db.session.commit()
    client = as_role("qa")
    first = client.get("/organisations/?kind=school")
    assert len(table_names(first)) == 50
    page = first.get_data(as_text=True)
    assert "141 organisations" in page  # the sample's 140 and the fixture's school
    assert 'href="/organisations/?page=2&amp;kind=school"' in page or \
        'href="/organisations/?kind=school&amp;page=2"' in page
    assert 'aria-current="page"' in page
    third = client.get("/organisations/?kind=school&page=3")
    assert len(table_names(third)) == 41
    assert table_names(client.get("/organisations/?page=abc")) == table_names(first)
    assert "No organisations match" in client.get("/organisations/?page=99").get_data(
        as_text=True)


def test_staff_view_an_organisation(as_role, school, people):
    response = as_role("reviewer").get(f"/organisations/{school.id}")
    assert response.status_code == 200
    page = response.get_data(as_text=True)
    for text in ("Oak Tree Primary School", "100001", "Section 175 (Education Act 2002)",
                 "4 to 11", "Not assigned", people["respondent"].email,
                 "Back to organisations"):
        assert text in page
    assert "/locality" not in page  # only admins change it


def test_admins_see_the_change_links(as_role, school, agency):
    client = as_role("admin")
    page = client.get(f"/organisations/{school.id}").get_data(as_text=True)
    assert f'href="/organisations/{school.id}/locality"' in page
    assert "/edit" not in page  # schools change through GIAS imports
    page = client.get(f"/organisations/{agency.id}").get_data(as_text=True)
    assert f'href="/organisations/{agency.id}/edit"' in page
    assert "Section 11 (Children Act 2004)" in page


def test_other_register_details_are_shown(as_role, partnership):
    import_gias(data_bytes("gias_rules.csv"), partnership)
    db.session.commit()
    hill = Organisation.query.filter_by(urn="900002").one()
    page = as_role("admin").get(f"/organisations/{hill.id}").get_data(as_text=True)
    assert "Other register details" in page and "HeadPreferredJobTitle" in page
    assert "Hill Learning Trust" in page and "Open, but proposed to close" in page


def test_respondents_view_their_own_organisation_only(as_role, school, partnership):
    neighbour = add_school(partnership, urn="100002", name="Neighbour School")
    client = as_role("respondent")
    response = client.get(f"/organisations/{school.id}")
    assert response.status_code == 200
    assert "Back to organisations" not in response.get_data(as_text=True)
    assert client.get(f"/organisations/{neighbour.id}").status_code == 404


@pytest.mark.parametrize("suffix", ["", "/edit", "/locality"])
def test_a_forged_or_foreign_id_is_not_found(as_role, other_partnership_school, suffix):
    client = as_role("admin")
    assert client.get(f"/organisations/999999{suffix}").status_code == 404
    assert client.get(f"/organisations/{other_partnership_school.id}{suffix}").status_code == 404
    assert client.post(f"/organisations/{other_partnership_school.id}/locality",
                       data={"locality": "Mine now"}).status_code == 404
    assert other_partnership_school.memberships[0].locality is None


def test_add_an_agency(as_role, partnership):
    client = as_role("admin")
    assert client.get("/organisations/agencies/new").status_code == 200
    response = client.post("/organisations/agencies/new", data=AGENCY_FORM)
    assert response.status_code == 302
    agency = Organisation.query.filter_by(kind="agency").one()
    assert response.headers["Location"] == f"/organisations/{agency.id}"
    assert (agency.name, agency.code, agency.duty_basis, agency.statutory_partner) == \
        ("Stockport Homes", None, "voluntary", False)
    membership = Membership.query.filter_by(organisation_id=agency.id).one()
    assert (membership.partnership_id, membership.locality) == \
        (partnership.id, "Heatons and Reddish")
    assert AuditEvent.query.filter_by(action="organisation.created").count() == 1
    page = client.get(response.headers["Location"]).get_data(as_text=True)
    assert "Stockport Homes has been added" in page


@pytest.mark.parametrize("changes,messages", [
    ({"name": "", "duty_basis": None},
     ["Enter the agency&#39;s name", "Select why the agency completes the audit"]),
    ({"statutory_partner": None, "sector": " "},
     ["Select whether the agency is a statutory safeguarding partner",
      "Enter the agency&#39;s sector"]),
    ({"code": "C" * 41, "locality": "L" * 121},
     ["Code must be 40 characters or fewer", "Locality must be 120 characters or fewer"]),
])
def test_add_agency_errors_change_nothing(as_role, changes, messages):
    form = {key: value for key, value in {**AGENCY_FORM, **changes}.items() if value is not None}
    response = as_role("admin").post("/organisations/agencies/new", data=form)
    assert response.status_code == 400
    page = response.get_data(as_text=True)
    assert "There is a problem" in page
    for message in messages:
        assert message in page
    assert Organisation.query.filter_by(kind="agency").count() == 0


def test_add_agency_refuses_a_duplicate_name(as_role, partnership):
    add_agency(partnership, name="Stockport Homes", name_key="stockport homes")
    response = as_role("admin").post("/organisations/agencies/new",
                                     data={**AGENCY_FORM, "name": "STOCKPORT  homes"})
    assert response.status_code == 400
    assert "Stockport Homes is already in the register" in response.get_data(as_text=True)
    assert Organisation.query.filter_by(kind="agency").count() == 1


def test_edit_an_agency(as_role, agency):
    client = as_role("admin")
    page = client.get(f"/organisations/{agency.id}/edit").get_data(as_text=True)
    assert 'value="Testshire Police"' in page
    assert re.search(r'value="s11"\s+checked', page)
    response = client.post(f"/organisations/{agency.id}/edit", data={
        "name": "Testshire Constabulary", "code": "TC", "sector": "Police",
        "duty_basis": "s11", "statutory_partner": "yes", "partnership_involvement": ""})
    assert response.status_code == 302
    assert (agency.name, agency.code, agency.statutory_partner) == \
        ("Testshire Constabulary", "TC", True)
    event = AuditEvent.query.filter_by(action="organisation.updated").one()
    assert event.detail["changes"]["name"] == ["Testshire Police", "Testshire Constabulary"]


def test_edit_agency_error_changes_nothing(as_role, agency):
    response = as_role("admin").post(f"/organisations/{agency.id}/edit", data={
        "name": "", "sector": "Police", "duty_basis": "fire", "statutory_partner": "yes"})
    assert response.status_code == 400
    assert agency.name == "Testshire Police" and agency.duty_basis == "s11"


def test_schools_are_not_edited_as_agencies(as_role, school):
    assert as_role("admin").get(f"/organisations/{school.id}/edit").status_code == 404


def test_set_a_locality(as_role, school, partnership):
    client = as_role("admin")
    page = client.get(f"/organisations/{school.id}/locality").get_data(as_text=True)
    assert "Locality of Oak Tree Primary School" in page
    response = client.post(f"/organisations/{school.id}/locality",
                           data={"locality": " Tame   Valley "})
    assert response.status_code == 302
    membership = Membership.query.filter_by(organisation_id=school.id).one()
    assert membership.locality == "Tame Valley"
    assert AuditEvent.query.filter_by(action="organisation.locality_changed").count() == 1
    page = client.get(f"/organisations/{school.id}/locality").get_data(as_text=True)
    assert "Localities in use: Tame Valley" in page
    too_long = client.post(f"/organisations/{school.id}/locality", data={"locality": "x" * 121})
    assert too_long.status_code == 400
    assert membership.locality == "Tame Valley"


@pytest.mark.parametrize("role", ["reviewer", "qa", "respondent"])
def test_only_admins_change_the_register(as_role, role, school, agency):
    client = as_role(role)
    assert client.get("/organisations/agencies/new").status_code == 403
    assert client.post("/organisations/agencies/new", data=AGENCY_FORM).status_code == 403
    assert client.post(f"/organisations/{agency.id}/edit",
                       data={**AGENCY_FORM, "name": "Renamed"}).status_code == 403
    assert client.post(f"/organisations/{school.id}/locality",
                       data={"locality": "North"}).status_code == 403
    assert agency.name == "Testshire Police"
    assert Membership.query.filter_by(organisation_id=school.id).one().locality is None


def test_anonymous_people_are_sent_to_sign_in(client, school):
    response = client.get(f"/organisations/{school.id}")
    assert response.status_code == 302 and "/sign-in" in response.headers["Location"]


def test_a_form_without_its_csrf_token_is_refused(as_role, csrf_enabled, school):
    response = as_role("admin").post(f"/organisations/{school.id}/locality",
                                     data={"locality": "North"})
    assert response.status_code == 400
    assert Membership.query.filter_by(organisation_id=school.id).one().locality is None
