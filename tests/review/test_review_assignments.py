"""Admins assign reviewers to every audit, a questionnaire or a cycle; a reviewer then
sees only the returns assigned to them."""
import pytest

from audit_app.auth.models import Grant
from audit_app.extensions import db
from audit_app.review.assignments import assign_reviewer, assignments
from audit_app.review.services import ReviewError


def test_a_reviewer_is_assigned_to_a_cycle_and_then_sees_its_returns(
        app, submitted, partnership, make_user, admin, sign_in):
    reviewer = make_user("reviewer", partnership, questionnaire_key="s11")
    client = sign_in(app.test_client(), reviewer)
    assert client.get(f"/review/returns/{submitted.id}").status_code == 403
    admin_client = sign_in(app.test_client(), admin)
    page = admin_client.get("/review/assignments")
    assert page.status_code == 200 and f"Cycle: {submitted.cycle.name}" in \
        page.get_data(as_text=True)
    bad = admin_client.post("/review/assignments", data={"user_id": str(reviewer.id),
                                                         "scope": "cycle:999999"})
    assert bad.status_code == 400
    assert "Select what to assign the reviewer to" in bad.get_data(as_text=True)
    assert Grant.query.filter_by(user_id=reviewer.id).count() == 1
    done = admin_client.post("/review/assignments", data={
        "user_id": str(reviewer.id), "scope": f"cycle:{submitted.cycle_id}"})
    assert done.status_code == 302
    assert Grant.query.filter_by(user_id=reviewer.id, cycle_id=submitted.cycle_id).count() == 1
    assert client.get(f"/review/returns/{submitted.id}").status_code == 200
    assert "Oak Tree Primary School" in client.get("/review/").get_data(as_text=True)


def test_only_reviewers_can_be_assigned(partnership, make_user, admin, request_ctx):
    qa = make_user("qa", partnership)
    with pytest.raises(ReviewError, match="Select a reviewer"):
        assign_reviewer(partnership, qa.id, "all", admin)
    reviewer = make_user("reviewer", partnership, questionnaire_key="s11")
    with pytest.raises(ReviewError, match="Select what to assign"):
        assign_reviewer(partnership, reviewer.id, "questionnaire:../../etc", admin)
    db.session.rollback()
    grant, is_new = assign_reviewer(partnership, reviewer.id, "all", admin)
    db.session.commit()
    assert is_new and grant.questionnaire_key is None and grant.cycle_id is None
    assert assign_reviewer(partnership, reviewer.id, "all", admin) == (grant, False)
    covers = {row["covers"] for row in assignments(partnership)}
    assert covers == {"Every audit of the partnership", "Every cycle of questionnaire s11"}
