"""The respondent journey over HTTP: home, task list, section pages (save, complete, error
summary, conflicts, autosave), keep-alive, and refusals (another organisation's return, a
submitted return, a tampered page)."""
import re

import pytest

from audit_app.extensions import db
from audit_app.returns.actions import ActionInput, add_action
from audit_app.returns.models import SectionState
from tests.fixtures import add_school
from tests.returns.conftest import fixed_date, make_cycle, make_return
from tests.returns.helpers import save, stored
from tests.site.helpers import assert_no_inline_styles, title_of

SECTION = "/returns/{id}/sections/{section}"


def hidden_inputs(html: str) -> dict:
    return dict(re.findall(r'<input type="hidden" name="(version|base|conflicts)" '
                           r'value="([^"]*)"', html))


def page(client, audit_return, section):
    response = client.get(SECTION.format(id=audit_return.id, section=section))
    assert response.status_code == 200, response.status_code
    html = response.get_data(as_text=True)
    return html, hidden_inputs(html)


def post(client, audit_return, section, data, inputs, action="draft", autosave=False):
    url = SECTION.format(id=audit_return.id, section=section) + ("/autosave" if autosave else "")
    return client.post(url, data={**inputs, **data, "action": action})


def test_home_lists_the_returns_and_open_actions(respondent_client, audit_return, respondent,
                                                 partnership, school):
    older = make_return(make_cycle(partnership, name="Example audit 2024-25",
                                   due_in_days=-3), school)
    save(older, "leadership", {"gov_training": "no"}, actor=respondent)
    add_action(older, "gov_training", ActionInput("Train the new governors", "Clerk", "1", "1",
                                                  "2020"), respondent)
    db.session.commit()
    html = respondent_client.get("/returns/").get_data(as_text=True)
    assert "Example audit 2025-26" in html and "30 days left" in html
    assert "Example audit 2024-25" in html and "3 days overdue" in html
    assert "Not started" in html and "In progress" in html
    assert "Train the new governors" in html and "Overdue" in html
    assert "1 of your open actions is past its target date." in html
    assert_no_inline_styles(html)


def test_home_shows_nothing_of_other_organisations(respondent_client, partnership):
    other = make_return(make_cycle(partnership, name="Other audit"),
                        add_school(partnership, urn="199999", name="Elsewhere Academy"))
    html = respondent_client.get("/returns/").get_data(as_text=True)
    assert "Elsewhere Academy" not in html and f"/returns/{other.id}" not in html
    assert "There are no audits for your organisation yet" in html


def test_task_list_shows_each_section_s_status_and_progress(respondent_client, audit_return,
                                                           respondent):
    save(audit_return, "dsl", {"dsl_in_post": "green", "dsl_deputies": "0",
                               "dsl_cover": "always"}, actor=respondent, complete=True)
    save(audit_return, "pupils", {"has_boarders": "no"}, actor=respondent)
    db.session.commit()
    html = respondent_client.get(f"/returns/{audit_return.id}").get_data(as_text=True)
    assert "1 of 3 sections completed" in html
    statuses = re.findall(r'class="govuk-task-list__status[^"]*" id="sections-\d-status">\s*'
                          r'(?:<strong class="govuk-tag[^"]*">\s*)?([A-Za-z ]+?)\s*<', html)
    assert statuses == ["Not started", "Completed", "In progress"]
    assert "govuk-task-list" in html and title_of(html).startswith("Example audit 2025-26")


def test_a_completed_section_that_loses_its_evidence_shows_in_progress(
        respondent_client, audit_return, respondent):
    from audit_app.returns.evidence import add_reference, remove_evidence

    evidence = add_reference(audit_return, "gov_named_governor", "Minutes", respondent)
    save(audit_return, "leadership", {"gov_named_governor": "green", "gov_training": "yes"},
         actor=respondent, complete=True)
    remove_evidence(evidence, audit_return, respondent)
    db.session.commit()
    html = respondent_client.get(f"/returns/{audit_return.id}").get_data(as_text=True)
    assert "0 of 3 sections completed" in html


