"""The QA report as an Excel workbook (DESIGN §6): Summary, By section, Heatmap, Questions,
Returns, Actions, Year on year and Codebook sheets, every figure from ``analysis``.

XlsxWriter's constant-memory mode streams each row to disk as it is written, so rows are
written strictly in order and a national cycle stays within memory. The long per-answer
table is not here (Excel stops at 1,048,576 rows): the CSV export carries it. Every text
cell goes through ``neutralise`` and ``write_string``, so nothing typed by an organisation
is ever read as a formula or a link; numbers and dates are written as such."""
from datetime import date, datetime

import numpy as np
import pandas as pd
import xlsxwriter

from ..cycles.transitions import STATUS_WORDS
from ..spreadsheet_safety import neutralise
from ..timeutil import LONDON
from . import analysis
from .export_common import (BAND_COLOURS, filters_text, grouped_answers, no_returns,
                            organisation_groups, scored_codebook, status_words,
                            summarise_changes)
from .rating import RAG_LABELS

# Above this many organisations the heatmap shows groups, not one row per organisation.
HEATMAP_ORGANISATION_LIMIT = 500
MAX_WIDTH = 60
EXCEL_EPOCH = pd.Timestamp("1899-12-30")
# Column widths are measured on the first rows only: enough to judge, cheap at any size.
WIDTH_SAMPLE_ROWS = 2000


def band_text(worst, reds) -> str:
    """A heatmap cell's words: 'Red (2)' says the worst band and how many answers are red."""
    label = RAG_LABELS.get(worst, str(worst))
    return f"{label} ({int(reds)})" if worst == "red" else label


class _Sheet:
    """One worksheet written top to bottom: notes, a header row, then typed rows."""

    def __init__(self, book: "_Book", name: str):
        self.book, self.sheet = book, book.workbook.add_worksheet(name)
        self.row, self.widths, self.header_row, self.columns = 0, {}, None, 0

    def note(self, text: str, style: str = "note") -> None:
        self.sheet.write_string(self.row, 0, neutralise(text), self.book.formats[style])
        self.row += 1

    def blank(self) -> None:
        self.row += 1

    def header(self, names: list[str]) -> None:
        for column, name in enumerate(names):
            name = neutralise(name)
            self.sheet.write_string(self.row, column, name, self.book.formats["header"])
            self._measure(column, name)
        self.header_row, self.columns = self.row, len(names)
        self.row += 1

    def write_row(self, values, kinds) -> None:
        for column, (value, kind) in enumerate(zip(values, kinds)):
            self.cell(column, value, kind)
        self.row += 1

    def cell(self, column: int, value, kind: str = "text", cell_format=None) -> None:
        if _missing(value):
            return
        formats = self.book.formats
        if kind == "text":
            text = neutralise(str(value))
            self.sheet.write_string(self.row, column, text, cell_format)
            if self.row < WIDTH_SAMPLE_ROWS:
                self._measure(column, text)
        elif kind in ("date", "datetime"):
            self.sheet.write_datetime(self.row, column, _local(value), formats[kind])
            self._measure(column, "00/00/0000 00:00" if kind == "datetime" else "00/00/0000")
        else:
            self.sheet.write_number(self.row, column, float(value), formats.get(kind))
            if self.row < WIDTH_SAMPLE_ROWS:
                self._measure(column, f"{value:,}")

    def frame(self, frame: pd.DataFrame, spec: list[tuple[str, str, str]]) -> None:
        """Write ``frame`` under a header: spec is (header, column, kind) per column. Each
        column is converted once (text neutralised per distinct value, dates to Excel's
        serial numbers), so the loop over rows only hands values to XlsxWriter."""
        self.header([header for header, _, _ in spec])
        columns = [_cells(frame[column], kind) for _, column, kind in spec]
        writers = [self.sheet.write_string if kind == "text" else self.sheet.write_number
                   for _, _, kind in spec]
        formats = [self.book.formats.get(kind) for _, _, kind in spec]
        for number, (values, (_, _, kind)) in enumerate(zip(columns, spec)):
            if kind in ("date", "datetime"):
                self._measure(number, "00 Mmm 0000 00:00" if kind == "datetime" else
                              "00 Mmm 0000")
                continue
            for value in values[:WIDTH_SAMPLE_ROWS]:
                if value is not None:
                    self._measure(number, value if kind == "text" else f"{value:,.1f}")
        triples = list(zip(range(len(spec)), writers, formats))
        row = self.row
        for values in zip(*columns):
            for (column, write, cell_format), value in zip(triples, values):
                if value is not None:
                    write(row, column, value, cell_format)
            row += 1
        self.row = row

    def finish(self, freeze_columns: int = 0) -> None:
        for column, width in self.widths.items():
            self.sheet.set_column(column, column, min(width + 2, MAX_WIDTH))
        if self.header_row is not None:
            self.sheet.freeze_panes(self.header_row + 1, freeze_columns)
            if self.columns:
                self.sheet.autofilter(self.header_row, 0, max(self.row - 1, self.header_row),
                                      self.columns - 1)

    def _measure(self, column: int, text: str) -> None:
        longest = max((len(line) for line in text.split("\n")), default=0)
        if longest > self.widths.get(column, 0):
            self.widths[column] = longest


