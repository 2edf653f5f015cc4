"""Staff pages: the list of stored versions and the read-only previews."""
import pytest

from audit_app.extensions import db
from audit_app.questionnaires.services import load_paths
from tests.questionnaires.conftest_data import EXAMPLE_PATH


@pytest.fixture
def version(db_session):
    load_paths([EXAMPLE_PATH])
    db.session.commit()
    from audit_app.questionnaires.models import QuestionnaireVersion

    return QuestionnaireVersion.query.one()


@pytest.fixture
def staff_client(app, partnership, make_user, sign_in):
    client = app.test_client()
    return sign_in(client, make_user("reviewer", partnership))


def test_staff_see_the_stored_versions(staff_client, version):
    page = staff_client.get("/questionnaires/")
    assert page.status_code == 200
    html = page.get_data(as_text=True)
    assert "Example safeguarding self-audit for schools" in html
    assert f'href="/questionnaires/{version.id}"' in html


def test_the_preview_shows_sections_questions_conditions_and_approvals(staff_client, version):
    html = staff_client.get(f"/questionnaires/{version.id}").get_data(as_text=True)
    assert "Designated safeguarding lead" in html and "dsl_deputy_training" in html
    assert "Shown when the answer to ‘How many trained deputy designated safeguarding leads " \
           "does the school have’ is at least 1" in html
    assert "Shown when the organisation&#39;s statutory low age is at most 4" in html
    assert "Chair of governors: when the organisation&#39;s legal basis is s175 or nmss" in html
    assert "dsl_named → dsl_in_post" in html
    assert version.sha256 in html
    assert '<strong>Green</strong>: fully met' in html, "the description is rendered Markdown"


def test_the_section_preview_renders_every_question_as_a_form(staff_client, version):
    page = staff_client.get(f"/questionnaires/{version.id}/sections/pupils")
    assert page.status_code == 200
    html = page.get_data(as_text=True)
    for name in ("has_boarders", "boarding_checks", "early_years_ratios", "vulnerable_groups",
                 "sixth_form_support"):
        assert f'name="{name}"' in html
    assert "The next question is shown when the answer to ‘Does the school have pupils who " \
           "board’ is yes." in html
    main = html.split('id="main-content"', 1)[1]
    assert "<form" not in main and 'type="submit"' not in main, "nothing can be saved"


@pytest.mark.parametrize("path", ["/questionnaires/999999",
                                  "/questionnaires/999999/sections/dsl"])
def test_unknown_versions_are_not_found(staff_client, path):
    assert staff_client.get(path).status_code == 404


def test_an_unknown_section_is_not_found(staff_client, version):
    assert staff_client.get(f"/questionnaires/{version.id}/sections/nowhere").status_code == 404


def test_respondents_may_not_see_the_pages(app, partnership, school, make_user, sign_in,
                                           version):
    client = sign_in(app.test_client(), make_user("respondent", partnership,
                                                  organisation=school))
    for path in ("/questionnaires/", f"/questionnaires/{version.id}",
                 f"/questionnaires/{version.id}/sections/dsl"):
        assert client.get(path).status_code == 403


def test_signed_out_people_are_sent_to_sign_in(client, version):
    response = client.get(f"/questionnaires/{version.id}")
    assert response.status_code == 302 and "/sign-in" in response.headers["Location"]
