"""Importing agencies from a CSV (the service, without the command line)."""
import pytest

from audit_app.extensions import db
from audit_app.organisations.agencies import import_agencies, normalise_name
from audit_app.organisations.csvfile import ImportFileError
from audit_app.organisations.models import Membership, Organisation, Partnership
from tests.fixtures import add_agency, add_school

from .helpers import data_bytes

HEADER = "name,sector,duty_basis,statutory_partner,partnership_involvement\n"


def agency(name):
    return Organisation.query.filter_by(kind="agency", name=name).one()


def test_the_stockport_sample_imports_every_agency(partnership):
    result = import_agencies(data_bytes("agencies_stockport.csv"), partnership)
    assert result.summary() == "created=17 updated=0 closed=0 skipped=0 rejected=0"
    police = agency("Greater Manchester Police (Stockport district)")
    assert (police.sector, police.duty_basis, police.statutory_partner) == ("Police", "s11", True)
    assert police.partnership_involvement == "Executive and all partnership groups"
    assert police.name_key == "greater manchester police stockport district"
    homes = agency("Stockport Homes")
    assert (homes.duty_basis, homes.statutory_partner, homes.status) == ("voluntary", False, "open")
    assert Membership.query.filter_by(partnership_id=partnership.id).count() == 17


def test_a_second_run_changes_nothing(partnership):
    import_agencies(data_bytes("agencies_stockport.csv"), partnership)
    db.session.commit()
    again = import_agencies(data_bytes("agencies_stockport.csv"), partnership)
    assert again.summary() == "created=0 updated=0 closed=0 skipped=0 rejected=0"
    assert again.unchanged == 17 and Organisation.query.count() == 17


@pytest.mark.parametrize("one,other", [
    ("Stockport Metropolitan Borough Council - Children's Services",
     "stockport  metropolitan borough council childrens services"),
    ("NHS Independent Contractors (dentists, optometrists, pharmacists)",
     "NHS independent contractors: dentists / optometrists / pharmacists"),
    ("St. Ann’s Hospice", "st anns hospice"),
])
def test_names_match_whatever_their_case_spacing_and_punctuation(one, other):
    assert normalise_name(one) == normalise_name(other)


def test_a_respelt_name_updates_the_agency(partnership):
    add_agency(partnership, name="Stockport Homes", name_key="stockport homes",
               sector="Housing", duty_basis="voluntary")
    text = HEADER + "STOCKPORT HOMES,Housing association,voluntary,no,Wider partnership events\n"
    result = import_agencies(text.encode(), partnership)
    assert result.summary() == "created=0 updated=1 closed=0 skipped=0 rejected=0"
    homes = Organisation.query.filter_by(kind="agency").one()
    assert (homes.name, homes.sector) == ("STOCKPORT HOMES", "Housing association")


def test_bad_rows_are_rejected_with_their_line(partnership):
    result = import_agencies(data_bytes("agencies_bad_rows.csv"), partnership)
    assert result.summary() == "created=2 updated=0 closed=0 skipped=0 rejected=5"
    assert result.messages == [
        "line 3: rejected: Stockport Youth Club: duty_basis 'statutory' must be s11 or voluntary",
        "line 4: rejected: Stockport Dental Practice: duty_basis is empty (enter s11 or "
        "voluntary)",
        "line 5: rejected: Stockport Sports Trust: statutory_partner 'maybe' must be yes or no",
        "line 6: rejected: stockport homes.: already appears on line 2",
        "line 7: rejected: name is empty",
    ]
    cafcass = agency("Cafcass")
    # Values are trimmed; the duty basis and yes/no ignore case.
    assert (cafcass.sector, cafcass.duty_basis, cafcass.statutory_partner) == \
        ("Family court services", "s11", True)
    assert cafcass.partnership_involvement == "Wider partnership events"
    assert Organisation.query.count() == 2


