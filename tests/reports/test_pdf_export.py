"""The board-ready PDF, its text read back with pypdf: cover, key figures, charts' words,
names printed exactly as typed (markup and all), page numbers, grouping at scale."""
import re
from io import BytesIO

import numpy as np
import pypdf
import pytest

from audit_app.reports.pdf_export import (HEATMAP_ORGANISATION_LIMIT, NON_RETURNER_ROWS,
                                          write_pdf)
from audit_app.reports.services import load_report
from tests.reports.conftest import hand_school
from tests.reports.report_builders import HOSTILE_NAME, known_cycle
from tests.returns.submission_builders import submission_cycle

NON_LATIN = "Ysgol Gymraeg Ŵyddfa · Школа № 5 · Σχολείο <b>Άλφα</b> & Co"
GREEN, AMBER, RED = 0, 1, 2


def pdf_pages(report) -> list[str]:
    buffer = BytesIO()
    write_pdf(report, buffer)
    reader = pypdf.PdfReader(BytesIO(buffer.getvalue()))
    return [page.extract_text() for page in reader.pages]


def flat(text: str) -> str:
    """Text without whitespace: table cells wrap names across lines."""
    return re.sub(r"\s+", "", text)


def test_the_known_cycle_as_a_board_paper(partnership, school, make_user):
    report = load_report(known_cycle(partnership, school, make_user, hostile_submits=True))
    pages = pdf_pages(report)
    cover, everything = pages[0], "\n".join(pages)
    assert flat("Testshire Safeguarding Children Partnership") in flat(cover)
    assert "S175 audit 2025-26" in cover
    assert "Safeguarding self-audit for schools and colleges" in cover
    assert "All organisations (no filters)" in cover
    assert "Key figures" in cover
    assert re.search(r"Returns submitted\s+3 \(100\.0%\)", cover)
    assert re.search(r"Answers given a rating by a reviewer\s+1\b", cover)
    for heading in ("Completion", "Ratings by section", "The 10 weakest questions",
                    "Ratings by organisation and section", "Returns not yet submitted",
                    "Year on year", "How these figures are made"):
        assert heading in everything
    # The hostile name prints literally: its markup is text, its letters all there.
    assert flat(HOSTILE_NAME) in flat(everything)
    assert "Elm Secondary School" in everything
    # Charts carry their figures in words.
    assert "3 of 3 (100%)" in everything
    assert "Every expected return has been submitted." in everything
    assert "There is no previous cycle of this questionnaire" in everything
    total = len(pages)
    for number, page in enumerate(pages, start=1):
        assert f"Page {number} of {total}" in page


def test_names_print_in_any_script_with_their_markup(hand_made_report):
    organisations = [hand_school(1, NON_LATIN),
                     hand_school(2, NON_LATIN + " Annex", return_status="not_started")]
    everything = "\n".join(pdf_pages(hand_made_report(organisations)))
    assert flat(NON_LATIN) in flat(everything)   # in the heatmap
    assert flat(NON_LATIN + " Annex") in flat(everything)   # among the non-returners


def test_figures_and_the_weakest_questions(hand_made_report, hand_made_schools):
    report = hand_made_report(hand_made_schools(4))
    scored = report.codebook[report.codebook.scored]
    bands = np.full((4, len(scored)), GREEN)
    bands[:, 0] = RED
    bands[:2, 1] = AMBER
    pages = pdf_pages(hand_made_report(hand_made_schools(4), bands))
    cover, everything = pages[0], "\n".join(pages)
    assert "Testshire Partnership" in cover and "20 January 2026" in cover
    assert re.search(r"Answers rated\s+464\b", cover)
    weakest = everything[everything.index("The 10 weakest questions"):]
    first_question = flat(scored.iloc[0].question_text)
    assert flat(weakest).index(first_question) < flat(weakest).index(
        flat(scored.iloc[1].question_text))
    assert re.search(r"\b4\s+4\s+0\.0%", weakest)     # rated 4, red 4, 0% compliant
    assert "Red (1)" in everything                     # a heatmap cell in words


def test_an_empty_cycle_says_there_is_nothing_yet(partnership):
    pages = pdf_pages(load_report(submission_cycle(partnership, name="Empty audit")))
    everything = "\n".join(pages)
    assert "Empty audit" in pages[0]
    assert flat("There are no returns in this cycle yet, so there is nothing to report.") \
        in flat(everything)
    assert "There are no rated answers yet." in everything
    assert f"Page {len(pages)} of {len(pages)}" in pages[-1]


def test_nothing_submitted_yet(hand_made_report, hand_made_schools):
    pages = pdf_pages(hand_made_report(hand_made_schools(3, return_status="not_started")))
    everything = "\n".join(pages)
    assert "No return has been submitted yet" in pages[0]
    assert "3 returns are not yet submitted; 3 of them are past their due date." in everything


def test_the_non_returners_list_is_capped(hand_made_report, hand_made_schools):
    count = NON_RETURNER_ROWS + 15
    everything = "\n".join(pdf_pages(hand_made_report(
        hand_made_schools(count, return_status="in_progress"))))
    assert "… and 15 more not yet submitted" in everything
    assert f"School {NON_RETURNER_ROWS:05d}" in everything
    assert f"School {NON_RETURNER_ROWS + 1:05d}" not in everything


def test_year_on_year_summary(hand_made_report, hand_made_schools):
    report = hand_made_report(hand_made_schools(2))
    scored = len(report.codebook[report.codebook.scored])
    now = np.zeros((2, scored))
    before = np.full((2, scored), AMBER)
    before[1] = GREEN
    everything = "\n".join(pdf_pages(hand_made_report(hand_made_schools(2), now, before)))
    assert "Compared with S175 audit 2024-25, like for like, for 2 organisations: of 30 " \
        "sections rated in both cycles, 15 did better, 15 the same and 0 worse." in \
        " ".join(everything.split())


@pytest.mark.parametrize("count, grouped", [(HEATMAP_ORGANISATION_LIMIT, False),
                                            (HEATMAP_ORGANISATION_LIMIT + 1, True)])
def test_the_heatmap_groups_organisations_above_the_limit(hand_made_report, count, grouped):
    organisations = [hand_school(number, type_group="Academies" if number % 2 else
                                 "Special schools",
                                 local_authority="Northshire" if number % 3 else "Southshire")
                     for number in range(1, count + 1)]
    everything = "\n".join(pdf_pages(hand_made_report(organisations)))
    heatmap = everything[everything.index("Ratings by organisation and section"):
                         everything.index("Returns not yet submitted")]
    if grouped:
        assert "too many to list" in heatmap
        assert "Academies" in heatmap and "Special schools" in heatmap
        assert "By local authority" in heatmap and "Southshire" in heatmap
        assert "School 00001" not in heatmap
    else:
        assert "too many to list" not in heatmap
        assert "School 00001" in heatmap and f"School {count:05d}" in heatmap


def test_filters_are_named_on_the_cover_and_applied(partnership, school, make_user):
    cycle = known_cycle(partnership, school, make_user)
    pages = pdf_pages(load_report(cycle, filters={"phase": ["Secondary"]}))
    everything = "\n".join(pages)
    assert "Phase: Secondary" in pages[0]
    assert re.search(r"Returns expected \(withdrawn returns left out\)\s+1\b", pages[0])
    assert "Elm Secondary School" in everything and "Oak Tree" not in everything
    nothing = pdf_pages(load_report(cycle, filters={"phase": ["Nursery"]}))
    assert "Phase: Nursery" in nothing[0]
    assert flat("No return in this cycle matches the filters applied, so there is nothing "
                "to report.") in flat(nothing[0])
