"""Opening, re-opening and closing cycles; invitations; extensions and read-only rules."""
from datetime import timedelta

import pytest

from audit_app.audit_log.models import AuditEvent
from audit_app.auth.models import Grant, UserToken
from audit_app.cycles.invitations import return_link
from audit_app.cycles.models import AuditReturn, Cycle, ReturnEvent
from audit_app.cycles.services import (CycleError, close_cycle, cycles_with_counts,
                                       find_cycle, give_extension, is_read_only, open_cycle,
                                       refresh_cycle, summary_line, withdraw)
from audit_app.extensions import db
from audit_app.mail.models import OutboxMessage
from audit_app.organisations.models import Partnership
from tests.cycles.conftest import add_respondent
from tests.fixtures import add_agency, add_school


@pytest.fixture
def schools(partnership):
    return [add_school(partnership, urn="100001", name="Oak Primary"),
            add_school(partnership, urn="100002", name="Elm High", phase="Secondary")]


def test_open_creates_one_return_per_covered_organisation(partnership, schools, agency,
                                                          open_school_cycle, today):
    result = open_school_cycle()
    cycle = result.cycle
    assert result.created and cycle.status == "open" and cycle.opened_at is not None
    assert sorted(r.organisation.name for r in cycle.returns) == ["Elm High", "Oak Primary"]
    assert {r.status for r in cycle.returns} == {"not_started"}
    assert cycle.open_date == today and cycle.due_date == today + timedelta(days=30)
    assert cycle.coverage == {"kind": ["school"]}
    assert cycle.reminder_days == [-14, -3, 0, 7]
    assert AuditEvent.query.filter_by(action="cycle.opened").one().detail["returns_added"] == 2


def test_reopening_by_name_adds_new_organisations_and_never_duplicates(
        partnership, schools, open_school_cycle, today):
    first = open_school_cycle()
    add_school(partnership, urn="100003", name="Ash Academy", type_group="Academies",
               legal_basis="s157")
    again = open_school_cycle(due_in=40, final_deadline=today + timedelta(days=50))
    assert not again.created and again.cycle.id == first.cycle.id
    assert [r.organisation.name for r in again.returns_added] == ["Ash Academy"]
    assert AuditReturn.query.count() == 3
    assert again.cycle.due_date == today + timedelta(days=40)
    assert again.cycle.final_deadline == today + timedelta(days=50)
    third = open_school_cycle(due_in=40)
    assert third.returns_added == [] and AuditReturn.query.count() == 3
    assert third.cycle.final_deadline == today + timedelta(days=50)
    assert Cycle.query.count() == 1


def test_reopening_keeps_the_open_date_and_coverage_unless_given(
        partnership, schools, open_school_cycle, today):
    started = today - timedelta(days=3)
    open_school_cycle(open_date=started, filters={"phase": ["Primary"]})
    again = open_school_cycle()
    assert again.cycle.open_date == started
    assert again.cycle.coverage == {"kind": ["school"], "phase": ["Primary"]}
    widened = open_school_cycle(filters={"phase": ["Primary", "Secondary"]})
    assert [r.organisation.name for r in widened.returns_added] == ["Elm High"]


def test_a_name_used_by_another_questionnaire_or_a_closed_cycle_is_refused(
        partnership, schools, agency, agency_version, open_school_cycle, today):
    result = open_school_cycle()
    with pytest.raises(CycleError, match="already exists for example 1: choose another name"):
        open_cycle(partnership, agency_version, "S175 test", due_date=today)
    close_cycle(result.cycle)
    with pytest.raises(CycleError, match="is closed and cannot be opened again"):
        open_school_cycle()


