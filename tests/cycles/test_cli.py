"""`flask cycles open|list|close|remind`: the output lines of DESIGN §9, and one line of
reason with a non-zero exit for every bad input."""
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


def open_args(today, name="S175 2025-26", due_in=30, *extra):
    return ["cycles", "open", "--questionnaire", "example", "--version", "1", "--name", name,
            "--due", (today + timedelta(days=due_in)).isoformat(), *extra]


def lines(result):
    return result.output.strip().splitlines()


def test_open_prints_what_it_did(runner, partnership, schools, school_version, today):
    add_respondent(partnership, schools[0], "dsl@oak.example.org")
    result = runner.invoke(args=open_args(today))
    assert result.exit_code == 0, result.output
    cycle = Cycle.query.one()
    assert lines(result) == [
        f"opened cycle {cycle.id} S175 2025-26",
        "no contact: Elm High (URN 100002)",
        "returns_added=2 returns=2 invitations=1 no_contact=1",
    ]
    add_school(partnership, urn="100003", name="Ash Academy", type_group="Academies",
               legal_basis="s157")
    again = runner.invoke(args=open_args(today, "S175 2025-26", 40))
    assert again.exit_code == 0, again.output
    assert lines(again)[0] == f"updated cycle {cycle.id} S175 2025-26"
    assert lines(again)[-1] == "returns_added=1 returns=3 invitations=0 no_contact=2"
    assert AuditReturn.query.count() == 3


def test_open_with_filters_and_options(runner, schools, school_version, today):
    result = runner.invoke(args=open_args(
        today, "Primaries", 30, "--phase", "Primary", "--legal-basis", "s175,s157",
        "--open-date", (today - timedelta(days=1)).isoformat(),
        "--final-deadline", (today + timedelta(days=45)).isoformat(),
        "--reminder-days", "-7,0", "--kind", "school"))
    assert result.exit_code == 0, result.output
    cycle = Cycle.query.one()
    assert cycle.coverage == {"kind": ["school"], "phase": ["Primary"],
                              "legal_basis": ["s175", "s157"]}
    assert cycle.open_date == today - timedelta(days=1)
    assert cycle.final_deadline == today + timedelta(days=45)
    assert cycle.reminder_days == [-7, 0]
    assert [r.organisation.name for r in cycle.returns] == ["Oak Primary"]


@pytest.mark.parametrize("args,reason", [
    (["--questionnaire", "example", "--version", "1", "--name", "X"],
     "Missing --due: the due date, YYYY-MM-DD"),
    (["--version", "1", "--name", "X", "--due", "2030-01-01"], "Missing --questionnaire"),
    (["--questionnaire", "example", "--version", "1", "--name", "X", "--due", "2030-02-30"],
     "--due must be a real date in the form YYYY-MM-DD, like 2026-03-31 (not '2030-02-30')"),
    (["--questionnaire", "example", "--version", "1", "--name", "X", "--due", "31/03/2030"],
     "--due must be a real date"),
    (["--questionnaire", "example", "--version", "9", "--name", "X", "--due", "2030-01-01"],
     "No questionnaire 'example' version '9' is loaded"),
    (["--questionnaire", "example", "--version", "1", "--name", "X", "--due", "2030-01-01",
      "--phase", "Primery"], "Unknown phase 'Primery'"),
    (["--questionnaire", "example", "--version", "1", "--name", "X", "--due", "2030-01-01",
      "--kind", "agency"], "This questionnaire is for schools and colleges"),
    (["--questionnaire", "example", "--version", "1", "--name", "X", "--due", "2030-01-01",
      "--open-date", "2030-02-01"], "The due date must be on or after the open date"),
    (["--questionnaire", "example", "--version", "1", "--name", "X", "--due", "2030-01-01",
      "--reminder-days", "soon"], "Reminder days must be whole numbers"),
    (["--questionnaire", "example", "--version", "1", "--name", "X", "--due", "2030-01-01",
      "--partnership", "nowhere"], "No partnership is called 'nowhere'"),
])
def test_open_refuses_bad_input_in_one_line(runner, schools, school_version, args, reason):
    result = runner.invoke(args=["cycles", "open", *args])
    assert result.exit_code != 0
    output = result.output.strip().splitlines()
    assert len(output) == 1 and reason in output[0], result.output
    assert Cycle.query.count() == 0 and AuditReturn.query.count() == 0
    assert OutboxMessage.query.count() == 0


def test_list_prints_one_line_per_cycle(runner, partnership, schools, school_version, today):
    assert runner.invoke(args=open_args(today, "S175 2024-25")).exit_code == 0
    assert runner.invoke(args=open_args(today, "S175 2025-26")).exit_code == 0
    first, second = Cycle.query.order_by(Cycle.id).all()
    first.returns[0].status = "accepted"
    second.returns[1].status = "in_progress"
    db.session.commit()
    result = runner.invoke(args=["cycles", "list"])
    assert result.exit_code == 0
    assert lines(result) == [
        f"{first.id} S175 2024-25 open not_started=1 in_progress=0 submitted=0 returned=0 "
        "accepted=1 withdrawn=0",
        f"{second.id} S175 2025-26 open not_started=1 in_progress=1 submitted=0 returned=0 "
        "accepted=0 withdrawn=0",
    ]


