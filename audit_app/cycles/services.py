"""The rules of audit cycles: opening (and re-opening) a cycle with one return per covered
organisation, extensions, withdrawals, closing, and finding cycles; the reminder ladder
(``remind``) and the read-only rule (``is_read_only``) are part of this interface too.
Nothing here commits: the caller commits, or rolls back on a CycleError."""
from dataclasses import dataclass, field
from datetime import date

import sqlalchemy as sa
from sqlalchemy.orm import contains_eager

from ..audit_log.services import record
from ..extensions import db
from ..organisations.models import Organisation
from ..questionnaires.models import QuestionnaireVersion
from ..timeutil import format_date, today_london, utcnow
from .coverage import covered_organisations, make_coverage
from .deadlines import is_read_only  # noqa: F401  (part of this module's interface)
from .errors import CycleError
from .invitations import invite_respondents, organisations_without_contact
from .models import RETURN_STATUSES, AuditReturn, Cycle, ReturnEvent
from .reminders import DEFAULT_REMINDER_DAYS, parse_reminder_days, remind  # noqa: F401  (interface)
from .transitions import TransitionError, transition

MAX_NAME_LENGTH = 200


@dataclass
class OpenResult:
    cycle: Cycle
    created: bool
    returns_added: list[AuditReturn] = field(default_factory=list)
    invitations: int = 0
    without_contact: list = field(default_factory=list)


@dataclass
class CycleSummary:
    cycle: Cycle
    counts: dict[str, int]

    @property
    def total(self) -> int:
        return sum(self.counts.values())


def find_version(questionnaire_key: str, version: str) -> QuestionnaireVersion:
    found = QuestionnaireVersion.query.filter_by(questionnaire_key=questionnaire_key,
                                                 version=version).one_or_none()
    if found is None:
        raise CycleError(f"No questionnaire {questionnaire_key!r} version {version!r} is "
                         "loaded: load it with 'flask questionnaires load' first")
    return found


def find_cycle(partnership, id_or_name) -> Cycle:
    """The partnership's cycle with this id, else with exactly this name."""
    value = str(id_or_name or "").strip()
    if not value:
        raise CycleError("Enter a cycle's id or name")
    query = Cycle.query.filter_by(partnership_id=partnership.id)
    found = query.filter_by(id=int(value)).one_or_none() if value.isdigit() else None
    found = found or query.filter_by(name=value).one_or_none()
    if found is None:
        raise CycleError(f"No cycle with id or name {value!r} in {partnership.name}")
    return found


def _check_dates(open_date: date, due_date: date, deadline: date | None) -> None:
    if due_date < open_date:
        raise CycleError("The due date must be on or after the open date")
    if deadline is not None and deadline < due_date:
        raise CycleError("The final deadline must be on or after the due date")


def _checked_name(name: str) -> str:
    name = " ".join((name or "").split())
    if not name:
        raise CycleError("Enter a name for the cycle")
    if len(name) > MAX_NAME_LENGTH:
        raise CycleError(f"The cycle name must be {MAX_NAME_LENGTH} characters or fewer")
    return name


def _existing_cycle(partnership, name: str, version) -> Cycle | None:
    cycle = Cycle.query.filter_by(partnership_id=partnership.id, name=name).one_or_none()
    if cycle is None:
        return None
    if cycle.questionnaire_version_id != version.id:
        used = cycle.questionnaire_version
        raise CycleError(f"Cycle {name!r} already exists for {used.questionnaire_key} "
                         f"{used.version}: choose another name")
    if cycle.status == "closed":
        raise CycleError(f"Cycle {name!r} is closed and cannot be opened again: choose "
                         "another name")
    return cycle


def open_cycle(partnership, version: QuestionnaireVersion, name: str, *, due_date: date,
               open_date: date | None = None, final_deadline: date | None = None,
               filters: dict | None = None, reminder_days=None, actor=None) -> OpenResult:
    """Open a cycle, or, when the partnership has one of that name, update its dates (and
    coverage and reminders, where given) and add returns for organisations covered since.
    Queues invitations for every respondent not yet invited. Never duplicates a return."""
    name = _checked_name(name)
    cycle = _existing_cycle(partnership, name, version)
    given_filters = filters is not None and any(filters.values())
    coverage = (make_coverage(partnership, version.audience, filters)
                if cycle is None or given_filters else cycle.coverage)
    ladder = (parse_reminder_days(reminder_days) if reminder_days is not None
              else list(cycle.reminder_days if cycle else DEFAULT_REMINDER_DAYS))
    open_date = open_date or (cycle.open_date if cycle else today_london())
    deadline = final_deadline or (cycle.final_deadline if cycle else None)
    _check_dates(open_date, due_date, deadline)
    organisations = covered_organisations(partnership, coverage)
    if cycle is None and not organisations:
        raise CycleError("The cycle would cover no organisations: no open organisation of "
                         f"{partnership.name} matches its coverage")
    created = cycle is None
    if created:
        cycle = Cycle(partnership=partnership, questionnaire_version=version, name=name,
                      status="open", opened_at=utcnow(), created_by_id=getattr(actor, "id", None))
        db.session.add(cycle)
    cycle.open_date, cycle.due_date, cycle.final_deadline = open_date, due_date, deadline
    cycle.coverage, cycle.reminder_days = coverage, ladder
    result = OpenResult(cycle=cycle, created=created)
    result.returns_added = _add_returns(cycle, organisations)
    try:
        db.session.flush()
    except sa.exc.IntegrityError as error:
        # Another admin opened a cycle of this name at the same moment.
        raise CycleError(f"A cycle called {name!r} has just been opened by someone else: "
                         "open it from the list of cycles") from error
    result.invitations = invite_respondents(cycle, list(cycle.returns))
    result.without_contact = organisations_without_contact(cycle)
    record("cycle.opened" if created else "cycle.updated", obj=cycle, actor=actor,
           partnership=partnership,
           detail={"name": name, "questionnaire": version.questionnaire_key,
                   "version": version.version, "open_date": open_date.isoformat(),
                   "due_date": due_date.isoformat(),
                   "final_deadline": deadline.isoformat() if deadline else None,
                   "coverage": coverage, "reminder_days": ladder,
                   "returns_added": len(result.returns_added),
                   "invitations": result.invitations})
    return result