class _Book:
    def __init__(self, target):
        self.workbook = xlsxwriter.Workbook(target, {"constant_memory": True})
        add = self.workbook.add_format
        self.formats = {
            "header": add({"bold": True, "text_wrap": True, "valign": "top",
                           "bottom": 1, "bg_color": "#f3f2f1"}),
            "note": add({"italic": True}),
            "title": add({"bold": True, "font_size": 14}),
            "int": add({"num_format": "#,##0"}),
            "number": add({"num_format": "0.0"}),
            "percent": add({"num_format": "0.0"}),
            "date": add({"num_format": "d mmm yyyy"}),
            "datetime": add({"num_format": "d mmm yyyy hh:mm"}),
        }
        for band, (fill, ink) in BAND_COLOURS.items():
            self.formats[band] = add({"bg_color": fill, "font_color": ink, "border": 1,
                                      "border_color": "#ffffff"})

    def sheet(self, name: str) -> _Sheet:
        return _Sheet(self, name)


def write_xlsx(report, target) -> None:
    """Write the workbook to ``target`` (a path or a binary file object)."""
    book = _Book(target)
    try:
        _summary(book.sheet("Summary"), report)
        _by_section(book.sheet("By section"), report)
        _heatmap(book.sheet("Heatmap"), report)
        _questions(book.sheet("Questions"), report)
        _returns(book.sheet("Returns"), report)
        _actions(book.sheet("Actions"), report)
        _year_on_year(book.sheet("Year on year"), report)
        _codebook(book.sheet("Codebook"), report)
    finally:
        book.workbook.close()


NOTHING_RATED = "There are no submitted returns to report yet, so there are no ratings."


def _summary(sheet: _Sheet, report) -> None:
    figures = analysis.key_figures(report.returns, report.answers, report.actions)
    definition = report.definition
    sheet.note(report.title, "title")
    sheet.blank()
    sheet.header(["Item", "Value"])
    rows = [
        ("Partnership", report.cycle.partnership.name, "text"),
        ("Cycle", report.cycle.name, "text"),
        ("Questionnaire", f"{definition.title} ({definition.key} {definition.version})",
         "text"),
        ("Generated at (UK time)", report.generated_at, "datetime"),
        ("Report date", report.today, "date"),
        ("Filters applied", filters_text(report.filters), "text"),
        ("Previous cycle", report.previous.name if report.previous is not None
         else "No previous cycle", "text"),
        ("Returns expected (not withdrawn)", figures["expected"], "int"),
    ]
    rows += [(f"Returns now {STATUS_WORDS[status]}", count, "int")
             for status, count in figures["counts"].items()]
    rows += [
        ("Returns submitted (including returned and accepted)", figures["submitted"], "int"),
        ("% of expected returns submitted", figures["percent_submitted"], "percent"),
        ("Returns submitted by the due date", figures["on_time"], "int"),
        ("% submitted by the due date", figures["percent_on_time"], "percent"),
        ("Organisations with rated answers", figures["organisations_rated"], "int"),
        ("Answers rated green, amber or red", figures["answers_rated"], "int"),
        ("% green", figures["percent_green"], "percent"),
        ("% amber", figures["percent_amber"], "percent"),
        ("% red", figures["percent_red"], "percent"),
        ("Answers given a rating by a reviewer", figures["moderated"], "int"),
        ("Action plan items not done", figures["open_actions"], "int"),
        ("Action plan items overdue", figures["overdue_actions"], "int"),
    ]
    for label, value, kind in rows:
        sheet.write_row([label, value], ["text", kind])
    if not figures["answers_rated"]:
        sheet.write_row(["Note", NOTHING_RATED], ["text", "text"])
    sheet.widths[1] = min(max(sheet.widths.get(1, 0), 20), MAX_WIDTH)
    sheet.finish()


