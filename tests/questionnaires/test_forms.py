"""The section form builder: a field per question that applies, GOV.UK widgets with the
guidance in a details component, Design System messages, comment rules, and drafts."""
import json
from datetime import date

import pytest
from werkzeug.datastructures import MultiDict

from audit_app.questionnaires.forms import build_section_form, unmet_requirements
from tests.questionnaires.conftest_data import example, example_data, school

GOVERNOR = "The governing body has named a governor to lead on safeguarding"
DEPUTIES = "How many trained deputy designated safeguarding leads does the school have"
POLICY_DATE = "When did the governing body last approve the child protection policy"


@pytest.fixture
def post(app):
    """post(section, data, answers=None, org=None) -> a bound form of the example, as if
    that data had been posted."""
    contexts = []

    def _post(section_id, data, answers=None, org=None, comments=None):
        context = app.test_request_context(method="POST", data=MultiDict(data))
        context.push()
        contexts.append(context)
        form_class = build_section_form(example(), section_id, org or school(), answers or {},
                                        comments=comments)
        return form_class()

    yield _post
    for context in reversed(contexts):
        context.pop()


@pytest.fixture
def get(app):
    with app.test_request_context():
        def _get(section_id, answers=None, org=None, comments=None, **options):
            return build_section_form(example(), section_id, org or school(), answers or {},
                                      comments=comments, **options)()
        yield _get


def test_a_field_per_question_that_applies_and_comment_boxes(get):
    form = get("leadership")
    assert list(form.question_ids) == ["gov_named_governor", "gov_training",
                                       "policy_reviewed_on"]
    names = [field.name for field in form if field.name != "csrf_token"]
    assert names == ["gov_named_governor", "gov_named_governor__comment", "gov_training",
                     "gov_training__comment", "policy_reviewed_on"]


def test_conditional_questions_are_left_out_until_they_apply(get):
    assert list(get("pupils").question_ids) == ["has_boarders", "vulnerable_groups"]
    boarding_early_years = get("pupils", {"has_boarders": "yes"},
                               school(statutory_low_age=3))
    assert list(boarding_early_years.question_ids) == [
        "has_boarders", "boarding_checks", "early_years_ratios", "vulnerable_groups"]
    assert "boarding_checks" not in get("pupils", {"has_boarders": "no"})._fields
    assert list(get("pupils", show_all=True).question_ids) == [
        question.id for question in example().section("pupils").questions]


def test_an_unknown_section_is_a_key_error(app):
    with pytest.raises(KeyError):
        build_section_form(example(), "nowhere", school(), {})


def test_rating_renders_as_govuk_radios_with_guidance_in_details(get):
    html = str(get("leadership")["gov_named_governor"]())
    assert '<legend class="govuk-fieldset__legend govuk-fieldset__legend--s">' in html
    assert GOVERNOR + "." in html
    assert 'class="govuk-radios__input" id="gov_named_governor" name="gov_named_governor" ' \
           'type="radio" value="green"' in html
    assert "Fully met, and we can show the evidence" in html, "option hints"
    assert '<details class="govuk-details">' in html
    assert "<strong>Fully met</strong> when the governing body minutes" in html
    assert "Typical evidence" in html and "Reference: KCSIE 2025, Part 2" in html
    assert '<span class="govuk-caption-s govuk-!-display-block govuk-!-margin-top-1">Self-assessment rating</span>' \
        in html, "the scale's label follows the question"


def test_other_types_render_with_their_govuk_widgets(get):
    dsl = get("dsl")
    number = str(dsl["dsl_deputies"]())
    assert 'class="govuk-input govuk-input--width-10"' in number
    assert 'inputmode="numeric"' in number and "deputies" in number
    assert 'class="govuk-radios' in str(dsl["dsl_cover"]())
    assert "A DSL or deputy is available throughout the school day" in str(dsl["dsl_cover"]())
    date_html = str(get("leadership")["policy_reviewed_on"]())
    assert 'id="policy_reviewed_on-day"' in date_html and "For example, 27 3 2025" in date_html
    assert "(optional)" in date_html
    pupils = get("pupils", {}, school(phase="Secondary", sixth_form=True))
    assert 'class="govuk-checkboxes' in str(pupils["vulnerable_groups"]())
    assert 'class="govuk-textarea' in str(pupils["sixth_form_support"]())
    assert "govuk-radios--inline" in str(pupils["has_boarders"]())


