"""Every report figure as a function of the frames (``frame.py``): nothing here touches the
database, so each is tested on small hand-made frames with known answers.

Ratings count only rated answers (green, amber or red); "not applicable" is shown but left out
of percentages, as the questionnaires' scales say."""
import numpy as np
import pandas as pd

from .rating import RAG_ORDER, RAG_SEVERITY

RATED = ("green", "amber", "red")
EVER_SUBMITTED = ("submitted", "returned", "accepted")
STATUS_ORDER = ("not_started", "in_progress", "submitted", "returned", "accepted",
                "withdrawn")
# Filter name in the dashboard's query string -> column of the frames.
FILTER_COLUMNS = {"kind": "organisation_kind", "type_group": "type_group", "phase": "phase",
                  "trust": "trust", "locality": "locality"}


def percent(part, whole) -> float | None:
    return round(100.0 * part / whole, 1) if whole else None


# --- Filters ----------------------------------------------------------------------------

def filter_options(returns: pd.DataFrame) -> dict[str, list[str]]:
    """The values each filter can take in this cycle, sorted."""
    options = {}
    for name, column in FILTER_COLUMNS.items():
        values = returns[column].dropna().astype(str).unique() if column in returns else []
        options[name] = sorted(value for value in values if value)
    return options


def apply_filters(frame: pd.DataFrame, filters: dict[str, list[str]]) -> pd.DataFrame:
    """Rows whose organisation matches every filter (any of a filter's values). Unknown
    filter names are ignored; a value that matches nothing gives an empty frame."""
    mask = np.ones(len(frame), dtype=bool)
    for name, wanted in filters.items():
        column = FILTER_COLUMNS.get(name)
        if column is None or not wanted or column not in frame:
            continue
        mask &= frame[column].astype("object").isin(list(wanted)).to_numpy()
    return frame[mask]


def section_list(codebook: pd.DataFrame) -> pd.DataFrame:
    """The questionnaire's sections in order: id and title."""
    return codebook.drop_duplicates("section_id")[["section_id", "section_title"]]


# --- Completion -------------------------------------------------------------------------

def status_counts(returns: pd.DataFrame) -> dict[str, int]:
    counts = returns.return_status.astype("object").value_counts()
    return {status: int(counts.get(status, 0)) for status in STATUS_ORDER}


def completion(returns: pd.DataFrame) -> dict:
    """Counts by status, and how many of the expected returns (all but the withdrawn) have
    been submitted, and submitted by their due date."""
    expected = returns[returns.return_status != "withdrawn"]
    submitted = int(expected.return_status.isin(EVER_SUBMITTED).sum())
    on_time = int(expected.submitted_on_time.sum())
    return {"counts": status_counts(returns), "expected": len(expected),
            "submitted": submitted, "percent_submitted": percent(submitted, len(expected)),
            "on_time": on_time, "percent_on_time": percent(on_time, len(expected))}


def completion_by(returns: pd.DataFrame, column: str) -> pd.DataFrame:
    """Completion per value of ``column`` (e.g. type group or phase); organisations without
    a value are grouped as "Not recorded"."""
    expected = returns[returns.return_status != "withdrawn"]
    groups = expected[column].astype("object").fillna("Not recorded")
    table = pd.DataFrame({
        "group": groups,
        "submitted": expected.return_status.isin(EVER_SUBMITTED).to_numpy(),
        "on_time": expected.submitted_on_time.astype(bool).to_numpy()})
    result = table.groupby("group", sort=True).agg(
        expected=("submitted", "size"), submitted=("submitted", "sum"),
        on_time=("on_time", "sum")).reset_index()
    result["percent_submitted"] = [percent(s, e) for s, e in
                                   zip(result.submitted, result.expected)]
    result["percent_on_time"] = [percent(s, e) for s, e in
                                 zip(result.on_time, result.expected)]
    return result


def non_returners(returns: pd.DataFrame) -> pd.DataFrame:
    """Returns never submitted, most overdue first."""
    waiting = returns[returns.return_status.isin(("not_started", "in_progress"))]
    columns = ["organisation_name", "organisation_kind", "type_group", "phase", "locality",
               "return_status", "due_date", "days_overdue", "return_id"]
    return waiting[columns].sort_values(["days_overdue", "organisation_name"],
                                        ascending=[False, True]).reset_index(drop=True)


# --- Ratings ----------------------------------------------------------------------------

def _band_counts(answers: pd.DataFrame, keys: list[str]) -> pd.DataFrame:
    counts = pd.crosstab([answers[key] for key in keys], answers.final_rag)
    return counts.reindex(columns=RAG_ORDER, fill_value=0)