def _by_section(sheet: _Sheet, report) -> None:
    table = analysis.rag_by_section(report.answers, report.codebook)
    if not len(report.answers):
        sheet.note(NOTHING_RATED)
    sheet.frame(table, [
        ("Section id", "section_id", "text"), ("Section", "section_title", "text"),
        ("Green", "green", "int"), ("Amber", "amber", "int"), ("Red", "red", "int"),
        ("Not applicable", "na", "int"), ("Rated", "rated", "int"),
        ("% green", "percent_green", "percent"), ("% amber", "percent_amber", "percent"),
        ("% red", "percent_red", "percent")])
    sheet.finish(freeze_columns=2)


def _heatmap(sheet: _Sheet, report) -> None:
    answers = report.answers
    organisations = int(answers.organisation_id.nunique())
    aggregated = organisations > HEATMAP_ORGANISATION_LIMIT
    if aggregated:
        frame = grouped_answers(answers, organisation_groups(report.returns))
        cells = analysis.heatmap(frame, by="group")
        counts = frame.groupby("group", observed=True).organisation_id.nunique()
        first = "Type group or sector"
    else:
        cells = analysis.heatmap(answers)
        counts = None
        first = "Organisation"
    sheet.note("Each cell is the worst final rating in the section; the number in "
               "brackets after Red is how many answers are red.")
    if aggregated:
        sheet.note(f"There are {organisations:,} organisations, too many to list one to a "
                   "row, so schools are grouped by type group and agencies by sector.")
    if not len(cells):
        sheet.note(NOTHING_RATED)
    sections, rows = analysis.heatmap_grid(cells, scored_codebook(report))
    short = {section.id: section.short_title for section in report.definition.sections}
    headers = [first] + (["Organisations"] if aggregated else [])
    start = len(headers)
    sheet.header(headers + [short.get(item.section_id, item.section_title)
                            for item in sections])
    formats = sheet.book.formats
    for row in rows:
        sheet.cell(0, row["group"])
        if aggregated:
            sheet.cell(1, int(counts.get(row["group"], 0)), "int")
        for offset, item in enumerate(sections):
            cell = row["cells"].get(item.section_id)
            if cell is not None:
                sheet.cell(start + offset, band_text(cell["worst"], cell["reds"]), "text",
                           formats.get(cell["worst"]))
        sheet.row += 1
    for offset in range(len(sections)):
        sheet.widths[start + offset] = max(sheet.widths.get(start + offset, 0), 12)
    sheet.finish(freeze_columns=1)


def _questions(sheet: _Sheet, report) -> None:
    table = analysis.question_table(report.answers, report.codebook)
    sheet.frame(table, [
        ("Position", "position", "int"), ("Question id", "question_id", "text"),
        ("Section", "section_title", "text"), ("Question", "question_text", "text"),
        ("Green", "green", "int"), ("Amber", "amber", "int"), ("Red", "red", "int"),
        ("Not applicable", "na", "int"), ("Rated", "rated", "int"),
        ("% compliant", "percent_compliant", "percent")])
    sheet.finish(freeze_columns=2)


def _returns(sheet: _Sheet, report) -> None:
    returns = report.returns.copy()
    returns["status_words"] = [status_words(s) for s in returns.return_status]
    returns["on_time"] = ["Yes" if on_time else "No" for on_time in returns.submitted_on_time]
    if not len(returns):
        sheet.note(no_returns(report) + ".")
    sheet.frame(returns, [
        ("Organisation", "organisation_name", "text"), ("Kind", "organisation_kind", "text"),
        ("Type group", "type_group", "text"), ("Phase", "phase", "text"),
        ("Legal basis", "legal_basis", "text"), ("Trust", "trust", "text"),
        ("Local authority", "local_authority", "text"), ("Locality", "locality", "text"),
        ("Sector", "sector", "text"), ("Status", "status_words", "text"),
        ("Submission number", "submission_number", "int"), ("Due date", "due_date", "date"),
        ("First submitted", "first_submitted_at", "datetime"),
        ("Last submitted", "last_submitted_at", "datetime"),
        ("Accepted", "accepted_at", "datetime"),
        ("Submitted by the due date", "on_time", "text"),
        ("Days overdue", "days_overdue", "int"), ("Return id", "return_id", "int")])
    sheet.finish(freeze_columns=1)


def _actions(sheet: _Sheet, report) -> None:
    actions = report.actions.copy()
    actions["status_words"] = [str(s).replace("_", " ").capitalize() for s in actions.status]
    actions["overdue_words"] = ["Yes" if late else "No" for late in actions.overdue]
    if not len(actions):
        sheet.note("There are no action plan items.")
    sheet.frame(actions, [
        ("Organisation", "organisation_name", "text"), ("Type group", "type_group", "text"),
        ("Question id", "question_id", "text"), ("Action", "description", "text"),
        ("Owner", "owner", "text"), ("Target date", "target_date", "date"),
        ("Status", "status_words", "text"), ("Completed", "completed_at", "datetime"),
        ("Overdue", "overdue_words", "text"), ("Days overdue", "days_overdue", "int")])
    sheet.finish(freeze_columns=1)


