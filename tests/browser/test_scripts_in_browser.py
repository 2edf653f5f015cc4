"""The page's scripts in a real (headless) browser: tests/browser/pages/*.html hold a
section form, a fake server and a script of what a person does; the scripts under test are
those of assets/js. Chromium runs each page on virtual time, so 30 seconds pass at once."""
import html
from contextlib import contextmanager
import json
import re
import shutil
import subprocess
import threading
from functools import partial
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest

from tests.browser.harness import chromium_path

ROOT = Path(__file__).resolve().parents[2]
PAGES = Path(__file__).resolve().parent / "pages"
SCRIPTS = ("conditional-questions.js", "autosave.js", "session-timeout.js")


class QuietHandler(SimpleHTTPRequestHandler):
    def log_message(self, *args):
        pass


@contextmanager
def serving(folder: Path, scripts, pages):
    """The scripts under test and the harness pages, copied into ``folder`` and served over
    HTTP (modules need it); yields the base address."""
    for name in scripts:
        shutil.copy(ROOT / "assets" / "js" / name, folder / name)
    for page in pages:
        shutil.copy(page, folder / page.name)
    server = ThreadingHTTPServer(("127.0.0.1", 0),
                                 partial(QuietHandler, directory=str(folder)))
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}"
    finally:
        server.shutdown()
        server.server_close()


@pytest.fixture
def served(tmp_path):
    with serving(tmp_path, SCRIPTS, PAGES.glob("*.html")) as address:
        yield address


def run_page(url: str, profile: Path, budget_ms: int) -> dict:
    browser = chromium_path()
    result = subprocess.run(
        [browser, "--headless", "--no-sandbox", "--disable-gpu", f"--user-data-dir={profile}",
         f"--virtual-time-budget={budget_ms}", "--dump-dom", url],
        capture_output=True, text=True, timeout=120)
    match = re.search(r'<pre id="results">(.*?)</pre>', result.stdout, re.DOTALL)
    assert match and match.group(1), result.stderr[-2000:]
    return json.loads(html.unescape(match.group(1)))


def test_a_working_session(served, tmp_path):
    results = run_page(f"{served}/journey.html", tmp_path / "profile", 60000)
    assert results["q2HiddenAtFirst"] and results["q2ShownOnceItApplies"]
    assert results["q3HiddenForThisOrganisation"]
    assert results["sentWhileTyping"] == 0, "nothing is sent while the person types"
    assert results["sentOnLeavingTheField"] == [
        "/save csrf_token=token&version=0&base=b0&q1=2&q3="]
    assert results["statusAfterSave"] == "Saved at 10:42"
    assert (results["versionAfterSave"], results["baseAfterSave"]) == ("1", "b1")
    assert results["keptLocallyAfterSave"] is None
    assert results["keptLocallyWhileUnsaved"]
    assert (results["sentWithin25Seconds"], results["sentWithin31Seconds"]) == (1, 2), \
        "a change is saved at most 30 seconds after the last save"
    assert not results["dialogBeforeWarning"]
    assert results["dialogOpen"] and results["dialogModal"] == "true"
    assert results["dialogLabelled"] == "You are about to be signed out"
    assert results["focusInDialog"] and results["dialogButton"] == "Stay signed in"
    assert results["keepAlivePosted"] == ["csrf_token=token"]
    assert results["dialogClosedAfterStaying"]
    assert results["dialogAfterExpiry"].startswith("You have been signed out")
    assert results["keptLocallyAfterExpiry"]
    assert results["statusAfterExpiry"].startswith("You have been signed out")


def test_answers_kept_in_the_tab_are_saved_after_signing_in_again(served, tmp_path):
    results = run_page(f"{served}/restore.html", tmp_path / "profile", 5000)
    assert results["sent"] == ["csrf_token=fresh&version=3&base=b3&q1=4&q2=red&q4=1&q4=2&q4=2026"]
    assert results["q2Shown"] and results["status"] == "Saved at 10:43"
    assert results["keptLocally"] is None and results["version"] == "6"
