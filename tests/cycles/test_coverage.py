"""Which organisations a cycle covers."""
import pytest

from audit_app.cycles.coverage import (CoverageError, covered_organisations, describe_coverage,
                                       filter_choices, make_coverage, preview_coverage)
from audit_app.extensions import db
from audit_app.organisations.models import Membership, Partnership
from tests.fixtures import add_agency, add_school


@pytest.fixture
def register(partnership):
    """A small register: schools of several kinds, agencies, a closed school, a school of
    another partnership and a school whose membership has ended."""
    items = {
        "primary": add_school(partnership, urn="100001", name="Oak Primary"),
        "secondary": add_school(partnership, urn="100002", name="Elm High", phase="Secondary",
                                statutory_low_age=11, statutory_high_age=18),
        "academy": add_school(partnership, urn="100003", name="Ash Academy",
                              type_group="Academies", legal_basis="s157",
                              phase="Secondary"),
        "independent": add_school(partnership, urn="100004", name="Birch House",
                                  type_group="Independent schools", legal_basis="s157",
                                  phase="Not applicable"),
        "closed": add_school(partnership, urn="100005", name="Old School", status="closed"),
        "police": add_agency(partnership, name="Testshire Police"),
        "charity": add_agency(partnership, name="Youth Charity", sector="Voluntary sector",
                              duty_basis="voluntary"),
    }
    elsewhere = Partnership(slug="elsewhere", name="Elsewhere SCP")
    db.session.add(elsewhere)
    db.session.commit()
    items["foreign"] = add_school(elsewhere, urn="200001", name="Foreign Primary")
    items["left"] = add_school(partnership, urn="100006", name="Left Primary")
    Membership.query.filter_by(organisation_id=items["left"].id).one().active = False
    db.session.commit()
    return items


def names(organisations):
    return [organisation.name for organisation in organisations]


def covered(partnership, audience, **filters):
    return names(covered_organisations(partnership, make_coverage(partnership, audience,
                                                                  filters)))


def test_default_covers_the_audience_open_members_only(partnership, register):
    assert covered(partnership, "school") == ["Ash Academy", "Birch House", "Elm High",
                                              "Oak Primary"]
    assert covered(partnership, "agency") == ["Testshire Police", "Youth Charity"]


@pytest.mark.parametrize("filters,expected", [
    ({"phase": ["Secondary"]}, ["Ash Academy", "Elm High"]),
    ({"phase": ["Primary", "Not applicable"]}, ["Birch House", "Oak Primary"]),
    ({"type_group": ["Academies", "Independent schools"]}, ["Ash Academy", "Birch House"]),
    ({"legal_basis": ["s175"]}, ["Elm High", "Oak Primary"]),
    ({"legal_basis": ["s157"], "phase": ["Secondary"]}, ["Ash Academy"]),
    ({"kind": ["school"], "type_group": ["Local authority maintained schools"],
      "phase": ["Primary"]}, ["Oak Primary"]),
])
def test_filters_narrow_the_schools(partnership, register, filters, expected):
    assert covered(partnership, "school", **filters) == expected


def test_duty_basis_narrows_agencies(partnership, register):
    assert covered(partnership, "agency", duty_basis=["voluntary"]) == ["Youth Charity"]
    assert covered(partnership, "agency", duty_basis=["s11"]) == ["Testshire Police"]


@pytest.mark.parametrize("filters,message", [
    ({"phase": ["Primery"]}, "Unknown phase 'Primery': use one of"),
    ({"legal_basis": ["s11"]}, "Unknown legal basis 's11'"),
    ({"duty_basis": ["statutory"]}, "Unknown duty basis 'statutory'"),
    ({"kind": ["agency"]}, "This questionnaire is for schools and colleges"),
    ({"kind": ["school", "agency"]}, "can only cover the kind 'school'"),
    ({"sector": ["Police"]}, "Unknown coverage filter 'sector'"),
])
def test_bad_filters_are_refused_with_a_reason(partnership, register, filters, message):
    with pytest.raises(CoverageError) as caught:
        make_coverage(partnership, "school", filters)
    assert message in str(caught.value)


def test_a_type_group_the_register_holds_is_accepted_even_if_new_to_gias(partnership):
    add_school(partnership, urn="100010", name="Hub School", type_group="Online schools")
    assert covered(partnership, "school", type_group=["Online schools"]) == ["Hub School"]


def test_coverage_is_stored_as_data_with_the_audience(partnership, register):
    coverage = make_coverage(partnership, "school", {"phase": ["Primary", "Primary", " "]})
    assert coverage == {"kind": ["school"], "phase": ["Primary"]}
    assert describe_coverage(coverage) == ["Organisation kind: Schools and colleges",
                                           "Phase: Primary"]


def test_choices_list_values_present_in_the_register(partnership, register):
    choices = filter_choices(partnership)
    assert [value for value, _label in choices["phase"]] == ["Not applicable", "Primary",
                                                             "Secondary"]
    assert ("Academies", "Academies") in choices["type_group"]
    assert [value for value, _label in choices["kind"]] == ["school", "agency"]


def test_preview_lists_what_would_be_covered(partnership, register):
    preview = preview_coverage(partnership, "school", {"legal_basis": ["s157"]})
    assert names(preview["organisations"]) == ["Ash Academy", "Birch House"]
    assert preview["coverage"][-1].startswith("Legal basis: Section 157")