def test_comment_boxes_say_when_they_are_needed(get):
    comment = str(get("leadership")["gov_named_governor__comment"]())
    assert "Needed if you answer Amber, Red or Not applicable." in comment
    assert "Do not name children, family members or staff." in comment
    assert f'<span class="govuk-visually-hidden"> on ‘{GOVERNOR}’</span>' in comment
    assert "Comment (optional)" in str(get("leadership")["gov_training__comment"]())


def test_templates_can_add_to_the_questions_params(get):
    html = str(get("dsl")["dsl_in_post"](params={"classes": "govuk-radios--small"}))
    assert "govuk-radios--small" in html and "Reference: KCSIE 2025, Annex C" in html


def test_guidance_markdown_is_sanitised(app):
    data = example_data()
    question = data["sections"][0]["questions"][0]
    question["guidance"] = 'Read <script>alert("x")</script> [this](javascript:alert(1))'
    with app.test_request_context():
        html = str(build_section_form(data, "leadership", school(), {})()["gov_named_governor"]())
    assert "<script>" not in html and 'href="javascript' not in html
    assert "&lt;script&gt;" in html


def test_saved_answers_and_comments_fill_the_form(get):
    form = get("pupils", {"has_boarders": "yes", "vulnerable_groups": '["send"]'},
               school(statutory_low_age=3), comments={"boarding_checks": "Checked in June"})
    assert form["has_boarders"].data == "yes"
    assert form["vulnerable_groups"].data == ["send"]
    assert form["boarding_checks__comment"].data == "Checked in June"
    leadership = get("leadership", {"policy_reviewed_on": "2025-03-27"})
    assert leadership["policy_reviewed_on"].data == date(2025, 3, 27)
    assert 'value="27"' in str(leadership["policy_reviewed_on"]())


def test_required_questions_get_design_system_messages(post):
    form = post("leadership", {})
    assert not form.validate()
    assert form.errors == {
        "gov_named_governor": [f"Select a rating for ‘{GOVERNOR}’"],
        "gov_training": ["Select yes or no for ‘Every governor has had safeguarding training "
                         "since joining the board’"],
    }


def test_a_choice_that_is_not_offered_is_refused(post):
    form = post("leadership", {"gov_named_governor": "purple", "gov_training": "yes"})
    assert not form.validate()
    assert form.errors["gov_named_governor"] == [f"Select a rating for ‘{GOVERNOR}’"]


@pytest.mark.parametrize("value,message", [
    ("two", f"Enter a whole number for ‘{DEPUTIES}’"),
    ("1.5", f"Enter a whole number for ‘{DEPUTIES}’"),
    ("25", f"‘{DEPUTIES}’ must be between 0 and 20"),
    ("-1", f"‘{DEPUTIES}’ must be between 0 and 20"),
])
def test_numbers_are_whole_and_within_range(post, value, message):
    form = post("dsl", {"dsl_in_post": "green", "dsl_deputies": value, "dsl_cover": "always"})
    assert not form.validate_draft()
    assert form.errors == {"dsl_deputies": [message]}


@pytest.mark.parametrize("parts,message", [
    (("31", "2", "2025"), f"‘{POLICY_DATE}’ must be a real date"),
    (("", "2", "2025"), f"‘{POLICY_DATE}’ must include a day"),
    (("1", "", ""), f"‘{POLICY_DATE}’ must include a month and year"),
    (("1", "2", "25"), f"The year of ‘{POLICY_DATE}’ must include 4 numbers"),
])
def test_dates_are_real(post, parts, message):
    data = [("gov_named_governor", "green"), ("gov_training", "yes")]
    data += [("policy_reviewed_on", part) for part in parts]
    form = post("leadership", data)
    assert not form.validate()
    assert form.errors == {"policy_reviewed_on": [message]}
    assert 'value="2"' in str(form["policy_reviewed_on"]()) or parts[1] == ""


def test_multi_choice_and_text_limits(post):
    org = school(phase="Secondary", sixth_form=True)
    form = post("pupils", [("has_boarders", "no"), ("vulnerable_groups", "send"),
                           ("vulnerable_groups", "everyone"),
                           ("sixth_form_support", "x" * 2001)], org=org)
    assert not form.validate()
    assert form.errors == {
        "vulnerable_groups": ["Select only the options shown for ‘Which groups of pupils "
                              "have a named lead in the school’"],
        "sixth_form_support": ["‘Describe how the school supports older students who are at "
                               "risk of harm’ must be 2,000 characters or fewer"],
    }


