"""Fixtures for the report tests."""
from datetime import date, datetime, timedelta, timezone
from pathlib import Path
from types import SimpleNamespace

import numpy as np
import pandas as pd
import pytest
import yaml

from audit_app.questionnaires.definition import Definition
from audit_app.reports.frame import ANSWER_COLUMNS, codebook_frame
from audit_app.reports.services import Report

S175_FILE = Path(__file__).resolve().parents[2] / "questionnaires" / "s175" / "2025-26.yaml"
HAND_MADE_TODAY = date(2026, 1, 20)
# The s175 "rag" scale: value -> (score, compliant); not applicable is not counted.
RAG_SCALE = {"green": (3.0, True), "amber": (1.0, False), "red": (0.0, False),
             "na": (np.nan, None)}
BANDS = ["green", "amber", "red", "na"]


def hand_school(number: int, name: str | None = None, **attrs) -> dict:
    """An organisation row for ``hand_made_report``: a school unless ``kind`` says."""
    values = {"organisation_id": number, "organisation_name": name or f"School {number:05d}",
              "organisation_kind": "school", "type_group": "Academies", "phase": "Primary",
              "legal_basis": "s157", "trust": None, "local_authority": "Testshire",
              "locality": "North", "sector": None, "return_status": "accepted"}
    values.update(attrs)
    return values


def build_hand_made_report(organisations: list[dict], bands=None, previous_bands=None,
                           actions: list[dict] | None = None, filters=None,
                           definition: Definition | None = None) -> Report:
    """A Report made from frames alone, no database: ``organisations`` rows (see
    ``hand_school``), ``bands`` an array of band codes (index into BANDS), one row per
    organisation whose return is rated and one column per scored question (default: all
    green); ``previous_bands`` likewise for a previous cycle."""
    definition = definition or Definition(yaml.safe_load(S175_FILE.read_text()))
    returns = _returns(organisations)
    rated = returns[returns.return_status.isin(["submitted", "returned", "accepted"])]
    scored = [question for question in definition.questions if question.scored]
    if bands is None:
        bands = np.zeros((len(rated), len(scored)), dtype="int8")
    answers = _answers(rated, scored, np.asarray(bands), 1, "S175 audit 2025-26")
    previous = previous_answers = None
    if previous_bands is not None:
        previous = SimpleNamespace(name="S175 audit 2024-25")
        previous_answers = _answers(rated, scored, np.asarray(previous_bands), 0,
                                    previous.name)
    cycle = SimpleNamespace(id=1, name="S175 audit 2025-26",
                            partnership=SimpleNamespace(name="Testshire Partnership"))
    return Report(cycle=cycle, definition=definition, returns=returns, answers=answers,
                  actions=_actions(actions or []), codebook=codebook_frame(definition),
                  previous=previous, previous_answers=previous_answers, renamed={},
                  filters=filters or {}, today=HAND_MADE_TODAY,
                  generated_at=datetime(2026, 1, 20, 9, 30, tzinfo=timezone.utc))


def _returns(organisations: list[dict]) -> pd.DataFrame:
    frame = pd.DataFrame(organisations)
    count = len(frame)
    submitted = frame.return_status.isin(["submitted", "returned", "accepted"]).to_numpy()
    stamp = pd.Timestamp("2026-01-10 10:00", tz="UTC")
    frame.insert(0, "cycle_id", 1)
    frame.insert(1, "cycle_name", "S175 audit 2025-26")
    frame.insert(2, "return_id", frame.organisation_id + 1000)
    frame["submission_number"] = submitted.astype("int64")
    for column in ("first_submitted_at", "last_submitted_at", "accepted_at"):
        frame[column] = pd.Series(np.where(submitted, stamp, pd.NaT),
                                  dtype="datetime64[us, UTC]")
    frame["due_date"] = [date(2026, 1, 15)] * count
    frame["submitted_on_time"] = submitted
    frame["days_overdue"] = np.where(frame.return_status.isin(["not_started", "in_progress"]),
                                     (HAND_MADE_TODAY - date(2026, 1, 15)).days, 0)
    for column in ("cycle_name", "organisation_name", "organisation_kind", "type_group",
                   "phase", "legal_basis", "trust", "local_authority", "locality", "sector",
                   "return_status"):
        frame[column] = frame[column].astype("category")
    return frame


