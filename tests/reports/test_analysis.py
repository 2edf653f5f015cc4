"""Every report figure on small hand-made frames whose answers are worked out by hand.

Three schools answer a five-question, two-section questionnaire (plus one unscored number):

    final ratings    q1  q2  q3 | q4  q5      moderated (self -> reviewer)
    Ash Academy      G   G   A  | R   na
    Birch Primary    A   G   G  | G   G       q1 G->A, q2 A->G, q3 G->G (no change)
    Cedar School     R   G   G  | A   R       q4 G->A, q5 A->R

Scores: green 3 (compliant), amber 1, red 0, not applicable not counted."""
from datetime import date

import numpy as np
import pandas as pd
import pytest

from audit_app.reports import analysis
from audit_app.reports.frame import ANSWER_COLUMNS
from audit_app.reports.rating import RAG_ORDER

pytestmark = pytest.mark.no_db

SCALE = {"green": (3.0, True), "amber": (1.0, False), "red": (0.0, False)}
SECTIONS = {"s1": "Leadership", "s2": "Training"}
# question id -> (section, position, scored)
QUESTIONS = {"q1": ("s1", 1, True), "q2": ("s1", 2, True), "q3": ("s1", 3, True),
             "q4": ("s2", 4, True), "q5": ("s2", 5, True), "q6": ("s2", 6, False)}
ORGANISATIONS = {
    "Ash Academy": dict(organisation_id=1, return_id=11, organisation_kind="school",
                        type_group="Academies", phase="Secondary", trust="Oak Trust",
                        locality="North"),
    "Birch Primary": dict(organisation_id=2, return_id=12, organisation_kind="school",
                          type_group="Local authority maintained schools", phase="Primary",
                          trust=None, locality="South"),
    "Cedar School": dict(organisation_id=3, return_id=13, organisation_kind="school",
                         type_group=None, phase="Primary", trust=None, locality=None),
}
CURRENT = [
    ("Ash Academy", "q1", "green", None), ("Ash Academy", "q2", "green", None),
    ("Ash Academy", "q3", "amber", None), ("Ash Academy", "q4", "red", None),
    ("Ash Academy", "q5", "na", None), ("Ash Academy", "q6", "12", None),
    ("Birch Primary", "q1", "green", "amber"), ("Birch Primary", "q2", "amber", "green"),
    ("Birch Primary", "q3", "green", "green"), ("Birch Primary", "q4", "green", None),
    ("Birch Primary", "q5", "green", None),
    ("Cedar School", "q1", "red", None), ("Cedar School", "q2", "green", None),
    ("Cedar School", "q3", "green", None), ("Cedar School", "q4", "green", "amber"),
    ("Cedar School", "q5", "amber", "red"),
]


# --- Builders: frames with the columns and dtypes of frame.py's ---------------------------

def codebook(questions=QUESTIONS) -> pd.DataFrame:
    return pd.DataFrame([
        {"question_id": question, "position": position, "section_id": section,
         "section_title": SECTIONS[section], "question_text": f"Question {question}",
         "type": "rating" if scored else "number", "scale": "rag" if scored else "",
         "scored": scored, "maximum_score": 3.0 if scored else None, "options": "",
         "reference": ""}
        for question, (section, position, scored) in questions.items()])


def _rating(question: str, value):
    if value is None:
        return np.nan, None, pd.NA
    if not QUESTIONS.get(question, ("", 0, True))[2]:
        return np.nan, None, pd.NA
    if value == "na":
        return np.nan, "na", pd.NA
    score, compliant = SCALE[value]
    return score, {"green": "green", "amber": "amber", "red": "red"}[value], compliant