def test_answers_that_need_a_comment_or_reason(post):
    form = post("dsl", {"dsl_in_post": "na", "dsl_deputies": "0", "dsl_cover": "always"})
    assert not form.validate()
    assert form.errors == {"dsl_in_post__comment": [
        "Enter a comment explaining why ‘A senior leader is the designated safeguarding lead, "
        "named in their job description’ does not apply"]}
    red = post("dsl", {"dsl_in_post": "red", "dsl_deputies": "0", "dsl_cover": "always"})
    assert not red.validate()
    assert red.errors["dsl_in_post__comment"][0].startswith(
        "Enter a comment explaining your answer to ‘A senior leader")
    explained = post("dsl", {"dsl_in_post": "red", "dsl_in_post__comment": "No DSL since May",
                             "dsl_deputies": "0", "dsl_cover": "always"})
    assert explained.validate(), explained.errors


def test_a_draft_may_be_incomplete_but_not_malformed(post):
    assert post("leadership", {}).validate_draft()
    assert post("leadership", {"gov_named_governor": "red"}).validate_draft(), \
        "a missing comment is for completing the section, not for saving"
    assert not post("dsl", {"dsl_deputies": "lots"}).validate_draft()


def test_answer_data_is_what_the_answers_table_stores(post):
    form = post("pupils", [("has_boarders", "yes"), ("boarding_checks", "amber"),
                           ("vulnerable_groups", "send"), ("vulnerable_groups", "young_carers")],
                answers={"has_boarders": "yes"})
    assert form.validate(), form.errors
    assert form.answer_data() == {"has_boarders": "yes", "boarding_checks": "amber",
                                  "vulnerable_groups": json.dumps(["send", "young_carers"])}
    assert form.comment_data() == {"boarding_checks": None}
    dates = post("leadership", [("gov_named_governor", "green"), ("gov_training", "no"),
                                ("policy_reviewed_on", "7"), ("policy_reviewed_on", "3"),
                                ("policy_reviewed_on", "2025")])
    assert dates.validate()
    assert dates.answer_data()["policy_reviewed_on"] == "2025-03-07"
    number = post("dsl", {"dsl_in_post": "green", "dsl_deputies": " 1,0 ", "dsl_cover": "rarely"})
    assert number.validate_draft()
    assert number.answer_data()["dsl_deputies"] == "10"


def test_a_question_that_stops_applying_in_the_same_post_is_not_required(post):
    form = post("pupils", {"has_boarders": "no"}, answers={"has_boarders": "yes"})
    assert "boarding_checks" in form.question_ids, "it applied when the page was built"
    assert form.validate(), form.errors
    assert "boarding_checks" not in form.answer_data()


def test_a_field_that_is_not_posted_keeps_its_saved_answer(post):
    form = post("leadership", {"gov_training": "yes"},
                answers={"gov_named_governor": "green"})
    assert form.validate(), form.errors
    assert form.answer_data()["gov_named_governor"] == "green"


def test_the_form_carries_a_csrf_token(app, csrf_enabled):
    with app.test_request_context(method="POST", data={"gov_named_governor": "green",
                                                       "gov_training": "yes"}):
        form = build_section_form(example(), "leadership", school(), {})()
        assert not form.validate()
        assert "csrf_token" in form.errors


def test_unmet_requirements_for_the_returns_journey():
    definition = example()
    assert unmet_requirements(definition, "gov_named_governor", "amber", "", False, False) == [
        f"Enter a comment explaining your answer to ‘{GOVERNOR}’",
        f"Add evidence for ‘{GOVERNOR}’: upload a file or give a reference",
        f"Add an action plan item for ‘{GOVERNOR}’, with an owner and a target date",
    ]
    assert unmet_requirements(definition, "gov_named_governor", "amber", "Governor left",
                              True, True) == []
    assert unmet_requirements(definition, "gov_named_governor", None, "", False, False) == []
    assert unmet_requirements(definition, "gov_training", "no", None, False, False) == [
        "Add an action plan item for ‘Every governor has had safeguarding training since "
        "joining the board’, with an owner and a target date"]
    assert unmet_requirements(definition, "dsl_in_post", "na", " ", False, False) == [
        "Enter a comment explaining why ‘A senior leader is the designated safeguarding lead, "
        "named in their job description’ does not apply"]
