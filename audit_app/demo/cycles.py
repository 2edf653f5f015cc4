"""Demo cycles: a closed S175 2024-25 cycle with accepted returns, and open S175 2025-26 and
S11 2025-26 cycles with returns in every state, so that every page shows something real."""
from datetime import date, datetime, time, timedelta, timezone

from ..auth.models import User
from ..auth.services import add_grant
from ..cycles.models import AuditReturn, Cycle, ReturnEvent
from ..cycles.services import close_cycle, open_cycle, withdraw
from ..cycles.transitions import transition
from ..returns.models import ActionItem, Answer, Submission
from ..extensions import db
from ..questionnaires.models import QuestionnaireVersion
from ..returns.submission import ApprovalEntry, approval_slots, submit
from ..review.services import (accept, answer_query, moderate, raise_query,
                               return_for_changes)
from ..timeutil import today_london
from .answers import fill_return

APPROVER_NAMES = ("Morgan Ellis", "Jordan Lee", "Sam Rahman", "Alex Nowak", "Ceri Jones",
                  "Zoë O’Brien")
PREVIOUS_S175 = "S175 audit 2024-25"
CURRENT_S175 = "S175 audit 2025-26"
CURRENT_S11 = "Section 11 audit 2025-26"


def _version(key: str, version: str) -> QuestionnaireVersion:
    return QuestionnaireVersion.query.filter_by(questionnaire_key=key, version=version).one()


def _approve_and_submit(audit_return, actor, on: date) -> None:
    entries = {}
    for index, slot in enumerate(approval_slots(audit_return)):
        approved = on - timedelta(days=2)
        entries[slot.id] = ApprovalEntry(
            name=APPROVER_NAMES[(audit_return.organisation_id + index) % len(APPROVER_NAMES)],
            role=slot.label, day=str(approved.day), month=str(approved.month),
            year=str(approved.year))
    submit(audit_return, actor, True, audit_return.lock_version, approvals=entries, today=on)


QUERY = ("Your rating is green, but the evidence you describe covers only part of the "
         "standard. Please tell us how you check this in practice, or change the rating.")
REPLY = ("Thank you. On reflection this is only partly in place: we have changed the rating "
         "to amber and added an action.")
OVERRIDE_REASON = ("The evidence seen on the visit shows the single central record is not "
                   "checked termly as the school describes.")


def _send_back(audit_return, reviewer, question_key: str):
    query = raise_query(audit_return, question_key, QUERY, reviewer)
    return_for_changes(audit_return, reviewer)
    return query


def _organisation_contact(audit_return, partnership):
    """A respondent of the organisation (other organisations' people are not demo
    logins: they have accounts without passwords, as invited people do)."""
    email = f"contact{audit_return.organisation_id}@example.org"
    person = User.query.filter_by(email=email).one_or_none()
    if person is None:
        person = User(email=email, name=f"Safeguarding lead, {audit_return.organisation.name}")
        db.session.add(person)
        db.session.flush()
        add_grant(person, "respondent", partnership, organisation=audit_return.organisation)
    return person


def _resubmit(audit_return, query, on: date) -> None:
    """The organisation answers the query, lowers the rating with an action, resubmits."""
    contact = _organisation_contact(audit_return, audit_return.cycle.partnership)
    answer_query(query, REPLY, contact)
    answer = Answer.query.filter_by(return_id=audit_return.id,
                                    question_key=query.question_key).one()
    answer.value = "amber"
    answer.comment = "Partly in place; see the action plan."
    db.session.add(ActionItem(return_id=audit_return.id, question_key=query.question_key,
                              description="Check the single central record every term",
                              owner="Business manager", target_date=on + timedelta(days=60),
                              created_by_id=contact.id))
    db.session.flush()
    _approve_and_submit(audit_return, contact, on)


def _first_rated_question(audit_return) -> str:
    answer = (Answer.query.filter_by(return_id=audit_return.id)
              .filter(Answer.value.in_(("green", "amber"))).order_by(Answer.id).first())
    return answer.question_key if answer else None


def _play(cycle_returns, plan: dict, reviewer, on: date) -> None:
    """Move each return to its planned state, in the order the plan lists them. Other
    organisations' people are not demo logins, so their moves carry no actor."""
    position = 0
    for state, count in plan.items():
        for audit_return in cycle_returns[position:position + count]:
            _to_state(audit_return, state, None, reviewer, on)
        position += count