def _answers(rated: pd.DataFrame, scored: list, bands: np.ndarray, cycle_id: int,
             cycle_name: str) -> pd.DataFrame:
    rows, questions = len(rated), len(scored)
    which = np.repeat(np.arange(rows), questions)
    codes = bands.reshape(-1).astype("int8") if rows else np.array([], dtype="int8")
    question_codes = np.tile(np.arange(questions), rows)
    frame = pd.DataFrame({"cycle_id": np.full(rows * questions, cycle_id, dtype="int64")})
    frame["cycle_name"] = pd.Categorical([cycle_name] * len(frame))
    frame["questionnaire"] = pd.Categorical(["s175"] * len(frame))
    for column in ("return_id", "organisation_id", "organisation_name", "organisation_kind",
                   "type_group", "phase", "legal_basis", "trust", "local_authority",
                   "locality", "sector", "return_status", "submission_number",
                   "accepted_at"):
        frame[column] = rated[column].array.take(which)
    frame["submitted_at"] = rated["last_submitted_at"].array.take(which)
    sections = [question.section for question in scored]
    section_ids = list(dict.fromkeys(section.id for section in sections))
    titles = list(dict.fromkeys(section.title for section in sections))
    section_codes = np.array([section_ids.index(s.id) for s in sections])[question_codes]
    frame["section_id"] = pd.Categorical.from_codes(section_codes, categories=section_ids)
    frame["section_title"] = pd.Categorical.from_codes(section_codes, categories=titles)
    frame["question_id"] = pd.Categorical.from_codes(
        question_codes, categories=[question.id for question in scored])
    frame["question_position"] = np.array([q.position + 1 for q in scored])[question_codes]
    values = pd.Categorical.from_codes(codes, categories=BANDS)
    score = np.array([RAG_SCALE[band][0] for band in BANDS])[codes]
    compliant = pd.array([RAG_SCALE[band][1] for band in BANDS], dtype="boolean")[codes]
    for prefix in ("self", "final"):
        frame[f"{prefix}_value"] = values
        frame[f"{prefix}_score"] = score
        frame[f"{prefix}_rag"] = values
    frame["moderated_value"] = pd.Categorical.from_codes(np.full(len(frame), -1),
                                                         categories=BANDS)
    frame["max_score"] = np.where(np.isnan(score), np.nan, 3.0)
    frame["final_compliant"] = compliant
    return frame[ANSWER_COLUMNS]


def _actions(items: list[dict]) -> pd.DataFrame:
    columns = ["action_id", "return_id", "organisation_name", "organisation_kind",
               "type_group", "phase", "trust", "locality", "question_id", "description",
               "owner", "target_date", "status", "completed_at", "overdue", "days_overdue"]
    frame = pd.DataFrame(items, columns=columns)
    frame["completed_at"] = pd.to_datetime(frame.completed_at, utc=True)
    return frame


@pytest.fixture
def hand_made_report():
    """hand_made_report(organisations, bands=None, previous_bands=None, ...) -> a Report
    from frames alone (see build_hand_made_report)."""
    return build_hand_made_report


@pytest.fixture
def hand_made_schools():
    """hand_made_schools(count, **attrs) -> that many school rows for hand_made_report."""
    return lambda count, **attrs: [hand_school(number, **attrs)
                                   for number in range(1, count + 1)]


def days_ago(days: int) -> date:
    return HAND_MADE_TODAY - timedelta(days=days)
