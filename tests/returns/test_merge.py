"""No lost update, without HTTP: the three-way merge of a stale save, the signed base, and
saves from two pages rendered from the same version."""
import pytest
import sqlalchemy as sa

from audit_app.extensions import db
from audit_app.returns.concurrency import (MINE, THEIRS, BaseRefused, Conflict, apply_choices,
                                           read_base, sign_base, three_way_merge)
from audit_app.returns.models import SectionState
from tests.returns.helpers import page_of, save, stored


def test_a_current_page_applies_what_it_changed():
    merge = three_way_merge({"a": "1", "b": None}, {"a": "2", "b": None},
                            {"a": "1", "b": None}, stale=False)
    assert merge.changes == {"a": "2"} and merge.conflicts == []


@pytest.mark.parametrize("base, mine, current, changes, conflicts", [
    # only this person changed it: applied
    ("green", "red", "green", {"q": "red"}, []),
    # only the other person changed it: kept
    ("green", "green", "amber", {}, []),
    # both changed it, to the same value: nothing to do
    ("green", "red", "red", {}, []),
    # both changed it, to different values: nothing overwritten, a conflict
    ("green", "red", "amber", {}, [Conflict("q", "red", "amber")]),
    # one cleared it, the other changed it: a conflict too
    ("green", None, "amber", {}, [Conflict("q", None, "amber")]),
    # empty text is no answer
    (None, "   ", None, {}, []),
])
def test_a_stale_page_is_merged_field_by_field(base, mine, current, changes, conflicts):
    merge = three_way_merge({"q": base}, {"q": mine}, {"q": current}, stale=True)
    assert merge.changes == changes and merge.conflicts == conflicts


def test_choosing_between_conflicting_values():
    base = {"q": "amber", "q__comment": "theirs"}
    mine = {"q": "red", "q__comment": "mine"}
    chosen = apply_choices(mine, base, {"q": THEIRS, "q__comment": MINE})
    assert chosen == {"q": "amber", "q__comment": "mine"}


def test_the_base_is_signed_and_tied_to_its_return_and_section(app_ctx):
    token = sign_base(7, "dsl", 3, {"q": "green"})
    assert read_base(token, 7, "dsl") == (3, {"q": "green"})
    for bad in (token[:-3] + "abc", "", None):
        with pytest.raises(BaseRefused):
            read_base(bad, 7, "dsl")
    with pytest.raises(BaseRefused):
        read_base(token, 8, "dsl")
    with pytest.raises(BaseRefused):
        read_base(token, 7, "leadership")


def test_two_pages_from_one_version_merge_without_losing_either(audit_return, respondent,
                                                              make_user, partnership, school):
    colleague = make_user("respondent", partnership, school)
    save(audit_return, "dsl", {"dsl_in_post": "amber"}, comments={"dsl_in_post": "New DSL"},
         actor=respondent)
    db.session.commit()
    first_page, second_page = page_of(audit_return, "dsl"), page_of(audit_return, "dsl")
    first = save(audit_return, "dsl", {"dsl_in_post": "green", "dsl_deputies": "1"},
                 actor=respondent, page=first_page)
    assert not first.stale and first.version == 2
    second = save(audit_return, "dsl",
                  {"dsl_in_post": "red", "dsl_cover": "rarely"},
                  comments={"dsl_in_post": "DSL on leave"}, actor=colleague, page=second_page)
    db.session.commit()
    assert second.stale and second.version == 3
    assert second.conflicts == [Conflict("dsl_in_post", "red", "green")]
    assert second.changed == ["dsl_cover", "dsl_in_post__comment"]
    assert stored(audit_return) == {"dsl_in_post": ("green", "DSL on leave"),
                                    "dsl_deputies": ("1", None),
                                    "dsl_cover": ("rarely", None)}
    state = SectionState.query.filter_by(return_id=audit_return.id, section_key="dsl").one()
    assert (state.version, state.status) == (3, "in_progress")


def test_a_section_with_a_conflict_is_not_completed(audit_return, respondent):
    old_page = page_of(audit_return, "dsl")
    save(audit_return, "dsl", {"dsl_in_post": "green"}, actor=respondent)
    result = save(audit_return, "dsl", {"dsl_in_post": "red", "dsl_deputies": "0",
                                        "dsl_cover": "always"},
                  comments={"dsl_in_post": "Vacant"}, actor=respondent, complete=True,
                  page=old_page)
    assert result.conflicts and result.status == "in_progress" and result.problems == []


def test_a_stale_save_that_changed_nothing_new_writes_nothing(audit_return, respondent):
    old_page = page_of(audit_return, "dsl")
    save(audit_return, "dsl", {"dsl_in_post": "green"}, actor=respondent)
    result = save(audit_return, "dsl", {}, actor=respondent, page=old_page)
    assert result.stale and not result.wrote and result.version == 1


def test_the_version_only_moves_on_from_the_version_seen(audit_return, respondent):
    from audit_app.returns.concurrency import advance_version, section_state

    state = section_state(audit_return.id, "dsl")
    assert not advance_version(state, 5, "in_progress", respondent)
    assert state.version == 0
    assert advance_version(state, 0, "in_progress", respondent)
    assert not advance_version(state, 0, "completed", respondent), "a second save from 0"
    assert (state.version, state.status) == (1, "in_progress")


def test_a_save_that_loses_the_version_race_merges_again(audit_return, respondent,
                                                        monkeypatch):
    """A writer that does not take the return's lock moves the section on between this
    save's reading and its conditional update: the save plans again against it."""
    from audit_app.returns import services
    from audit_app.returns.models import Answer

    real = services.advance_version
    calls = []

    def interrupted(state, seen, status, actor):
        if not calls:
            db.session.execute(sa.update(SectionState).where(SectionState.id == state.id)
                               .values(version=SectionState.version + 1))
            db.session.add(Answer(return_id=audit_return.id, section_key="dsl",
                                  question_key="dsl_in_post", value="amber"))
            db.session.flush()
        calls.append(seen)
        return real(state, seen, status, actor)

    monkeypatch.setattr(services, "advance_version", interrupted)
    result = save(audit_return, "dsl", {"dsl_in_post": "green", "dsl_cover": "always"},
                  actor=respondent)
    assert calls == [0, 1]
    assert result.version == 2 and result.changed == ["dsl_cover"]
    assert result.conflicts == [Conflict("dsl_in_post", "green", "amber")]
    assert stored(audit_return)["dsl_in_post"] == ("amber", None)