def test_codes_key_agencies_and_tell_namesakes_apart(partnership):
    add_agency(partnership, name="Greater Manchester Police (Stockport district)",
               name_key="greater manchester police stockport district")
    result = import_agencies(data_bytes("agencies_codes.csv"), partnership)
    assert result.summary() == "created=2 updated=1 closed=0 skipped=0 rejected=1"
    assert result.messages == [
        "line 5: rejected: Youth Offending Service (north): already appears on line 3"]
    # The agency known by name takes the code (and the file's spelling of its name).
    police = Organisation.query.filter_by(code="GMP-STOCKPORT").one()
    assert police.name == "Greater Manchester Police - Stockport District"
    assert Organisation.query.filter_by(name="Youth Offending Service").count() == 2
    # Matched by code from now on, whatever the name says.
    renamed = ("code,name,sector,duty_basis\n"
               "GMP-STOCKPORT,GMP Stockport,Police,s11\n")
    again = import_agencies(renamed.encode(), partnership)
    assert again.summary() == "created=0 updated=1 closed=0 skipped=0 rejected=0"
    assert police.name == "GMP Stockport" and police.name_key == "gmp stockport"
    # Statutory partner and involvement were not in that file: they keep their values.
    assert police.statutory_partner is True


def test_a_file_without_codes_keeps_existing_codes(partnership):
    add_agency(partnership, name="Cafcass", name_key="cafcass", code="CAFCASS")
    result = import_agencies((HEADER + "Cafcass,Family court services,s11,no,\n").encode(),
                             partnership)
    assert result.updated == 1
    assert Organisation.query.filter_by(kind="agency").one().code == "CAFCASS"


def test_namesakes_in_different_partnerships_are_different_agencies(partnership):
    add_agency(partnership, name="Youth Offending Service", name_key="youth offending service")
    neighbour = Partnership(slug="neighbour", name="Neighbour Partnership")
    db.session.add(neighbour)
    db.session.commit()
    text = HEADER + "Youth Offending Service,Justice,s11,no,\n"
    result = import_agencies(text.encode(), neighbour)
    assert result.created == 1
    assert Organisation.query.filter_by(name="Youth Offending Service").count() == 2


def test_a_shared_code_links_one_agency_to_several_partnerships(partnership):
    police = add_agency(partnership, name="Greater Manchester Police",
                        name_key="greater manchester police", code="GMP")
    neighbour = Partnership(slug="neighbour", name="Neighbour Partnership")
    db.session.add(neighbour)
    db.session.commit()
    text = "code,name,sector,duty_basis\nGMP,Greater Manchester Police,Police,s11\n"
    result = import_agencies(text.encode(), neighbour)
    assert result.summary() == "created=0 updated=1 closed=0 skipped=0 rejected=0"
    assert {m.partnership_id for m in police.memberships} == {partnership.id, neighbour.id}


def test_a_code_that_belongs_to_a_school_is_rejected(partnership):
    add_school(partnership, urn="100001", code="OAK")
    text = "code,name,sector,duty_basis\nOAK,Oak Agency,Police,s11\n"
    result = import_agencies(text.encode(), partnership)
    assert result.messages == [
        "line 2: rejected: Oak Agency: code 'OAK' belongs to Oak Tree Primary School, which "
        "is not an agency"]


@pytest.mark.parametrize("text,message", [
    ("name,sector\nCafcass,Family court services\n",
     "The file is missing the required column(s): duty_basis"),
    ("Name , SECTOR,duty_basis,name\nCafcass,Courts,s11,Cafcass\n",
     "The column(s) name appear more than once in the header"),
])
def test_a_bad_header_refuses_the_file(partnership, text, message):
    with pytest.raises(ImportFileError) as error:
        import_agencies(text.encode(), partnership)
    assert str(error.value) == message
    assert Organisation.query.count() == 0


def test_header_names_ignore_case_and_spaces(partnership):
    text = " Name ,SECTOR,Duty_Basis\nCafcass,Family court services,s11\n"
    assert import_agencies(text.encode(), partnership).created == 1
    assert agency("Cafcass").statutory_partner is None


def test_a_value_too_long_for_the_register_is_rejected(partnership):
    text = HEADER + f"Cafcass,{'x' * 121},s11,no,\n"
    result = import_agencies(text.encode(), partnership)
    assert result.messages == ["line 2: rejected: Cafcass: sector is longer than 120 characters"]
