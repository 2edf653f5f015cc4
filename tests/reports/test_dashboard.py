"""The QA dashboard and its downloads: who sees them, what they show, and bad input."""
import csv
import io

import pytest

from audit_app.audit_log.models import AuditEvent
from tests.reports.report_builders import HOSTILE_NAME, known_cycle


@pytest.fixture
def cycle(partnership, school, make_user):
    return known_cycle(partnership, school, make_user)


@pytest.fixture
def qa_client(app, make_user, partnership, sign_in):
    return sign_in(app.test_client(), make_user("qa", partnership))


def page_text(response) -> str:
    return response.get_data(as_text=True)


def test_the_dashboard_shows_completion_ratings_and_non_returners(qa_client, cycle):
    response = qa_client.get(f"/reports/cycles/{cycle.id}")
    assert response.status_code == 200
    text = page_text(response)
    assert "2 of 3" in text                        # returns submitted
    assert "Returns not yet submitted" in text
    assert "Ratings by section" in text
    assert "Oak Tree Primary School" in text and "Elm Secondary School" in text
    assert "The 10 weakest questions" in text
    # The moderated answer is counted as lowered in the optimism table.
    assert "Where reviewers disagreed" in text and "1 of 2" in text
    # Hostile organisation names are escaped, never markup.
    assert "<b>Ash</b>" not in text and "&lt;b&gt;Ash&lt;/b&gt;" in text


def test_a_filter_narrows_every_table(qa_client, cycle):
    text = page_text(qa_client.get(f"/reports/cycles/{cycle.id}?phase=Secondary"))
    assert "1 of 1" in text
    assert "Elm Secondary School" in text
    assert "Oak Tree Primary School" not in text.split("Ratings by section")[1]
    assert "Showing organisations matching: Phase: Secondary" in text


@pytest.mark.parametrize("query", ["phase=Nowhere", "kind=robots", "trust=%3Cscript%3E",
                                   "phase=" + "x" * 5000, "unknown=1&phase="])
def test_forged_filters_give_a_clear_page_not_an_error(qa_client, cycle, query):
    response = qa_client.get(f"/reports/cycles/{cycle.id}?{query}")
    assert response.status_code == 200
    assert "<script>" not in page_text(response)


def test_a_filter_matching_nothing_says_so(qa_client, cycle):
    text = page_text(qa_client.get(f"/reports/cycles/{cycle.id}?phase=Nowhere"))
    assert "No organisations match these filters" in text


def test_a_cycle_with_no_returns_says_so(qa_client, partnership):
    from tests.returns.submission_builders import submission_cycle

    empty = submission_cycle(partnership, name="Empty audit")
    response = qa_client.get(f"/reports/cycles/{empty.id}")
    assert response.status_code == 200
    assert "this cycle has no returns" in page_text(response)
    for format_name in ("csv", "codebook", "xlsx", "pdf"):
        assert qa_client.get(f"/reports/cycles/{empty.id}/download/{format_name}") \
            .status_code == 200


def test_unknown_cycles_and_formats_are_not_found(qa_client, cycle):
    assert qa_client.get("/reports/cycles/999999").status_code == 404
    assert qa_client.get(f"/reports/cycles/{cycle.id}/download/docx").status_code == 404
    assert qa_client.get("/reports/cycles/999999/download/csv").status_code == 404


def test_another_partnerships_cycle_is_not_found(app, qa_client, make_user, sign_in):
    from audit_app.extensions import db
    from audit_app.organisations.models import Partnership
    from tests.fixtures import add_school

    other = Partnership(slug="elsewhere", name="Elsewhere Partnership")
    db.session.add(other)
    db.session.commit()
    school = add_school(other, urn="900001", name="Far Away School")
    foreign = known_cycle(other, school, make_user)
    assert qa_client.get(f"/reports/cycles/{foreign.id}").status_code == 404
    assert qa_client.get(f"/reports/cycles/{foreign.id}/download/csv").status_code == 404


