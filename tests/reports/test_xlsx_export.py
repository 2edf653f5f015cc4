"""The XLSX export opened with openpyxl: its sheets, headers, frozen panes and filters, known
counts, RAG fills with their words, neutralised text, and grouping at scale."""
from datetime import datetime
from io import BytesIO

import numpy as np
import openpyxl
import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from audit_app.reports.services import load_report
from audit_app.reports.xlsx_export import HEATMAP_ORGANISATION_LIMIT, _cells, write_xlsx
from audit_app.spreadsheet_safety import FORMULA_STARTS, PLAIN_NUMBER, neutralise
from tests.reports.conftest import hand_school
from tests.reports.report_builders import HOSTILE_NAME, RATED, known_cycle
from tests.returns.submission_builders import submission_cycle

SHEETS = ["Summary", "By section", "Heatmap", "Questions", "Returns", "Actions",
          "Year on year", "Codebook"]
GREEN, AMBER, RED, NA = 0, 1, 2, 3


def workbook_of(report):
    buffer = BytesIO()
    write_xlsx(report, buffer)
    buffer.seek(0)
    return openpyxl.load_workbook(buffer)


def header_row(sheet):
    """The row number and values of the sheet's header (the row above the frozen pane)."""
    number = sheet[sheet.freeze_panes].row - 1
    return number, [cell.value for cell in sheet[number]]


def rows_below_header(sheet):
    number, header = header_row(sheet)
    return [dict(zip(header, row)) for row in
            sheet.iter_rows(min_row=number + 1, values_only=True) if any(row)]


def summary_values(book) -> dict:
    return {row["Item"]: row["Value"] for row in rows_below_header(book["Summary"])}


def notes(sheet) -> str:
    number, _ = header_row(sheet)
    return " ".join(str(sheet.cell(row, 1).value) for row in range(1, number)
                    if sheet.cell(row, 1).value)


# On the database: the small known cycle ------------------------------------------------

def test_the_known_cycle_as_a_workbook(partnership, school, make_user):
    report = load_report(known_cycle(partnership, school, make_user, hostile_submits=True))
    book = workbook_of(report)
    assert book.sheetnames == SHEETS
    assert header_row(book["By section"]) == (1, [
        "Section id", "Section", "Green", "Amber", "Red", "Not applicable", "Rated",
        "% green", "% amber", "% red"])
    assert book["By section"].freeze_panes == "C2"
    assert book["Returns"].freeze_panes == "B2"
    assert book["Returns"].auto_filter.ref == "A1:R4"
    summary = summary_values(book)
    assert summary["Partnership"] == "Testshire Safeguarding Children Partnership"
    assert summary["Cycle"] == "S175 audit 2025-26"
    assert summary["Returns submitted (including returned and accepted)"] == 3
    assert (summary["Returns now submitted"], summary["Returns now accepted"]) == (3, 0)
    assert summary["Filters applied"] == "All organisations (no filters)"
    assert isinstance(summary["Generated at (UK time)"], datetime)
    # Oak's answer was moderated to amber, Elm rated everything amber, the third school green.
    question = next(row for row in rows_below_header(book["Questions"])
                    if row["Question id"] == RATED)
    assert (question["Green"], question["Amber"], question["Red"], question["Rated"]) == \
        (1, 2, 0, 3)
    assert question["% compliant"] == pytest.approx(33.3)


def test_a_formula_looking_name_is_stored_as_neutralised_text(partnership, school,
                                                              make_user):
    report = load_report(known_cycle(partnership, school, make_user, hostile_submits=True))
    book = workbook_of(report)
    for sheet_name in ("Returns", "Heatmap"):
        sheet = book[sheet_name]
        cells = [row[0] for row in sheet.iter_rows(min_col=1, max_col=1)]
        hostile = [cell for cell in cells if cell.value and "HYPERLINK" in str(cell.value)]
        assert [cell.value for cell in hostile] == ["'" + HOSTILE_NAME]
        assert hostile[0].data_type == "s"


