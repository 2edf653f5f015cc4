"""What the spreadsheet and the PDF of the QA report share: words for statuses and filters,
the band colours, and the grouping of organisations (schools by type group, agencies by
sector) used when there are too many organisations to list one to a row."""
import numpy as np
import pandas as pd

from ..cycles.transitions import STATUS_WORDS
from .filters import filter_summary

# GOV.UK tag colours: a light fill with dark text of the same hue, always with the word.
BAND_COLOURS = {"green": ("#cce2d8", "#005a30"), "amber": ("#fff7bf", "#594d00"),
                "red": ("#f4cdc6", "#942514"), "na": ("#e5e6e7", "#0b0c0c")}


def status_words(status) -> str:
    words = STATUS_WORDS.get(str(status), str(status))
    return words[:1].upper() + words[1:]


def filters_text(filters: dict) -> str:
    """The filters applied, in the dashboard's words: 'Type of school: Academies; Phase:
    Primary'."""
    return "; ".join(filter_summary(filters)) or "All organisations (no filters)"


def no_returns(report) -> str:
    """Why there is nothing to list: an empty cycle, or filters that match no return."""
    if report.filters:
        return "No return in this cycle matches the filters applied"
    return "There are no returns in this cycle yet"


def scored_codebook(report) -> pd.DataFrame:
    """The codebook's scored questions: the sections a heatmap or a chart of bands shows."""
    return report.codebook[report.codebook.scored.astype(bool)]


def organisation_groups(returns: pd.DataFrame) -> pd.Series:
    """Each organisation's group for an aggregated heatmap: a school's type group, an
    agency's sector (else its kind), indexed by organisation id."""
    kind = returns.organisation_kind.astype("object")
    type_group = returns.type_group.astype("object")
    sector = returns.sector.astype("object")
    label = np.where(kind == "school", type_group, sector)
    label = pd.Series(label, index=returns.organisation_id.to_numpy(), dtype="object")
    fallback = kind.fillna("Not recorded").str.capitalize().to_numpy()
    label = label.where(label.notna(), pd.Series(fallback, index=label.index))
    return label[~label.index.duplicated()]


def grouped_answers(answers: pd.DataFrame, groups: pd.Series) -> pd.DataFrame:
    """The few columns a heatmap needs, with ``group`` from ``groups`` (by organisation id),
    joined through integer positions so millions of rows cost one take."""
    position = groups.index.get_indexer(answers.organisation_id.to_numpy())
    labels = pd.Categorical(groups.to_numpy(dtype=object))
    codes = np.where(position >= 0, labels.codes.take(np.maximum(position, 0)), -1) \
        if len(groups) else np.full(len(answers), -1)
    frame = answers[["organisation_id", "section_id", "section_title", "final_rag",
                     "final_compliant"]].copy()
    frame["group"] = pd.Categorical.from_codes(codes, categories=labels.categories)
    return frame


def summarise_changes(changes: pd.DataFrame, by: list[str]) -> pd.DataFrame:
    """Year-on-year changes per ``by`` (in the order first seen): how many were compared,
    how many did better, the same or worse, and the average % in each cycle."""
    columns = [*by, "compared", "better", "same", "worse", "previous_percent",
               "current_percent"]
    if not len(changes):
        return pd.DataFrame(columns=columns)
    frame = changes.assign(better=changes.direction == "better",
                           same=changes.direction == "same",
                           worse=changes.direction == "worse")
    result = frame.groupby(by, sort=False, observed=True).agg(
        compared=("organisation_id", "size"), better=("better", "sum"),
        same=("same", "sum"), worse=("worse", "sum"),
        previous_percent=("previous_percent", "mean"),
        current_percent=("current_percent", "mean")).reset_index()
    result[["previous_percent", "current_percent"]] = \
        result[["previous_percent", "current_percent"]].round(1)
    return result[columns]
