"""The admin pages for cycles, over HTTP."""
import re
from datetime import timedelta

import pytest

from audit_app.cycles.models import AuditReturn, Cycle, ReturnEvent
from audit_app.extensions import db
from audit_app.mail.models import OutboxMessage
from audit_app.organisations.models import Partnership
from tests.cycles.conftest import add_respondent
from tests.fixtures import add_school


@pytest.fixture
def schools(partnership):
    return [add_school(partnership, urn="100001", name="Oak Primary"),
            add_school(partnership, urn="100002", name="Elm High", phase="Secondary")]


@pytest.fixture
def admin_client(client, make_user, partnership, sign_in):
    admin = make_user("admin", partnership, email="admin@example.org")
    sign_in(client, admin)
    client.admin = admin
    return client


def date_parts(day):
    return [str(day.day), str(day.month), str(day.year)]


def new_cycle_form(version, today, **changes):
    data = {"version_id": str(version.id), "name": "S175 2025-26",
            "open_date": date_parts(today), "due_date": date_parts(today + timedelta(days=30)),
            "final_deadline": ["", "", ""], "reminder_days": "-14, -3, 0, 7",
            "submit": "Open cycle"}
    data.update(changes)
    return data


def text(response):
    return response.get_data(as_text=True)


def test_only_admins_see_cycle_pages(client, make_user, partnership, sign_in, schools,
                                     open_school_cycle):
    cycle = open_school_cycle().cycle
    sign_in(client, make_user("reviewer", partnership))
    assert client.get("/cycles/").status_code == 403
    assert client.get(f"/cycles/{cycle.id}").status_code == 403


def test_new_cycle_form_shows_choices_and_defaults(admin_client, schools, school_version,
                                                   today):
    response = admin_client.get("/cycles/new")
    body = text(response)
    assert response.status_code == 200
    assert "Example safeguarding self-audit for schools (example 1)" in body
    assert f'id="open_date-day" name="open_date" type="text" value="{today:%d}"' in body
    assert f'id="open_date-year" name="open_date" type="text" value="{today:%Y}"' in body
    for label in ("Schools and colleges", "Primary", "Secondary",
                  "Section 157 (independent schools, academies, free schools)", "Voluntary"):
        assert label in body
    assert "Preview the organisations covered" in body and "Open cycle" in body


def test_preview_lists_the_organisations_and_creates_nothing(admin_client, schools,
                                                             school_version, today):
    data = new_cycle_form(school_version, today, phase=["Secondary"],
                          preview="Preview the organisations covered")
    del data["submit"]
    response = admin_client.post("/cycles/new", data=data)
    body = text(response)
    assert response.status_code == 200
    assert "This cycle would cover 1 organisation" in body
    assert "Elm High" in body and "URN 100002" in body and "Oak Primary" not in body
    assert "Phase: Secondary" in body
    assert Cycle.query.count() == 0


def test_open_cycle_creates_returns_and_queues_invitations(admin_client, partnership, schools,
                                                           school_version, today):
    add_respondent(partnership, schools[0], "dsl@oak.example.org")
    response = admin_client.post("/cycles/new", data=new_cycle_form(school_version, today))
    assert response.status_code == 302
    cycle = Cycle.query.one()
    assert response.headers["Location"].endswith(f"/cycles/{cycle.id}")
    assert cycle.created_by_id == admin_client.admin.id
    assert AuditReturn.query.count() == 2
    assert OutboxMessage.query.filter_by(kind="cycle_invitation").count() == 1
    page = text(admin_client.get(response.headers["Location"]))
    assert "S175 2025-26 is open: 2 returns created and 1 invitations queued" in page
    assert "Organisations with nobody to invite" in page and "Elm High" in page