@pytest.mark.parametrize("options,message", [
    ({"open_date": "+5", "due_in": 2}, "The due date must be on or after the open date"),
    ({"final_deadline": "+10", "due_in": 20},
     "The final deadline must be on or after the due date"),
    ({"name": "   "}, "Enter a name for the cycle"),
    ({"name": "x" * 201}, "200 characters or fewer"),
    ({"filters": {"phase": ["Primery"]}}, "Unknown phase 'Primery'"),
    ({"filters": {"phase": ["16 plus"]}}, "The cycle would cover no organisations"),
    ({"reminder_days": "-14, soon"}, "whole numbers of days"),
    ({"reminder_days": "400"}, "within 366 days"),
])
def test_bad_requests_change_nothing(partnership, schools, school_version, today, options,
                                     message):
    for key in ("open_date", "final_deadline"):
        if key in options:
            options[key] = today + timedelta(days=int(options[key]))
    name = options.pop("name", "S175 test")
    due = today + timedelta(days=options.pop("due_in", 30))
    with pytest.raises(CycleError) as caught:
        open_cycle(partnership, school_version, name, due_date=due, **options)
    assert message in str(caught.value)
    db.session.rollback()
    assert Cycle.query.count() == 0 and AuditReturn.query.count() == 0
    assert OutboxMessage.query.count() == 0


def test_reminder_days_are_configurable_per_cycle(schools, open_school_cycle):
    result = open_school_cycle(reminder_days="7, -7,0, -7")
    assert result.cycle.reminder_days == [-7, 0, 7]


def test_invitations_go_to_every_respondent_once(partnership, schools, open_school_cycle):
    oak, elm = schools
    dsl = add_respondent(partnership, oak, "dsl@oak.example.org")
    head = add_respondent(partnership, oak, "head@oak.example.org", password=False)
    result = open_school_cycle()
    assert result.invitations == 2
    assert [o.name for o in result.without_contact] == ["Elm High"]
    oak_return = next(r for r in result.cycle.returns if r.organisation_id == oak.id)
    to_dsl = OutboxMessage.query.filter_by(to_address=dsl.email).one()
    to_head = OutboxMessage.query.filter_by(to_address=head.email).one()
    for message in (to_dsl, to_head):
        assert message.kind == "cycle_invitation" and message.return_id == oak_return.id
        assert partnership.name in message.body_text and partnership.name in message.body_html
        assert "Oak Primary" in message.subject
        assert return_link(oak_return) in message.body_text
        assert f'href="{return_link(oak_return)}"' in message.body_html
    assert "/set-password/" not in to_dsl.body_text
    assert "/set-password/" in to_head.body_text and "/set-password/" in to_head.body_html
    assert UserToken.query.filter_by(user_id=head.id, purpose="invite").count() == 1
    # Opening again invites nobody twice, and a new contact only.
    add_respondent(partnership, elm, "dsl@elm.example.org")
    again = open_school_cycle()
    assert again.invitations == 1 and again.without_contact == []
    assert OutboxMessage.query.count() == 3
    assert UserToken.query.filter_by(user_id=head.id, purpose="invite").count() == 1


def test_a_person_without_a_password_for_two_schools_gets_one_working_link(
        partnership, schools, open_school_cycle):
    trust_lead = add_respondent(partnership, schools[0], "lead@trust.example.org",
                                password=False)
    db.session.add(Grant(user=trust_lead, role="respondent", partnership_id=partnership.id,
                         organisation_id=schools[1].id))
    db.session.commit()
    result = open_school_cycle()
    assert result.invitations == 2
    links = {message.body_text.split("/set-password/")[1].split()[0]
             for message in OutboxMessage.query.filter_by(to_address=trust_lead.email)}
    assert len(links) == 1
    assert UserToken.query.filter_by(user_id=trust_lead.id, used_at=None).count() == 1


def test_deactivated_respondents_and_other_partnerships_grants_are_not_invited(
        partnership, schools, open_school_cycle):
    gone = add_respondent(partnership, schools[0], "gone@oak.example.org")
    gone.active = False
    other = Partnership(slug="other", name="Other SCP")
    db.session.add(other)
    db.session.commit()
    add_respondent(other, schools[0], "elsewhere@oak.example.org")
    result = open_school_cycle()
    assert result.invitations == 0 and OutboxMessage.query.count() == 0
    assert len(result.without_contact) == 2