def test_returns_carry_dates_as_dates_and_numbers_as_numbers(partnership, school, make_user):
    report = load_report(known_cycle(partnership, school, make_user))
    returns = rows_below_header(workbook_of(report)["Returns"])
    waiting = next(row for row in returns if row["Status"] == "In progress")
    assert isinstance(waiting["Due date"], datetime) and waiting["First submitted"] is None
    assert isinstance(waiting["Days overdue"], int)
    assert {row["Status"] for row in returns} == {"Submitted", "In progress"}


def test_a_cycle_with_no_returns_gives_a_valid_workbook_saying_so(partnership, tmp_path):
    report = load_report(submission_cycle(partnership, name="Empty audit"))
    path = tmp_path / "empty.xlsx"
    write_xlsx(report, path)
    book = openpyxl.load_workbook(path)
    assert book.sheetnames == SHEETS
    summary = summary_values(book)
    assert summary["Returns expected (not withdrawn)"] == 0
    assert "no submitted returns" in summary["Note"]
    assert "no submitted returns" in notes(book["Heatmap"])
    assert rows_below_header(book["Returns"]) == []
    assert notes(book["Returns"]) == "There are no returns in this cycle yet."
    assert "no previous cycle" in str(book["Year on year"]["A1"].value)


# On hand-made frames ------------------------------------------------------------------

def test_a_red_cell_has_its_fill_and_its_words(hand_made_report):
    organisations = [hand_school(1, "Ash School"), hand_school(2, "=SUM(A1:A9)"),
                     hand_school(3, "Birch School")]
    report = hand_made_report(organisations)
    bands = np.full((3, len(report.codebook[report.codebook.scored])), GREEN)
    bands[1, :2] = RED       # two reds in the first section
    bands[2, 0] = AMBER
    book = workbook_of(hand_made_report(organisations, bands))
    sheet = book["Heatmap"]
    number, header = header_row(sheet)
    assert header[:2] == ["Organisation", "Leadership"]
    rows = {row[0].value: row for row in sheet.iter_rows(min_row=number + 1)}
    assert set(rows) == {"Ash School", "'=SUM(A1:A9)", "Birch School"}
    red = rows["'=SUM(A1:A9)"][1]
    assert red.value == "Red (2)"
    assert red.fill.fgColor.rgb == "FFF4CDC6" and red.font.color.rgb == "FF942514"
    assert rows["Birch School"][1].value == "Amber"
    assert rows["Birch School"][1].fill.fgColor.rgb == "FFFFF7BF"
    assert rows["Ash School"][1].value == "Green"
    sections = {row["Section id"]: row for row in rows_below_header(book["By section"])}
    assert (sections["leadership"]["Red"], sections["leadership"]["Amber"]) == (2, 1)


# Text that XML can carry (the XLSX format cannot hold most control characters at all).
CELL_TEXT = st.one_of(
    st.text(st.characters(blacklist_categories=("Cs", "Cc")), min_size=1),
    st.builds(lambda start, rest: start + rest, st.sampled_from(["=", "+", "-", "@"]),
              st.text(st.characters(blacklist_categories=("Cs", "Cc")))))


