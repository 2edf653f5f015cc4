"""The reports kept in memory: a second view of the same figures reuses the frames, and any
change to what a report reads (answers, moderations, actions, organisations, localities,
return states, extensions), other filters or another day make it again."""
import re
from datetime import date, timedelta
from types import SimpleNamespace

import pytest

from audit_app.cycles.services import give_extension
from audit_app.extensions import db
from audit_app.organisations.services import set_locality
from audit_app.reports import services
from audit_app.reports.services import ReportCache, load_report
from audit_app.returns.submission import submit
from audit_app.review.services import moderate
from audit_app.timeutil import today_london
from tests.reports.report_builders import HOSTILE_NAME, RATED, known_cycle
from tests.returns.submission_builders import add_action, answer_everything, approve_all


@pytest.fixture
def cycle(partnership, school, make_user):
    return known_cycle(partnership, school, make_user)


def return_of(cycle, name):
    return next(item for item in cycle.returns if item.organisation.name == name)


def test_a_second_load_reuses_the_frames_with_this_requests_cycle(cycle):
    first = load_report(cycle)
    again = load_report(cycle)
    assert again.answers is first.answers and again.returns is first.returns
    assert again.cycle is cycle
    assert again.generated_at >= first.generated_at
    assert again.options == first.options and again.options is not first.options


def test_other_filters_or_another_day_are_other_reports(cycle):
    first = load_report(cycle)
    narrowed = load_report(cycle, {"phase": ["Secondary"]})
    assert narrowed.answers is not first.answers
    assert set(narrowed.answers.organisation_name) == {"Elm Secondary School"}
    later = load_report(cycle, today=today_london() + timedelta(days=1))
    assert later.answers is not first.answers
    assert load_report(cycle, {"phase": ["Secondary"]}).answers is narrowed.answers


def _moderate_elm(cycle, make_user, partnership):
    moderate(return_of(cycle, "Elm Secondary School"), RATED, "red", "No minutes",
             make_user("reviewer", partnership))


def _agree_with_oak(cycle, make_user, partnership):
    moderate(return_of(cycle, "Oak Tree Primary School"), RATED, None, None,
             make_user("reviewer", partnership))


def _rename_elm(cycle, make_user, partnership):
    return_of(cycle, "Elm Secondary School").organisation.name = "Elm Academy"


def _move_elm(cycle, make_user, partnership):
    set_locality(partnership, return_of(cycle, "Elm Secondary School").organisation, "Far")


def _add_action(cycle, make_user, partnership):
    add_action(return_of(cycle, "Oak Tree Primary School"), RATED)


def _submit_hostile(cycle, make_user, partnership):
    hostile = return_of(cycle, HOSTILE_NAME)
    submitter = make_user("respondent", partnership, hostile.organisation)
    answer_everything(hostile, rating="red")
    approve_all(hostile, submitter)
    submit(hostile, submitter, True, hostile.lock_version)


def _extend_hostile(cycle, make_user, partnership):
    give_extension(return_of(cycle, HOSTILE_NAME), today_london() + timedelta(days=400),
                    make_user("admin", partnership))


@pytest.mark.parametrize("change", [_moderate_elm, _agree_with_oak, _rename_elm, _move_elm,
                                    _add_action, _submit_hostile, _extend_hostile])
def test_a_change_to_what_the_report_reads_makes_it_again(cycle, make_user, partnership,
                                                          change):
    first = load_report(cycle)
    change(cycle, make_user, partnership)
    db.session.commit()
    again = load_report(cycle)
    assert again.answers is not first.answers
    assert not (again.answers.equals(first.answers) and again.returns.equals(first.returns)
                and again.actions.equals(first.actions))


def _page(client, cycle) -> str:
    # Without the script nonce and the sign-out form's token, new for every response.
    return re.sub(r'nonce="[^"]*"|name="csrf_token" value="[^"]*"', "",
                  client.get(f"/reports/cycles/{cycle.id}").get_data(as_text=True))


def test_the_dashboard_shows_the_same_page_then_the_change(app, cycle, make_user,
                                                           partnership, sign_in):
    client = sign_in(app.test_client(), make_user("qa", partnership))
    first = _page(client, cycle)
    assert _page(client, cycle) == first
    assert "1 of 2" in first                    # answers the reviewers lowered
    _moderate_elm(cycle, make_user, partnership)
    db.session.commit()
    assert "2 of 2" in _page(client, cycle)


def _report(rows: int):
    return SimpleNamespace(answers=range(rows), previous_answers=None)


def test_the_cache_keeps_a_bounded_number_of_reports_and_rows():
    cache = ReportCache(size=2, rows=100)
    cache.put("a", _report(10))
    cache.put("b", _report(10))
    assert cache.get("a") is not None          # now the most recently used
    cache.put("c", _report(10))
    assert cache.get("b") is None and cache.get("a") and cache.get("c")
    cache.put("d", _report(95))                 # too many rows with the others
    assert cache.get("a") is None and cache.get("c") is None and cache.get("d")
    cache.put("e", _report(101))                # bigger than the whole allowance
    assert cache.get("e") is None and cache.get("d")


def test_a_report_is_not_kept_beyond_its_key(cycle, monkeypatch):
    monkeypatch.setattr(services, "_reports", ReportCache(size=1, rows=10 ** 6))
    first = load_report(cycle)
    load_report(cycle, today=date(2030, 1, 1))
    assert load_report(cycle).answers is not first.answers


def test_the_dashboards_figures_are_worked_out_once_per_version_of_the_data(
        cycle, make_user, partnership):
    from audit_app.reports.dashboard import dashboard_context

    first = dashboard_context(load_report(cycle))
    again = dashboard_context(load_report(cycle))
    assert again["sections"] is first["sections"]
    assert again["year_on_year"]["previous"] is None
    _moderate_elm(cycle, make_user, partnership)
    assert dashboard_context(load_report(cycle))["sections"] is not first["sections"]


def test_warming_reads_and_keeps_the_recent_cycles_reports(cycle):
    assert services.warm_reports() == 1
    kept = load_report(cycle)
    assert load_report(cycle).answers is kept.answers


def test_warming_skips_a_cycle_too_big_to_keep(cycle, monkeypatch):
    monkeypatch.setattr(services, "REPORT_CACHE_ROWS", 10)
    assert services.warm_reports() == 0
    assert services._reports.items == {}


def test_an_export_reads_the_data_as_it_is_and_keeps_the_kept_report(cycle, make_user,
                                                                       partnership):
    from audit_app.reports.exports import report_for_export

    first = load_report(cycle)
    assert report_for_export(cycle, "xlsx").answers is first.answers   # current: reused
    _moderate_elm(cycle, make_user, partnership)
    db.session.commit()
    exported = report_for_export(cycle, "xlsx")
    assert exported.answers is not first.answers
    elm = exported.answers[exported.answers.organisation_name == "Elm Secondary School"]
    assert "red" in set(elm.final_value)
    assert [kept.answers for kept in services._reports.items.values()] == [first.answers]