def answers_of(rows, organisations=ORGANISATIONS, questions=QUESTIONS,
               cycle_id=1) -> pd.DataFrame:
    """rows: (organisation name, question id, self value, moderated value or None)."""
    records = []
    for name, question, self_value, moderated in rows:
        final = moderated if moderated is not None else self_value
        self_score, self_rag, _ = _rating(question, self_value)
        final_score, final_rag, compliant = _rating(question, final)
        section, position, scored = questions.get(question, ("s1", 99, True))
        records.append({
            "cycle_id": cycle_id, "cycle_name": f"Cycle {cycle_id}", "questionnaire": "s175",
            "organisation_name": name, "legal_basis": "s175", "local_authority": "Testshire",
            "sector": None, **organisations[name], "return_status": "accepted",
            "submission_number": 1, "submitted_at": pd.Timestamp("2025-11-01", tz="UTC"),
            "accepted_at": pd.NaT, "section_id": section,
            "section_title": SECTIONS.get(section, section), "question_id": question,
            "question_position": position, "self_value": self_value,
            "self_score": self_score, "self_rag": self_rag, "moderated_value": moderated,
            "final_value": final, "final_score": final_score,
            "max_score": 3.0 if scored and not np.isnan(final_score) else np.nan,
            "final_compliant": compliant, "final_rag": final_rag})
    frame = pd.DataFrame(records, columns=ANSWER_COLUMNS)
    for column in ("cycle_name", "questionnaire", "organisation_name", "organisation_kind",
                   "type_group", "phase", "legal_basis", "trust", "local_authority",
                   "locality", "sector", "return_status", "section_id", "section_title",
                   "question_id", "self_value", "moderated_value", "final_value"):
        frame[column] = frame[column].astype("category")
    for column in ("self_rag", "final_rag"):
        frame[column] = pd.Categorical(frame[column], categories=RAG_ORDER)
    frame["final_compliant"] = frame.final_compliant.astype("boolean")
    for column in ("self_score", "final_score", "max_score"):
        frame[column] = frame[column].astype("float64")
    return frame


RETURN_COLUMNS = ["cycle_id", "cycle_name", "return_id", "return_status", "submission_number",
                  "first_submitted_at", "last_submitted_at", "accepted_at", "organisation_id",
                  "organisation_name", "organisation_kind", "type_group", "phase",
                  "legal_basis", "trust", "local_authority", "locality", "sector",
                  "due_date", "submitted_on_time", "days_overdue"]


def returns_of(rows) -> pd.DataFrame:
    """rows: (name, status, type group, phase, on time, days overdue)."""
    due = date(2025, 12, 1)
    records = [{"cycle_id": 1, "cycle_name": "Cycle 1", "return_id": number,
                "return_status": status, "submission_number": 0,
                "first_submitted_at": pd.NaT, "last_submitted_at": pd.NaT,
                "accepted_at": pd.NaT, "organisation_id": number, "organisation_name": name,
                "organisation_kind": "school", "type_group": group, "phase": phase,
                "legal_basis": "s175", "trust": None, "local_authority": "Testshire",
                "locality": "North", "sector": None, "due_date": due,
                "submitted_on_time": on_time, "days_overdue": overdue}
               for number, (name, status, group, phase, on_time, overdue)
               in enumerate(rows, start=1)]
    frame = pd.DataFrame(records, columns=RETURN_COLUMNS)
    for column in ("cycle_name", "organisation_name", "organisation_kind", "type_group",
                   "phase", "legal_basis", "trust", "local_authority", "locality", "sector",
                   "return_status"):
        frame[column] = frame[column].astype("category")
    frame["submitted_on_time"] = frame.submitted_on_time.astype(bool)
    frame["days_overdue"] = frame.days_overdue.astype("int64")
    return frame


MAINTAINED = "Local authority maintained schools"
RETURNS = [
    ("Ash Academy", "accepted", "Academies", "Secondary", True, 0),
    ("Birch Primary", "submitted", MAINTAINED, "Primary", False, 0),
    ("Cedar School", "returned", None, "Primary", True, 0),
    ("Dell Infants", "not_started", MAINTAINED, "Primary", False, 10),
    ("Elder College", "in_progress", None, "Secondary", False, 3),
    # Submitted on time before it was withdrawn: it must count nowhere.
    ("Fir Academy", "withdrawn", "Academies", "Secondary", True, 0),
    ("Gorse Juniors", "not_started", MAINTAINED, "Primary", False, 10),
]

ACTION_COLUMNS = ["action_id", "return_id", "organisation_name", "organisation_kind",
                  "type_group", "phase", "trust", "locality", "question_id", "description",
                  "owner", "target_date", "status", "completed_at", "overdue",
                  "days_overdue"]


