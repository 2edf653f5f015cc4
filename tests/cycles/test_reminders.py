"""The reminder ladder: by date, at most once per rung, the latest of missed rungs only."""
from datetime import timedelta

import pytest

from audit_app.cycles.invitations import return_link
from audit_app.cycles.models import ReturnEvent
from audit_app.cycles.reminders import due_rungs, parse_reminder_days, rung_words
from audit_app.cycles.services import CycleError, close_cycle, give_extension, remind
from audit_app.extensions import db
from audit_app.mail.models import OutboxMessage
from tests.cycles.conftest import add_respondent
from tests.fixtures import add_school


@pytest.fixture
def setup(partnership, school, open_school_cycle, today):
    """A cycle opened today, due in 30 days, with one respondent for its one school."""
    dsl = add_respondent(partnership, school, "dsl@oak.example.org")
    cycle = open_school_cycle(due_in=30).cycle
    OutboxMessage.query.delete()  # the invitation; these tests count reminders
    db.session.commit()
    return {"cycle": cycle, "due": cycle.due_date, "dsl": dsl,
            "return": cycle.returns[0], "partnership": partnership}


def run(setup, day_offset, cycle=None):
    sent = remind(setup["partnership"], setup["due"] + timedelta(days=day_offset), cycle=cycle)
    db.session.commit()
    return sent


def events(kind):
    return [event.detail["offset"] for event in
            ReturnEvent.query.filter_by(kind=kind).order_by(ReturnEvent.id)]


def test_each_rung_goes_on_its_day_and_only_once(setup):
    assert run(setup, -15) == 0
    assert run(setup, -14) == 1
    assert run(setup, -14) == 0          # the same day again
    assert run(setup, -13) == 0          # nothing new
    assert run(setup, -3) == 1
    assert run(setup, 0) == 1
    assert run(setup, 6) == 0
    assert run(setup, 7) == 1
    assert run(setup, 30) == 0           # the ladder is over
    assert events("reminder") == [-14, -3, 0, 7] and events("reminder_skipped") == []
    keys = [m.dedupe_key for m in OutboxMessage.query.order_by(OutboxMessage.id)]
    rid, uid = setup["return"].id, setup["dsl"].id
    assert keys == [f"reminder:{rid}:{offset}:{uid}" for offset in (-14, -3, 0, 7)]


def test_missed_days_send_only_the_latest_rung(setup):
    assert run(setup, -2) == 1
    assert events("reminder") == [-3] and events("reminder_skipped") == [-14]
    assert run(setup, -1) == 0
    # Cron stopped for weeks: only the +7 rung goes; 0 is recorded as skipped.
    assert run(setup, 20) == 1
    assert events("reminder") == [-3, 7] and events("reminder_skipped") == [-14, 0]
    assert run(setup, 21) == 0
    assert OutboxMessage.query.count() == 2


def test_the_reminder_says_how_many_days_are_left_or_overdue(setup):
    run(setup, -3)
    run(setup, 0)
    run(setup, 7)
    before, on_the_day, after = OutboxMessage.query.order_by(OutboxMessage.id).all()
    assert "is due in 3 days" in before.body_text and "due in 3 days" in before.body_html
    assert "3 days left" in before.subject
    assert "is due today" in on_the_day.body_text and "due today" in on_the_day.subject
    assert "is overdue by 7 days" in after.body_text and "overdue by 7 days" in after.body_html
    link = return_link(setup["return"])
    for message in (before, on_the_day, after):
        assert message.kind == "reminder" and message.to_address == "dsl@oak.example.org"
        assert setup["partnership"].name in message.body_text
        assert setup["partnership"].name in message.body_html
        assert link in message.body_text and f'href="{link}"' in message.body_html


@pytest.mark.parametrize("status", ["submitted", "accepted", "withdrawn"])
def test_never_to_finished_returns(setup, status):
    setup["return"].status = status
    db.session.commit()
    assert run(setup, -3) == 0 and run(setup, 7) == 0
    assert ReturnEvent.query.filter(ReturnEvent.kind.like("reminder%")).count() == 0


