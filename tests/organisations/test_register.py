"""The register as staff use it: finding, adding and editing (services, without HTTP)."""
import pytest

from audit_app.audit_log.models import AuditEvent
from audit_app.extensions import db
from audit_app.organisations.gias import import_gias
from audit_app.organisations.agencies import import_agencies
from audit_app.organisations.models import Membership, Organisation, Partnership
from audit_app.organisations.services import (
    NO_LOCALITY, RegisterError, RegisterFilters, create_agency, filter_values,
    localities_of, register_query, set_locality, update_agency)
from tests.fixtures import add_agency, add_school

from .helpers import data_bytes

AGENCY = {"name": "Stockport Homes", "code": None, "sector": "Housing",
          "duty_basis": "voluntary", "statutory_partner": False,
          "partnership_involvement": "Wider partnership events"}


@pytest.fixture
def register(partnership):
    import_gias(data_bytes("gias_rules.csv"), partnership)
    import_agencies(data_bytes("agencies_stockport.csv"), partnership)
    school = Organisation.query.filter_by(urn="900003").one()
    set_locality(partnership, school, "Tame Valley")
    db.session.commit()
    return partnership


def names(partnership, **filters):
    query = register_query(partnership, RegisterFilters(**filters))
    return [organisation.name for organisation in db.session.scalars(query)]


def test_everything_is_listed_by_name(register):
    listed = names(register)
    assert len(listed) == 8 + 17
    assert listed == sorted(listed)


@pytest.mark.parametrize("filters,expected", [
    ({"search": "hill"}, ["Hill Academy"]),
    ({"search": "900004"}, ["Riverside Pupil Referral Unit"]),
    ({"search": "90000"}, []),  # a URN must be whole
    ({"search": "100%"}, []),  # wildcards are literal
    ({"kind": "school", "phase": "16 plus"}, ["Aspire Sixth Form College", "Town College"]),
    ({"type_group": "Special schools"}, ["Brook House School"]),
    ({"basis": "nmss"}, ["Brook House School"]),
    ({"basis": "s157"}, ["Hill Academy", "Manor Independent School"]),
    ({"locality": "Tame Valley"}, ["Brook House School"]),
    ({"status": "closed"}, []),
])
def test_search_and_filters(register, filters, expected):
    assert names(register, **filters) == expected


def test_duty_basis_and_no_locality_filters(register):
    assert len(names(register, basis="voluntary")) == 7
    assert len(names(register, kind="agency", basis="s11")) == 10
    assert len(names(register, locality=NO_LOCALITY)) == 24


def test_other_partnerships_organisations_are_not_listed(register):
    other = Partnership(slug="other", name="Other Partnership")
    db.session.add(other)
    db.session.commit()
    add_school(other, urn="800001", name="Elsewhere School")
    assert "Elsewhere School" not in names(register)
    assert names(other) == ["Elsewhere School"]


def test_filter_values_come_from_the_partnership(register):
    values = filter_values(register)
    assert values["phase"] == ["16 plus", "All-through", "Not applicable", "Primary",
                               "Secondary"]
    assert "Colleges" in values["type_group"]
    assert values["locality"] == ["Tame Valley"]


def test_create_agency_adds_a_member_and_records_it(partnership):
    agency = create_agency(partnership, AGENCY, locality="Heatons and Reddish")
    db.session.commit()
    assert (agency.kind, agency.name_key, agency.status) == ("agency", "stockport homes", "open")
    assert localities_of(partnership, [agency]) == {agency.id: "Heatons and Reddish"}
    event = AuditEvent.query.filter_by(action="organisation.created").one()
    assert event.object_id == str(agency.id) and event.partnership_id == partnership.id


@pytest.mark.parametrize("existing,values,field,message", [
    ({"name": "Stockport homes."}, {}, "name",
     "Stockport homes. is already in the register: give this agency a different name or its "
     "own code"),
    ({"name": "Other", "code": "SH"}, {"code": "SH"}, "code",
     "The code SH is already used by Other"),
])
def test_create_agency_refuses_a_duplicate(partnership, existing, values, field, message):
    add_agency(partnership, name_key=existing["name"].lower().rstrip("."), **existing)
    with pytest.raises(RegisterError) as error:
        create_agency(partnership, {**AGENCY, **values})
    assert (error.value.field, str(error.value)) == (field, message)
    assert Organisation.query.count() == 1


def test_namesakes_with_their_own_codes_may_both_exist(partnership):
    add_agency(partnership, name="Youth Offending Service", name_key="youth offending service",
               code="YOS-N")
    agency = create_agency(partnership, {**AGENCY, "name": "Youth Offending Service",
                                         "code": "YOS-S"})
    assert agency.code == "YOS-S"


def test_update_agency_records_what_changed(partnership, agency):
    changes = update_agency(partnership, agency, {
        "name": "Testshire Constabulary", "code": "TC", "sector": "Police",
        "duty_basis": "s11", "statutory_partner": True, "partnership_involvement": None})
    db.session.commit()
    assert changes == {"name": ["Testshire Police", "Testshire Constabulary"],
                       "code": [None, "TC"], "statutory_partner": [None, True]}
    assert agency.name_key == "testshire constabulary"
    event = AuditEvent.query.filter_by(action="organisation.updated").one()
    assert event.detail == {"changes": changes}
    again = update_agency(partnership, agency, {
        "name": "Testshire Constabulary", "code": "TC", "sector": "Police",
        "duty_basis": "s11", "statutory_partner": True, "partnership_involvement": None})
    assert again == {}
    assert AuditEvent.query.filter_by(action="organisation.updated").count() == 1


def test_update_agency_refuses_another_agencys_name(partnership, agency):
    add_agency(partnership, name="Testshire Fire", name_key="testshire fire")
    with pytest.raises(RegisterError) as error:
        update_agency(partnership, agency, {**AGENCY, "name": "Testshire  FIRE"})
    assert error.value.field == "name"
    assert agency.name == "Testshire Police"


def test_set_locality_changes_only_this_partnerships_membership(partnership, school):
    other = Partnership(slug="other", name="Other Partnership")
    db.session.add(other)
    db.session.add(Membership(partnership=other, organisation=school, locality="North"))
    db.session.commit()
    assert set_locality(partnership, school, "  Marple   and Werneth ") is True
    assert set_locality(partnership, school, "Marple and Werneth") is False
    db.session.commit()
    assert localities_of(partnership, [school]) == {school.id: "Marple and Werneth"}
    assert localities_of(other, [school]) == {school.id: "North"}
    event = AuditEvent.query.filter_by(action="organisation.locality_changed").one()
    assert event.detail == {"from": None, "to": "Marple and Werneth"}
    assert set_locality(partnership, school, "") is True
    assert localities_of(partnership, [school]) == {school.id: None}


def test_set_locality_refuses_a_non_member(partnership):
    other = Partnership(slug="other", name="Other Partnership")
    db.session.add(other)
    db.session.commit()
    stranger = add_school(other, urn="800001")
    with pytest.raises(RegisterError):
        set_locality(partnership, stranger, "North")
