"""The checker: one broken definition per kind of error, each with its exact
``FILE:LINE: message``; the example and a valid file pass."""
from pathlib import Path

import pytest

from audit_app.questionnaires.checker import check_file, check_source
from audit_app.questionnaires.services import check_paths

HERE = Path(__file__).resolve().parent
EXAMPLE = HERE.parents[1] / "questionnaires" / "example" / "1.yaml"

# fixture folder under definitions/ -> the problems, as (line, message)
EXPECTED = {
    "not_utf8": [(3, "the file is not UTF-8 text: byte 0xe9 cannot be read; save the file as "
                     "UTF-8")],
    "yaml_syntax": [(34, "YAML syntax error: expected ',' or ']', but got ':'")],
    "python_tag": [(3, "the YAML tag !!python/object/apply:os.system is not allowed: write "
                       "plain values")],
    "empty_file": [(1, "the file is empty")],
    "not_a_mapping": [(1, "the file must be a mapping of keys to values, starting with 'id:'")],
    "duplicate_key": [(4, "duplicate key 'title' (first on line 3)")],
    "unknown_key": [(25, "question 'named_governor' is missing required key 'text'"),
                    (28, "unknown key 'txt' in question 'named_governor' (did you mean "
                         "'text'?)")],
    "missing_required": [(38, "question 'deputy_training' is missing required key 'text'")],
    "missing_declaration": [(1, "the questionnaire is missing required key 'declaration'")],
    "wrong_type": [(37, "'required' must be true or false")],
    "empty_text": [(41, "'text' must not be empty")],
    "unquoted_yes": [(9, "'value' must be text: YAML reads an unquoted yes as true; write it "
                         "in quotes (\"yes\")")],
    "version_not_text": [(2, "'version' must be text: YAML reads an unquoted 1 as a number; "
                             "write it in quotes (\"1\")")],
    "requires_key_read_as_false": [(32, "key no is read by YAML as false: write it in quotes "
                                        "(\"no\")")],
    "bad_audience": [(4, "'audience' must be school or agency, not 'schools'")],
    "unknown_type": [(36, "'type' must be rating, yes_no, choice, multi_choice, text, number "
                          "or date, not 'count'")],
    "invalid_id": [(35, "'Deputies-Count' is not a valid id: use lower case letters, digits "
                        "and single underscores, starting with a letter, at most 64 "
                        "characters")],
    "reserved_id": [(35, "'errors' cannot be a question id: the section's form uses that "
                         "name; choose another")],
    "duplicate_id": [(38, "duplicate id 'named_governor' (first used on line 25)")],
    "section_id_reused": [(35, "duplicate id 'leadership' (first used on line 22)")],
    "id_not_folder": [(1, "id 'another_name' does not match the folder name 'id_not_folder'")],
    "version_not_file_name": [(2, "version '2' does not match the file name '1.yaml'")],
    "no_sections": [(21, "'sections' must list at least one section")],
    "no_questions": [(34, "section 'staff' has no questions")],
    "unknown_scale": [(40, "unknown scale 'rga' (declared scales: rag)")],
    "rating_without_scale": [(38, "question 'deputy_training' is a rating question and needs "
                                  "a 'scale'")],
    "yes_no_scale_values": [(37, "scale 'agree' cannot be used by yes_no question "
                                 "'has_boarders': its option values must be exactly yes and "
                                 "no")],
    "key_of_another_type": [(41, "'max' does not apply to rating questions")],
    "choice_without_options": [(29, "question 'has_boarders' needs 'options' or a 'scale'")],
    "choice_with_options_and_scale": [(32, "question 'has_boarders' has both 'options' and "
                                           "'scale': use one")],
    "duplicate_option_value": [(13, "duplicate option value 'green' in scale 'rag' (first on "
                                    "line 9)")],
    "score_missing": [(13, "option 'red' of scale 'rag' needs a 'score': when one option of a "
                           "scale has a score, every option that is not excluded needs one")],
    "excluded_option_scored": [(20, "option 'na' of scale 'rag' is excluded from scores, so "
                                    "it cannot have a 'score'")],
    "unknown_requirement": [(16, "'requires' names unknown requirement 'comments' (use "
                                 "comment, reason, evidence or action)")],
    "requires_unknown_option": [(42, "'requires' names 'amber', which is not an option of "
                                     "question 'deputy_training' (use green, red or na)")],
    "comment_none_but_needed": [(41, "question 'deputy_training' has comment: none, but the "
                                     "answer 'red' needs a comment")],
    "scored_without_scores": [(31, "question 'has_boarders' is marked scored, but it has no "
                                   "scale with scores")],
    "min_above_max": [(37, "'min' must not be more than 'max'")],
    "condition_not_mapping": [(42, "a condition must be a mapping, e.g. {org: phase, in: "
                                   "[Primary]}")],
    "condition_unknown_key": [(42, "unknown key 'equals' in a condition (use org or question "
                                   "with in, not_in, min or max; or all, any or not)")],
    "condition_no_subject": [(42, "a condition needs 'org' or 'question' (or 'all', 'any' or "
                                  "'not')")],
    "condition_two_subjects": [(42, "a condition names 'org' or 'question', not both")],
    "condition_without_test": [(42, "the condition on organisation attribute 'phase' needs "
                                    "'in', 'not_in', 'min' or 'max'")],
    "condition_two_tests": [(42, "the condition on question 'deputies' can have only one of "
                                 "'in', 'not_in' or 'min'/'max'")],
    "condition_combination_extra_key": [(42, "a condition with 'all' cannot also have 'org': "
                                             "put each test in its own condition")],
    "condition_empty_all": [(43, "'any' must be a list of at least one condition")],
    "condition_empty_in": [(42, "'in' must be a list of at least one value")],
    "condition_min_not_number": [(42, "'min' must be a number")],
    "condition_min_above_max": [(42, "'min' must not be more than 'max'")],
    "condition_unknown_question": [(42, "the condition refers to unknown question 'deputys'")],
    "condition_later_question": [(32, "the condition refers to question 'deputies', which "
                                      "comes later in the file: a condition may only use an "
                                      "earlier question")],
    "condition_on_itself": [(42, "the condition of question 'deputy_training' refers to "
                                 "itself: a condition may only use an earlier question")],
    "section_condition_on_own_question": [(34, "the condition refers to question 'deputies', "
                                               "which comes later in the file: a condition "
                                               "may only use an earlier question")],
    "condition_on_section": [(34, "the condition refers to 'leadership', which is a section: "
                                  "name a question")],
    "unknown_org_attribute": [(42, "unknown organisation attribute 'phse' (did you mean "
                                   "'phase'? use kind, phase, establishment_type, type_group, "
                                   "legal_basis, boarders, nursery, sixth_form, "
                                   "statutory_low_age, statutory_high_age, pupils, "
                                   "religious_character, sector or duty_basis)")],
    "org_value_unknown": [(44, "'s176' is not a value of organisation attribute 'legal_basis' "
                               "(use s175, s157 or nmss)")],
    "org_number_with_in": [(42, "organisation attribute 'pupils' is a number: use 'min' or "
                                "'max'")],
    "org_text_with_range": [(42, "organisation attribute 'phase' is not a number: use 'in' or "
                                 "'not_in'")],
    "org_boolean_as_text": [(42, "organisation attribute 'boarders' is true or false, not "
                                 "'yes'")],
    "question_value_not_option": [(42, "'maybe' is not an option of question 'has_boarders' "
                                       "(use yes or no)")],
    "question_value_unquoted_yes": [(42, "the values of question 'has_boarders' are text: "
                                         "YAML reads an unquoted yes as true; write it in "
                                         "quotes (\"yes\")")],
    "question_range_on_options": [(42, "question 'named_governor' is a rating question: use "
                                       "'in' or 'not_in'")],
    "number_condition_not_whole": [(42, "question 'deputies' is a number question: its values "
                                        "are whole numbers")],
    "approval_condition_on_question": [(47, "approval conditions may use organisation "
                                            "attributes only, not question 'has_boarders'")],
    "no_approvals": [(44, "the declaration needs at least one approval")],
    "duplicate_approval": [(47, "duplicate approval id 'headteacher' (first used on line 45)")],
    "previous_is_this_version": [(5, "'previous' must name an earlier version, not this one")],
    "renamed_without_previous": [(5, "'renamed' needs 'previous': the version whose question "
                                     "ids changed")],
    "renamed_not_mapping": [(6, "'renamed' must be a mapping of keys to values")],
    "renamed_to_unknown": [(7, "'renamed' maps 'governor' to 'named_gov', which is not a "
                               "question in this version")],
    "renamed_still_present": [(7, "'deputies' is renamed to 'deputy_training' but is still a "
                                  "question in this version")],
}


