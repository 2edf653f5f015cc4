"""Importing schools from a GIAS extract (the service, without the command line)."""
import pytest

from audit_app.audit_log.models import AuditEvent
from audit_app.extensions import db
from audit_app.organisations.csvfile import ImportFileError
from audit_app.organisations.gias import import_gias, legal_basis_for
from audit_app.organisations.models import Membership, Organisation, Partnership
from tests.fixtures import add_school

from .helpers import data_bytes


def school(urn):
    return Organisation.query.filter_by(urn=urn).one_or_none()


def test_the_stockport_sample_imports_every_school(partnership):
    result = import_gias(data_bytes("gias_stockport_sample.csv"), partnership)
    assert result.summary() == "created=140 updated=0 closed=0 skipped=0 rejected=0"
    assert result.messages == []
    assert Membership.query.filter_by(partnership_id=partnership.id).count() == 140
    first = school("565659")
    assert (first.name, first.kind, first.status, first.legal_basis) == \
        ("Strines Primary Academy", "school", "open", "s175")
    assert (first.statutory_low_age, first.statutory_high_age, first.pupils) == (4, 11, 136)
    assert (first.boarders, first.nursery, first.sixth_form) == (False, False, None)
    assert (first.la_code, first.la_name, first.postcode, first.ukprn) == \
        ("356", "Stockport", "SK5 3XN", "57029592")
    assert first.extra["HeadLastName"] == "Ahmed" and "Locality" not in first.extra
    academy = school("566163")
    assert (academy.legal_basis, academy.sixth_form, academy.trust) == \
        ("s157", True, "Mersey Vale Academies")
    bases = {o.legal_basis for o in Organisation.query.filter_by(kind="school")}
    assert bases == {"s175", "s157", "nmss"}


def test_a_second_run_changes_nothing(partnership):
    import_gias(data_bytes("gias_stockport_sample.csv"), partnership)
    db.session.commit()
    stamps = {o.urn: o.updated_at for o in Organisation.query}
    again = import_gias(data_bytes("gias_stockport_sample.csv"), partnership)
    db.session.commit()
    assert again.summary() == "created=0 updated=0 closed=0 skipped=0 rejected=0"
    assert again.unchanged == 140
    assert {o.urn: o.updated_at for o in Organisation.query} == stamps


def test_each_rule_of_the_crafted_file(partnership):
    result = import_gias(data_bytes("gias_rules.csv"), partnership)
    assert result.summary() == "created=8 updated=0 closed=0 skipped=3 rejected=4"
    assert result.messages == [
        "line 8: skipped: URN 900007: closed and not in the register",
        "line 9: skipped: URN 900008: status is 'Proposed to open'; only open schools are "
        "imported",
        "line 10: skipped: URN 900009: establishment type 'Welsh establishment' is not "
        "covered by section 175 or 157",
        "line 11: rejected: URN 900001: already appears on line 2",
        "line 12: rejected: URN 900010: NumberOfPupils 'lots' is not a whole number",
        "line 13: rejected: URN 'ABC123' is not a number",
        "line 14: rejected: URN is empty",
    ]
    oak = school("900001")
    assert oak.name == "Oak Tree Primary School"  # trimmed, spaces collapsed
    assert oak.nursery is True and oak.open_date.isoformat() == "1998-09-01"
    hill = school("900002")
    assert (hill.status, hill.register_status) == ("open", "Open, but proposed to close")
    assert (hill.boarders, hill.sixth_form, hill.legal_basis) == (True, True, "s157")
    assert school("900003").legal_basis == "nmss"
    assert school("900004").legal_basis == "s175"
    college = school("900005")
    assert (college.legal_basis, college.sixth_form, college.pupils) == ("s175", False, None)
    assert school("900006").legal_basis == "s157"
    assert school("900011").legal_basis == "s175"
    for urn in ("900007", "900008", "900009", "900010"):
        assert school(urn) is None
    assert Organisation.query.count() == 8


