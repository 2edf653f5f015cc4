"""Action plan items: added with an action, owner and a real target date; fully editable
while the return can change, then status and note only; shown on the respondent's home."""
import pytest

from audit_app.returns.services import JourneyError

from audit_app.extensions import db
from audit_app.returns.actions import (ActionErrors, ActionInput, ActionRefused, add_action,
                                       edit_mode, remove_action, target_date_problem,
                                       update_action)
from audit_app.returns.models import ActionItem
from tests.fixtures import add_school
from tests.returns.conftest import make_cycle, make_return
from tests.returns.helpers import save

PLAN = ActionInput("Book refresher training", "Deputy headteacher", "31", "3", "2031")


@pytest.mark.parametrize("parts, message", [
    (("", "", ""), "Enter the target date"),
    (("31", "", "2031"), "Target date must include a month"),
    (("", "", "2031"), "Target date must include a day and month"),
    (("31", "2", "2031"), "Target date must be a real date"),
    (("1", "March", "2031"), "Target date must be a real date"),
    (("1", "3", "31"), "Year must include 4 numbers"),
])
def test_the_target_date_must_be_a_real_date(parts, message):
    assert target_date_problem(*parts) == (None, message)


def test_an_action_needs_an_action_an_owner_and_a_date(audit_return, respondent):
    with pytest.raises(ActionErrors) as refused:
        add_action(audit_return, "gov_training", ActionInput(" ", "", "", "", ""), respondent)
    assert refused.value.errors == {"description": "Enter the action",
                                    "owner": "Enter who owns the action",
                                    "target_date": "Enter the target date"}
    assert ActionItem.query.count() == 0


def test_adding_changing_and_removing_while_the_return_can_change(audit_return, respondent):
    action = add_action(audit_return, "gov_training", PLAN, respondent)
    db.session.commit()
    assert (action.status, action.owner, str(action.target_date)) == \
        ("open", "Deputy headteacher", "2031-03-31")
    update_action(action, audit_return,
                  ActionInput("Book training", "Headteacher", "1", "4", "2031", "done",
                              "Booked for April"), respondent)
    db.session.commit()
    assert (action.description, action.owner, action.status, action.progress_note) == \
        ("Book training", "Headteacher", "done", "Booked for April")
    assert action.completed_at is not None
    remove_action(action, audit_return, respondent)
    db.session.commit()
    assert action.status == "dropped"


def test_after_submission_only_status_and_note_change(audit_return, respondent):
    action = add_action(audit_return, "gov_training", PLAN, respondent)
    audit_return.status = "accepted"
    db.session.commit()
    assert edit_mode(audit_return) == "progress"
    update_action(action, audit_return,
                  ActionInput("Something else", "Someone else", "1", "1", "2040",
                              "in_progress", "Half the staff trained"), respondent)
    db.session.commit()
    assert (action.description, action.owner, action.status, action.progress_note) == \
        ("Book refresher training", "Deputy headteacher", "in_progress",
         "Half the staff trained")
    with pytest.raises(ActionErrors) as refused:
        update_action(action, audit_return, ActionInput(status="lost"), respondent)
    assert refused.value.errors == {"status": "Select the status of the action"}
    with pytest.raises(JourneyError):
        remove_action(action, audit_return, respondent)
    with pytest.raises(JourneyError):
        add_action(audit_return, "gov_training", PLAN, respondent)


def test_a_withdrawn_return_s_actions_cannot_change(audit_return, respondent):
    action = add_action(audit_return, "gov_training", PLAN, respondent)
    audit_return.status = "withdrawn"
    db.session.commit()
    with pytest.raises(ActionRefused):
        update_action(action, audit_return, ActionInput(status="done"), respondent)
    assert action.status == "open"


def test_actions_over_http_with_errors_in_the_summary(respondent_client, audit_return):
    url = f"/returns/{audit_return.id}/questions/gov_training/actions"
    response = respondent_client.post(url, data={"description": "Train governors",
                                                 "owner": "Clerk", "target_date": ["30", "2",
                                                                                   "2031"]})
    assert response.status_code == 400
    html = response.get_data(as_text=True)
    assert '<a href="#target_date-day">Target date must be a real date</a>' in html
    assert ActionItem.query.count() == 0
    response = respondent_client.post(url, data={"description": "Train governors",
                                                 "owner": "Clerk",
                                                 "target_date": ["28", "2", "2031"]})
    assert response.status_code == 302
    action = ActionItem.query.one()
    html = respondent_client.get(url).get_data(as_text=True)
    assert "Train governors" in html and "28 February 2031" in html
    edit = f"/returns/{audit_return.id}/actions/{action.id}"
    assert 'name="description"' in respondent_client.get(edit).get_data(as_text=True)
    response = respondent_client.post(edit, data={"description": "Train all governors",
                                                  "owner": "Clerk",
                                                  "target_date": ["28", "2", "2031"],
                                                  "status": "in_progress", "note": ""})
    assert response.status_code == 302
    assert (action.description, action.status) == ("Train all governors", "in_progress")


def test_after_acceptance_the_edit_page_offers_progress_only(respondent_client, audit_return,
                                                            respondent):
    action = add_action(audit_return, "gov_training", PLAN, respondent)
    audit_return.status = "accepted"
    db.session.commit()
    edit = f"/returns/{audit_return.id}/actions/{action.id}"
    html = respondent_client.get(edit).get_data(as_text=True)
    assert 'name="description"' not in html and 'name="status"' in html
    response = respondent_client.post(edit, data={"status": "done", "note": "All trained",
                                                  "description": "Ignored"})
    assert response.status_code == 302 and response.headers["Location"].endswith("/returns/")
    assert (action.status, action.description) == ("done", "Book refresher training")


def test_an_action_of_another_organisation_is_not_found(respondent_client, partnership,
                                                       make_user):
    other_school = add_school(partnership, urn="177777", name="Other")
    other = make_return(make_cycle(partnership, name="Other"), other_school)
    someone = make_user("respondent", partnership, other_school)
    save(other, "leadership", {"gov_training": "no"}, actor=someone)
    action = add_action(other, "gov_training", PLAN, someone)
    db.session.commit()
    for url in (f"/returns/{other.id}/actions/{action.id}",):
        assert respondent_client.get(url).status_code == 404
        assert respondent_client.post(url, data={"status": "done"}).status_code == 404
    assert respondent_client.post(f"/returns/{other.id}/actions/{action.id}/remove") \
        .status_code == 404
    assert action.status == "open"