def test_refresh_adds_organisations_with_the_cycle_settings(partnership, schools,
                                                           open_school_cycle):
    result = open_school_cycle(filters={"phase": ["Primary"]})
    add_school(partnership, urn="100009", name="Beech Primary")
    refreshed = refresh_cycle(result.cycle)
    assert [r.organisation.name for r in refreshed.returns_added] == ["Beech Primary"]
    assert refreshed.cycle.due_date == result.cycle.due_date


def test_extension_moves_the_deadline_of_one_return(partnership, schools, open_school_cycle,
                                                    make_user, today):
    admin = make_user("admin", partnership)
    cycle = open_school_cycle(due_in=-5, open_date=today - timedelta(days=40),
                              final_deadline=today - timedelta(days=1)).cycle
    late, other = cycle.returns
    assert is_read_only(late, today) and is_read_only(other, today)
    event = give_extension(late, today + timedelta(days=7), actor=admin)
    db.session.commit()
    assert late.extension_until == today + timedelta(days=7)
    assert event.kind == "extension" and event.actor_id == admin.id
    assert not is_read_only(late, today) and is_read_only(other, today)
    assert is_read_only(late, today + timedelta(days=8))
    assert AuditEvent.query.filter_by(action="return.extension_given").count() == 1


@pytest.mark.parametrize("status,message", [
    ("submitted", "Only a return that has not been submitted"),
    ("accepted", "Only a return that has not been submitted"),
    ("withdrawn", "Only a return that has not been submitted"),
])
def test_extension_refused_for_finished_returns(schools, open_school_cycle, today, status,
                                                message):
    audit_return = open_school_cycle().cycle.returns[0]
    audit_return.status = status
    with pytest.raises(CycleError, match=message):
        give_extension(audit_return, today + timedelta(days=90))
    assert audit_return.extension_until is None


def test_extension_must_end_after_the_date_it_extends(schools, open_school_cycle, today):
    cycle = open_school_cycle(due_in=10).cycle
    with pytest.raises(CycleError, match="must end after the cycle's due date"):
        give_extension(cycle.returns[0], today + timedelta(days=10))
    cycle.final_deadline = today + timedelta(days=20)
    with pytest.raises(CycleError, match="must end after the cycle's final deadline"):
        give_extension(cycle.returns[0], today + timedelta(days=15))
    cycle.due_date = cycle.final_deadline = today - timedelta(days=10)
    with pytest.raises(CycleError, match="must be today or in the future"):
        give_extension(cycle.returns[0], today - timedelta(days=1))
    close_cycle(cycle)
    with pytest.raises(CycleError, match="The cycle is closed"):
        give_extension(cycle.returns[0], today + timedelta(days=30))
    assert ReturnEvent.query.count() == 0


def test_read_only_rules(schools, open_school_cycle, today):
    cycle = open_school_cycle(due_in=10).cycle
    audit_return = cycle.returns[0]
    # Without a final deadline, late returns are welcome until the cycle closes.
    assert not is_read_only(audit_return, today + timedelta(days=100))
    cycle.final_deadline = today + timedelta(days=20)
    assert not is_read_only(audit_return, today + timedelta(days=20))
    assert is_read_only(audit_return, today + timedelta(days=21))
    # A return sent back for changes stays open after the deadline.
    audit_return.status = "returned"
    assert not is_read_only(audit_return, today + timedelta(days=21))
    for status in ("submitted", "accepted", "withdrawn"):
        audit_return.status = status
        assert is_read_only(audit_return, today)
    audit_return.status = "in_progress"
    close_cycle(cycle)
    assert is_read_only(audit_return, today)