def actions_of(rows) -> pd.DataFrame:
    """rows: (action id, status, target date, overdue, days overdue)."""
    return pd.DataFrame([
        {"action_id": action_id, "return_id": 11, "organisation_name": "Ash Academy",
         "organisation_kind": "school", "type_group": "Academies", "phase": "Secondary",
         "trust": "Oak Trust", "locality": "North", "question_id": "q3",
         "description": "Train governors", "owner": "Head", "target_date": target,
         "status": status, "completed_at": pd.NaT, "overdue": overdue,
         "days_overdue": days}
        for action_id, status, target, overdue, days in rows], columns=ACTION_COLUMNS)


ACTIONS = [
    (1, "done", date(2025, 10, 1), False, 0),
    (2, "open", date(2025, 11, 20), True, 5),
    (3, "in_progress", date(2025, 11, 5), True, 20),
    (4, "open", date(2026, 3, 1), False, 0),
    (5, "open", date(2026, 1, 15), False, 0),
]


@pytest.fixture
def answers():
    return answers_of(CURRENT)


def _records(frame, columns):
    return [tuple(row) for row in frame[columns].itertuples(index=False)]


# --- Completion -------------------------------------------------------------------------

def test_completion_counts_and_percent_on_time_leave_out_the_withdrawn():
    done = analysis.completion(returns_of(RETURNS))
    assert done["counts"] == {"not_started": 2, "in_progress": 1, "submitted": 1,
                              "returned": 1, "accepted": 1, "withdrawn": 1}
    assert (done["expected"], done["submitted"], done["on_time"]) == (6, 3, 2)
    assert (done["percent_submitted"], done["percent_on_time"]) == (50.0, 33.3)


def test_completion_by_group_puts_organisations_without_a_value_under_not_recorded():
    table = analysis.completion_by(returns_of(RETURNS), "type_group")
    assert _records(table, ["group", "expected", "submitted", "on_time",
                            "percent_submitted", "percent_on_time"]) == [
        ("Academies", 1, 1, 1, 100.0, 100.0),
        (MAINTAINED, 3, 1, 0, 33.3, 0.0),
        ("Not recorded", 2, 1, 1, 50.0, 50.0)]


def test_completion_by_phase():
    table = analysis.completion_by(returns_of(RETURNS), "phase")
    assert _records(table, ["group", "expected", "submitted"]) == [
        ("Primary", 4, 2), ("Secondary", 2, 1)]


def test_non_returners_most_overdue_first_then_by_name():
    table = analysis.non_returners(returns_of(RETURNS))
    assert _records(table, ["organisation_name", "days_overdue", "return_status"]) == [
        ("Dell Infants", 10, "not_started"), ("Gorse Juniors", 10, "not_started"),
        ("Elder College", 3, "in_progress")]


def test_percent_of_nothing_is_none():
    assert analysis.percent(0, 0) is None
    assert analysis.percent(1, 3) == 33.3


# --- Ratings ----------------------------------------------------------------------------

def test_band_counts_per_section_leave_unscored_questions_out(answers):
    table = analysis.rag_by_section(answers, codebook())
    assert _records(table, ["section_id", "section_title", "green", "amber", "red", "na",
                            "rated"]) == [("s1", "Leadership", 6, 2, 1, 0, 9),
                                          ("s2", "Training", 2, 1, 2, 1, 5)]
    assert _records(table, ["percent_green", "percent_amber", "percent_red"]) == [
        (66.7, 22.2, 11.1), (40.0, 20.0, 40.0)]


def test_a_section_nobody_answered_is_listed_with_no_answers(answers):
    book = pd.concat([codebook(), pd.DataFrame([{
        "question_id": "q9", "position": 9, "section_id": "s9", "section_title": "Online",
        "question_text": "Question q9", "scored": True}])], ignore_index=True)
    last = analysis.rag_by_section(answers, book).iloc[-1]
    assert (last.section_id, last.rated, last.green) == ("s9", 0, 0)
    assert pd.isna(last.percent_green)


