"""diff_contents / diff_submissions: every kind of change between two submissions."""
import copy

import pytest

from audit_app.review.diff import diff_contents, diff_submissions


def content(number=1):
    return {
        "number": number,
        "sections": [
            {"id": "dsl", "title": "Designated safeguarding lead", "questions": [
                {"id": "dsl_named", "text": "Is a DSL named?", "value": "green",
                 "answer": "Fully met", "comment": None},
                {"id": "dsl_training", "text": "Is the DSL trained?", "value": "amber",
                 "answer": "Partly met", "comment": "Refresher booked"},
            ]},
            {"id": "gov", "title": "Governance", "questions": [
                {"id": "gov_policy", "text": "Is the policy reviewed?", "value": "yes",
                 "answer": "Yes", "comment": None},
            ]},
        ],
        "evidence": [
            {"question_id": "dsl_named", "kind": "file", "reference": None,
             "file_name": "minutes.pdf", "sha256": "a" * 64},
            {"question_id": "dsl_named", "kind": "reference",
             "reference": "Governors' minutes, 12 March 2026", "file_name": None,
             "sha256": None},
        ],
        "actions": [
            {"question_id": "dsl_training", "description": "Book DSL refresher",
             "owner": "Head", "target_date": "2026-09-01", "status": "open",
             "progress_note": None},
            {"question_id": None, "description": "Whole-school review", "owner": "Chair",
             "target_date": "2026-12-01", "status": "open", "progress_note": None},
        ],
    }


def question(diff, question_id):
    found = diff.for_question(question_id)
    assert found is not None, f"{question_id} not in the diff"
    return found


def test_identical_contents_have_no_changes():
    diff = diff_contents(content(1), content(2))
    assert not diff.changed and diff.questions == []
    assert (diff.older_number, diff.newer_number) == (1, 2)


def test_a_changed_answer_shows_old_and_new_value_and_text():
    new = content(2)
    new["sections"][0]["questions"][1].update(value="green", answer="Fully met")
    diff = diff_contents(content(1), new)
    assert [item.question_id for item in diff.questions] == ["dsl_training"]
    change = question(diff, "dsl_training")
    assert change.answer.old_value == "amber" and change.answer.new_value == "green"
    assert (change.answer.old_text, change.answer.new_text) == ("Partly met", "Fully met")
    assert change.comment is None and change.evidence == [] and change.actions == []
    assert change.section_title == "Designated safeguarding lead"
    assert change.text == "Is the DSL trained?"


def test_a_changed_display_text_alone_is_a_change():
    new = content(2)
    new["sections"][1]["questions"][0]["answer"] = "Yes, every year"
    change = question(diff_contents(content(1), new), "gov_policy")
    assert change.answer.old_value == change.answer.new_value == "yes"
    assert change.answer.new_text == "Yes, every year"


def test_list_answers_compare_as_lists():
    old, new = content(1), content(2)
    old["sections"][1]["questions"][0].update(value='["a", "b"]', answer="A; B")
    new["sections"][1]["questions"][0].update(value='["a", "c"]', answer="A; C")
    change = question(diff_contents(old, new), "gov_policy")
    assert (change.answer.old_text, change.answer.new_text) == ("A; B", "A; C")


@pytest.mark.parametrize("old_comment, new_comment", [
    (None, "Now documented"), ("Refresher booked", None), ("Refresher booked", "Done"),
])
def test_comment_added_removed_or_changed(old_comment, new_comment):
    old, new = content(1), content(2)
    old["sections"][0]["questions"][1]["comment"] = old_comment
    new["sections"][0]["questions"][1]["comment"] = new_comment
    change = question(diff_contents(old, new), "dsl_training")
    assert (change.comment.old, change.comment.new) == (old_comment, new_comment)
    assert change.answer is None


def test_an_empty_comment_is_no_comment():
    old, new = content(1), content(2)
    old["sections"][0]["questions"][0]["comment"] = ""
    assert not diff_contents(old, new).changed