def rag_by_section(answers: pd.DataFrame, codebook: pd.DataFrame) -> pd.DataFrame:
    """Per section in questionnaire order: answers by final band and the share of each band
    among rated answers."""
    sections = section_list(codebook)
    rated = answers[answers.final_rag.notna()]
    counts = _band_counts(rated, ["section_id"]) if len(rated) else \
        pd.DataFrame(columns=RAG_ORDER, dtype="int64")
    counts.index = counts.index.astype("object")
    result = sections.merge(counts, left_on="section_id", right_index=True, how="left")
    result[RAG_ORDER] = result[RAG_ORDER].fillna(0).astype("int64")
    result["rated"] = result[list(RATED)].sum(axis=1)
    for band in RATED:
        result[f"percent_{band}"] = [percent(n, total) for n, total in
                                     zip(result[band], result.rated)]
    return result.reset_index(drop=True)


def heatmap(answers: pd.DataFrame, by: str = "organisation_name") -> pd.DataFrame:
    """One row per group (an organisation, or a type group or local authority at scale) and
    section: the worst final band, the number of reds and the % compliant. Long format;
    ``heatmap_grid`` pivots it."""
    rated = answers[answers.final_rag.notna()]
    if rated.empty:
        return pd.DataFrame(columns=["group", "section_id", "section_title", "worst",
                                     "reds", "rated", "compliant", "percent_compliant"])
    # Categoricals, not per-row strings: at national scale (millions of rated answers)
    # object columns cost seconds to build and to group.
    rag = _categorical(rated.final_rag)
    band_severity = np.array([RAG_SEVERITY.get(band, 0) for band in rag.categories],
                             dtype="int64")
    groups = _categorical(rated[by])
    if (groups.codes < 0).any():
        if "Not recorded" not in groups.categories:
            groups = groups.add_categories(["Not recorded"])
        groups = groups.fillna("Not recorded")
    table = pd.DataFrame({
        "group": groups, "section_id": _categorical(rated.section_id),
        "section_title": _categorical(rated.section_title),
        "severity": np.where(rag.codes >= 0, band_severity[np.maximum(rag.codes, 0)], 0),
        "red": (rated.final_rag == "red").to_numpy(),
        "counted": rated.final_rag.isin(RATED).to_numpy(),
        "compliant": rated.final_compliant.fillna(False).astype(bool).to_numpy()})
    result = table.groupby(["group", "section_id", "section_title"], sort=False,
                           observed=True).agg(
        severity=("severity", "max"), reds=("red", "sum"), rated=("counted", "sum"),
        compliant=("compliant", "sum")).reset_index()
    for column in ("group", "section_id", "section_title"):
        result[column] = result[column].astype("str")
    by_severity = {value: band for band, value in RAG_SEVERITY.items()}
    result["worst"] = result.severity.map(by_severity)
    result["percent_compliant"] = [percent(c, n) for c, n in
                                   zip(result.compliant, result.rated)]
    return result.drop(columns="severity").sort_values(["group"], kind="stable") \
        .reset_index(drop=True)


def heatmap_grid(cells: pd.DataFrame, codebook: pd.DataFrame) -> tuple[list, list[dict]]:
    """The heatmap as rows for a table: (sections in order, rows of {group, cells by
    section id}) where each cell is a dict of worst, reds and percent_compliant or None."""
    sections = list(section_list(codebook).itertuples(index=False))
    rows: dict[str, dict] = {}
    for cell in cells.itertuples(index=False):
        rows.setdefault(cell.group, {})[cell.section_id] = {
            "worst": cell.worst, "reds": int(cell.reds),
            "percent_compliant": cell.percent_compliant}
    return sections, [{"group": group, "cells": rows[group]} for group in sorted(rows)]


def question_ranking(answers: pd.DataFrame, codebook: pd.DataFrame,
                     count: int = 10) -> tuple[pd.DataFrame, pd.DataFrame]:
    """The ``count`` weakest and strongest questions by % compliant among rated answers
    (ties broken by questionnaire order)."""
    table = question_table(answers, codebook)
    table = table[table.rated > 0]
    weakest = table.sort_values(["percent_compliant", "position"]).head(count)
    strongest = table.sort_values(["percent_compliant", "position"],
                                  ascending=[False, True]).head(count)
    return weakest.reset_index(drop=True), strongest.reset_index(drop=True)


