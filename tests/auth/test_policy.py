"""The one policy module: who may do what to which object."""
import pytest

from audit_app.auth.policy import current_partnership
from audit_app.extensions import db
from audit_app.organisations.models import Membership, Partnership
from tests.fixtures import add_school, policy_allows


@pytest.fixture
def world(partnership, make_user):
    school_a = add_school(partnership, urn="100001", name="School A")
    school_b = add_school(partnership, urn="100002", name="School B")
    other = Partnership(slug="other", name="Other SCP")
    db.session.add(other)
    db.session.commit()
    foreign = add_school(other, urn="200001", name="Foreign School")
    people = {
        "admin": make_user("admin", partnership),
        "reviewer": make_user("reviewer", partnership, questionnaire_key="s175"),
        "qa": make_user("qa", partnership),
        "respondent_a": make_user("respondent", partnership, organisation=school_a),
        "no_grant": make_user(None, partnership),
    }
    return {"a": school_a, "b": school_b, "foreign": foreign, **people}



EXPECTED = [
    # (person, action, object, allowed)
    ("admin", "organisation.view", "a", True),
    ("admin", "organisation.view", "foreign", False),
    ("admin", "organisation.edit", "a", True),
    ("admin", "organisation.manage_people", "b", True),
    ("admin", "people.manage", None, True),
    ("reviewer", "organisation.view", "a", True),
    ("reviewer", "organisation.edit", "a", False),
    ("reviewer", "people.manage", None, False),
    ("qa", "organisation.view", "b", True),
    ("qa", "organisation.manage_people", "b", False),
    ("respondent_a", "organisation.view", "a", True),
    ("respondent_a", "organisation.view", "b", False),
    ("respondent_a", "organisation.manage_people", "a", True),
    ("respondent_a", "organisation.manage_people", "b", False),
    ("respondent_a", "organisations.list", None, False),
    ("respondent_a", "people.manage", None, False),
    ("no_grant", "organisation.view", "a", False),
]


@pytest.mark.parametrize("person,action,target,allowed", EXPECTED)
def test_policy_matrix(app, world, person, action, target, allowed):
    assert policy_allows(app, world[person], action, world.get(target)) is allowed


def test_unknown_action_is_a_programming_error(app, world):
    with pytest.raises(ValueError):
        policy_allows(app, world["admin"], "organisation.delete_everything", world["a"])


def test_inactive_membership_hides_the_organisation(app, world):
    Membership.query.filter_by(organisation_id=world["a"].id).one().active = False
    db.session.commit()
    assert policy_allows(app, world["admin"], "organisation.view", world["a"]) is False


def test_current_partnership_is_the_users(app, world, partnership):
    from flask_login import login_user

    with app.test_request_context():
        login_user(world["qa"])
        assert current_partnership().id == partnership.id
