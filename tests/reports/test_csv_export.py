"""CSV: the long frame parsed back, the codebook beside it, and formula neutralising."""
import csv

import pandas as pd
from hypothesis import given
from hypothesis import strategies as st

from audit_app.reports.csv_export import codebook_path, write_csv, write_frame_csv
from audit_app.reports.frame import ANSWER_COLUMNS
from audit_app.reports.services import load_report
from audit_app.spreadsheet_safety import FORMULA_STARTS, PLAIN_NUMBER, neutralise
from tests.reports.report_builders import RATED, known_cycle


def test_codebook_path_takes_a_suffix_before_the_extension(tmp_path):
    assert codebook_path(tmp_path / "out.csv") == tmp_path / "out-codebook.csv"
    assert codebook_path(tmp_path / "answers") == tmp_path / "answers-codebook.csv"


def test_the_csv_parses_back_to_the_frame(partnership, school, make_user, tmp_path):
    report = load_report(known_cycle(partnership, school, make_user))
    answers, book = write_csv(report, tmp_path / "out.csv")
    back = pd.read_csv(answers)
    assert list(back.columns) == ANSWER_COLUMNS
    assert len(back) == len(report.answers) > 0
    oak = back[(back.organisation_name == "Oak Tree Primary School")
               & (back.question_id == RATED)].iloc[0]
    assert (oak.self_value, oak.moderated_value, oak.final_value) == ("green", "amber", "amber")
    assert (oak.self_score, oak.final_score, oak.max_score) == (3.0, 1.0, 3.0)
    assert not oak.final_compliant and oak.final_rag == "amber"
    codebook = pd.read_csv(book)
    assert RATED in set(codebook.question_id)
    assert set(back.question_id) <= set(codebook.question_id)


def test_text_cells_are_neutralised_and_numbers_stay_numbers(tmp_path):
    frame = pd.DataFrame({
        "name": ["=1+2", "@SUM(A1)", "+44 161", "-3", "Plain", "\tTab", None],
        "kind": pd.Categorical(["=cmd", "-5", "ok", "ok", "ok", "ok", None]),
        "score": [1.5, -2.0, None, 3.0, 0.0, 1.0, 2.0]})
    write_frame_csv(frame, tmp_path / "out.csv")
    with open(tmp_path / "out.csv", newline="") as handle:
        rows = list(csv.DictReader(handle))
    assert [row["name"] for row in rows] == ["'=1+2", "'@SUM(A1)", "'+44 161", "-3", "Plain",
                                             "'\tTab", ""]
    assert [row["kind"] for row in rows][:2] == ["'=cmd", "-5"]
    assert [row["score"] for row in rows][:3] == ["1.5", "-2", ""]


@given(st.text())
def test_no_neutralised_text_can_start_a_formula(text):
    safe = neutralise(text)
    assert not safe.startswith(FORMULA_STARTS) or PLAIN_NUMBER.fullmatch(safe)
    assert safe in (text, "'" + text)


@given(st.one_of(st.integers(), st.floats(allow_nan=False)))
def test_numbers_are_never_changed(number):
    assert neutralise(number) == number
    assert neutralise(str(number)) in (str(number), "'" + str(number))
    if PLAIN_NUMBER.fullmatch(str(number)):
        assert neutralise(str(number)) == str(number)


def test_times_are_utc_iso_8601(tmp_path):
    moments = pd.to_datetime(["2026-07-01 23:30:00+00:00", None, "2026-07-01 23:30:00+00:00",
                              "2026-01-05 09:00:00+00:00"], utc=True)
    write_frame_csv(pd.DataFrame({"return_id": [1, 2, 3, 4], "submitted_at": moments}),
                    tmp_path / "times.csv")
    with open(tmp_path / "times.csv", newline="") as handle:
        assert [row["submitted_at"] for row in csv.DictReader(handle)] == [
            "2026-07-01T23:30:00Z", "", "2026-07-01T23:30:00Z", "2026-01-05T09:00:00Z"]
