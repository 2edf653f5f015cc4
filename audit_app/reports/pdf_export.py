"""The QA report as a PDF for a board paper (DESIGN §6): a cover with the key figures, charts
of completion and of ratings by section, the organisation × section heatmap, the weakest
questions, the returns not yet submitted, year on year and a note on method.

It prints aggregates only, so a national cycle of 25,000 returns makes a PDF of a few pages
as quickly as a partnership's: lists are capped ("and N more") and the heatmap groups
organisations when there are too many to list. Every name and question passes through
``escape`` before it reaches reportlab's Paragraph markup, and colours always come with
words."""
import pandas as pd
from reportlab.lib.pagesizes import A4, landscape
from reportlab.lib.units import mm
from reportlab.platypus import (BaseDocTemplate, Frame, KeepTogether, NextPageTemplate,
                                PageBreak, PageTemplate, Paragraph, Spacer, Table)

from ..pdf_fonts import FONT, register_fonts
from ..timeutil import format_date, format_datetime
from . import analysis
from .export_common import (filters_text, grouped_answers, no_returns, organisation_groups,
                            scored_codebook, status_words, summarise_changes)
from .pdf_charts import (GREY, MARGIN, NumberedCanvas, count_bars, data_table, heatmap_table,
                         known, make_styles, number, pairs_table, pct, rag_stacked_bars, text)
from .rating import RAG_LABELS

# Above this many organisations the heatmap groups them: more would not fit a board paper.
HEATMAP_ORGANISATION_LIMIT = 60
NON_RETURNER_ROWS = 25
WEAKEST = 10


def _cover(report, figures: dict, styles, width: float) -> list:
    definition = report.definition
    story = [Spacer(1, 18 * mm),
             Paragraph("Safeguarding self-audit: quality assurance report", styles["kicker"]),
             Paragraph(text(report.cycle.partnership.name), styles["title"]),
             Paragraph(text(report.cycle.name), styles["subtitle"]),
             Paragraph(text(f"{definition.title} ({definition.key} {definition.version})"),
                       styles["body"]),
             Spacer(1, 4 * mm)]
    details = [["Report date", format_date(report.today)],
               ["Figures as at", format_datetime(report.generated_at)],
               ["Organisations included", filters_text(report.filters)],
               ["Compared with", report.previous.name if report.previous is not None
                else "No previous cycle"]]
    story.append(pairs_table(details, styles, width))
    story += [Paragraph("Key figures", styles["h2"]), _key_figures(figures, styles, width)]
    if not figures["expected"]:
        story.append(Paragraph(no_returns(report) + ", so there is nothing to report.",
                               styles["body"]))
    elif not figures["answers_rated"]:
        story.append(Paragraph("No return has been submitted yet, so there are no ratings "
                               "to report.", styles["body"]))
    return story


def _key_figures(figures: dict, styles, width: float) -> Table:
    not_yet = figures["counts"]["not_started"] + figures["counts"]["in_progress"]
    rows = [["Figure", "Value"],
            ["Returns expected (withdrawn returns left out)", number(figures["expected"])],
            ["Returns submitted",
             f"{figures['submitted']:,} ({pct(figures['percent_submitted'])})"],
            ["Submitted by the due date",
             f"{figures['on_time']:,} ({pct(figures['percent_on_time'])})"],
            ["Not yet submitted", number(not_yet)],
            ["Organisations with rated answers", number(figures["organisations_rated"])],
            ["Answers rated", number(figures["answers_rated"])],
            ["Rated green (compliant)", pct(figures["percent_green"])],
            ["Rated amber", pct(figures["percent_amber"])],
            ["Rated red", pct(figures["percent_red"])],
            ["Answers given a rating by a reviewer", number(figures["moderated"])],
            ["Action plan items not done",
             f"{figures['open_actions']:,} ({figures['overdue_actions']:,} overdue)"]]
    return data_table(rows, [width * 0.6, width * 0.4], styles, numeric_from=1)