def _to_state(audit_return, state, respondent, reviewer, on: date) -> None:
    if state == "not_started":
        return
    if state == "withdrawn":
        withdraw(audit_return, "The school closed in the summer and merged with a "
                               "neighbouring school.", actor=None)
        return
    transition(audit_return, "in_progress", actor=respondent)
    if state == "in_progress":
        fill_return(audit_return, sections=4, actor=respondent)
        return
    fill_return(audit_return, actor=respondent)
    _approve_and_submit(audit_return, respondent, on)
    if state in ("returned", "resubmitted"):
        query = _send_back(audit_return, reviewer, _first_rated_question(audit_return))
        if state == "resubmitted":
            _resubmit(audit_return, query, on)
    elif state == "accepted":
        if audit_return.organisation_id % 3 == 0:
            moderate(audit_return, _first_rated_question(audit_return), "amber",
                     OVERRIDE_REASON, reviewer)
        accept(audit_return, reviewer, reviewer.name)


def _split_returns(cycle, own_organisation_id: int):
    """The demo respondent's own return, and the others by organisation name."""
    returns = sorted(cycle.returns, key=lambda r: r.organisation.name)
    own = next(r for r in returns if r.organisation_id == own_organisation_id)
    returns.remove(own)
    return own, returns


def _organisation_id(respondent) -> int:
    return next(g.organisation_id for g in respondent.grants if g.role == "respondent")


def _backdate(cycle: Cycle, due: date) -> None:
    """Submissions are stamped when the seed runs; a past cycle's returns were submitted
    around its due date instead (about one in seven late), and reviewed a week later."""
    returns = (AuditReturn.query.filter(AuditReturn.cycle_id == cycle.id,
                                        AuditReturn.first_submitted_at.is_not(None))
               .order_by(AuditReturn.id).all())
    for number, audit_return in enumerate(returns):
        days = 5 if number % 7 == 3 else -(number % 20)
        moment = datetime.combine(due + timedelta(days=days), time(10, 30),
                                  tzinfo=timezone.utc)
        audit_return.first_submitted_at = audit_return.last_submitted_at = moment
        if audit_return.accepted_at is not None:
            audit_return.accepted_at = moment + timedelta(days=7)
        for submission in Submission.query.filter_by(return_id=audit_return.id):
            submission.submitted_at = moment
        for event in ReturnEvent.query.filter_by(return_id=audit_return.id):
            event.created_at = moment + timedelta(days=7 if event.to_status == "accepted"
                                                  else 0)


def seed_cycles(partnership) -> list[Cycle]:
    """Create the demo cycles once; a second run leaves existing ones alone."""
    if Cycle.query.filter_by(partnership_id=partnership.id).count():
        return []
    today = today_london()
    admin = User.query.filter_by(email="admin@example.org").one()
    sase = User.query.filter_by(email="sase@example.org").one()
    qa_officer = User.query.filter_by(email="qaofficer@example.org").one()
    dsl = User.query.filter_by(email="dsl@example.org").one()
    agency = User.query.filter_by(email="agency@example.org").one()

    previous_due = today - timedelta(days=330)
    previous = open_cycle(partnership, _version("s175", "2024-25"), PREVIOUS_S175,
                          open_date=previous_due - timedelta(days=75), due_date=previous_due,
                          actor=admin).cycle
    own, returns = _split_returns(previous, _organisation_id(dsl))
    _to_state(own, "accepted", dsl, sase, previous_due)
    _play(returns, {"accepted": len(returns) * 3 // 4}, sase, previous_due)
    _backdate(previous, previous_due)
    close_cycle(previous, actor=admin)

    current = open_cycle(partnership, _version("s175", "2025-26"), CURRENT_S175,
                         open_date=today - timedelta(days=40), due_date=today + timedelta(days=30),
                         final_deadline=today + timedelta(days=60), actor=admin).cycle
    current.previous_cycle_id = previous.id
    own, returns = _split_returns(current, _organisation_id(dsl))
    _to_state(own, "in_progress", dsl, sase, today)
    _play(returns, {"accepted": 6, "submitted": 8, "resubmitted": 2, "returned": 3,
                    "in_progress": 18, "withdrawn": 1}, sase, today)

    s11 = open_cycle(partnership, _version("s11", "2025-26"), CURRENT_S11,
                     open_date=today - timedelta(days=20), due_date=today + timedelta(days=50),
                     actor=admin).cycle
    own, returns = _split_returns(s11, _organisation_id(agency))
    _to_state(own, "in_progress", agency, qa_officer, today)
    _play(returns, {"accepted": 3, "submitted": 3, "resubmitted": 1, "returned": 2,
                    "in_progress": 4}, qa_officer, today)
    db.session.flush()
    return [previous, current, s11]
