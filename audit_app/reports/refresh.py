"""Reading a report's newer data in the background, so that the dashboard answers at once
with the figures it has (saying when they were worked out) while a change is taken in.

One refresh at a time per report: a dashboard opened ten times while one runs starts no
other. A refresh that fails is logged, and the next view of that report reads the data in
the request itself, so that its error is shown rather than old figures for ever."""
import logging
import threading
from collections.abc import Callable, Hashable

from flask import current_app, has_request_context, request

log = logging.getLogger(__name__)

_lock = threading.Lock()
_running: dict[Hashable, threading.Thread] = {}
# The report key and the data stamp of each refresh that failed.
_failed: dict[Hashable, int] = {}


def start(key: Hashable, stamp: int, work: Callable[[], None]) -> bool:
    """Run ``work`` in a thread of its own, unless a refresh of ``key`` is already running.
    False when the refresh of this key at this stamp has already failed: the caller does
    the work itself."""
    app = current_app._get_current_object()
    base_url = request.url_root if has_request_context() else None
    with _lock:
        if _failed.get(key) == stamp:
            return False
        if key in _running:
            return True
        thread = threading.Thread(target=_run, args=(app, base_url, key, stamp, work),
                                  daemon=True, name="report-refresh")
        _running[key] = thread
    thread.start()
    return True


def _context(app, base_url: str | None):
    """A request context of the thread's own (and so a database session of its own), at the
    address of the request that started it, so that pages rendered there link as its own
    pages do; nobody is signed in to it."""
    return app.test_request_context(base_url=base_url or app.config["BASE_URL"])


def _run(app, base_url: str | None, key: Hashable, stamp: int,
         work: Callable[[], None]) -> None:
    try:
        with _context(app, base_url):
            work()
        with _lock:
            _failed.pop(key, None)
    except Exception:  # logged; the next view reads the data in the request instead
        log.exception("reading a report's newer data in the background failed")
        with _lock:
            _failed[key] = stamp
    finally:
        with _lock:
            _running.pop(key, None)


def running() -> int:
    with _lock:
        return len(_running)


def wait(timeout: float | None = None) -> None:
    """Wait for the refreshes running now (tests, and before the kept reports are
    dropped)."""
    with _lock:
        threads = list(_running.values())
    for thread in threads:
        thread.join(timeout)


def forget_failures() -> None:
    with _lock:
        _failed.clear()


def warm_in_background(app) -> threading.Thread:
    """Read the recent cycles' reports in a thread of its own (a server process that has just
    started), so that the first person to open their dashboards does not wait."""
    def warm():
        from .dashboard import dashboard_html
        from .services import warm_reports

        try:
            with _context(app, None):
                warm_reports(prepare=dashboard_html)
        except Exception:  # logged; the dashboards then read their reports when opened
            log.exception("reading the recent cycles' reports at start-up failed")

    thread = threading.Thread(target=warm, daemon=True, name="report-warm")
    thread.start()
    return thread
