"""One report: a cycle's frames (filtered to the organisations asked for) and the previous
cycle's answers for year on year. Dashboard, exports and CLI all start here."""
from dataclasses import dataclass, field
from datetime import date, datetime

import pandas as pd

from ..cycles.errors import CycleError
from ..cycles.models import Cycle
from ..cycles.services import find_cycle
from ..questionnaires.definition import Definition
from ..timeutil import today_london, utcnow
from . import analysis
from .frame import actions_frame, answers_frame, codebook_frame, definition_of, \
    previous_cycle, returns_frame


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
    definition = definition_of(cycle)
    all_returns = returns_frame(cycle, today)
    options = analysis.filter_options(all_returns)
    returns = analysis.apply_filters(all_returns, filters)
    answers = answers_frame(cycle, returns)
    actions = analysis.apply_filters(actions_frame(cycle, today), filters)
    before = previous_cycle(cycle) if with_previous else None
    previous_answers = None
    if before is not None:
        previous_answers = answers_frame(
            before, analysis.apply_filters(returns_frame(before, today), filters))
    return Report(cycle=cycle, definition=definition, returns=returns, answers=answers,
                  actions=actions, codebook=codebook_frame(definition), previous=before,
                  previous_answers=previous_answers,
                  renamed=renamed_between(definition, before), filters=filters,
                  options=options, today=today, generated_at=utcnow())