def test_the_section_page_has_every_question_and_hides_those_that_do_not_apply(
        respondent_client, audit_return):
    html, inputs = page(respondent_client, audit_return, "dsl")
    assert inputs["version"] == "0" and inputs["base"]
    assert re.search(r'<div class="app-question" id="question-dsl_deputy_training" '
                     r'data-question-id="dsl_deputy_training" data-question-type="rating" '
                     r'data-show-if="[^"]+" hidden>', html)
    assert 'data-question-id="dsl_in_post" data-question-type="rating">' in html
    assert "Do not name children, family members or staff." in html
    assert "Save and continue" in html and "Save as draft" in html
    assert 'data-module="app-autosave"' in html and 'data-module="app-session-timeout"' in html
    assert_no_inline_styles(html)


def test_save_as_draft_saves_and_comes_back(respondent_client, audit_return):
    _html, inputs = page(respondent_client, audit_return, "dsl")
    response = post(respondent_client, audit_return, "dsl", {"dsl_in_post": "amber"}, inputs)
    assert response.status_code == 302
    assert response.headers["Location"].endswith(f"/returns/{audit_return.id}/sections/dsl")
    assert stored(audit_return) == {"dsl_in_post": ("amber", None)}
    html = respondent_client.get(response.headers["Location"]).get_data(as_text=True)
    assert "Your answers have been saved" in html
    assert re.search(r'value="amber"\s+checked', html) or 'value="amber" checked' in html


def test_save_and_continue_shows_each_problem_in_an_error_summary(respondent_client,
                                                                 audit_return):
    _html, inputs = page(respondent_client, audit_return, "leadership")
    response = post(respondent_client, audit_return, "leadership",
                    {"gov_named_governor": "red"}, inputs, action="continue")
    assert response.status_code == 200
    html = response.get_data(as_text=True)
    assert title_of(html).startswith("Error: Leadership and governance")
    start = html.index("govuk-error-summary")
    summary = html[start:html.index("</ul>", start)]
    links = re.findall(r'<a href="#([^"]+)">', summary)
    assert links == ["gov_named_governor__comment", "gov_named_governor-evidence",
                     "gov_named_governor-actions", "gov_training"]
    assert stored(audit_return)["gov_named_governor"] == ("red", None), "saved even so"
    assert hidden_inputs(html)["version"] == "1"


def test_save_and_continue_completes_and_returns_to_the_task_list(respondent_client,
                                                                 audit_return):
    _html, inputs = page(respondent_client, audit_return, "dsl")
    response = post(respondent_client, audit_return, "dsl",
                    {"dsl_in_post": "green", "dsl_deputies": "1", "dsl_deputy_training": "green",
                     "dsl_cover": "always"}, inputs, action="continue")
    assert response.status_code == 302
    assert response.headers["Location"].endswith(f"/returns/{audit_return.id}")
    assert SectionState.query.filter_by(return_id=audit_return.id,
                                        section_key="dsl").one().status == "completed"
    assert stored(audit_return)["dsl_deputy_training"] == ("green", None)


def test_a_malformed_answer_shows_its_error_and_saves_nothing(respondent_client,
                                                             audit_return):
    _html, inputs = page(respondent_client, audit_return, "dsl")
    response = post(respondent_client, audit_return, "dsl",
                    {"dsl_in_post": "green", "dsl_deputies": "several"}, inputs)
    assert response.status_code == 400
    html = response.get_data(as_text=True)
    assert '<a href="#dsl_deputies">Enter a whole number for' in html
    assert 'value="several"' in html
    assert stored(audit_return) == {}


def test_ticking_no_boxes_clears_a_multiple_choice_answer(respondent_client, audit_return,
                                                          respondent):
    save(audit_return, "pupils", {"vulnerable_groups": '["send"]'}, actor=respondent)
    db.session.commit()
    _html, inputs = page(respondent_client, audit_return, "pupils")
    post(respondent_client, audit_return, "pupils", {"vulnerable_groups__shown": "1"}, inputs)
    assert "vulnerable_groups" not in stored(audit_return)