def test_close_by_id_or_name(runner, schools, school_version, today):
    runner.invoke(args=open_args(today, "S175 2024-25"))
    runner.invoke(args=open_args(today, "S175 2025-26"))
    first, second = Cycle.query.order_by(Cycle.id).all()
    result = runner.invoke(args=["cycles", "close", "--cycle", str(first.id)])
    assert result.exit_code == 0 and lines(result) == [f"closed cycle {first.id} S175 2024-25"]
    result = runner.invoke(args=["cycles", "close", "--cycle", "S175 2025-26"])
    assert result.exit_code == 0 and lines(result) == [f"closed cycle {second.id} S175 2025-26"]
    db.session.expire_all()
    assert {cycle.status for cycle in Cycle.query} == {"closed"}


@pytest.mark.parametrize("args,reason", [
    ([], "Missing --cycle"),
    (["--cycle", "S175 2099"], "No cycle with id or name 'S175 2099'"),
    (["--cycle", "CLOSED"], "is already closed"),
])
def test_close_refuses_bad_input_in_one_line(runner, schools, school_version, today, args,
                                             reason):
    runner.invoke(args=open_args(today, "S175 2024-25"))
    runner.invoke(args=["cycles", "close", "--cycle", "S175 2024-25"])
    args = ["S175 2024-25" if value == "CLOSED" else value for value in args]
    result = runner.invoke(args=["cycles", "close", *args])
    assert result.exit_code != 0
    output = result.output.strip().splitlines()
    assert len(output) == 1 and reason in output[0], result.output


def test_remind_ends_with_sent(runner, partnership, schools, school_version, today):
    add_respondent(partnership, schools[0], "dsl@oak.example.org")
    add_respondent(partnership, schools[1], "dsl@elm.example.org")
    runner.invoke(args=open_args(today, "S175 2025-26", 30))
    due = today + timedelta(days=30)
    day = (due - timedelta(days=14)).isoformat()
    result = runner.invoke(args=["cycles", "remind", "--today", day])
    assert result.exit_code == 0 and lines(result)[-1] == "sent=2"
    result = runner.invoke(args=["cycles", "remind", "--today", day, "--cycle", "S175 2025-26"])
    assert result.exit_code == 0 and lines(result) == ["sent=0"]
    late = (due + timedelta(days=9)).isoformat()
    assert lines(runner.invoke(args=["cycles", "remind", "--today", late]))[-1] == "sent=2"
    assert [e.detail["offset"] for e in ReturnEvent.query.filter_by(kind="reminder_skipped")
            .order_by(ReturnEvent.id)] == [-3, 0, -3, 0]
    assert OutboxMessage.query.filter_by(kind="reminder").count() == 4


def test_remind_without_today_uses_today(runner, partnership, schools, school_version, today):
    add_respondent(partnership, schools[0], "dsl@oak.example.org")
    runner.invoke(args=open_args(today, "Due soon", 3))
    result = runner.invoke(args=["cycles", "remind"])
    assert result.exit_code == 0 and lines(result) == ["sent=0"]


@pytest.mark.parametrize("args,reason", [
    (["--today", "2026-13-01"], "--today must be a real date"),
    (["--cycle", "Nope"], "No cycle with id or name 'Nope'"),
    (["--cycle", ""], "Enter a cycle's id or name"),
    (["--cycle", "CLOSED"], "reminders go only to open cycles"),
])
def test_remind_refuses_bad_input_in_one_line(runner, partnership, schools, school_version,
                                              today, args, reason):
    add_respondent(partnership, schools[0], "dsl@oak.example.org")
    runner.invoke(args=open_args(today, "Old"))
    runner.invoke(args=["cycles", "close", "--cycle", "Old"])
    runner.invoke(args=open_args(today, "Current"))
    invitations = OutboxMessage.query.count()
    args = ["Old" if value == "CLOSED" else value for value in args]
    result = runner.invoke(args=["cycles", "remind", "--today",
                                 (today + timedelta(days=30)).isoformat(), *args]
                           if "--today" not in args else ["cycles", "remind", *args])
    assert result.exit_code != 0
    output = result.output.strip().splitlines()
    assert len(output) == 1 and reason in output[0], result.output
    assert OutboxMessage.query.count() == invitations
    assert ReturnEvent.query.filter(ReturnEvent.kind.like("reminder%")).count() == 0


def test_commands_need_a_partnership_when_there_are_several(runner, partnership, schools,
                                                            school_version, today):
    db.session.add(Partnership(slug="other", name="Other SCP"))
    db.session.commit()
    result = runner.invoke(args=["cycles", "list"])
    assert result.exit_code != 0 and "choose one with --partnership" in result.output
    other = runner.invoke(args=["cycles", "list", "--partnership", "other"])
    assert other.exit_code == 0 and other.stdout == "" and "No cycles yet" in other.stderr