@settings(max_examples=25, deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(name=CELL_TEXT)
def test_any_organisation_name_reaches_the_cell_neutralised(hand_made_report, name):
    book = workbook_of(hand_made_report([hand_school(1, name, return_status="not_started")]))
    cell = book["Returns"]["A2"]
    assert cell.data_type == "s" and cell.value == neutralise(name)
    assert not cell.value.startswith(FORMULA_STARTS) or PLAIN_NUMBER.fullmatch(cell.value)


@given(st.lists(st.one_of(st.none(), st.text()), max_size=5))
def test_text_columns_are_neutralised_once_per_value(values):
    for series in (pd.Series(values, dtype=object), pd.Series(values, dtype="category")):
        assert _cells(series, "text") == [None if value is None else neutralise(value)
                                          for value in values]


def test_filters_and_text_are_written_as_given(hand_made_report, hand_made_schools):
    report = hand_made_report(hand_made_schools(2), filters={"phase": ["Primary"]},
                              actions=[{
                                  "action_id": 1, "return_id": 1001,
                                  "organisation_name": "School 00001",
                                  "question_id": RATED, "description": "@cmd /c calc",
                                  "owner": "-Head", "target_date": datetime(2026, 2, 1).date(),
                                  "status": "open", "completed_at": None, "overdue": False,
                                  "days_overdue": 0}])
    book = workbook_of(report)
    assert summary_values(book)["Filters applied"] == "Phase: Primary"
    action = rows_below_header(book["Actions"])[0]
    assert (action["Action"], action["Owner"]) == ("'@cmd /c calc", "'-Head")
    assert action["Target date"] == datetime(2026, 2, 1)


def test_year_on_year_names_the_previous_cycle(hand_made_report, hand_made_schools):
    report = hand_made_report(hand_made_schools(1))
    scored = len(report.codebook[report.codebook.scored])
    before = np.full((1, scored), AMBER)
    book = workbook_of(hand_made_report(hand_made_schools(1), np.zeros((1, scored)), before))
    sheet = book["Year on year"]
    assert "Compared with S175 audit 2024-25" in notes(sheet)
    rows = rows_below_header(sheet)
    assert len(rows) == len(report.definition.sections)
    assert {row["Direction"] for row in rows} == {"Better"}
    assert rows[0]["S175 audit 2024-25 %"] == pytest.approx(33.3)
    assert rows[0]["S175 audit 2025-26 %"] == 100


def test_no_previous_cycle_is_said_in_a_sentence(hand_made_report, hand_made_schools):
    book = workbook_of(hand_made_report(hand_made_schools(1)))
    sheet = book["Year on year"]
    assert sheet["A1"].value == "There is no previous cycle of this questionnaire to " \
        "compare with."
    assert sheet.max_row == 1


def test_nothing_submitted_yet(hand_made_report, hand_made_schools):
    book = workbook_of(hand_made_report(hand_made_schools(3, return_status="not_started")))
    assert summary_values(book)["Organisations with rated answers"] == 0
    assert "no submitted returns" in notes(book["By section"])
    overdue = rows_below_header(book["Returns"])[0]
    assert (overdue["Status"], overdue["Days overdue"]) == ("Not started", 5)


@pytest.mark.parametrize("count, grouped", [(HEATMAP_ORGANISATION_LIMIT - 1, False),
                                            (HEATMAP_ORGANISATION_LIMIT, True)])
def test_heatmap_and_year_on_year_group_organisations_above_the_limit(hand_made_report, count,
                                                                      grouped):
    """``count`` schools and one agency: above the limit, schools by type group and the
    agency by its sector."""
    organisations = [hand_school(number, type_group="Academies" if number % 2 else
                                 "Special schools") for number in range(1, count + 1)]
    organisations.append(hand_school(count + 1, "Testshire Police", organisation_kind="agency",
                                     type_group=None, sector="Police"))
    scored = len(hand_made_report(organisations[:1]).codebook.query("scored"))
    bands = np.zeros((count + 1, scored))
    book = workbook_of(hand_made_report(organisations, bands, bands))
    heatmap, changes = book["Heatmap"], book["Year on year"]
    rows, compared = rows_below_header(heatmap), rows_below_header(changes)
    if grouped:
        assert "too many to list" in notes(heatmap)
        assert [row["Type group or sector"] for row in rows] == [
            "Academies", "Police", "Special schools"]
        assert [row["Organisations"] for row in rows] == [(count + 1) // 2, 1, count // 2]
        assert "too many to list" in notes(changes)
        assert len(compared) == 3 * 15
        assert compared[0]["Organisations compared"] == (count + 1) // 2
        assert compared[0]["Same"] == (count + 1) // 2
    else:
        assert "too many to list" not in notes(heatmap) + notes(changes)
        assert len(rows) == count + 1 and rows[0]["Organisation"] == "School 00001"
        assert len(compared) == (count + 1) * 15