def test_every_fixture_has_its_expected_problems():
    folders = {path.name for path in (HERE / "definitions").iterdir() if path.is_dir()}
    assert folders - {"valid"} == set(EXPECTED)


@pytest.mark.parametrize("kind", sorted(EXPECTED))
def test_each_error_kind_is_reported_with_file_line_and_message(kind, monkeypatch):
    monkeypatch.chdir(HERE)
    file = f"definitions/{kind}/1.yaml"
    [result] = check_paths([file])
    assert [str(problem) for problem in result.problems] == \
        [f"{file}:{line}: {message}" for line, message in EXPECTED[kind]]
    assert result.data is None


def test_a_valid_definition_has_no_problems_and_gives_its_data():
    result = check_file(HERE / "definitions" / "valid" / "1.yaml")
    assert result.problems == []
    assert result.data["id"] == "valid"
    assert [section["id"] for section in result.data["sections"]] == ["leadership", "staff"]


def test_the_example_is_valid():
    result = check_file(EXAMPLE)
    assert result.problems == [], "\n".join(map(str, result.problems))


def test_problems_come_in_line_order_and_all_are_reported():
    raw = (HERE / "definitions" / "valid" / "1.yaml").read_bytes()
    raw = raw.replace(b"audience: school", b"audience: everyone") \
        .replace(b"      label: Headteacher", b"      lable: Headteacher")
    result = check_source(raw, "broken.yaml")
    assert [str(problem) for problem in result.problems] == [
        "broken.yaml:4: 'audience' must be school or agency, not 'everyone'",
        "broken.yaml:45: approval 'headteacher' is missing required key 'label'",
        "broken.yaml:46: unknown key 'lable' in approval 'headteacher' (did you mean "
        "'label'?)",
    ]


def test_a_file_named_otherwise_than_yaml_is_refused(tmp_path):
    folder = tmp_path / "valid"
    folder.mkdir()
    path = folder / "1.yml"
    path.write_bytes((HERE / "definitions" / "valid" / "1.yaml").read_bytes())
    result = check_file(path, display="valid/1.yml")
    assert [str(problem) for problem in result.problems] == [
        "valid/1.yml:1: a questionnaire file must be named <version>.yaml"]


def test_a_yaml_alias_that_contains_itself_is_an_error_not_a_crash():
    result = check_source(b"id: &loop [1, *loop]\n", "loop.yaml")
    assert [str(problem) for problem in result.problems] == [
        "loop.yaml:1: a YAML alias refers to itself"]


def test_a_missing_path_is_a_problem(monkeypatch, tmp_path):
    monkeypatch.chdir(tmp_path)
    [result] = check_paths(["nowhere/1.yaml"])
    assert [str(problem) for problem in result.problems] == [
        "nowhere/1.yaml:1: no such file or folder"]