def test_a_stale_page_merges_and_asks_about_answers_both_changed(app, sign_in, make_user,
                                                                partnership, school,
                                                                audit_return):
    first = sign_in(app.test_client(), make_user("respondent", partnership, school,
                                                 name="Ann Ash"))
    second = sign_in(app.test_client(), make_user("respondent", partnership, school))
    _html, first_inputs = page(first, audit_return, "dsl")
    _html, second_inputs = page(second, audit_return, "dsl")
    post(first, audit_return, "dsl", {"dsl_in_post": "green", "dsl_cover": "always"},
         first_inputs)
    response = post(second, audit_return, "dsl",
                    {"dsl_in_post": "red", "dsl_deputies": "2"}, second_inputs)
    assert response.status_code == 200
    html = response.get_data(as_text=True)
    assert "Someone else (Ann Ash) changed this section while you were working" in html
    assert "Your answer: Red" in html and "The saved answer: Green" in html
    assert stored(audit_return)["dsl_in_post"] == ("green", None), "nothing overwritten"
    assert stored(audit_return)["dsl_deputies"] == ("2", None), "their own change applied"
    assert stored(audit_return)["dsl_cover"] == ("always", None), "the other change kept"
    inputs = hidden_inputs(html)
    assert inputs["conflicts"] == "dsl_in_post" and inputs["version"] == "2"
    # Without a choice nothing is saved.
    response = post(second, audit_return, "dsl", {"dsl_in_post": "red", "dsl_deputies": "2"},
                    inputs)
    assert response.status_code == 400
    assert "Select which answer to ‘A senior leader is the designated safeguarding lead" \
        in response.get_data(as_text=True)
    assert stored(audit_return)["dsl_in_post"] == ("green", None)
    response = post(second, audit_return, "dsl", {"dsl_in_post": "red", "dsl_deputies": "2",
                                                  "dsl_in_post__keep": "mine"}, inputs)
    assert response.status_code == 302
    assert stored(audit_return)["dsl_in_post"] == ("red", None)


def test_choosing_the_saved_answer_keeps_it(app, sign_in, make_user, partnership, school,
                                           audit_return):
    first = sign_in(app.test_client(), make_user("respondent", partnership, school))
    second = sign_in(app.test_client(), make_user("respondent", partnership, school))
    _html, first_inputs = page(first, audit_return, "dsl")
    _html, second_inputs = page(second, audit_return, "dsl")
    post(first, audit_return, "dsl", {"dsl_in_post": "green"}, first_inputs)
    html = post(second, audit_return, "dsl", {"dsl_in_post": "red"},
                second_inputs).get_data(as_text=True)
    response = post(second, audit_return, "dsl",
                    {"dsl_in_post": "red", "dsl_in_post__keep": "theirs"}, hidden_inputs(html))
    assert response.status_code == 302
    assert stored(audit_return)["dsl_in_post"] == ("green", None)


def test_autosave_answers_in_json(respondent_client, audit_return):
    _html, inputs = page(respondent_client, audit_return, "dsl")
    response = post(respondent_client, audit_return, "dsl", {"dsl_in_post": "amber"}, inputs,
                    autosave=True)
    assert response.status_code == 200
    data = response.get_json()
    assert data["status"] == "saved" and data["version"] == 1
    assert re.fullmatch(r"\d\d:\d\d", data["saved_at"]) and data["seconds_left"] > 1700
    assert stored(audit_return)["dsl_in_post"] == ("amber", None)
    again = post(respondent_client, audit_return, "dsl", {"dsl_in_post": "red"},
                 {"version": str(data["version"]), "base": data["base"]}, autosave=True)
    assert again.get_json()["version"] == 2
    invalid = post(respondent_client, audit_return, "dsl", {"dsl_deputies": "x"},
                   {"version": "2", "base": again.get_json()["base"]}, autosave=True)
    assert invalid.status_code == 422
    assert invalid.get_json()["message"].startswith("Your answers have not been saved yet.")
    stale = post(respondent_client, audit_return, "dsl", {"dsl_in_post": "green"}, inputs,
                 autosave=True)
    assert stale.status_code == 409 and stale.get_json()["status"] == "conflict"
    assert stored(audit_return)["dsl_in_post"] == ("red", None)


def test_keep_alive(respondent_client):
    response = respondent_client.post("/returns/keep-alive")
    assert response.status_code == 200 and response.get_json()["status"] == "ok"
    assert response.get_json()["seconds_left"] > 29 * 60


def test_autosave_when_signed_out_goes_to_sign_in(client, audit_return):
    response = client.post(SECTION.format(id=audit_return.id, section="dsl") + "/autosave",
                           data={"dsl_in_post": "red"})
    assert response.status_code == 302 and "/sign-in" in response.headers["Location"]
    assert stored(audit_return) == {}


