"""One report: a cycle's frames (filtered to the organisations asked for) and the previous
cycle's answers for year on year. Dashboard, exports and CLI all start here.

Reports are kept in memory (see ReportCache): the frames take a pandas aggregation of every
answer of two cycles, and the dashboard is opened again and again while little changes.
When the data has changed, the dashboard may show the kept figures, saying so, while the
new ones are read in the background (refresh.py): exports always read the data as it is."""
import threading
from collections import OrderedDict
from collections.abc import Callable
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
from . import analysis, refresh
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
    # The data stamp the frames were read at (data_stamp), and when they were read.
    stamp: int | None = None
    built_at: datetime | None = None
    # Handed out while newer data is being read in the background: the figures are those
    # of built_at, and the page says so.
    refreshing: bool = False

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
                with_previous: bool = True, stale_ok: bool = False,
                prepare: Callable[[Report], object] | None = None,
                keep: bool = True) -> Report:
    """The report of ``cycle``: the kept one while the data it was read from and the day
    (overdue days) are unchanged, else read again (and kept, unless ``keep`` is false). With
    ``stale_ok`` (the dashboard) a kept report of older data is handed out, marked
    ``refreshing``, while the new data is read in the background, where ``prepare`` (what
    the page works out from a report, kept in its ``derived``) is run too, so that the new
    figures are ready when they are first shown."""
    today = today or today_london()
    filters = {name: list(values) for name, values in (filters or {}).items() if values}
    before = previous_cycle(cycle) if with_previous else None
    key = report_key(cycle, before, filters)
    stamp = data_stamp(cycle, before)
    kept = _reports.get(key)
    if kept is not None and (kept.stamp, kept.today) == (stamp, today):
        return _hand_out(kept, cycle, before, filters)
    if kept is not None and stale_ok and refresh.start(
            (key, today), stamp,
            lambda: _build_kept(key, cycle.id, before and before.id, filters, today,
                                prepare)):
        return _hand_out(kept, cycle, before, filters, refreshing=True)
    report = _build_report(cycle, filters, today, before, stamp)
    if keep:
        _reports.put(key, report)
    return report


def _hand_out(kept: Report, cycle: Cycle, before: Cycle | None, filters: dict,
              refreshing: bool = False) -> Report:
    # The same figures for this request: the cycles are its own (database objects belong to
    # one session), the filters and options its own copies.
    return replace(kept, cycle=cycle, previous=before, filters=filters,
                   refreshing=refreshing,
                   options={name: list(values) for name, values in kept.options.items()},
                   generated_at=utcnow())


def _build_kept(key: tuple, cycle_id: int, before_id: int | None, filters: dict,
                today: date, prepare: Callable[[Report], object] | None = None) -> None:
    """Read a report again, prepare it and keep it (run by a background refresh, in a
    session of its own)."""
    cycle = db.session.get(Cycle, cycle_id)
    before = db.session.get(Cycle, before_id) if before_id is not None else None
    if cycle is None:
        return
    report = _build_report(cycle, filters, today, before, data_stamp(cycle, before))
    if prepare is not None:
        prepare(report)
    _reports.put(key, report)


def _build_report(cycle: Cycle, filters: dict, today: date, before: Cycle | None,
                  stamp: int) -> Report:
    """Read the frames. ``stamp`` is taken before they are read, so that a change made
    while they are read makes the next request read them again."""
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
    now = utcnow()
    return Report(cycle=cycle, definition=definition, returns=returns, answers=answers,
                  actions=actions, codebook=codebook_frame(definition), previous=before,
                  previous_answers=previous_answers,
                  renamed=renamed_between(definition, before), filters=filters,
                  options=options, today=today, generated_at=now, stamp=stamp,
                  built_at=now)


def warm_reports(limit: int = REPORT_CACHE_SIZE // 2,
                 prepare: Callable[[Report], object] | None = None) -> int:
    """Read, prepare and keep the unfiltered reports of the most recently opened cycles (at
    most ``limit``) that the kept reports have room for, so that the first person to open
    their dashboards in a new process does not wait for them. How many were read."""
    cycles = db.session.scalars(
        sa.select(Cycle).where(Cycle.status != "draft")
        .order_by(Cycle.open_date.desc(), Cycle.id.desc()).limit(limit)).all()
    warmed = 0
    for cycle in cycles:
        if _answer_rows_at_most(cycle) > REPORT_CACHE_ROWS:
            continue   # it would not be kept: reading it now would help nobody
        report = load_report(cycle)
        if prepare is not None:
            prepare(report)
        warmed += 1
    return warmed


def _answer_rows_at_most(cycle: Cycle) -> int:
    """An upper bound of a report's answer rows (both cycles'), without reading them."""
    before = previous_cycle(cycle)
    rows = 0
    for item in [cycle] + ([before] if before is not None else []):
        returns = db.session.scalar(sa.select(sa.func.count(AuditReturn.id))
                                    .where(AuditReturn.cycle_id == item.id))
        rows += returns * len(definition_of(item).questions)
    return rows


# The report cache ------------------------------------------------------------------------

def report_key(cycle: Cycle, before: Cycle | None, filters: dict) -> tuple:
    """Which report: the cycles (and the questionnaire version) and the filters. The report
    kept under it is of the data at its ``stamp`` (data_stamp) on its ``today``."""
    cycles = [cycle] + ([before] if before is not None else [])
    return (tuple((item.id, item.name, item.due_date, item.partnership_id,
                   item.questionnaire_version_id, item.questionnaire_version.sha256)
                  for item in cycles),
            tuple(sorted((name, tuple(values)) for name, values in filters.items())))


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
    """Reports by key (the latest read of each), least recently used first, within a number
    of reports and of answer rows. Kept reports are shared between requests and threads:
    nothing changes their frames."""

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
    refresh.wait()
    refresh.forget_failures()
    _reports.clear()