def test_withdraw_needs_a_reason_and_records_it(partnership, schools, open_school_cycle,
                                                make_user):
    admin = make_user("admin", partnership)
    audit_return = open_school_cycle().cycle.returns[0]
    with pytest.raises(CycleError, match="Enter the reason for withdrawing this return"):
        withdraw(audit_return, "  ", actor=admin)
    event = withdraw(audit_return, "Converted to an academy", actor=admin)
    assert audit_return.status == "withdrawn" and event.reason == "Converted to an academy"
    with pytest.raises(CycleError, match="This return is already withdrawn"):
        withdraw(audit_return, "Again", actor=admin)
    audit_return.status = "accepted"
    with pytest.raises(CycleError, match="A return that is accepted cannot be withdrawn"):
        withdraw(audit_return, "Closed", actor=admin)


def test_close_cycle_once(schools, open_school_cycle):
    cycle = open_school_cycle().cycle
    close_cycle(cycle)
    assert cycle.status == "closed" and cycle.closed_at is not None
    assert AuditEvent.query.filter_by(action="cycle.closed").one().detail["counts"][
        "not_started"] == 2
    with pytest.raises(CycleError, match="is already closed"):
        close_cycle(cycle)


def test_find_cycle_by_id_or_exact_name(partnership, schools, open_school_cycle):
    cycle = open_school_cycle(name="S175 2025-26").cycle
    numbered = open_school_cycle(name="2024").cycle
    assert find_cycle(partnership, str(cycle.id)) is cycle
    assert find_cycle(partnership, cycle.id) is cycle
    assert find_cycle(partnership, "S175 2025-26") is cycle
    assert find_cycle(partnership, "2024") is numbered
    with pytest.raises(CycleError, match="No cycle with id or name 's175 2025-26'"):
        find_cycle(partnership, "s175 2025-26")
    other = Partnership(slug="other", name="Other SCP")
    db.session.add(other)
    db.session.commit()
    with pytest.raises(CycleError, match="in Other SCP"):
        find_cycle(other, str(cycle.id))


def test_cycles_with_counts(partnership, schools, open_school_cycle, agency, agency_version,
                            today):
    school_cycle = open_school_cycle(name="S175 2025-26").cycle
    school_cycle.returns[0].status = "submitted"
    add_agency(partnership, name="Youth Charity", duty_basis="voluntary")
    agency_cycle = open_cycle(partnership, agency_version, "S11 2025-26",
                              due_date=today + timedelta(days=60)).cycle
    db.session.commit()
    lines = [summary_line(summary) for summary in cycles_with_counts(partnership)]
    assert lines == [
        f"{school_cycle.id} S175 2025-26 open not_started=1 in_progress=0 submitted=1 "
        "returned=0 accepted=0 withdrawn=0",
        f"{agency_cycle.id} S11 2025-26 open not_started=2 in_progress=0 submitted=0 "
        "returned=0 accepted=0 withdrawn=0",
    ]


def test_links_go_to_the_return_once_its_page_exists(app, schools, open_school_cycle,
                                                     monkeypatch):
    from audit_app.cycles import invitations

    audit_return = open_school_cycle().cycle.returns[0]
    assert "returns.task_list" in app.view_functions
    assert return_link(audit_return) == f"http://localhost/returns/{audit_return.id}"
    monkeypatch.setattr(invitations, "RETURN_ENDPOINT", "returns.not_built_yet")
    assert return_link(audit_return) == "http://localhost/dashboard"


def test_two_admins_opening_the_same_new_name_at_once(partnership, schools, open_school_cycle,
                                                       monkeypatch):
    """The second one, which did not see the first's cycle, gets a clear message."""
    from audit_app.cycles import services

    open_school_cycle(name="S175 race")
    monkeypatch.setattr(services, "_existing_cycle", lambda *args: None)
    with pytest.raises(CycleError, match="has just been opened by someone else"):
        with db.session.begin_nested():
            open_school_cycle(name="S175 race")
    assert Cycle.query.filter_by(name="S175 race").count() == 1
