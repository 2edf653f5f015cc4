"""One report: a cycle's frames (filtered to the organisations asked for) and the previous
cycle's answers for year on year. Dashboard, exports and CLI all start here.

Reports are kept in memory (see ReportCache): the frames take a pandas aggregation of every
answer of two cycles, and the dashboard is opened again and again while little changes."""
import threading
from collections import OrderedDict
from dataclasses import dataclass, field, replace
from datetime import date, datetime

import pandas as pd
import sqlalchemy as sa

from ..cycles.errors import CycleError
from ..cycles.models import AuditReturn, Cycle
from ..cycles.services import find_cycle
from ..extensions import db
from ..organisations.models import Membership, Organisation
from ..questionnaires.definition import Definition
from ..returns.models import ActionItem, Submission
from ..review.models import Moderation
from ..timeutil import today_london, utcnow
from . import analysis
from .frame import actions_frame, answers_frame, codebook_frame, definition_of, \
    previous_cycle, returns_frame

# Reports kept per process: a few cycles, each with a few filters. Their answer rows are
# counted too, so that national-scale reports (millions of rows) do not pile up in memory;
# a report with more rows than the whole allowance is never kept.
REPORT_CACHE_SIZE = 12
REPORT_CACHE_ROWS = 500_000


class ReportError(ValueError):
    """A report cannot be made for what was asked (e.g. an unknown cycle)."""


@dataclass
class Report:
    cycle: Cycle
    definition: Definition
    returns: pd.DataFrame
    answers: pd.DataFrame
    actions: pd.DataFrame
    codebook: pd.DataFrame
    previous: Cycle | None = None
    previous_answers: pd.DataFrame | None = None
    renamed: dict = field(default_factory=dict)
    filters: dict = field(default_factory=dict)
    options: dict = field(default_factory=dict)
    today: date | None = None
    generated_at: datetime | None = None
    # Figures worked out from the frames (e.g. the dashboard's), kept with them: a kept
    # report's copies share this dict, so each is worked out once per version of the data.
    derived: dict = field(default_factory=dict)

    @property
    def title(self) -> str:
        return f"{self.cycle.name}: {self.definition.title}"


def find_report_cycle(partnership, id_or_name) -> Cycle:
    try:
        return find_cycle(partnership, id_or_name)
    except CycleError as error:
        raise ReportError(str(error)) from error


def renamed_between(definition: Definition, previous: Cycle | None) -> dict[str, str]:
    """The definition's renamed question ids apply when the previous cycle used the version
    it declares as previous; the same version needs no mapping."""
    if previous is None:
        return {}
    if previous.questionnaire_version.version == definition.previous:
        return dict(definition.renamed)
    return {}


def load_report(cycle: Cycle, filters: dict | None = None, today: date | None = None,
                with_previous: bool = True) -> Report:
    today = today or today_london()
    filters = {name: list(values) for name, values in (filters or {}).items() if values}
    before = previous_cycle(cycle) if with_previous else None
    key = report_key(cycle, before, filters, today)
    kept = _reports.get(key)
    if kept is not None:
        # The same figures: the data they are made from has not changed since. The cycles
        # are this request's own (database objects belong to one session).
        return replace(kept, cycle=cycle, previous=before, filters=filters,
                       options={name: list(values) for name, values in kept.options.items()},
                       generated_at=utcnow())
    report = _build_report(cycle, filters, today, before)
    _reports.put(key, report)
    return report


def _build_report(cycle: Cycle, filters: dict, today: date, before: Cycle | None) -> Report:
    definition = definition_of(cycle)
    all_returns = returns_frame(cycle, today)
    options = analysis.filter_options(all_returns)
    returns = analysis.apply_filters(all_returns, filters)
    answers = answers_frame(cycle, returns)
    actions = analysis.apply_filters(actions_frame(cycle, today), filters)
    previous_answers = None
    if before is not None:
        previous_answers = answers_frame(
            before, analysis.apply_filters(returns_frame(before, today), filters))
    return Report(cycle=cycle, definition=definition, returns=returns, answers=answers,
                  actions=actions, codebook=codebook_frame(definition), previous=before,
                  previous_answers=previous_answers,
                  renamed=renamed_between(definition, before), filters=filters,
                  options=options, today=today, generated_at=utcnow())


