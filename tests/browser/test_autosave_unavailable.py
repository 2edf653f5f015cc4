"""Autosave in a real (headless) browser while the service is unavailable: the page's
script keeps the answers in the tab, says they have not been saved, and sends them again
by itself until the service is back (tests/browser/pages/unavailable.html)."""
from pathlib import Path

import pytest

from tests.browser.test_scripts_in_browser import run_page, serving

PAGE = Path(__file__).resolve().parent / "pages" / "unavailable.html"


@pytest.fixture
def served(tmp_path):
    with serving(tmp_path, ("autosave.js",), (PAGE,)) as address:
        yield address


def test_answers_wait_in_the_tab_until_the_service_is_back(served, tmp_path):
    results = run_page(f"{served}/{PAGE.name}", tmp_path / "profile", 90000)
    assert results["sentAtOnce"] == 1
    assert results["statusWhileUnavailable"].startswith(
        "Your latest answers have not been saved because the service is unavailable")
    assert results["keptWhileUnavailable"]
    assert results["sentAfter31Seconds"] == 2, "sent again by itself"
    assert results["statusWhileOffline"].endswith("We will try again.")
    assert results["keptWhileOffline"]
    assert results["sent"] == ["csrf_token=token&version=0&base=b0&q1=3"] * 3
    assert results["statusWhenBack"] == "Saved at 10:45"
    assert results["keptAfterSaving"] is None and results["version"] == "1"
