"""The cycle and return actions of the policy."""
import pytest

from audit_app.cycles.services import open_cycle
from audit_app.extensions import db
from audit_app.organisations.models import Partnership
from tests.fixtures import add_school, policy_allows


@pytest.fixture
def world(partnership, make_user, school_version, today):
    school_a = add_school(partnership, urn="100001", name="School A")
    school_b = add_school(partnership, urn="100002", name="School B")
    cycle = open_cycle(partnership, school_version, "Ours", due_date=today).cycle
    other = Partnership(slug="other", name="Other SCP")
    db.session.add(other)
    db.session.commit()
    add_school(other, urn="200001", name="Foreign School")
    foreign_cycle = open_cycle(other, school_version, "Theirs", due_date=today).cycle
    db.session.commit()
    by_school = {r.organisation_id: r for r in cycle.returns}
    return {
        "cycle": cycle, "foreign_cycle": foreign_cycle,
        "return_a": by_school[school_a.id], "return_b": by_school[school_b.id],
        "foreign_return": foreign_cycle.returns[0],
        "admin": make_user("admin", partnership),
        "reviewer": make_user("reviewer", partnership),
        "qa": make_user("qa", partnership),
        "respondent_a": make_user("respondent", partnership, organisation=school_a),
        "foreign_respondent": make_user("respondent", other,
                                        organisation=foreign_cycle.returns[0].organisation),
    }



EXPECTED = [
    ("admin", "cycles.manage", None, True),
    ("admin", "cycle.manage", "cycle", True),
    ("admin", "cycle.manage", "foreign_cycle", False),
    ("admin", "return.view", "return_a", True),
    ("admin", "return.view", "foreign_return", False),
    ("admin", "return.edit", "return_a", False),
    ("reviewer", "cycles.manage", None, False),
    ("reviewer", "cycle.manage", "cycle", False),
    ("reviewer", "return.view", "return_b", True),
    ("reviewer", "return.edit", "return_b", False),
    ("qa", "return.view", "return_a", True),
    ("qa", "return.edit", "return_a", False),
    ("respondent_a", "cycles.manage", None, False),
    ("respondent_a", "return.view", "return_a", True),
    ("respondent_a", "return.edit", "return_a", True),
    ("respondent_a", "return.view", "return_b", False),
    ("respondent_a", "return.edit", "return_b", False),
    ("foreign_respondent", "return.edit", "foreign_return", True),
    ("foreign_respondent", "return.view", "return_a", False),
]


@pytest.mark.parametrize("person,action,target,allowed", EXPECTED)
def test_cycle_and_return_actions(app, world, person, action, target, allowed):
    obj = world[target] if target else None
    assert policy_allows(app, world[person], action, obj) is allowed
