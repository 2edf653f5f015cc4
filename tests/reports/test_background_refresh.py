"""The dashboard answers at once after a change: it shows the figures it has, says when they
were worked out and that new ones are on their way, and reads the new data in a thread of its
own; the next view shows them. A refresh that fails makes the next view read the data itself.
Exports never show old figures. These commit for real, in a database of their own, because
the background thread has a session of its own."""
import importlib.util
import re
import threading
import uuid
from datetime import timedelta
from pathlib import Path
from types import SimpleNamespace

import pytest

from audit_app.auth.models import Grant, User
from audit_app.auth.sessions import SESSION_KEY, start_session
from audit_app.cycles.models import Cycle
from audit_app.extensions import db
from audit_app.organisations.models import Partnership
from audit_app.reports import refresh, services
from audit_app.reports.exports import report_for_export
from audit_app.reports.services import forget_reports, load_report
from audit_app.review.services import moderate
from audit_app.timeutil import today_london
from tests.fixtures import add_school
from tests.reports.report_builders import RATED, known_cycle

pytestmark = pytest.mark.no_db
REFRESHING = "Returns have changed since then and the figures are being updated"


def _user(role, partnership, organisation=None):
    user = User(email=f"{role}-{uuid.uuid4().hex[:8]}@example.org", name=f"Test {role}")
    db.session.add(user)
    db.session.add(Grant(user=user, role=role, partnership_id=partnership.id,
                         organisation_id=getattr(organisation, "id", None)))
    db.session.commit()
    return user


@pytest.fixture
def world(own_app):
    own_app.config["REPORTS_REFRESH_IN_BACKGROUND"] = True
    with own_app.app_context():
        partnership = Partnership(slug="refresh", name="Refresh Partnership")
        db.session.add(partnership)
        db.session.commit()
        cycle = known_cycle(partnership, add_school(partnership), _user)
        qa = _user("qa", partnership)
        ids = {"cycle": cycle.id, "qa": qa.id, "partnership": partnership.id}
        with own_app.test_request_context():
            token = start_session(qa, second_factor=True)
            db.session.commit()
    client = own_app.test_client()
    with client.session_transaction() as cookie_session:
        cookie_session[SESSION_KEY] = token
    yield own_app, client, ids
    forget_reports()


def _lower_elm(app, ids):
    with app.app_context():
        cycle = db.session.get(Cycle, ids["cycle"])
        elm = next(item for item in cycle.returns
                   if item.organisation.name == "Elm Secondary School")
        moderate(elm, RATED, "red", "No minutes", _user("reviewer", cycle.partnership))
        db.session.commit()


def _page(client, ids) -> str:
    response = client.get(f"/reports/cycles/{ids['cycle']}")
    assert response.status_code == 200
    # Without the script nonce and the sign-out form's token, new for every response.
    return re.sub(r'nonce="[^"]*"|name="csrf_token" value="[^"]*"', "",
                  response.get_data(as_text=True))


def test_after_a_change_the_kept_figures_are_shown_and_said_to_be_old_then_the_new(world):
    app, client, ids = world
    first = _page(client, ids)
    assert "1 of 2" in first and "Figures as at" in first and REFRESHING not in first
    _lower_elm(app, ids)
    meanwhile = _page(client, ids)
    assert REFRESHING in meanwhile and "1 of 2" in meanwhile
    assert "These figures were worked out on" in meanwhile
    refresh.wait(60)
    assert refresh.running() == 0
    # The new figures were worked out and rendered in the background, ready to be shown.
    kept = next(iter(services._reports.items.values()))
    assert "html" in kept.derived and "2 of 2" in kept.derived["html"]
    after = _page(client, ids)
    assert "2 of 2" in after and REFRESHING not in after
    assert _page(client, ids) == after           # kept again: the same page


def test_one_refresh_at_a_time_per_report(world, monkeypatch):
    app, client, ids = world
    _page(client, ids)
    started = []
    monkeypatch.setattr(refresh, "_run", lambda *args: started.append(args))
    _lower_elm(app, ids)
    for _ in range(3):
        assert REFRESHING in _page(client, ids)
    assert len(started) == 1
    refresh._running.clear()


def test_a_refresh_that_fails_makes_the_next_view_read_the_data_itself(world, monkeypatch):
    app, client, ids = world
    _page(client, ids)

    def broken(*_args):
        raise RuntimeError("the database went away")

    monkeypatch.setattr(services, "_build_kept", broken)
    _lower_elm(app, ids)
    assert REFRESHING in _page(client, ids)
    refresh.wait(60)
    after = _page(client, ids)
    assert "2 of 2" in after and REFRESHING not in after


def test_exports_read_the_data_as_it_is(world):
    app, client, ids = world
    _page(client, ids)
    _lower_elm(app, ids)
    with app.app_context():
        report = report_for_export(db.session.get(Cycle, ids["cycle"]), "xlsx")
        assert not report.refreshing
        elm = report.answers[(report.answers.organisation_name == "Elm Secondary School")
                             & (report.answers.question_id == RATED)]
        assert list(elm.final_value) == ["red"]
    response = client.get(f"/reports/cycles/{ids['cycle']}/download/xlsx")
    assert response.status_code == 200
    # The download read the new data without taking the place of the dashboard's prepared
    # figures: the dashboard shows those, saying so, and refreshes them in the background.
    assert REFRESHING in _page(client, ids)
    refresh.wait(60)
    assert "2 of 2" in _page(client, ids)


def test_a_new_day_shows_the_kept_figures_while_the_overdue_days_are_worked_out(world):
    app, _client, ids = world
    today = today_london()
    with app.app_context():
        cycle = db.session.get(Cycle, ids["cycle"])
        yesterday = load_report(cycle, today=today - timedelta(days=1))
        meanwhile = load_report(cycle, today=today, stale_ok=True)
        assert meanwhile.refreshing and meanwhile.answers is yesterday.answers
        refresh.wait(60)
        fresh = load_report(cycle, today=today, stale_ok=True)
        assert not fresh.refreshing and fresh.today == today
        assert load_report(cycle, today=today).answers is fresh.answers


def test_a_new_gunicorn_worker_reads_the_recent_reports_in_the_background(world):
    app, _client, ids = world
    forget_reports()
    config = Path(__file__).resolve().parents[2] / "gunicorn.conf.py"
    spec = importlib.util.spec_from_file_location("gunicorn_settings", config)
    settings = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(settings)
    worker = SimpleNamespace(wsgi=app)
    with app.app_context():
        settings.post_worker_init(worker)
        for thread in threading.enumerate():
            if thread.name == "report-warm":
                thread.join(60)
        assert len(services._reports.items) == 1
        cycle = db.session.get(Cycle, ids["cycle"])
        kept = next(iter(services._reports.items.values()))
        assert "1 of 2" in kept.derived["html"]
        assert load_report(cycle).answers is kept.answers