@pytest.mark.parametrize("establishment_type,basis", [
    ("Community school", "s175"), ("Foundation school", "s175"),
    ("Voluntary aided school", "s175"), ("Voluntary controlled school", "s175"),
    ("Community special school", "s175"), ("Foundation special school", "s175"),
    ("Local authority nursery school", "s175"), ("Pupil referral unit", "s175"),
    ("Further education", "s175"), ("Sixth form centres", "s175"),
    ("Other independent school", "s157"), ("Other independent special school", "s157"),
    ("Academy converter", "s157"), ("Academy sponsor led", "s157"),
    ("Academy special converter", "s157"), ("Free schools", "s157"),
    ("Free schools special", "s157"), ("University technical college", "s157"),
    ("Studio schools", "s157"), ("Non-maintained special school", "nmss"),
    ("  non-maintained   SPECIAL school ", "nmss"),
    ("Welsh establishment", None), ("Higher education institutions", None),
    ("British schools overseas", None), ("", None),
])
def test_legal_basis_comes_from_the_establishment_type(establishment_type, basis):
    assert legal_basis_for(establishment_type) == basis


def test_la_code_keeps_one_local_authority(partnership):
    result = import_gias(data_bytes("gias_rules.csv"), partnership, la_code="356")
    assert result.summary() == "created=7 updated=0 closed=0 skipped=4 rejected=4"
    assert result.messages[-1] == "skipped 1 row(s) of other local authorities (--la-code 356)"
    assert school("900012") is None
    other = import_gias(data_bytes("gias_rules.csv"), partnership, la_code="357")
    assert other.created == 1 and school("900012").la_code == "357"


def test_a_closed_school_is_marked_closed_and_others_are_left_alone(partnership):
    import_gias(data_bytes("gias_rules.csv"), partnership)
    result = import_gias(data_bytes("gias_later.csv"), partnership)
    assert result.summary() == "created=0 updated=1 closed=1 skipped=1 rejected=0"
    assert result.messages == [
        "line 2: closed: URN 900001 Oak Tree Primary School",
        "line 4: skipped: URN 900099: closed and not in the register",
    ]
    oak = school("900001")
    assert (oak.status, oak.register_status, oak.close_date.isoformat()) == \
        ("closed", "Closed", "2025-08-31")
    hill = school("900002")
    assert (hill.pupils, hill.register_status) == (1250, "Open")
    # Absent from the later (partial) extract: untouched.
    assert school("900003").status == "open"
    assert Organisation.query.count() == 8
    again = import_gias(data_bytes("gias_later.csv"), partnership)
    assert again.summary() == "created=0 updated=0 closed=0 skipped=1 rejected=0"


def test_a_closed_school_that_reopens_is_open_again(partnership):
    add_school(partnership, urn="900002", name="Hill Academy", status="closed",
               register_status="Closed")
    result = import_gias(data_bytes("gias_later.csv"), partnership)
    assert result.updated == 1
    assert school("900002").status == "open"


def test_reimport_keeps_the_locality_and_links_other_partnerships(partnership):
    import_gias(data_bytes("gias_rules.csv"), partnership)
    membership = Membership.query.join(Organisation).filter(Organisation.urn == "900003").one()
    membership.locality = "Tame Valley"
    db.session.commit()
    import_gias(data_bytes("gias_rules.csv"), partnership)
    assert membership.locality == "Tame Valley"
    neighbour = Partnership(slug="neighbour", name="Neighbour Partnership")
    db.session.add(neighbour)
    db.session.commit()
    result = import_gias(data_bytes("gias_rules.csv"), neighbour)
    # The schools are platform-wide: the second partnership is linked, nothing duplicated.
    assert result.summary() == "created=0 updated=8 closed=0 skipped=3 rejected=4"
    assert Organisation.query.count() == 8
    assert Membership.query.filter_by(partnership_id=neighbour.id).count() == 8


@pytest.mark.parametrize("name", ["gias_accents_utf8.csv", "gias_accents_bom.csv",
                                  "gias_accents_cp1252.csv"])
