"""What the dashboard page shows, worked out from a report's frames: every number and every
bar's geometry is computed here so that the template only lays them out."""
from dataclasses import dataclass

import pandas as pd
from flask import render_template
from markupsafe import Markup

from ..cycles.views import STATUS_TAGS
from . import analysis
from .export_common import grouped_answers, organisation_groups
from .exports import FORMATS
from .filters import FILTER_LABELS, KIND_WORDS, filter_summary
from .rating import RAG_LABELS

# Above this many rated organisations, the heatmap groups them (a page of 25,000 rows helps
# nobody); the spreadsheet keeps one row per organisation.
HEATMAP_ORGANISATIONS = 60
LIST_LIMIT = 50
BANDS = ("green", "amber", "red", "na")
DIRECTION_WORDS = {"better": "Better", "same": "Same", "worse": "Worse"}


@dataclass
class Bar:
    band: str
    label: str
    count: int
    x: float        # per cent of the bar's width
    width: float
    text: str       # shown inside the segment when it is wide enough


def heatmap_grouping(answers: pd.DataFrame, returns: pd.DataFrame):
    """(each organisation's group or None, what a row is) for the heatmap and year on year:
    organisations, else, when there are too many to list, the groups the spreadsheet and PDF
    use (a school's type group, an agency's sector)."""
    if answers.organisation_id.nunique() <= HEATMAP_ORGANISATIONS:
        return None, "Organisation"
    schools = answers.organisation_kind.astype("object").eq("school")
    label = "Type of school" if schools.all() else "Sector" if not schools.any() else "Group"
    return organisation_groups(returns), label


def section_bars(sections: pd.DataFrame) -> list[dict]:
    """A stacked bar per section: green, amber, red and not applicable as % of answers."""
    rows = []
    for section in sections.itertuples(index=False):
        total = sum(getattr(section, band) for band in BANDS)
        bars, x = [], 0.0
        for band in BANDS:
            count = int(getattr(section, band))
            width = round(100.0 * count / total, 2) if total else 0.0
            share = round(width)
            text = f"{share}%" if width >= 9 else ""
            bars.append(Bar(band, RAG_LABELS[band], count, x, width, text))
            x += width
        summary = ", ".join(f"{bar.label} {bar.count}" for bar in bars)
        rows.append({"section_id": section.section_id, "title": section.section_title,
                     "bars": bars, "total": total, "summary": summary,
                     "percent_green": section.percent_green,
                     "percent_amber": section.percent_amber,
                     "percent_red": section.percent_red})
    return rows


def year_on_year_grid(changes: pd.DataFrame, codebook: pd.DataFrame) -> tuple[list, list]:
    sections = list(analysis.section_list(codebook).itertuples(index=False))
    rows: dict[str, dict] = {}
    for change in changes.itertuples(index=False):
        rows.setdefault(change.organisation_name, {})[change.section_id] = {
            "direction": change.direction, "word": DIRECTION_WORDS[change.direction],
            "change": change.change, "previous": change.previous_percent,
            "current": change.current_percent}
    return sections, [{"group": name, "cells": rows[name]} for name in sorted(rows)]


def year_on_year_group_grid(changes: pd.DataFrame, groups: pd.Series,
                            codebook: pd.DataFrame) -> tuple[list, list]:
    """Year on year when there are too many organisations to list: per group and section, how
    many organisations did better, the same or worse; the cell's colour follows the most
    common of the three."""
    sections = list(analysis.section_list(codebook).itertuples(index=False))
    if changes.empty:
        return sections, []
    counted = pd.crosstab([changes.organisation_id.map(groups), changes.section_id],
                          changes.direction)
    rows: dict[str, dict] = {}
    for (group, section_id), counts in counted.iterrows():
        numbers = {word: int(counts.get(word, 0)) for word in DIRECTION_WORDS}
        rows.setdefault(group, {})[section_id] = {
            "direction": max(numbers, key=numbers.get),
            "word": ", ".join(f"{number} {word}" for word, number in numbers.items()),
            "change": None}
    return sections, [{"group": group, "cells": rows[group]} for group in sorted(rows)]


def dashboard_html(report) -> Markup:
    """The dashboard below its heading, rendered once per version of the report's data: a
    kept report's copies share ``derived``, and nothing in it depends on who is looking (the
    policy decided that before) or on the request beyond the report's own filters."""
    html = report.derived.get("html")
    if html is None:
        rendered = render_template(
            "reports/_dashboard_content.html", report=report, cycle=report.cycle,
            formats=FORMATS, applied=filter_summary(report.filters),
            filter_labels=FILTER_LABELS, kind_words=KIND_WORDS,
            status_words={status: tag["text"] for status, tag in STATUS_TAGS.items()},
            **dashboard_context(report))
        # Safe to mark: a template's output, every value in it escaped by autoescaping.
        html = report.derived["html"] = Markup(rendered)  # nosec B704
    return html


def dashboard_context(report) -> dict:
    """Everything the dashboard shows; worked out once per version of the report's data.
    Database objects are the current request's own, so they are added afresh each time."""
    context = report.derived.get("dashboard")
    if context is None:
        context = report.derived["dashboard"] = _work_out(report)
    return {**context, "year_on_year": {**context["year_on_year"],
                                        "previous": report.previous}}


def _work_out(report) -> dict:
    answers, returns, actions = report.answers, report.returns, report.actions
    codebook = report.codebook
    groups, group_label = heatmap_grouping(answers, returns)
    cells = analysis.heatmap(answers) if groups is None \
        else analysis.heatmap(grouped_answers(answers, groups), "group")
    heat_sections, heat_rows = analysis.heatmap_grid(cells, codebook)
    weakest, strongest = analysis.question_ranking(answers, codebook)
    changes = analysis.year_on_year(answers, report.previous_answers, report.renamed)
    if groups is None:
        yoy_sections, yoy_rows = year_on_year_grid(changes, codebook)
    else:
        yoy_sections, yoy_rows = year_on_year_group_grid(changes, groups, codebook)
    waiting = analysis.non_returners(returns)
    open_items = analysis.open_actions(actions)
    schools = returns.organisation_kind.astype("object").eq("school").any()
    return {
        "figures": analysis.key_figures(returns, answers, actions),
        "completion_groups": [
            (title, analysis.completion_by(returns, column).to_dict("records"))
            for title, column in ((("Type of school", "type_group"), ("Phase", "phase"))
                                  if schools else (("Sector", "sector"),))],
        "sections": section_bars(analysis.rag_by_section(answers, codebook)),
        "heatmap": {"sections": heat_sections, "rows": heat_rows, "label": group_label,
                    "grouped": groups is not None},
        "weakest": weakest.to_dict("records"), "strongest": strongest.to_dict("records"),
        "optimism_questions": analysis.optimism_by_question(answers, codebook)
        .head(10).to_dict("records"),
        "optimism_organisations": analysis.optimism_by_organisation(answers)
        .head(10).to_dict("records"),
        "year_on_year": {"summary": analysis.year_on_year_summary(changes),
                         "sections": yoy_sections, "rows": yoy_rows, "label": group_label,
                         "grouped": groups is not None},
        "non_returners": waiting.head(LIST_LIMIT).to_dict("records"),
        "non_returners_total": len(waiting),
        "actions": open_items.head(LIST_LIMIT).to_dict("records"),
        "actions_total": len(open_items),
        "rag_labels": RAG_LABELS,
    }