def refresh_cycle(cycle: Cycle, *, actor=None) -> OpenResult:
    """Open the cycle again with its own settings: newly covered organisations get a
    return, and respondents not yet invited an invitation."""
    return open_cycle(cycle.partnership, cycle.questionnaire_version, cycle.name,
                      due_date=cycle.due_date, actor=actor)


def _add_returns(cycle: Cycle, organisations) -> list[AuditReturn]:
    have = {item.organisation_id for item in cycle.returns}
    added = []
    for organisation in organisations:
        if organisation.id in have:
            continue
        audit_return = AuditReturn(cycle=cycle, organisation=organisation,
                                   status="not_started")
        db.session.add(audit_return)
        added.append(audit_return)
    return added


def give_extension(audit_return: AuditReturn, until: date, actor=None) -> ReturnEvent:
    """Let one return be submitted until ``until``, later than the date it would end."""
    cycle = audit_return.cycle
    if cycle.status == "closed":
        raise CycleError("The cycle is closed: its returns cannot be given an extension")
    if audit_return.status not in ("not_started", "in_progress", "returned"):
        raise CycleError("Only a return that has not been submitted can be given an "
                         "extension")
    if not isinstance(until, date):
        raise CycleError("Enter the date the extension ends")
    if until < today_london():
        raise CycleError("The date the extension ends must be today or in the future")
    extends = cycle.final_deadline or cycle.due_date
    if until <= extends:
        which = "final deadline" if cycle.final_deadline else "due date"
        raise CycleError(f"The extension must end after the cycle's {which}, "
                         f"{format_date(extends)}")
    previous = audit_return.extension_until
    audit_return.extension_until = until
    event = ReturnEvent(audit_return=audit_return, kind="extension",
                        detail={"until": until.isoformat(),
                                "previous": previous.isoformat() if previous else None},
                        actor_id=getattr(actor, "id", None))
    db.session.add(event)
    record("return.extension_given", obj=audit_return, actor=actor,
           partnership=cycle.partnership,
           detail={"until": until.isoformat(),
                   "previous": previous.isoformat() if previous else None})
    return event


def withdraw(audit_return: AuditReturn, reason: str, actor=None) -> ReturnEvent:
    """Withdraw a return (school closed, converted, merged); the reason is required."""
    try:
        return transition(audit_return, "withdrawn", actor=actor, reason=reason)
    except TransitionError as error:
        raise CycleError(str(error)) from error


def unsubmitted_count(counts: dict[str, int]) -> int:
    """Returns that would become non-returners if the cycle closed now."""
    return counts["not_started"] + counts["in_progress"]


def close_cycle(cycle: Cycle, actor=None) -> Cycle:
    """Close the cycle: its unsubmitted returns become read-only non-returners."""
    if cycle.status == "closed":
        raise CycleError(f"Cycle {cycle.name!r} is already closed")
    counts = status_counts([cycle.id]).get(cycle.id, {})
    cycle.status = "closed"
    cycle.closed_at = utcnow()
    record("cycle.closed", obj=cycle, actor=actor, partnership=cycle.partnership,
           detail={"name": cycle.name, "counts": counts})
    return cycle


def status_counts(cycle_ids) -> dict[int, dict[str, int]]:
    """Cycle id -> {status: number of returns}, with every status present."""
    cycle_ids = list(cycle_ids)
    counts = {cycle_id: dict.fromkeys(RETURN_STATUSES, 0) for cycle_id in cycle_ids}
    if not cycle_ids:
        return counts
    rows = db.session.execute(
        sa.select(AuditReturn.cycle_id, AuditReturn.status, sa.func.count(AuditReturn.id))
        .where(AuditReturn.cycle_id.in_(cycle_ids))
        .group_by(AuditReturn.cycle_id, AuditReturn.status))
    for cycle_id, status, number in rows:
        counts[cycle_id][status] = number
    return counts


def cycles_with_counts(partnership) -> list[CycleSummary]:
    """Every cycle of the partnership, oldest first, with its returns counted by status."""
    cycles = Cycle.query.filter_by(partnership_id=partnership.id).order_by(Cycle.id).all()
    counts = status_counts(cycle.id for cycle in cycles)
    return [CycleSummary(cycle, counts[cycle.id]) for cycle in cycles]


def summary_line(summary: CycleSummary) -> str:
    """`flask cycles list`: ``ID NAME STATUS not_started=N ... withdrawn=N``."""
    counts = " ".join(f"{status}={summary.counts[status]}" for status in RETURN_STATUSES)
    return f"{summary.cycle.id} {summary.cycle.name} {summary.cycle.status} {counts}"


def returns_of(cycle: Cycle) -> list[AuditReturn]:
    """The cycle's returns by organisation name, with their organisations loaded."""
    return (AuditReturn.query.join(AuditReturn.organisation)
            .options(contains_eager(AuditReturn.organisation))
            .filter(AuditReturn.cycle_id == cycle.id)
            .order_by(Organisation.name, Organisation.id).all())
