"""The state machine of a return (DESIGN §5): every allowed and every forbidden move."""
from datetime import timedelta
from itertools import permutations

import pytest
import sqlalchemy as sa

from audit_app.audit_log.models import AuditEvent
from audit_app.cycles.models import RETURN_STATUSES, AuditReturn, ReturnEvent
from audit_app.cycles.transitions import MOVES, ConcurrentChange, TransitionError, transition
from audit_app.extensions import db

ALLOWED = {
    ("not_started", "in_progress"), ("in_progress", "submitted"), ("submitted", "returned"),
    ("returned", "submitted"), ("submitted", "accepted"), ("accepted", "returned"),
    ("not_started", "withdrawn"), ("in_progress", "withdrawn"), ("submitted", "withdrawn"),
    ("returned", "withdrawn"),
}
NEEDS_REASON = {("accepted", "returned")} | {move for move in ALLOWED if move[1] == "withdrawn"}
EVERY_MOVE = list(permutations(RETURN_STATUSES, 2))


def test_the_table_is_the_design_table():
    assert set(MOVES) == ALLOWED
    assert {move for move, rule in MOVES.items() if rule.needs_reason} == NEEDS_REASON


@pytest.fixture
def audit_return(open_school_cycle, school):
    return open_school_cycle().cycle.returns[0]


def put_in(audit_return, status):
    audit_return.status = status
    db.session.commit()


@pytest.mark.parametrize("from_status,to_status", sorted(ALLOWED))
def test_allowed_moves_are_recorded(audit_return, make_user, partnership, from_status,
                                    to_status):
    actor = make_user("admin", partnership)
    put_in(audit_return, from_status)
    reason = "School closed in August" if (from_status, to_status) in NEEDS_REASON else None
    event = transition(audit_return, to_status, actor=actor, reason=reason,
                       detail={"submission": 1})
    db.session.commit()
    assert audit_return.status == to_status
    assert (event.from_status, event.to_status, event.reason, event.actor_id) == (
        from_status, to_status, reason, actor.id)
    assert event.kind == "transition" and event.detail == {"submission": 1}
    logged = AuditEvent.query.filter_by(action="return.status_changed").one()
    assert logged.object_id == str(audit_return.id) and logged.actor_id == actor.id
    assert logged.detail["from"] == from_status and logged.detail["to"] == to_status
    assert logged.partnership_id == audit_return.cycle.partnership_id


@pytest.mark.parametrize("from_status,to_status",
                         [move for move in EVERY_MOVE if move not in ALLOWED])
def test_forbidden_moves_change_nothing(audit_return, from_status, to_status):
    put_in(audit_return, from_status)
    with pytest.raises(TransitionError) as caught:
        transition(audit_return, to_status, actor=None, reason="a reason")
    assert "cannot be" in str(caught.value)
    db.session.rollback()
    assert db.session.get(AuditReturn, audit_return.id).status == from_status
    assert ReturnEvent.query.count() == 0


@pytest.mark.parametrize("from_status,to_status", sorted(NEEDS_REASON))
@pytest.mark.parametrize("reason", [None, "", "   "])
def test_reopen_and_withdraw_need_a_reason(audit_return, from_status, to_status, reason):
    put_in(audit_return, from_status)
    with pytest.raises(TransitionError) as caught:
        transition(audit_return, to_status, actor=None, reason=reason)
    expected = ("Enter the reason for reopening this return" if to_status == "returned"
                else "Enter the reason for withdrawing this return")
    assert str(caught.value) == expected
    assert audit_return.status == from_status and ReturnEvent.query.count() == 0


def test_a_move_to_the_same_status_or_an_unknown_one_is_refused(audit_return):
    with pytest.raises(TransitionError, match="already not started"):
        transition(audit_return, "not_started", actor=None)
    with pytest.raises(TransitionError, match="Unknown return status 'done'"):
        transition(audit_return, "done", actor=None)


def test_a_too_long_reason_is_refused(audit_return):
    with pytest.raises(TransitionError, match="2000 characters or fewer"):
        transition(audit_return, "withdrawn", actor=None, reason="x" * 2001)


def test_submission_and_acceptance_are_stamped(audit_return, make_user, partnership):
    reviewer = make_user("reviewer", partnership)
    transition(audit_return, "in_progress", actor=None)
    transition(audit_return, "submitted", actor=None)
    first = audit_return.first_submitted_at
    assert first is not None and audit_return.last_submitted_at == first
    transition(audit_return, "accepted", actor=reviewer)
    assert audit_return.accepted_by_id == reviewer.id and audit_return.accepted_at
    transition(audit_return, "returned", actor=None, reason="Rating needs evidence")
    assert audit_return.accepted_at is None and audit_return.accepted_by_id is None
    transition(audit_return, "submitted", actor=None)
    assert audit_return.first_submitted_at == first
    assert audit_return.last_submitted_at >= first
    assert [e.to_status for e in audit_return.events] == [
        "in_progress", "submitted", "accepted", "returned", "submitted"]


@pytest.mark.parametrize("from_status,to_status", [("not_started", "in_progress"),
                                                   ("in_progress", "submitted")])
def test_respondent_work_stops_after_the_final_deadline(audit_return, today, from_status,
                                                        to_status):
    cycle = audit_return.cycle
    cycle.open_date = today - timedelta(days=60)
    cycle.due_date = today - timedelta(days=10)
    cycle.final_deadline = today - timedelta(days=1)
    put_in(audit_return, from_status)
    with pytest.raises(TransitionError, match="can no longer be changed"):
        transition(audit_return, to_status, actor=None)
    # An extension reopens it for that return.
    audit_return.extension_until = today
    transition(audit_return, to_status, actor=None)
    assert audit_return.status == to_status


def test_respondent_work_stops_once_the_cycle_is_closed(audit_return):
    put_in(audit_return, "returned")
    audit_return.cycle.status = "closed"
    with pytest.raises(TransitionError, match="can no longer be changed"):
        transition(audit_return, "submitted", actor=None)
    # Staff can still act on returns of a closed cycle.
    transition(audit_return, "withdrawn", actor=None, reason="Merged with Elm High")
    assert audit_return.status == "withdrawn"


def test_a_concurrent_change_is_refused(audit_return):
    """Two people submit at once: the second move finds the return changed under it."""
    put_in(audit_return, "in_progress")
    db.session.execute(sa.update(AuditReturn).where(AuditReturn.id == audit_return.id)
                       .values(status="submitted",
                               lock_version=AuditReturn.lock_version + 1)
                       .execution_options(synchronize_session=False))
    with pytest.raises(ConcurrentChange, match="changed by someone else"):
        transition(audit_return, "submitted", actor=None)
    db.session.rollback()
    assert ReturnEvent.query.count() == 0
    assert AuditEvent.query.filter_by(action="return.status_changed").count() == 0
