"""A gunicorn worker is killed (SIGKILL) in the middle of saving a section, on PostgreSQL:
the real server (2 workers) runs the application as deployed (``wsgi:app``) against a
database of its own. A test-only pause (TEST_PAUSE_IN_SAVE_FILE) holds the save after its
answers are written and before its commit, so the kill lands exactly there. The section
then holds all or nothing — nothing here: no answer, version and return unchanged, no audit
record — and the service keeps serving: the same person saves the same section at once."""
import os
import re
import signal
import socket
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest
import requests
import sqlalchemy as sa

from audit_app.config import ConfigError, load_config
from tests.faults.conftest import PASSWORD, seed_return

pytestmark = pytest.mark.no_db
ROOT = Path(__file__).resolve().parents[2]
SECRET = "fault-test-secret-key-that-is-long-enough-0123456789"


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def wait_for(condition, seconds: float, what: str):
    give_up = time.monotonic() + seconds
    while time.monotonic() < give_up:
        value = condition()
        if value:
            return value
        time.sleep(0.1)
    raise AssertionError(f"gave up waiting for {what}")


class Gunicorn:
    def __init__(self, database_url: str, folder: Path):
        self.pause = folder / "pause-save"
        self.log = folder / "gunicorn.log"
        self.base = f"http://127.0.0.1:{free_port()}"
        environment = {**os.environ, "AUDIT_ENV": "test", "DATABASE_URL": database_url,
                       "SECRET_KEY": SECRET, "UPLOAD_DIR": str(folder / "uploads"),
                       "OUTBOX_DIR": str(folder / "outbox"),
                       "TEST_PAUSE_IN_SAVE_FILE": str(self.pause)}
        with open(self.log, "wb") as log:
            self.process = subprocess.Popen(  # noqa: S603  (the suite's own interpreter)
                [sys.executable, "-m", "gunicorn", "--workers", "2", "--timeout", "120",
                 "--graceful-timeout", "5", "--bind", self.base.removeprefix("http://"),
                 "wsgi:app"], cwd=ROOT, env=environment, stdout=log,
                stderr=subprocess.STDOUT)

    def log_tail(self) -> str:
        return self.log.read_text(errors="replace")[-3000:]

    def healthy(self) -> bool:
        try:
            return requests.get(f"{self.base}/healthz", timeout=2).status_code == 200
        except requests.RequestException:
            return False

    def workers(self) -> list[int]:
        path = Path(f"/proc/{self.process.pid}/task/{self.process.pid}/children")
        return [int(pid) for pid in path.read_text().split()] if path.exists() else []

    def stop(self) -> None:
        self.process.terminate()
        try:
            self.process.wait(15)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait(5)


@pytest.fixture
def served(new_database, make_app, tmp_path):
    database_url = new_database("postgresql")
    setup = make_app(database_url, tmp_path / "setup")
    seeded = seed_return(setup, with_evidence=False)
    server = Gunicorn(database_url, tmp_path)
    try:
        wait_for(lambda: server.healthy() or server.process.poll() is not None, 90,
                 "gunicorn to start")
        assert server.process.poll() is None, server.log_tail()
        wait_for(lambda: len(server.workers()) == 2, 30, "two workers")
        engine = sa.create_engine(database_url)
        yield server, seeded, engine
        engine.dispose()
    finally:
        server.stop()


def field(page: str, name: str) -> str:
    return re.search(rf'name="{name}"[^>]* value="([^"]*)"', page).group(1)


def signed_in(server: Gunicorn, email: str) -> requests.Session:
    browser = requests.Session()
    form = browser.get(f"{server.base}/sign-in", timeout=10).text
    response = browser.post(f"{server.base}/sign-in", timeout=10, allow_redirects=False,
                            data={"csrf_token": field(form, "csrf_token"), "email": email,
                                  "password": PASSWORD})
    assert response.status_code == 302, response.text[-2000:]
    return browser


def section_post(browser: requests.Session, url: str, deputies: str) -> dict:
    page = browser.get(url, timeout=10)
    assert page.status_code == 200
    return {name: field(page.text, name) for name in ("csrf_token", "version", "base")} | \
        {"dsl_deputies": deputies, "action": "draft"}