def test_a_question_that_newly_applies_or_no_longer_applies():
    old, new = content(1), content(2)
    new["sections"][1]["questions"].append(
        {"id": "gov_boarding", "text": "Boarding?", "value": "yes", "answer": "Yes",
         "comment": "Checked"})
    del new["sections"][0]["questions"][0]
    new["evidence"] = []
    diff = diff_contents(old, new)
    added = question(diff, "gov_boarding")
    assert (added.answer.old_text, added.answer.new_text) == (None, "Yes")
    assert (added.comment.old, added.comment.new) == (None, "Checked")
    gone = question(diff, "dsl_named")
    assert (gone.answer.old_text, gone.answer.new_text) == ("Fully met", None)
    assert gone.text == "Is a DSL named?"
    assert {item.kind for item in gone.evidence} == {"removed"}
    # The newer submission's order first, then what only the older one had.
    assert [item.question_id for item in diff.questions] == ["gov_boarding", "dsl_named"]


def test_evidence_added_and_removed():
    new = content(2)
    new["evidence"] = [new["evidence"][0],
                       {"question_id": "dsl_named", "kind": "file", "reference": None,
                        "file_name": "policy.pdf", "sha256": "b" * 64}]
    change = question(diff_contents(content(1), new), "dsl_named")
    assert [(item.kind, item.label) for item in change.evidence] == [
        ("removed", "Governors' minutes, 12 March 2026"), ("added", "policy.pdf")]
    assert change.evidence[1].new["sha256"] == "b" * 64
    assert change.evidence[1].summary == f"policy.pdf (SHA-256 {'b' * 64})"
    assert change.evidence[0].summary == "Governors' minutes, 12 March 2026"
    assert change.answer is None


def test_evidence_file_replaced_with_a_different_sha256():
    new = content(2)
    new["evidence"][0]["sha256"] = "c" * 64
    change = question(diff_contents(content(1), new), "dsl_named")
    [item] = change.evidence
    assert (item.kind, item.label) == ("changed", "minutes.pdf")
    assert item.fields["SHA-256"].old == "a" * 64 and item.fields["SHA-256"].new == "c" * 64


def test_two_files_of_one_name_pair_in_order():
    old, new = content(1), content(2)
    twin = {**old["evidence"][0], "sha256": "d" * 64}
    old["evidence"].append(twin)
    new["evidence"].append(copy.deepcopy(twin))
    assert not diff_contents(old, new).changed
    new["evidence"].pop()
    [item] = question(diff_contents(old, new), "dsl_named").evidence
    assert item.kind == "removed" and item.old["sha256"] == "d" * 64


def test_evidence_moved_to_another_question_is_removed_there_and_added_here():
    new = content(2)
    new["evidence"][1]["question_id"] = "gov_policy"
    diff = diff_contents(content(1), new)
    assert [i.kind for i in question(diff, "dsl_named").evidence] == ["removed"]
    assert [i.kind for i in question(diff, "gov_policy").evidence] == ["added"]


def test_action_fields_changed():
    new = content(2)
    new["actions"][0].update(owner="DSL", target_date="2026-10-01", status="done",
                             progress_note="Completed in October")
    [item] = question(diff_contents(content(1), new), "dsl_training").actions
    assert item.kind == "changed" and item.label == "Book DSL refresher"
    assert {words: (c.old, c.new) for words, c in item.fields.items()} == {
        "Owner": ("Head", "DSL"), "Target date": ("1 September 2026", "1 October 2026"),
        "Status": ("Open", "Done"), "Progress note": (None, "Completed in October")}
    assert item.summary == "Book DSL refresher (DSL, by 1 October 2026)"


def test_an_action_reworded_is_one_action_changed():
    new = content(2)
    new["actions"][0]["description"] = "Book the DSL refresher course"
    [item] = question(diff_contents(content(1), new), "dsl_training").actions
    assert item.kind == "changed"
    assert (item.fields["Action"].old, item.fields["Action"].new) == (
        "Book DSL refresher", "Book the DSL refresher course")
    assert set(item.fields) == {"Action"}