def question_table(answers: pd.DataFrame, codebook: pd.DataFrame) -> pd.DataFrame:
    """Every scored question with its band counts and % compliant, in questionnaire order."""
    scored = codebook[codebook.scored][["question_id", "position", "section_title",
                                        "question_text"]]
    rated = answers[answers.final_rag.notna()]
    counts = _band_counts(rated, ["question_id"]) if len(rated) else \
        pd.DataFrame(columns=RAG_ORDER, dtype="int64")
    counts.index = counts.index.astype("object")
    result = scored.merge(counts, left_on="question_id", right_index=True, how="left")
    result[RAG_ORDER] = result[RAG_ORDER].fillna(0).astype("int64")
    result["rated"] = result[list(RATED)].sum(axis=1)
    result["percent_compliant"] = [percent(g, n) for g, n in zip(result.green, result.rated)]
    return result.reset_index(drop=True)


# --- Optimism: where reviewers disagreed with self-ratings -------------------------------

def _moderated(answers: pd.DataFrame) -> pd.DataFrame:
    reviewed = answers[answers.moderated_value.notna()]
    differs = reviewed.moderated_value.astype("object") != reviewed.self_value.astype("object")
    reviewed = reviewed[differs.to_numpy()]
    return pd.DataFrame({
        "question_id": reviewed.question_id.astype("object").to_numpy(),
        "organisation_name": reviewed.organisation_name.astype("object").to_numpy(),
        "return_id": reviewed.return_id.to_numpy(),
        "lowered": (reviewed.final_score < reviewed.self_score).to_numpy(),
        "raised": (reviewed.final_score > reviewed.self_score).to_numpy()})


def optimism_by_question(answers: pd.DataFrame, codebook: pd.DataFrame) -> pd.DataFrame:
    """Per question: rated answers, answers the reviewer rated differently, how many of
    those were lowered (the self-rating was optimistic) or raised."""
    changed = _moderated(answers)
    rated = answers[answers.final_rag.isin(RATED)].question_id.astype("object") \
        .value_counts()
    grouped = changed.groupby("question_id").agg(
        changed=("return_id", "size"), lowered=("lowered", "sum"), raised=("raised", "sum"))
    result = codebook[["question_id", "position", "section_title", "question_text"]].merge(
        grouped, left_on="question_id", right_index=True, how="inner")
    result["rated"] = [int(rated.get(question, 0)) for question in result.question_id]
    result["percent_lowered"] = [percent(n, total) for n, total in
                                 zip(result.lowered, result.rated)]
    return result.sort_values(["lowered", "position"], ascending=[False, True]) \
        .reset_index(drop=True)


def optimism_by_organisation(answers: pd.DataFrame) -> pd.DataFrame:
    changed = _moderated(answers)
    result = changed.groupby("organisation_name").agg(
        changed=("return_id", "size"), lowered=("lowered", "sum"),
        raised=("raised", "sum")).reset_index()
    return result.sort_values(["lowered", "organisation_name"], ascending=[False, True]) \
        .reset_index(drop=True)


# --- Year on year -----------------------------------------------------------------------