@pytest.mark.parametrize("status", ["in_progress", "returned"])
def test_returns_still_being_worked_on_are_reminded(setup, status):
    setup["return"].status = status
    db.session.commit()
    assert run(setup, -3) == 1


def test_not_after_the_final_deadline(setup):
    setup["cycle"].final_deadline = setup["due"] + timedelta(days=5)
    db.session.commit()
    assert run(setup, 0) == 1
    assert run(setup, 7) == 0
    assert "cannot be submitted after" in OutboxMessage.query.one().body_text


def test_an_extension_moves_the_ladder_for_that_return(setup):
    assert run(setup, -3) == 1
    give_extension(setup["return"], setup["due"] + timedelta(days=14))
    db.session.commit()
    assert run(setup, 0) == 0            # no longer due today
    assert run(setup, 14) == 1           # due on the extension date
    message = OutboxMessage.query.order_by(OutboxMessage.id.desc()).first()
    assert "is due today" in message.body_text
    assert events("reminder") == [-3, 0]


def test_only_open_cycles(setup):
    close_cycle(setup["cycle"])
    db.session.commit()
    assert run(setup, -3) == 0
    with pytest.raises(CycleError, match="is closed: reminders go only to open cycles"):
        remind(setup["partnership"], setup["due"], cycle=setup["cycle"])


def test_one_cycle_only(setup, open_school_cycle):
    other = open_school_cycle(name="Prevent 2025-26", due_in=30).cycle
    assert run(setup, -3, cycle=other) == 1
    reminded = ReturnEvent.query.filter_by(kind="reminder").one()
    assert reminded.return_id == other.returns[0].id
    assert run(setup, -3) == 1               # now the first cycle's return, and only it
    assert {event.return_id for event in ReturnEvent.query.filter_by(kind="reminder")} == {
        other.returns[0].id, setup["return"].id}


def test_nobody_to_remind_leaves_the_rung_for_a_new_contact(partnership, setup):
    elm = add_school(partnership, urn="100002", name="Elm High", phase="Secondary")
    from audit_app.cycles.services import refresh_cycle

    refresh_cycle(setup["cycle"])
    db.session.commit()
    assert run(setup, -3) == 1               # Oak's DSL only
    add_respondent(partnership, elm, "dsl@elm.example.org")
    OutboxMessage.query.filter_by(kind="cycle_invitation").delete()
    assert run(setup, -2) == 1               # Elm's new DSL gets the -3 rung
    assert OutboxMessage.query.filter_by(to_address="dsl@elm.example.org").one().kind == \
        "reminder"


def test_every_respondent_of_the_organisation_is_reminded(partnership, school, setup):
    add_respondent(partnership, school, "head@oak.example.org")
    assert run(setup, -3) == 2
    assert run(setup, -3) == 0


def test_rungs_before_the_return_was_opened_are_covered_by_the_invitation(
        partnership, school, open_school_cycle, today):
    add_respondent(partnership, school, "dsl@oak.example.org")
    audit_return = open_school_cycle(due_in=5).cycle.returns[0]
    assert due_rungs(audit_return, today) == []
    assert due_rungs(audit_return, today + timedelta(days=2)) == [-3]
    assert remind(partnership, today) == 0
    assert remind(partnership, today + timedelta(days=2)) == 1
    assert events("reminder_skipped") == []


def test_reminder_days_parse():
    assert parse_reminder_days("-14, -3, 0, 7") == [-14, -3, 0, 7]
    assert parse_reminder_days([7, -1, 7]) == [-1, 7]
    with pytest.raises(CycleError, match="at least one reminder day"):
        parse_reminder_days(" , ")
    assert rung_words(-1) == "1 day before the due date"
    assert rung_words(0) == "on the due date"
    assert rung_words(7) == "7 days after the due date"