def test_actions_added_and_removed():
    old, new = content(1), content(2)
    new["actions"].append({"question_id": "dsl_named", "description": "Name a deputy",
                           "owner": "Head", "target_date": "2026-11-01", "status": "open",
                           "progress_note": None})
    new["actions"] = [action for action in new["actions"]
                      if action["question_id"] != "dsl_training"]
    diff = diff_contents(old, new)
    assert [(i.kind, i.label) for i in question(diff, "dsl_named").actions] == [
        ("added", "Name a deputy")]
    assert [(i.kind, i.label) for i in question(diff, "dsl_training").actions] == [
        ("removed", "Book DSL refresher")]
    assert question(diff, "dsl_named").actions[0].summary == \
        "Name a deputy (Head, by 1 November 2026)"
    assert question(diff, "dsl_training").actions[0].summary == \
        "Book DSL refresher (Head, by 1 September 2026)"


def test_actions_about_the_whole_return_come_last():
    new = content(2)
    new["actions"][1]["status"] = "in_progress"
    new["sections"][0]["questions"][0]["comment"] = "Named in policy"
    diff = diff_contents(content(1), new)
    assert [item.question_id for item in diff.questions] == ["dsl_named", None]
    whole = question(diff, None)
    assert whole.text == "About the whole return" and whole.section_title is None
    assert whole.actions[0].fields["Status"].new == "In progress"


def test_every_kind_of_change_at_once():
    new = content(2)
    new["sections"][0]["questions"][1].update(value="green", answer="Fully met",
                                              comment="Done in June")
    new["evidence"][0]["sha256"] = "e" * 64
    new["actions"][0]["status"] = "done"
    diff = diff_contents(content(1), new)
    assert [item.question_id for item in diff.questions] == ["dsl_named", "dsl_training"]
    training = question(diff, "dsl_training")
    assert training.answer and training.comment and training.actions


def test_the_inputs_are_not_changed():
    old, new = content(1), content(2)
    new["evidence"] = []
    frozen_old, frozen_new = copy.deepcopy(old), copy.deepcopy(new)
    diff_contents(old, new)
    assert (old, new) == (frozen_old, frozen_new)


def test_diff_submissions_reads_the_stored_content():
    class Stored:
        def __init__(self, content):
            self.content = content

    new = content(2)
    new["sections"][1]["questions"][0].update(value="no", answer="No")
    diff = diff_submissions(Stored(content(1)), Stored(new))
    assert (diff.older_number, diff.newer_number) == (1, 2)
    assert question(diff, "gov_policy").answer.new_text == "No"


def test_an_unreadable_target_date_is_shown_as_stored():
    old, new = content(1), content(2)
    new["actions"][0]["target_date"] = "someday"
    [item] = question(diff_contents(old, new), "dsl_training").actions
    assert (item.fields["Target date"].old, item.fields["Target date"].new) == (
        "1 September 2026", "someday")


def test_the_partial_shows_every_kind_of_change(app):
    from flask import render_template

    new = content(2)
    new["sections"][0]["questions"][1].update(value="green", answer="Fully met",
                                              comment=None)
    new["evidence"][0]["sha256"] = "f" * 64
    new["evidence"][1]["reference"] = "Safeguarding policy, May 2026"
    new["actions"][0]["owner"] = "DSL"
    new["actions"][1]["description"] = "Whole-school review <b>now</b>"
    with app.test_request_context():
        html = render_template("review/diff.html", diff=diff_contents(content(1), new))
    assert "Changes from submission 1 to submission 2: 3 questions changed." in html
    assert "<del>Partly met</del>" in html and "<ins>Fully met</ins>" in html
    assert "<del>Refresher booked</del>" in html and '<span class="govuk-hint">(none)</span>' in html
    assert f"<del>SHA-256 {'a' * 64}</del>" in html and f"<ins>SHA-256 {'f' * 64}</ins>" in html
    assert "Evidence removed: Governors&#39; minutes, 12 March 2026" in html
    assert "Evidence added: Safeguarding policy, May 2026" in html
    assert "Action ‘Book DSL refresher’: owner" in html
    assert "<del>Head</del>" in html and "<ins>DSL</ins>" in html
    assert "Whole-school review &lt;b&gt;now&lt;/b&gt;" in html
    assert 'id="changes-whole-return"' in html


def test_the_partial_says_when_nothing_changed(app):
    from flask import render_template

    with app.test_request_context():
        html = render_template("review/diff.html", diff=diff_contents(content(1), content(2)))
    assert "Nothing changed between submission 1 and submission 2." in html