def _completion(report, figures: dict, styles, width: float) -> list:
    story = [Paragraph("Completion", styles["h2"])]
    if not figures["expected"]:
        return story + [Paragraph(no_returns(report) + ".", styles["body"])]
    counts, expected = figures["counts"], figures["expected"]
    order = ("accepted", "submitted", "returned", "in_progress", "not_started")
    rows = [{"label": status_words(status), "count": counts[status], "total": expected}
            for status in order]
    story += [Paragraph(f"{figures['submitted']:,} of {expected:,} expected returns "
                        f"({pct(figures['percent_submitted'])}) have been submitted; "
                        f"{figures['on_time']:,} were submitted by their due date.",
                        styles["body"]),
              Paragraph("Returns by status", styles["h3"]),
              count_bars(rows, width, "Returns, of all expected")]
    by_group = analysis.completion_by(_with_groups(report.returns), "report_group")
    if len(by_group):
        bars = [{"label": str(row.group), "count": int(row.submitted),
                 "total": int(row.expected)} for row in by_group.itertuples()]
        rows = [["Type group or sector", "Expected", "Submitted", "% submitted", "By due date"]]
        rows += [[str(row.group), number(int(row.expected)), number(int(row.submitted)),
                  pct(row.percent_submitted), number(int(row.on_time))]
                 for row in by_group.itertuples()]
        story += [Paragraph("Returns submitted by type of organisation", styles["h3"]),
                  count_bars(bars, width, "Submitted, of those expected"), Spacer(1, 4),
                  data_table(rows, [width * 0.44] + [width * 0.14] * 4, styles, numeric_from=1)]
    return story


def _with_groups(returns: pd.DataFrame) -> pd.DataFrame:
    groups = organisation_groups(returns)
    return returns.assign(report_group=groups.reindex(returns.organisation_id).to_numpy())


def _ratings(report, styles, width: float) -> list:
    story = [Paragraph("Ratings by section", styles["h2"])]
    # Sections without a scored question (e.g. facts about the organisation) have no bands.
    sections = analysis.rag_by_section(report.answers, scored_codebook(report))
    if not int(sections.rated.sum()):
        return story + [Paragraph("There are no rated answers yet.", styles["body"])]
    short = {section.id: section.short_title for section in report.definition.sections}
    bars = [{"label": short.get(row.section_id, row.section_title),
             "green": known(row.percent_green), "amber": known(row.percent_amber),
             "red": known(row.percent_red)}
            for row in sections.itertuples()]
    rows = [["Section", "Green", "Amber", "Red", "N/A", "% green", "% amber", "% red"]]
    rows += [[str(row.section_title), number(int(row.green)), number(int(row.amber)),
              number(int(row.red)), number(int(row.na)), pct(row.percent_green),
              pct(row.percent_amber), pct(row.percent_red)] for row in sections.itertuples()]
    # The heading, its sentence and the chart stay on one page.
    return [KeepTogether(story + [
        Paragraph("The final rating of every rated answer, as a share of the section's "
                  "rated answers.", styles["body"]),
        rag_stacked_bars(bars, width)]), Spacer(1, 6),
        data_table(rows, [width * 0.3] + [width * 0.1] * 7, styles, numeric_from=1)]


def _weakest(report, styles, width: float) -> list:
    weakest, _ = analysis.question_ranking(report.answers, report.codebook, WEAKEST)
    title = f"The {len(weakest)} weakest questions" if len(weakest) > 1 else \
        "The weakest questions"
    story = [Paragraph(title, styles["h2"])]
    if not len(weakest):
        return story + [Paragraph("There are no rated answers yet.", styles["body"])]
    rows = [["No.", "Question", "Section", "Rated", "Red", "% compliant"]]
    rows += [[str(int(row.position)), str(row.question_text), str(row.section_title),
              number(int(row.rated)), number(int(row.red)), pct(row.percent_compliant)]
             for row in weakest.itertuples()]
    story.append(Paragraph("By the share of rated answers that are compliant (green), lowest "
                           "first.", styles["body"]))
    widths = [width * share for share in (0.06, 0.47, 0.2, 0.08, 0.07, 0.12)]
    return story + [data_table(rows, widths, styles, numeric_from=3)]