def test_heatmap_worst_band_and_reds_per_organisation_and_section(answers):
    cells = analysis.heatmap(answers)
    assert _records(cells, ["group", "section_id", "worst", "reds", "rated", "compliant",
                            "percent_compliant"]) == [
        ("Ash Academy", "s1", "amber", 0, 3, 2, 66.7),
        ("Ash Academy", "s2", "red", 1, 1, 0, 0.0),
        ("Birch Primary", "s1", "amber", 0, 3, 2, 66.7),
        ("Birch Primary", "s2", "green", 0, 2, 2, 100.0),
        ("Cedar School", "s1", "red", 1, 3, 2, 66.7),
        ("Cedar School", "s2", "red", 1, 2, 0, 0.0)]


def test_heatmap_by_type_group_aggregates_and_names_the_missing_group(answers):
    cells = analysis.heatmap(answers, by="type_group")
    assert _records(cells, ["group", "section_id", "worst", "reds", "rated"]) == [
        ("Academies", "s1", "amber", 0, 3), ("Academies", "s2", "red", 1, 1),
        (MAINTAINED, "s1", "amber", 0, 3), (MAINTAINED, "s2", "green", 0, 2),
        ("Not recorded", "s1", "red", 1, 3), ("Not recorded", "s2", "red", 1, 2)]


def test_a_cell_of_only_not_applicable_answers_is_not_applicable():
    cells = analysis.heatmap(answers_of([("Ash Academy", "q5", "na", None)]))
    assert _records(cells, ["group", "worst", "reds", "rated", "percent_compliant"]) == [
        ("Ash Academy", "na", 0, 0, None)]


def test_heatmap_grid_rows_by_group_with_cells_by_section(answers):
    sections, rows = analysis.heatmap_grid(analysis.heatmap(answers), codebook())
    assert [section.section_id for section in sections] == ["s1", "s2"]
    assert [row["group"] for row in rows] == ["Ash Academy", "Birch Primary", "Cedar School"]
    assert rows[2]["cells"]["s2"] == {"worst": "red", "reds": 1, "percent_compliant": 0.0}


def test_question_table_counts_bands_and_percent_compliant(answers):
    table = analysis.question_table(answers, codebook())
    assert _records(table, ["question_id", "green", "amber", "red", "na", "rated",
                            "percent_compliant"]) == [
        ("q1", 1, 1, 1, 0, 3, 33.3), ("q2", 3, 0, 0, 0, 3, 100.0),
        ("q3", 2, 1, 0, 0, 3, 66.7), ("q4", 1, 1, 1, 0, 3, 33.3),
        ("q5", 1, 0, 1, 1, 2, 50.0)]


def test_weakest_and_strongest_questions_ties_in_questionnaire_order(answers):
    weakest, strongest = analysis.question_ranking(answers, codebook())
    assert list(weakest.question_id) == ["q1", "q4", "q5", "q3", "q2"]
    assert list(strongest.question_id) == ["q2", "q3", "q5", "q1", "q4"]
    weakest, strongest = analysis.question_ranking(answers, codebook(), count=2)
    assert (list(weakest.question_id), list(strongest.question_id)) == (["q1", "q4"],
                                                                       ["q2", "q3"])


def test_a_question_with_only_not_applicable_answers_is_not_ranked():
    weakest, strongest = analysis.question_ranking(
        answers_of([("Ash Academy", "q5", "na", None), ("Ash Academy", "q1", "red", None)]),
        codebook())
    assert list(weakest.question_id) == list(strongest.question_id) == ["q1"]


# --- Optimism ---------------------------------------------------------------------------

def test_optimism_by_question_counts_lowered_and_raised_not_unchanged(answers):
    table = analysis.optimism_by_question(answers, codebook())
    assert _records(table, ["question_id", "changed", "lowered", "raised", "rated",
                            "percent_lowered"]) == [
        ("q1", 1, 1, 0, 3, 33.3), ("q4", 1, 1, 0, 3, 33.3), ("q5", 1, 1, 0, 2, 50.0),
        ("q2", 1, 0, 1, 3, 0.0)]
    assert "q3" not in set(table.question_id)  # moderated to the same rating: no change