@pytest.mark.parametrize("changes,message", [
    ({"due_date": ["", "", ""]}, "Enter the due date"),
    ({"due_date": ["31", "2", "2031"]}, "The due date must be a real date"),
    ({"due_date": ["31", "", "2031"]}, "The due date must include a month"),
    ({"due_date": ["", "", "2031"]}, "The due date must include a day and a month"),
    ({"open_date": ["", "", ""]}, "Enter the open date"),
    ({"name": "  "}, "Enter a name for the cycle"),
    ({"version_id": ""}, "Select a questionnaire"),
    ({"phase": ["Nursery"]}, "Select a phase from the list"),
    ({"reminder_days": "a week before"}, "Reminder days must be whole numbers"),
    ({"final_deadline": ["1", "1", "2000"]},
     "The final deadline must be on or after the due date"),
    ({"kind": ["agency"]}, "This questionnaire is for schools and colleges"),
    ({"legal_basis": ["nmss"]}, "The cycle would cover no organisations"),
])
def test_new_cycle_errors_change_nothing(admin_client, schools, school_version, today,
                                         changes, message):
    response = admin_client.post("/cycles/new",
                                 data=new_cycle_form(school_version, today, **changes))
    body = text(response)
    assert response.status_code == 400
    assert "There is a problem" in body and message in body
    assert Cycle.query.count() == 0 and OutboxMessage.query.count() == 0


def test_a_name_in_use_is_refused(admin_client, schools, school_version, today,
                                  open_school_cycle):
    open_school_cycle(name="S175 2025-26")
    response = admin_client.post("/cycles/new", data=new_cycle_form(school_version, today))
    assert response.status_code == 400
    assert "A cycle with this name already exists" in text(response)
    assert Cycle.query.count() == 1


def test_list_and_cycle_page(admin_client, partnership, schools, open_school_cycle, app):
    cycle = open_school_cycle(name="S175 2025-26").cycle
    cycle.returns[0].status = "submitted"
    db.session.commit()
    listing = text(admin_client.get("/cycles/"))
    assert "S175 2025-26" in listing and "Submitted: 1" in listing
    assert "Not started: 1" in listing
    page = text(admin_client.get(f"/cycles/{cycle.id}"))
    assert re.search(r"govuk-tag--blue\">\s*Submitted", page)
    assert "Oak Primary" in page and "Elm High" in page
    assert "Close cycle" in page
    if "organisations.show" in app.view_functions:
        assert f'href="/organisations/{schools[0].id}"' in page


def test_a_cycle_of_another_partnership_is_not_found(admin_client, school_version, today):
    from audit_app.cycles.services import open_cycle

    other = Partnership(slug="other", name="Other SCP")
    db.session.add(other)
    db.session.commit()
    add_school(other, urn="900001", name="Far School")
    cycle = open_cycle(other, school_version, "Theirs",
                       due_date=today + timedelta(days=9)).cycle
    db.session.commit()
    audit_return = cycle.returns[0]
    assert admin_client.get(f"/cycles/{cycle.id}").status_code == 404
    assert admin_client.get(f"/cycles/{cycle.id}/returns/{audit_return.id}").status_code == 404
    assert admin_client.post(f"/cycles/{cycle.id}/close").status_code == 404
    response = admin_client.post(f"/cycles/{cycle.id}/returns/{audit_return.id}/withdraw",
                                 data={"reason": "Not ours"})
    assert response.status_code == 404
    assert db.session.get(AuditReturn, audit_return.id).status == "not_started"
    assert admin_client.get("/cycles/999999").status_code == 404


def test_a_return_of_another_cycle_is_not_found(admin_client, schools, open_school_cycle):
    first = open_school_cycle(name="First").cycle
    second = open_school_cycle(name="Second").cycle
    url = f"/cycles/{first.id}/returns/{second.returns[0].id}"
    assert admin_client.get(url).status_code == 404


def test_give_an_extension(admin_client, schools, open_school_cycle, today):
    cycle = open_school_cycle(due_in=10).cycle
    audit_return = cycle.returns[0]
    url = f"/cycles/{cycle.id}/returns/{audit_return.id}"
    assert "Give an extension" in text(admin_client.get(url))
    until = today + timedelta(days=20)
    response = admin_client.post(f"{url}/extension", data={"until": date_parts(until)})
    assert response.status_code == 302
    db.session.expire_all()
    assert db.session.get(AuditReturn, audit_return.id).extension_until == until
    page = text(admin_client.get(url))
    assert f"Extension given until {until.day} {until:%B %Y}" in page
    assert "admin@example.org" not in page and "Test admin" in page