def _heatmap(report, styles, width: float) -> list:
    answers = report.answers
    organisations = int(answers.organisation_id.nunique())
    story = [Paragraph("Ratings by organisation and section", styles["h2"])]
    if not organisations:
        return story + [Paragraph("There are no rated answers yet.", styles["body"])]
    story.append(Paragraph(
        "Each cell shows the worst final rating in the section, with the number of red "
        "answers in brackets, and the % of rated answers that are compliant. N/A: not "
        "applicable.", styles["body"]))
    if organisations <= HEATMAP_ORGANISATION_LIMIT:
        return story + [_heatmap_table(analysis.heatmap(answers), report, "Organisation",
                                       styles, width)]
    frame = grouped_answers(answers, organisation_groups(report.returns))
    story += [Paragraph(
        f"There are {organisations:,} organisations with rated answers, too many to list "
        f"one to a row, so schools are grouped by type group and agencies by sector "
        f"(the spreadsheet export lists every organisation).", styles["body"]),
        _heatmap_table(analysis.heatmap(frame, by="group"), report,
                       "Type group or sector", styles, width)]
    authorities = report.returns.set_index("organisation_id").local_authority
    authorities = authorities[~authorities.index.duplicated()]
    if 1 < authorities.nunique() <= HEATMAP_ORGANISATION_LIMIT:
        frame = grouped_answers(answers, authorities.astype("object").fillna("Not recorded"))
        story += [Paragraph("By local authority", styles["h3"]),
                  _heatmap_table(analysis.heatmap(frame, by="group"), report,
                                 "Local authority", styles, width)]
    return story


def _heatmap_table(cells: pd.DataFrame, report, first: str, styles, width: float):
    short = {section.id: section.short_title for section in report.definition.sections}
    grid = analysis.heatmap_grid(cells, scored_codebook(report))
    return heatmap_table(grid, short, first, styles, width)


def _non_returners(report, styles, width: float) -> list:
    waiting = analysis.non_returners(report.returns)
    story = [Paragraph("Returns not yet submitted", styles["h2"])]
    if not len(waiting):
        return story + [Paragraph("Every expected return has been submitted.",
                                  styles["body"])]
    overdue = int((waiting.days_overdue > 0).sum())
    story.append(Paragraph(f"{len(waiting):,} returns are not yet submitted; {overdue:,} of "
                           "them are past their due date. Most overdue first.",
                           styles["body"]))
    shown = waiting.head(NON_RETURNER_ROWS)
    rows = [["Organisation", "Type", "Status", "Due date", "Days overdue"]]
    rows += [[str(row.organisation_name), _group_of(row), status_words(row.return_status),
              format_date(row.due_date), number(int(row.days_overdue))]
             for row in shown.itertuples()]
    widths = [width * share for share in (0.34, 0.26, 0.13, 0.16, 0.11)]
    story.append(data_table(rows, widths, styles, numeric_from=4))
    if len(waiting) > len(shown):
        story.append(Paragraph(f"… and {len(waiting) - len(shown):,} more not yet submitted "
                               "(the spreadsheet export lists them all).", styles["body"]))
    return story


def _group_of(row) -> str:
    """A school's type group, else the organisation's kind ("Agency")."""
    if row.organisation_kind == "school" and isinstance(row.type_group, str):
        return row.type_group
    kind = row.organisation_kind
    return kind.capitalize() if isinstance(kind, str) else ""


def _year_on_year(report, styles, width: float) -> list:
    story = [Paragraph("Year on year", styles["h2"])]
    if report.previous is None:
        return story + [Paragraph("There is no previous cycle of this questionnaire to "
                                  "compare with.", styles["body"])]
    changes = analysis.year_on_year(report.answers, report.previous_answers, report.renamed)
    if not len(changes):
        return story + [Paragraph(f"No organisation has rated answers in both "
                                  f"{text(report.previous.name)} and "
                                  f"{text(report.cycle.name)} yet.", styles["body"])]
    summary = analysis.year_on_year_summary(changes)
    story.append(Paragraph(
        f"Compared with {text(report.previous.name)}, like for like, for "
        f"{changes.organisation_id.nunique():,} organisations: of {len(changes):,} "
        f"sections rated in both cycles, {summary['better']:,} did better, "
        f"{summary['same']:,} the same and {summary['worse']:,} worse.", styles["body"]))
    by_section = summarise_changes(changes, ["section_title"])
    rows = [["Section", "Compared", "Better", "Same", "Worse",
             f"{report.previous.name} %", f"{report.cycle.name} %"]]
    rows += [[str(row.section_title), number(int(row.compared)), number(int(row.better)),
              number(int(row.same)), number(int(row.worse)), pct(row.previous_percent),
              pct(row.current_percent)] for row in by_section.itertuples()]
    widths = [width * 0.3] + [width * 0.1] * 4 + [width * 0.15] * 2
    return story + [data_table(rows, widths, styles, numeric_from=1)]