def test_who_may_see_the_dashboard(app, cycle, partnership, school, make_user, sign_in):
    url = f"/reports/cycles/{cycle.id}"

    def status(user):
        return sign_in(app.test_client(), user).get(url).status_code

    assert status(make_user("admin", partnership)) == 200
    assert status(make_user("reviewer", partnership)) == 200          # covers every cycle
    assert status(make_user("reviewer", partnership, questionnaire_key="s11")) == 404
    assert status(make_user("reviewer", partnership, cycle=cycle)) == 200
    assert status(make_user("respondent", partnership, school)) == 403
    assert app.test_client().get(url).status_code == 302               # to sign in


def test_downloads_are_attachments_with_safe_text_and_are_audited(qa_client, cycle):
    response = qa_client.get(f"/reports/cycles/{cycle.id}/download/csv?phase=Primary")
    assert response.status_code == 200
    assert response.headers["Content-Disposition"].startswith("attachment;")
    assert "s175-audit-2025-26-answers.csv" in response.headers["Content-Disposition"]
    assert "no-store" in response.headers["Cache-Control"]
    rows = list(csv.DictReader(io.StringIO(response.get_data(as_text=True))))
    assert {row["organisation_name"] for row in rows} == {"Oak Tree Primary School"}
    event = AuditEvent.query.filter_by(action="report.exported").one()
    assert event.detail["format"] == "csv" and event.detail["filters"] == {"phase": ["Primary"]}


def test_the_hostile_name_is_neutralised_in_the_csv(app, partnership, school, make_user,
                                                   sign_in):
    cycle = known_cycle(partnership, school, make_user, hostile_submits=True)
    client = sign_in(app.test_client(), make_user("qa", partnership))
    text = client.get(f"/reports/cycles/{cycle.id}/download/csv").get_data(as_text=True)
    names = {row["organisation_name"] for row in csv.DictReader(io.StringIO(text))}
    assert "'" + HOSTILE_NAME in names and HOSTILE_NAME not in names


def test_year_on_year_compares_with_the_previous_cycle(qa_client, partnership, school,
                                                        make_user):
    from datetime import timedelta

    from tests.reports.report_builders import submitted
    from tests.returns.submission_builders import S175, submission_cycle

    earlier = submission_cycle(partnership, S175.parent / "2024-25.yaml",
                               name="S175 audit 2024-25")
    earlier.open_date -= timedelta(days=400)
    earlier.due_date -= timedelta(days=400)
    current = submission_cycle(partnership, name="S175 audit 2025-26")
    respondent = make_user("respondent", partnership, school)
    submitted(earlier, school, respondent, "amber")
    submitted(current, school, respondent, "green")
    text = page_text(qa_client.get(f"/reports/cycles/{current.id}"))
    assert "against S175 audit 2024-25" in text
    assert "Better (+" in text and "0 worse" in text


def test_many_organisations_are_grouped_in_the_heatmap_and_year_on_year(
        qa_client, partnership, school, make_user, monkeypatch):
    from datetime import timedelta

    from audit_app.reports import dashboard
    from tests.fixtures import add_school
    from tests.reports.report_builders import submitted
    from tests.returns.submission_builders import S175, submission_cycle

    monkeypatch.setattr(dashboard, "HEATMAP_ORGANISATIONS", 1)
    earlier = submission_cycle(partnership, S175.parent / "2024-25.yaml",
                               name="S175 audit 2024-25")
    earlier.open_date -= timedelta(days=400)
    earlier.due_date -= timedelta(days=400)
    current = submission_cycle(partnership, name="S175 audit 2025-26")
    elm = add_school(partnership, urn="100002", name="Elm Primary School")
    for organisation, before, now in ((school, "amber", "green"), (elm, "green", "amber")):
        respondent = make_user("respondent", partnership, organisation)
        submitted(earlier, organisation, respondent, before)
        submitted(current, organisation, respondent, now)
    text = page_text(qa_client.get(f"/reports/cycles/{current.id}"))
    heatmap, later = text.split('id="heatmap"')[1].split('id="questions"')
    assert "Local authority maintained schools" in heatmap
    assert "Oak Tree Primary School" not in heatmap and "Elm Primary School" not in heatmap
    year_on_year = text.split('id="year-on-year"')[1].split('id="not-submitted"')[0]
    assert "too many organisations to list" in year_on_year
    assert "1 better, 0 same, 1 worse" in year_on_year