def year_on_year(current: pd.DataFrame, previous: pd.DataFrame | None,
                 renamed: dict[str, str] | None = None) -> pd.DataFrame:
    """Per organisation and section: the final score as a % of the maximum in each cycle,
    like for like (only questions asked in both, following the definition's renamed ids),
    and whether it is better, the same or worse (compared to one decimal place).

    Question ids are matched through their categories (a few hundred), never per answer:
    at national scale a per-row lookup costs more than reading both cycles."""
    columns = ["organisation_id", "organisation_name", "section_id", "section_title",
               "previous_percent", "current_percent", "change", "direction"]
    if previous is None or previous.empty or current.empty:
        return pd.DataFrame(columns=columns)
    now, before = _ScoredRows(current), _ScoredRows(previous)
    questions = now.question.categories
    # Each earlier question's id, renamed where the definition says, as a current code.
    renamed = renamed or {}
    earlier = before.question.categories
    as_current = questions.get_indexer([renamed.get(q, q) for q in earlier])
    before_codes = np.where(before.question.codes >= 0,
                            as_current[np.maximum(before.question.codes, 0)], -1)
    asked_now = np.zeros(len(questions), dtype=bool)
    asked_now[now.question.codes[now.question.codes >= 0]] = True
    asked_before = np.zeros(len(questions), dtype=bool)
    asked_before[before_codes[before_codes >= 0]] = True
    both = asked_now & asked_before
    now_codes = now.question.codes
    keep_now = (now_codes >= 0) & both[np.maximum(now_codes, 0)]
    keep_before = (before_codes >= 0) & both[np.maximum(before_codes, 0)]
    # A question's section is the one it sits in this cycle.
    section_of = np.full(len(questions), -1)
    section_of[now_codes[keep_now]] = now.section.codes[keep_now]
    keys = ["organisation_id", "section"]
    totals_now = _section_percent(pd.DataFrame({
        "organisation_id": now.organisation_id[keep_now],
        "section": now.section.codes[keep_now], "score": now.score[keep_now],
        "maximum": now.maximum[keep_now]}), keys).rename("current_percent")
    totals_before = _section_percent(pd.DataFrame({
        "organisation_id": before.organisation_id[keep_before],
        "section": section_of[before_codes[keep_before]],
        "score": before.score[keep_before], "maximum": before.maximum[keep_before]}),
        keys).rename("previous_percent")
    result = pd.concat([totals_before, totals_now], axis=1, join="inner").reset_index()
    if result.empty:
        return pd.DataFrame(columns=columns)
    names = pd.Series(now.names, index=now.organisation_id).groupby(level=0).first() \
        .astype("str")
    section_ids = np.asarray(now.section.categories, dtype=object)
    titles = np.asarray(now.titles, dtype=object)
    result["organisation_name"] = result.organisation_id.map(names)
    result["section_id"] = section_ids[result.section.to_numpy()]
    result["section_title"] = titles[result.section.to_numpy()]
    result["change"] = (result.current_percent - result.previous_percent).round(1)
    result["direction"] = np.select([result.change > 0, result.change < 0],
                                    ["better", "worse"], "same")
    order = np.full(len(section_ids), len(section_ids))
    first_seen = pd.unique(now.section.codes[keep_now])
    order[first_seen] = np.arange(len(first_seen))
    result["order"] = order[result.section.to_numpy()]
    return result.sort_values(["organisation_name", "order"])[columns].reset_index(drop=True)


class _ScoredRows:
    """The scored answers of one frame as arrays: organisation ids, names, question and
    section categoricals, section titles by section code, score and maximum."""

    def __init__(self, answers: pd.DataFrame):
        scored = answers[answers.final_score.notna() & answers.max_score.notna()]
        self.organisation_id = scored.organisation_id.to_numpy()
        self.names = scored.organisation_name.astype("object").to_numpy()
        self.question = _categorical(scored.question_id)
        self.section = _categorical(scored.section_id)
        self.score = scored.final_score.to_numpy(dtype="float64")
        self.maximum = scored.max_score.to_numpy(dtype="float64")
        titles = pd.Series(scored.section_title.astype("object").to_numpy()) \
            .groupby(self.section.codes).first()
        self.titles = titles.reindex(range(len(self.section.categories))).to_numpy()


def _categorical(series: pd.Series) -> pd.Categorical:
    return series.astype("category").array


def _section_percent(rows: pd.DataFrame, keys: list[str]) -> pd.Series:
    sums = rows.groupby(keys)[["score", "maximum"]].sum()
    sums = sums[sums.maximum > 0]
    return (100.0 * sums.score / sums.maximum).round(1)


def year_on_year_summary(changes: pd.DataFrame) -> dict[str, int]:
    counts = changes.direction.value_counts() if len(changes) else {}
    return {direction: int(counts.get(direction, 0))
            for direction in ("better", "same", "worse")}


# --- Actions ----------------------------------------------------------------------------

def open_actions(actions: pd.DataFrame) -> pd.DataFrame:
    """Action plan items not yet done, overdue first (most overdue first), then by date."""
    waiting = actions[actions.status != "done"]
    return waiting.sort_values(["overdue", "days_overdue", "target_date"],
                               ascending=[False, False, True]).reset_index(drop=True)


def key_figures(returns: pd.DataFrame, answers: pd.DataFrame,
                actions: pd.DataFrame) -> dict:
    done = completion(returns)
    rated = answers[answers.final_rag.isin(RATED)]
    bands = rated.final_rag.astype("object").value_counts()
    waiting = actions[actions.status != "done"]
    return {
        **done,
        "organisations_rated": int(answers.return_id.nunique()),
        "answers_rated": len(rated),
        "percent_green": percent(int(bands.get("green", 0)), len(rated)),
        "percent_amber": percent(int(bands.get("amber", 0)), len(rated)),
        "percent_red": percent(int(bands.get("red", 0)), len(rated)),
        "moderated": int((answers.moderated_value.notna()).sum()),
        "open_actions": len(waiting),
        "overdue_actions": int(waiting.overdue.sum()) if len(waiting) else 0,
    }