def _year_on_year(sheet: _Sheet, report) -> None:
    if report.previous is None:
        sheet.note("There is no previous cycle of this questionnaire to compare with.")
        sheet.finish()
        return
    changes = analysis.year_on_year(report.answers, report.previous_answers, report.renamed)
    sheet.note(f"Compared with {report.previous.name}: the final score as a % of the "
               "maximum, counting only questions asked in both cycles.")
    if not len(changes):
        sheet.note("No organisation has rated answers in both cycles yet.")
    previous, current = f"{report.previous.name} %", f"{report.cycle.name} %"
    organisations = changes.organisation_id.nunique() if len(changes) else 0
    if organisations > HEATMAP_ORGANISATION_LIMIT:
        # One row per organisation and section would be hundreds of thousands of rows.
        sheet.note(f"There are {organisations:,} organisations, too many to list one to a "
                   "row, so schools are grouped by type group and agencies by sector; "
                   "the % columns are averages over the organisations compared.")
        groups = organisation_groups(report.returns)
        changes = changes.assign(group=groups.reindex(changes.organisation_id).to_numpy())
        sheet.frame(summarise_changes(changes, ["group", "section_title"]), [
            ("Type group or sector", "group", "text"), ("Section", "section_title", "text"),
            ("Organisations compared", "compared", "int"), ("Better", "better", "int"),
            ("Same", "same", "int"), ("Worse", "worse", "int"),
            (previous, "previous_percent", "percent"),
            (current, "current_percent", "percent")])
    else:
        changes = changes.assign(
            direction_words=changes.direction.astype(str).str.capitalize())
        sheet.frame(changes, [
            ("Organisation", "organisation_name", "text"),
            ("Section", "section_title", "text"), (previous, "previous_percent", "percent"),
            (current, "current_percent", "percent"), ("Change (points)", "change", "number"),
            ("Direction", "direction_words", "text")])
    sheet.finish(freeze_columns=1)


def _codebook(sheet: _Sheet, report) -> None:
    book = report.codebook.assign(
        scored_words=["Yes" if scored else "No" for scored in report.codebook.scored])
    sheet.frame(book, [
        ("Question id", "question_id", "text"), ("Position", "position", "int"),
        ("Section id", "section_id", "text"), ("Section", "section_title", "text"),
        ("Question", "question_text", "text"), ("Type", "type", "text"),
        ("Scale", "scale", "text"), ("Scored", "scored_words", "text"),
        ("Maximum score", "maximum_score", "number"), ("Options", "options", "text"),
        ("Reference", "reference", "text")])
    sheet.finish(freeze_columns=1)


def _cells(series: pd.Series, kind: str) -> list:
    """A column as the values XlsxWriter takes, None where empty: neutralised text, numbers,
    and dates and times as Excel serial numbers (days since 30 December 1899, Europe/London
    time) for a date format to show."""
    if kind == "text":
        if isinstance(series.dtype, pd.CategoricalDtype):
            categories = [neutralise(str(value)) for value in series.cat.categories]
            return [None if code < 0 else categories[code]
                    for code in series.cat.codes.to_numpy()]
        return [None if _missing(value) else neutralise(str(value)) for value in series]
    if kind in ("date", "datetime"):
        moments = pd.to_datetime(series.astype(object) if kind == "date" else series)
        if getattr(moments.dt, "tz", None) is not None:
            moments = moments.dt.tz_convert(LONDON).dt.tz_localize(None)
        serials = (moments - EXCEL_EPOCH) / pd.Timedelta(days=1)
        return [None if np.isnan(value) else value for value in serials.to_numpy("float64")]
    numbers = pd.to_numeric(series, errors="coerce").to_numpy("float64", na_value=np.nan)
    return [None if np.isnan(value) else value for value in numbers.tolist()]


def _missing(value) -> bool:
    if value is None or value is pd.NaT or value is pd.NA:
        return True
    return isinstance(value, float) and np.isnan(value)


def _local(value) -> datetime:
    """A naive Europe/London datetime for Excel, which has no time zones."""
    if isinstance(value, datetime):
        if value.tzinfo is not None:
            value = value.astimezone(LONDON)
        return value.replace(tzinfo=None)
    if isinstance(value, date):
        return datetime(value.year, value.month, value.day)
    return pd.Timestamp(value).to_pydatetime()