# The report cache ------------------------------------------------------------------------

def report_key(cycle: Cycle, before: Cycle | None, filters: dict, today: date) -> tuple:
    """What a report is a function of: the cycles (and the questionnaire version), the
    filters, today's date (overdue days) and a stamp of the data read (data_stamp)."""
    cycles = [cycle] + ([before] if before is not None else [])
    return (tuple((item.id, item.name, item.due_date, item.partnership_id,
                   item.questionnaire_version_id, item.questionnaire_version.sha256)
                  for item in cycles),
            tuple(sorted((name, tuple(values)) for name, values in filters.items())),
            today, data_stamp(cycle, before))


def data_stamp(cycle: Cycle, before: Cycle | None) -> int:
    """A stamp that changes whenever the data a report of ``cycle`` reads changes, in three
    small queries (no answer is read): each return of the two cycles with its state, dates,
    organisation (and locality) and latest submission (whose checksum covers its answers);
    and the count, last id and last change of the moderations and action plan items."""
    cycle_ids = [cycle.id] + ([before.id] if before is not None else [])
    returns = db.session.execute(
        sa.select(AuditReturn.id, AuditReturn.cycle_id, AuditReturn.status,
                  AuditReturn.extension_until, AuditReturn.latest_submission_number,
                  AuditReturn.first_submitted_at, AuditReturn.last_submitted_at,
                  AuditReturn.accepted_at, Organisation.id, Organisation.name,
                  Organisation.kind, Organisation.type_group, Organisation.phase,
                  Organisation.legal_basis, Organisation.trust, Organisation.la_name,
                  Organisation.sector, Organisation.updated_at, Membership.locality,
                  Submission.id, Submission.submitted_at, Submission.content_sha256)
        .join(Organisation, Organisation.id == AuditReturn.organisation_id)
        .outerjoin(Membership, sa.and_(Membership.organisation_id == Organisation.id,
                                       Membership.partnership_id == cycle.partnership_id))
        .outerjoin(Submission, sa.and_(Submission.return_id == AuditReturn.id,
                                       Submission.number
                                       == AuditReturn.latest_submission_number))
        .where(AuditReturn.cycle_id.in_(cycle_ids))
        .order_by(AuditReturn.id)).all()
    of_cycles = sa.select(AuditReturn.id).where(AuditReturn.cycle_id.in_(cycle_ids))
    moderations = db.session.execute(
        sa.select(sa.func.count(Moderation.id), sa.func.max(Moderation.id),
                  sa.func.max(Moderation.updated_at))
        .where(Moderation.return_id.in_(of_cycles))).one()
    actions = db.session.execute(
        sa.select(sa.func.count(ActionItem.id), sa.func.max(ActionItem.id),
                  sa.func.max(ActionItem.updated_at))
        .where(ActionItem.return_id.in_(
            sa.select(AuditReturn.id).where(AuditReturn.cycle_id == cycle.id)))).one()
    return hash((tuple(tuple(row) for row in returns), tuple(moderations), tuple(actions)))


class ReportCache:
    """Reports by key, least recently used first, within a number of reports and of
    answer rows. Kept reports are shared between requests: nothing changes their frames."""

    def __init__(self, size: int, rows: int):
        self.size = size
        self.rows = rows
        self.items = OrderedDict()
        self.lock = threading.Lock()

    @staticmethod
    def rows_of(report: Report) -> int:
        previous = report.previous_answers
        return len(report.answers) + (len(previous) if previous is not None else 0)

    def get(self, key) -> Report | None:
        with self.lock:
            report = self.items.get(key)
            if report is not None:
                self.items.move_to_end(key)
            return report

    def put(self, key, report: Report) -> None:
        if self.rows_of(report) > self.rows:
            return
        with self.lock:
            self.items[key] = report
            self.items.move_to_end(key)
            while len(self.items) > self.size or \
                    sum(map(self.rows_of, self.items.values())) > self.rows:
                self.items.popitem(last=False)

    def clear(self) -> None:
        with self.lock:
            self.items.clear()


_reports = ReportCache(REPORT_CACHE_SIZE, REPORT_CACHE_ROWS)


def forget_reports() -> None:
    """Drop every kept report (tests start each from a clean database)."""
    _reports.clear()