def test_optimism_by_organisation_most_lowered_first(answers):
    table = analysis.optimism_by_organisation(answers)
    assert _records(table, ["organisation_name", "changed", "lowered", "raised"]) == [
        ("Cedar School", 2, 2, 0), ("Birch Primary", 2, 1, 1)]


def test_optimism_ties_are_broken_by_name():
    table = analysis.optimism_by_organisation(answers_of([
        ("Cedar School", "q1", "green", "amber"), ("Ash Academy", "q1", "green", "red")]))
    assert list(table.organisation_name) == ["Ash Academy", "Cedar School"]


# --- Year on year -----------------------------------------------------------------------

PREVIOUS_QUESTIONS = {**QUESTIONS, "q1_old": ("s1", 1, True), "q_gone": ("s2", 6, True)}
PREVIOUS = [
    ("Ash Academy", "q1_old", "green", None), ("Ash Academy", "q2", "amber", None),
    ("Ash Academy", "q4", "red", None), ("Ash Academy", "q5", "red", None),
    ("Ash Academy", "q_gone", "red", None),
    ("Birch Primary", "q1_old", "green", None), ("Birch Primary", "q2", "green", None),
    ("Birch Primary", "q4", "green", None), ("Birch Primary", "q5", "na", None),
]


def previous_answers():
    return answers_of(PREVIOUS, questions=PREVIOUS_QUESTIONS, cycle_id=0)


def test_year_on_year_like_for_like_following_renamed_ids(answers):
    """Like for like: q1 (q1_old last year), q2, q4 and q5. q3 (new) and q_gone (dropped)
    are left out; so is Cedar, which did not answer last year. Ash s1: 4/6 -> 6/6; Birch
    s1: 6/6 -> 4/6; s2 stays at 0/6 for Ash and at 100% for Birch, whose "not applicable"
    last year counts for nothing rather than as a zero."""
    changes = analysis.year_on_year(answers, previous_answers(), {"q1_old": "q1"})
    assert _records(changes, ["organisation_name", "section_id", "section_title",
                              "previous_percent", "current_percent", "change",
                              "direction"]) == [
        ("Ash Academy", "s1", "Leadership", 66.7, 100.0, 33.3, "better"),
        ("Ash Academy", "s2", "Training", 0.0, 0.0, 0.0, "same"),
        ("Birch Primary", "s1", "Leadership", 100.0, 66.7, -33.3, "worse"),
        ("Birch Primary", "s2", "Training", 100.0, 100.0, 0.0, "same")]
    assert analysis.year_on_year_summary(changes) == {"better": 1, "same": 2, "worse": 1}


def test_year_on_year_without_the_mapping_leaves_the_renamed_question_out(answers):
    changes = analysis.year_on_year(answers, previous_answers())
    ash = changes[(changes.organisation_name == "Ash Academy") & (changes.section_id == "s1")]
    # Only q2 is like for like: amber (1/3) then green (3/3).
    assert _records(ash, ["previous_percent", "current_percent", "change"]) == [
        (33.3, 100.0, 66.7)]


def test_year_on_year_with_no_previous_cycle_is_empty(answers):
    for previous in (None, previous_answers().iloc[0:0]):
        changes = analysis.year_on_year(answers, previous, {})
        assert changes.empty and "direction" in changes.columns
    assert analysis.year_on_year_summary(analysis.year_on_year(answers, None)) == {
        "better": 0, "same": 0, "worse": 0}


def test_year_on_year_with_no_question_in_common_is_empty(answers):
    previous = answers_of([("Ash Academy", "q_gone", "red", None)],
                          questions=PREVIOUS_QUESTIONS)
    assert analysis.year_on_year(answers, previous, {}).empty


# --- Filters ----------------------------------------------------------------------------

def test_filter_options_are_the_values_present_sorted():
    options = analysis.filter_options(returns_of(RETURNS))
    assert options["type_group"] == ["Academies", MAINTAINED]
    assert options["phase"] == ["Primary", "Secondary"]
    assert options["kind"] == ["school"]
    assert options["trust"] == []