def section_as_stored(engine, return_id: int) -> dict:
    with engine.connect() as connection:
        answers = connection.execute(sa.text(
            "SELECT question_key, value FROM answers WHERE return_id = :id "
            "AND section_key = 'dsl'"), {"id": return_id}).all()
        version = connection.execute(sa.text(
            "SELECT version FROM section_states WHERE return_id = :id AND section_key = 'dsl'"),
            {"id": return_id}).scalar()
        status, lock_version = connection.execute(sa.text(
            "SELECT status, lock_version FROM returns WHERE id = :id"), {"id": return_id}).one()
        saved_events = connection.execute(sa.text(
            "SELECT count(*) FROM audit_events WHERE action = 'return.section_saved'")).scalar()
    return {"answers": dict(answers), "version": version or 0, "status": status,
            "lock_version": lock_version, "saved_events": saved_events}


def test_a_worker_killed_mid_save_leaves_all_or_nothing(served):
    server, seeded, engine = served
    url = f"{server.base}/returns/{seeded.return_id}/sections/dsl"
    browser = signed_in(server, seeded.email)
    posted = section_post(browser, url, "4")
    before = section_as_stored(engine, seeded.return_id)

    server.pause.touch()
    outcome: list = []

    def save():
        try:
            outcome.append(browser.post(url, data=posted, timeout=90, allow_redirects=False))
        except requests.RequestException as error:
            outcome.append(error)

    saving = threading.Thread(target=save)
    saving.start()
    reached = Path(f"{server.pause}.reached")
    worker = int(wait_for(lambda: reached.exists() and reached.read_text().strip(), 30,
                          f"the save to reach its pause\n{server.log_tail()}"))
    assert worker in server.workers(), "the pause is in a gunicorn worker"
    with engine.connect() as connection:
        in_transaction = connection.execute(sa.text(
            "SELECT count(*) FROM pg_stat_activity WHERE datname = current_database() "
            "AND state = 'idle in transaction'")).scalar()
    assert in_transaction >= 1, "the worker holds its save's transaction open"
    assert section_as_stored(engine, seeded.return_id) == before, "nothing seen before commit"

    os.kill(worker, signal.SIGKILL)
    saving.join(60)
    assert len(outcome) == 1 and isinstance(outcome[0], requests.ConnectionError), outcome
    server.pause.unlink()

    after = wait_for(lambda: (lambda state: state if state == before else None)(
        section_as_stored(engine, seeded.return_id)), 10, "the killed save to be undone")
    assert after["answers"] == {} and after["version"] == 0
    assert after["lock_version"] == before["lock_version"]

    # The service keeps serving: the master replaces the worker, and the same person saves
    # the same section (the dead transaction's lock on the return is gone).
    assert server.healthy()
    again = browser.post(url, data=section_post(browser, url, "5"), timeout=30,
                         allow_redirects=False)
    assert again.status_code == 302, again.text[-2000:]
    saved = section_as_stored(engine, seeded.return_id)
    assert saved["answers"] == {"dsl_deputies": "5"} and saved["version"] == 1
    assert saved["saved_events"] == before["saved_events"] + 1
    workers = wait_for(lambda: (lambda pids: pids if len(pids) == 2 else None)(
        server.workers()), 30, "the killed worker to be replaced")
    assert worker not in workers
    assert "Traceback" not in server.log_tail()


def test_the_pause_cannot_be_enabled_outside_the_test_profile(tmp_path, monkeypatch):
    monkeypatch.setenv("TEST_PAUSE_IN_SAVE_FILE", str(tmp_path / "pause"))
    for profile in ("development", "production"):
        with pytest.raises(ConfigError, match="TEST_PAUSE_IN_SAVE_FILE is for the test suite"):
            load_config(str(tmp_path), {"AUDIT_ENV": profile, "SECRET_KEY": SECRET})
    assert load_config(str(tmp_path), {"AUDIT_ENV": "test"})["TEST_PAUSE_IN_SAVE_FILE"]


def test_the_pause_does_nothing_unless_testing(app, tmp_path, monkeypatch):
    """Even set (as only the test profile allows), the pause needs TESTING and its file."""
    from audit_app.returns import services

    pause = tmp_path / "pause"
    pause.touch()
    monkeypatch.setitem(app.config, "TEST_PAUSE_IN_SAVE_FILE", str(pause))
    monkeypatch.setitem(app.config, "TESTING", False)
    with app.app_context():
        started = time.monotonic()
        services._pause_when_testing()
    assert time.monotonic() - started < 1 and not Path(f"{pause}.reached").exists()