def _method(report, styles) -> list:
    labels = ", ".join(RAG_LABELS[band] for band in ("green", "amber", "red"))
    notes = [
        "Ratings count the latest submission of every return that has been submitted, "
        "returned for changes or accepted. Completion counts every return except withdrawn "
        "ones; a return is on time when it was first submitted by its due date (or its "
        "extension).",
        "The final rating of an answer is the reviewer's moderated rating where a reviewer "
        "gave one for the answer as it now stands, and the organisation's own rating "
        "otherwise.",
        f"Bands ({labels}) come from the questionnaire's own scales: an answer the scale "
        "marks as compliant is Green, the lowest score on the scale is Red and any score "
        "between is Amber. Not applicable answers are shown but left out of every "
        "percentage.",
        "Year on year compares each organisation's final score as a percentage of the "
        "maximum, section by section, like for like: only questions asked in both cycles "
        "count, following the questionnaire's renamed question ids. A change of less than "
        "0.1 percentage points counts as the same.",
        f"Organisations included: {filters_text(report.filters)}. Figures are as at "
        f"{format_datetime(report.generated_at)} (UK time).",
    ]
    return [Paragraph("How these figures are made", styles["h2"])] + [
        Paragraph(text(note), styles["body"]) for note in notes]


# --- The document -----------------------------------------------------------------------

def _footer(words: str):
    def draw(canvas, document):
        canvas.saveState()
        canvas.setFont(FONT, 8)
        canvas.setFillColor(GREY)
        canvas.drawString(MARGIN, 9 * mm, words[:110])
        canvas.restoreState()
    return draw


def write_pdf(report, target) -> None:
    """Write the report to ``target`` (a path or a binary file object)."""
    register_fonts()
    styles = make_styles()
    partnership = report.cycle.partnership.name
    document = BaseDocTemplate(
        target, pagesize=A4, leftMargin=MARGIN, rightMargin=MARGIN, topMargin=MARGIN,
        bottomMargin=MARGIN + 4 * mm, title=f"{report.cycle.name}: quality assurance report",
        author=partnership, subject=report.definition.title)
    footer = _footer(f"{partnership} · {report.cycle.name} · Quality assurance report")
    wide = landscape(A4)
    document.addPageTemplates([
        PageTemplate("page", [Frame(MARGIN, MARGIN + 4 * mm, A4[0] - 2 * MARGIN,
                                    A4[1] - 2 * MARGIN - 4 * mm, id="page")],
                     onPage=footer, pagesize=A4),
        PageTemplate("wide", [Frame(MARGIN, MARGIN + 4 * mm, wide[0] - 2 * MARGIN,
                                    wide[1] - 2 * MARGIN - 4 * mm, id="wide")],
                     onPage=footer, pagesize=wide)])
    width, wide_width = A4[0] - 2 * MARGIN, wide[0] - 2 * MARGIN
    figures = analysis.key_figures(report.returns, report.answers, report.actions)
    story = (_cover(report, figures, styles, width) + [PageBreak()]
             + _completion(report, figures, styles, width)
             + _ratings(report, styles, width)
             + [KeepTogether(_weakest(report, styles, width))]
             + [NextPageTemplate("wide"), PageBreak()] + _heatmap(report, styles, wide_width)
             + [NextPageTemplate("page"), PageBreak()]
             + _non_returners(report, styles, width)
             + _year_on_year(report, styles, width) + _method(report, styles))
    document.build(story, canvasmaker=NumberedCanvas)