@pytest.mark.parametrize("until,message", [
    (["", "", ""], "Enter the date the extension ends"),
    (["40", "1", "2031"], "The date the extension ends must be a real date"),
    ("DUE", "The extension must end after the cycle&#39;s due date"),
])
def test_extension_errors_change_nothing(admin_client, schools, open_school_cycle, today,
                                         until, message):
    cycle = open_school_cycle(due_in=10).cycle
    audit_return = cycle.returns[0]
    if until == "DUE":
        until = date_parts(cycle.due_date)
    response = admin_client.post(f"/cycles/{cycle.id}/returns/{audit_return.id}/extension",
                                 data={"until": until})
    assert response.status_code == 400
    assert message in text(response) and "There is a problem" in text(response)
    db.session.expire_all()
    assert db.session.get(AuditReturn, audit_return.id).extension_until is None


def test_withdraw_a_return(admin_client, schools, open_school_cycle):
    cycle = open_school_cycle().cycle
    audit_return = cycle.returns[0]
    url = f"/cycles/{cycle.id}/returns/{audit_return.id}/withdraw"
    response = admin_client.post(url, data={"reason": "  "})
    assert response.status_code == 400
    assert "Enter the reason for withdrawing this return" in text(response)
    assert ReturnEvent.query.count() == 0
    response = admin_client.post(url, data={"reason": "The school closed in July"})
    assert response.status_code == 302
    db.session.expire_all()
    assert db.session.get(AuditReturn, audit_return.id).status == "withdrawn"
    page = text(admin_client.get(f"/cycles/{cycle.id}/returns/{audit_return.id}"))
    assert "The school closed in July" in page and "Withdrawn" in page
    assert "Withdraw this return" not in page and "Give an extension" not in page
    again = admin_client.post(url, data={"reason": "Twice"})
    assert again.status_code == 400 and "This return is already withdrawn" in text(again)


def test_close_asks_first_then_closes(admin_client, schools, open_school_cycle):
    cycle = open_school_cycle(name="S175 2025-26").cycle
    confirm = text(admin_client.get(f"/cycles/{cycle.id}/close"))
    assert "Are you sure you want to close S175 2025-26?" in confirm
    assert "2 returns have not been submitted" in confirm
    assert Cycle.query.one().status == "open"
    response = admin_client.post(f"/cycles/{cycle.id}/close", data={"submit": "Close cycle"})
    assert response.status_code == 302
    db.session.expire_all()
    assert db.session.get(Cycle, cycle.id).status == "closed"
    page = text(admin_client.get(f"/cycles/{cycle.id}"))
    assert "S175 2025-26 is closed" in page and "Close cycle</a>" not in page


def test_refresh_adds_new_organisations(admin_client, partnership, schools, open_school_cycle):
    cycle = open_school_cycle().cycle
    add_school(partnership, urn="100003", name="Beech Primary")
    response = admin_client.post(f"/cycles/{cycle.id}/refresh")
    assert response.status_code == 302
    assert AuditReturn.query.count() == 3
    assert "1 organisations added" in text(admin_client.get(f"/cycles/{cycle.id}"))


def test_posts_need_the_csrf_token(admin_client, csrf_enabled, schools, open_school_cycle):
    cycle = open_school_cycle().cycle
    response = admin_client.post(f"/cycles/{cycle.id}/close", data={})
    assert response.status_code == 400
    response = admin_client.post(f"/cycles/{cycle.id}/returns/{cycle.returns[0].id}/withdraw",
                                 data={"reason": "No token"})
    assert response.status_code == 400
    db.session.expire_all()
    assert db.session.get(Cycle, cycle.id).status == "open"
    assert {r.status for r in db.session.get(Cycle, cycle.id).returns} == {"not_started"}


def test_every_form_carries_the_csrf_token(admin_client, csrf_enabled, schools,
                                           open_school_cycle):
    cycle = open_school_cycle().cycle
    pages = ["/cycles/new", f"/cycles/{cycle.id}", f"/cycles/{cycle.id}/close",
             f"/cycles/{cycle.id}/returns/{cycle.returns[0].id}"]
    for url in pages:
        body = text(admin_client.get(url))
        forms = re.findall(r'<form method="post".*?</form>', body, re.DOTALL)
        assert forms, url
        for form in forms:
            assert 'name="csrf_token"' in form, (url, form[:80])
