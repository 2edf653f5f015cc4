"""Which partnership a command works in (``--partnership``)."""
import pytest

from audit_app.audit_log.models import AuditEvent
from audit_app.extensions import db
from audit_app.organisations.models import Partnership
from audit_app.organisations.partnerships import (PartnershipLookupError, resolve_partnership,
                                                  slugify)


def add_partnership(slug, name):
    partnership = Partnership(slug=slug, name=name)
    db.session.add(partnership)
    db.session.commit()
    return partnership


def test_with_none_the_configured_partnership_is_created(app_ctx):
    partnership = resolve_partnership(None)
    assert partnership.name == app_ctx.config["PARTNERSHIP_NAME"]
    assert partnership.slug == "stockport-safeguarding-children-partnership"
    assert partnership.brand_colour == app_ctx.config["BRAND_COLOUR"]
    assert Partnership.query.count() == 1
    assert AuditEvent.query.filter_by(action="partnership.created").count() == 1
    assert resolve_partnership(None) is partnership


def test_with_none_a_name_other_than_the_configured_one_is_refused(app_ctx):
    with pytest.raises(PartnershipLookupError) as error:
        resolve_partnership("Salford")
    assert "there is none yet" in str(error.value)
    assert Partnership.query.count() == 0
    assert resolve_partnership("stockport-safeguarding-children-partnership").id


def test_the_only_partnership_is_the_default(partnership):
    assert resolve_partnership(None) is partnership
    assert resolve_partnership("  ") is partnership


@pytest.mark.parametrize("value", ["testshire", "TESTSHIRE",
                                   "testshire  safeguarding children partnership"])
def test_a_partnership_is_named_by_slug_or_name(partnership, value):
    add_partnership("salford", "Salford Safeguarding Children Partnership")
    assert resolve_partnership(value) is partnership


def test_several_partnerships_need_a_choice(partnership):
    add_partnership("salford", "Salford Safeguarding Children Partnership")
    with pytest.raises(PartnershipLookupError) as error:
        resolve_partnership(None)
    assert str(error.value) == ("There are 2 partnerships (salford, testshire): choose one "
                                "with --partnership")


def test_an_unknown_partnership_is_refused(partnership):
    with pytest.raises(LookupError) as error:
        resolve_partnership("Wigan")
    assert str(error.value) == "No partnership is called 'Wigan'; known partnerships: testshire"


def test_two_partnerships_of_one_name_need_the_slug(partnership):
    add_partnership("twin-a", "Twin Partnership")
    add_partnership("twin-b", "Twin Partnership")
    with pytest.raises(PartnershipLookupError) as error:
        resolve_partnership("twin partnership")
    assert "use the slug" in str(error.value)
    assert resolve_partnership("twin-b").slug == "twin-b"


@pytest.mark.parametrize("name,slug", [
    ("Stockport Safeguarding Children Partnership", "stockport-safeguarding-children-partnership"),
    ("  Bury & Rochdale — LSCP ", "bury-rochdale-lscp"),
    ("!!!", "partnership"),
])
def test_slugify(name, slug):
    assert slugify(name) == slug


def test_commands_turn_a_lookup_problem_into_one_line(runner, partnership):
    add_partnership("salford", "Salford Safeguarding Children Partnership")
    result = runner.invoke(args=["orgs", "import-agencies", __file__])
    assert result.exit_code == 1
    assert result.output == ("Error: There are 2 partnerships (salford, testshire): choose one "
                             "with --partnership\n")