def test_a_tampered_page_is_refused(respondent_client, audit_return):
    _html, inputs = page(respondent_client, audit_return, "dsl")
    forged = {**inputs, "base": inputs["base"][:-2] + "xx"}
    response = post(respondent_client, audit_return, "dsl", {"dsl_in_post": "red"}, forged)
    assert response.status_code == 400
    assert "out of date" in response.get_data(as_text=True)
    _html, leadership = page(respondent_client, audit_return, "leadership")
    response = post(respondent_client, audit_return, "dsl", {"dsl_in_post": "red"}, leadership)
    assert response.status_code == 400
    assert stored(audit_return) == {}


@pytest.mark.parametrize("status", ["submitted", "accepted", "withdrawn"])
def test_a_post_to_a_locked_return_changes_nothing(respondent_client, audit_return, status):
    _html, inputs = page(respondent_client, audit_return, "dsl")
    audit_return.status = status
    db.session.commit()
    response = post(respondent_client, audit_return, "dsl", {"dsl_in_post": "red"}, inputs)
    assert response.status_code == 409
    assert "Nothing was saved." in response.get_data(as_text=True)
    autosave = post(respondent_client, audit_return, "dsl", {"dsl_in_post": "red"}, inputs,
                    autosave=True)
    assert autosave.status_code == 409 and autosave.get_json()["status"] == "locked"
    assert stored(audit_return) == {}
    html = respondent_client.get(SECTION.format(id=audit_return.id, section="dsl")) \
        .get_data(as_text=True)
    assert "cannot be changed" in html and 'name="base"' not in html


def test_a_read_only_return_shows_its_answers_without_a_form(respondent_client, partnership,
                                                             school, respondent):
    late = make_return(make_cycle(partnership, name="Late", due_in_days=-9,
                                  final_deadline=fixed_date(-2)), school)
    from audit_app.returns.models import Answer
    db.session.add(Answer(return_id=late.id, section_key="dsl", question_key="dsl_in_post",
                          value="amber", comment="Interim DSL"))
    db.session.commit()
    html = respondent_client.get(SECTION.format(id=late.id, section="dsl")).get_data(as_text=True)
    assert "The deadline for this return was" in html
    assert "Amber" in html and "Interim DSL" in html and "<form method=\"post\" action" \
        not in html.split('id="main-content"')[1]


def test_another_organisation_s_return_is_not_found(respondent_client, partnership):
    other = make_return(make_cycle(partnership, name="Other"),
                        add_school(partnership, urn="199998", name="Elsewhere School"))
    for url in (f"/returns/{other.id}", SECTION.format(id=other.id, section="dsl"),
                f"/returns/{other.id}/questions/dsl_in_post/evidence",
                f"/returns/{other.id}/questions/dsl_in_post/actions"):
        assert respondent_client.get(url).status_code == 404, url
    response = respondent_client.post(SECTION.format(id=other.id, section="dsl"),
                                      data={"dsl_in_post": "red"})
    assert response.status_code == 404
    assert stored(other) == {}


def test_a_section_that_does_not_exist_is_not_found(respondent_client, audit_return):
    assert respondent_client.get(SECTION.format(id=audit_return.id, section="nowhere")) \
        .status_code == 404
    assert respondent_client.get("/returns/999999").status_code == 404


def test_the_check_your_answers_link_appears_when_that_page_exists(app, respondent_client,
                                                                  audit_return):
    html = respondent_client.get(f"/returns/{audit_return.id}").get_data(as_text=True)
    assert ("submission.check" in app.view_functions) == \
        (f"/returns/{audit_return.id}/check" in html)


def test_going_to_evidence_saves_first_and_keeps_a_completed_section_completed(
        respondent_client, audit_return, respondent):
    save(audit_return, "dsl", {"dsl_in_post": "green", "dsl_deputies": "0",
                               "dsl_cover": "always"}, actor=respondent, complete=True)
    db.session.commit()
    _html, inputs = page(respondent_client, audit_return, "dsl")
    response = post(respondent_client, audit_return, "dsl", {"dsl_cover": "mostly"}, inputs,
                    action="evidence:dsl_in_post")
    assert response.headers["Location"].endswith(
        f"/returns/{audit_return.id}/questions/dsl_in_post/evidence")
    assert stored(audit_return)["dsl_cover"] == ("mostly", None)
    assert SectionState.query.filter_by(return_id=audit_return.id,
                                        section_key="dsl").one().status == "completed"
    html = respondent_client.get(response.headers["Location"]).get_data(as_text=True)
    assert "Upload a file" in html and "Or give a reference" in html
