"""The reviewer's queue: the returns a person may review, counted by status, filtered and
sorted, each with its amber/red answers and open queries, read in one query."""
from dataclasses import dataclass, field
from datetime import date

import sqlalchemy as sa

from ..auth.policy import grants_of
from ..cycles.models import RETURN_STATUSES, AuditReturn, Cycle
from ..extensions import db
from ..organisations.models import Organisation
from ..questionnaires.models import QuestionnaireVersion
from ..returns.models import Submission, SubmissionAnswer
from .models import ReviewQuery

# Returns that have reached the reviewer at least once: what the list shows by default.
REVIEWED_STATUSES = ("submitted", "returned", "accepted")
AWAITING_ORGANISATION = ("not_started", "in_progress", "returned")
SORTS = ("submitted", "organisation")


@dataclass
class QueueFilters:
    cycle_id: int | None = None
    status: str | None = None
    type_group: str | None = None
    phase: str | None = None
    overdue: bool = False
    sort: str = "submitted"
    errors: list[str] = field(default_factory=list)

    @classmethod
    def from_args(cls, args) -> "QueueFilters":
        """Filters from the query string; a value that makes no sense is dropped with a
        message rather than failing the page."""
        filters = cls()
        cycle_id = (args.get("cycle") or "").strip()
        if cycle_id:
            if cycle_id.isdigit():
                filters.cycle_id = int(cycle_id)
            else:
                filters.errors.append("Select an audit cycle from the list")
        status = (args.get("status") or "").strip()
        if status:
            if status in RETURN_STATUSES:
                filters.status = status
            else:
                filters.errors.append("Select a status from the list")
        filters.type_group = (args.get("type_group") or "").strip() or None
        filters.phase = (args.get("phase") or "").strip() or None
        filters.overdue = args.get("overdue") == "yes"
        sort = args.get("sort") or "submitted"
        filters.sort = sort if sort in SORTS else "submitted"
        return filters


@dataclass
class QueueRow:
    audit_return: AuditReturn
    organisation: Organisation
    cycle: Cycle
    submitted_at: object
    amber_red: int
    open_queries: int
    overdue: bool


def _scope(user, partnership, roles: set[str]):
    """The SQL condition for the returns this person may review: every return of the
    partnership for admins (and reviewers assigned to everything), else those of the
    cycles and questionnaires their reviewer grants name."""
    if "admin" in roles:
        return sa.true()
    grants = [grant for grant in grants_of(user, partnership) if grant.role == "reviewer"]
    if any(grant.cycle_id is None and grant.questionnaire_key is None for grant in grants):
        return sa.true()
    cycle_ids = [grant.cycle_id for grant in grants if grant.cycle_id is not None]
    keys = [grant.questionnaire_key for grant in grants
            if grant.cycle_id is None and grant.questionnaire_key is not None]
    conditions = []
    if cycle_ids:
        conditions.append(Cycle.id.in_(cycle_ids))
    if keys:
        conditions.append(QuestionnaireVersion.questionnaire_key.in_(keys))
    return sa.or_(*conditions) if conditions else sa.false()


def _overdue(today: date):
    return sa.and_(AuditReturn.status.in_(AWAITING_ORGANISATION),
                   sa.func.coalesce(AuditReturn.extension_until, Cycle.due_date) < today)


def _base(user, partnership, roles):
    return (sa.select(AuditReturn)
            .join(Cycle, Cycle.id == AuditReturn.cycle_id)
            .join(QuestionnaireVersion, QuestionnaireVersion.id == Cycle.questionnaire_version_id)
            .join(Organisation, Organisation.id == AuditReturn.organisation_id)
            .where(Cycle.partnership_id == partnership.id, _scope(user, partnership, roles)))


def status_counts(user, partnership, roles) -> dict[str, int]:
    base = _base(user, partnership, roles).with_only_columns(
        AuditReturn.status, sa.func.count()).group_by(AuditReturn.status)
    found = dict(db.session.execute(base).all())
    return {status: found.get(status, 0) for status in RETURN_STATUSES}


def queue_rows(user, partnership, roles, filters: QueueFilters, today: date) -> list[QueueRow]:
    # Counted per listed return (correlated), not over every submitted answer of the
    # partnership and then joined: the queue lists a few returns of many.
    amber_red = (sa.select(sa.func.count()).select_from(SubmissionAnswer)
                 .where(SubmissionAnswer.submission_id == Submission.id,
                        SubmissionAnswer.compliant.is_(False),
                        SubmissionAnswer.score.is_not(None))
                 .correlate(Submission).scalar_subquery())
    open_queries = (sa.select(sa.func.count()).select_from(ReviewQuery)
                    .where(ReviewQuery.return_id == AuditReturn.id,
                           ReviewQuery.status.in_(("open", "answered")))
                    .correlate(AuditReturn).scalar_subquery())
    overdue = _overdue(today)
    statement = (_base(user, partnership, roles)
                 .add_columns(Organisation, Cycle, Submission.submitted_at, amber_red,
                              open_queries, overdue)
                 .outerjoin(Submission, sa.and_(
                     Submission.return_id == AuditReturn.id,
                     Submission.number == AuditReturn.latest_submission_number)))
    if filters.status:
        statement = statement.where(AuditReturn.status == filters.status)
    elif not filters.overdue:
        statement = statement.where(AuditReturn.status.in_(REVIEWED_STATUSES))
    if filters.cycle_id:
        statement = statement.where(Cycle.id == filters.cycle_id)
    if filters.type_group:
        statement = statement.where(Organisation.type_group == filters.type_group)
    if filters.phase:
        statement = statement.where(Organisation.phase == filters.phase)
    if filters.overdue:
        statement = statement.where(overdue)
    if filters.sort == "organisation":
        statement = statement.order_by(Organisation.name, AuditReturn.id)
    else:
        # Oldest submission first: the return waiting longest is reviewed first.
        statement = statement.order_by(Submission.submitted_at.is_(None),
                                       Submission.submitted_at, AuditReturn.id)
    return [QueueRow(*row[:6], overdue=bool(row[6]))
            for row in db.session.execute(statement).all()]


def filter_choices(user, partnership, roles) -> dict[str, list]:
    """The cycles, type groups and phases found among the returns in scope (one query: the
    combinations found are few)."""
    found = db.session.execute(
        _base(user, partnership, roles).with_only_columns(
            Cycle.id, Cycle.name, Organisation.type_group, Organisation.phase).distinct()).all()
    return {"cycles": sorted({(row.id, row.name) for row in found},
                             key=lambda cycle: (cycle[1], cycle[0])),
            "type_groups": sorted({row.type_group for row in found
                                   if row.type_group is not None}),
            "phases": sorted({row.phase for row in found if row.phase is not None})}