def test_each_encoding_reads_the_same(partnership, name):
    result = import_gias(data_bytes(name), partnership)
    assert result.created == 1
    found = school("900020")
    assert found.name == "St Mary’s Café School"
    assert (found.town, found.religious_character) == ("Bramhall", "Roman Catholic")


def test_missing_columns_refuse_the_file_and_write_nothing(partnership):
    with pytest.raises(ImportFileError) as error:
        import_gias(data_bytes("gias_missing_columns.csv"), partnership)
    assert str(error.value) == ("The file is missing the required column(s): "
                                "TypeOfEstablishment (name), LA (code)")
    assert Organisation.query.count() == 0
    assert AuditEvent.query.filter_by(action="organisations.imported").count() == 0


def test_columns_a_file_lacks_keep_their_values(partnership):
    import_gias(data_bytes("gias_rules.csv"), partnership)
    slim = ("URN,EstablishmentName,TypeOfEstablishment (name),EstablishmentTypeGroup (name),"
            "EstablishmentStatus (name),PhaseOfEducation (name),LA (code),NumberOfPupils\n"
            "900002,Hill Academy,Academy converter,Academies,Open,Secondary,356,1300\n")
    result = import_gias(slim.encode(), partnership)
    assert result.updated == 1
    hill = school("900002")
    assert (hill.pupils, hill.trust, hill.boarders) == (1300, "Hill Learning Trust", True)
    assert hill.extra["HeadLastName"] == "Head"


def test_the_import_is_recorded_in_the_audit_log(partnership):
    import_gias(data_bytes("gias_rules.csv"), partnership, filename="gias_rules.csv")
    event = AuditEvent.query.filter_by(action="organisations.imported").one()
    assert event.partnership_id == partnership.id
    assert event.detail == {"source": "gias", "file": "gias_rules.csv", "created": 8,
                            "updated": 0, "closed": 0, "skipped": 3, "rejected": 4,
                            "unchanged": 0}


@pytest.mark.parametrize("cell,message", [
    ("StatutoryLowAge=-1", "StatutoryLowAge '-1' is not a whole number"),
    ("OpenDate=2015/13/45", "OpenDate '2015/13/45' is not a date like 01-09-2015"),
    ("Postcode=" + "X" * 11, "Postcode is longer than 10 characters"),
    ("EstablishmentName=", "EstablishmentName is empty"),
    ("TypeOfEstablishment (name)=", "TypeOfEstablishment (name) is empty"),
    ("EstablishmentStatus (name)=", "EstablishmentStatus (name) is empty"),
])
def test_a_bad_value_rejects_its_row_only(partnership, cell, message):
    column, value = cell.split("=", 1)
    header = ("URN,EstablishmentName,TypeOfEstablishment (name),EstablishmentTypeGroup (name),"
              "EstablishmentStatus (name),PhaseOfEducation (name),LA (code),StatutoryLowAge,"
              "OpenDate,Postcode").split(",")
    good = dict(zip(header, ["900040", "Good School", "Community school", "Maintained",
                             "Open", "Primary", "356", "4", "01-09-2015", "SK1 1AA"]))
    bad = dict(good, URN="900041", **{column: value})
    text = "\n".join(",".join(row[h] for h in header) for row in
                     (dict(zip(header, header)), good, bad))
    result = import_gias(text.encode(), partnership)
    assert result.messages == [f"line 3: rejected: URN 900041: {message}"]
    assert (result.created, result.rejected) == (1, 1)
    assert school("900041") is None


def test_a_row_with_too_many_values_is_rejected(partnership):
    text = ("URN,EstablishmentName,TypeOfEstablishment (name),EstablishmentTypeGroup (name),"
            "EstablishmentStatus (name),PhaseOfEducation (name),LA (code)\n"
            "900050,Comma, School,Community school,Maintained,Open,Primary,356\n")
    result = import_gias(text.encode(), partnership)
    assert result.messages == ["line 2: rejected: URN 900050: the row has more values than "
                               "the header has columns (is a comma missing its quotes?)"]
    assert Organisation.query.count() == 0