def test_filters_match_any_value_of_one_filter_and_every_filter(answers):
    returns = returns_of(RETURNS)
    academies = analysis.apply_filters(returns, {"type_group": ["Academies"]})
    assert list(academies.organisation_name) == ["Ash Academy", "Fir Academy"]
    either = analysis.apply_filters(returns, {"type_group": ["Academies", MAINTAINED],
                                              "phase": ["Primary"]})
    assert list(either.organisation_name) == ["Birch Primary", "Dell Infants",
                                              "Gorse Juniors"]
    north = analysis.apply_filters(answers, {"locality": ["North"]})
    assert set(north.organisation_name) == {"Ash Academy"} and len(north) == 6


def test_a_filter_value_that_matches_nothing_gives_empty_frames(answers):
    assert analysis.apply_filters(returns_of(RETURNS), {"phase": ["Nursery"]}).empty
    assert analysis.apply_filters(answers, {"trust": ["No such trust"]}).empty
    assert analysis.apply_filters(actions_of(ACTIONS), {"locality": ["East"]}).empty


def test_unknown_filters_and_empty_values_are_ignored(answers):
    returns = returns_of(RETURNS)
    assert len(analysis.apply_filters(returns, {"colour": ["red"], "phase": []})) == 7
    assert len(analysis.apply_filters(answers, {"colour": ["red"]})) == len(answers)


# --- Actions and key figures -------------------------------------------------------------

def test_open_actions_most_overdue_first_then_by_target_date():
    table = analysis.open_actions(actions_of(ACTIONS))
    assert list(table.action_id) == [3, 2, 5, 4]


def test_key_figures(answers):
    figures = analysis.key_figures(returns_of(RETURNS), answers, actions_of(ACTIONS))
    assert (figures["expected"], figures["submitted"], figures["on_time"]) == (6, 3, 2)
    assert (figures["organisations_rated"], figures["answers_rated"]) == (3, 14)
    assert (figures["percent_green"], figures["percent_amber"],
            figures["percent_red"]) == (57.1, 21.4, 21.4)
    assert (figures["moderated"], figures["open_actions"],
            figures["overdue_actions"]) == (5, 4, 2)


# --- Nothing at all ---------------------------------------------------------------------

def test_every_figure_of_empty_frames_is_empty_and_raises_nothing():
    returns, answers, actions = returns_of([]), answers_of([]), actions_of([])
    book = codebook()
    done = analysis.completion(returns)
    assert (done["expected"], done["percent_submitted"], done["percent_on_time"]) == (
        0, None, None)
    assert analysis.completion_by(returns, "type_group").empty
    assert analysis.non_returners(returns).empty
    assert analysis.filter_options(returns) == {name: [] for name in analysis.FILTER_COLUMNS}
    assert analysis.apply_filters(returns, {"phase": ["Primary"]}).empty
    sections = analysis.rag_by_section(answers, book)
    assert list(sections.section_id) == ["s1", "s2"] and sections.rated.sum() == 0
    assert analysis.heatmap(answers).empty
    assert analysis.heatmap_grid(analysis.heatmap(answers), book)[1] == []
    assert (analysis.question_table(answers, book).rated == 0).all()
    weakest, strongest = analysis.question_ranking(answers, book)
    assert weakest.empty and strongest.empty
    assert analysis.optimism_by_question(answers, book).empty
    assert analysis.optimism_by_organisation(answers).empty
    assert analysis.year_on_year(answers, answers, {}).empty
    assert analysis.open_actions(actions).empty
    figures = analysis.key_figures(returns, answers, actions)
    assert (figures["answers_rated"], figures["percent_green"], figures["open_actions"],
            figures["overdue_actions"]) == (0, None, 0, 0)


def test_a_cycle_where_nobody_has_submitted_has_no_ratings():
    returns = returns_of([row for row in RETURNS if row[1] in ("not_started", "in_progress")])
    answers = answers_of([])
    assert analysis.completion(returns)["percent_submitted"] == 0.0
    assert analysis.key_figures(returns, answers, actions_of([]))["organisations_rated"] == 0
    assert analysis.year_on_year(answers, previous_answers(), {"q1_old": "q1"}).empty
