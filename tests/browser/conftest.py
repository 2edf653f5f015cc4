"""Real-browser tests: Debian's Chromium, driven by Playwright, against the application
served on 127.0.0.1 from its own SQLite file with the demo partnership seeded once per run.

Every page a journey shows is checked with axe-core (``check_axe``): the ``visit``,
``submit`` and ``follow`` helpers check the page they land on, and a test fails at the end
if its page showed a document that was never checked. Uncaught script errors and Content
Security Policy violations fail the test too."""
import os
import sys
import threading
from dataclasses import dataclass, field
from pathlib import Path

import pytest
from werkzeug.serving import WSGIRequestHandler

from tests.browser.harness import chromium_path, watch_page

VIEWPORT = {"width": 1280, "height": 800}


def pytest_configure(config):
    config.addinivalue_line(
        "markers", "browser: runs in Chromium against a real server (tests/browser); "
                   "deselect with -m 'not browser'")


def pytest_collection_modifyitems(config, items):
    here = Path(__file__).resolve().parent
    for item in items:
        if here in Path(str(item.fspath)).resolve().parents:
            item.add_marker(pytest.mark.browser)


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_makereport(item, call):
    outcome = yield
    report = outcome.get_result()
    setattr(item, f"report_{report.when}", report)


@pytest.fixture(autouse=True)
def db_session():
    """Browser tests talk to their own server; the suite's rolled-back session is not
    theirs (and would cost a migrated database for nothing)."""
    yield None


@pytest.fixture(autouse=True)
def throttle_counters_of_its_own():
    """The server's throttle counts only failures, and the journeys make none on purpose."""
    yield


# --- the server ---------------------------------------------------------------------------

@dataclass
class LiveServer:
    app: object
    url: str
    folder: Path
    totp: dict = field(default_factory=dict)

    @property
    def outbox(self) -> Path:
        return Path(self.app.config["OUTBOX_DIR"])

    def context(self):
        """An application context on the server's database, for fixtures and checks."""
        return self.app.app_context()


def _seed(app) -> dict:
    """Migrate, load the questionnaires and seed the demo, as ``make run`` does. Returns
    the two-factor secrets of the demo's staff logins."""
    from flask_migrate import upgrade

    from audit_app.demo.services import seed
    from audit_app.extensions import db

    with app.app_context():
        upgrade()
        report = seed()
        db.session.commit()
        # (email, TOTP secret) of each demo login that signs in with two factors, as
        # `flask demo seed` prints them.
        return dict(report.totp)


class _QuietHandler(WSGIRequestHandler):
    """The test report is no place for an access log."""

    def log_request(self, *args, **kwargs):
        pass


@pytest.fixture(scope="session")
def live_server(tmp_path_factory):
    from werkzeug.serving import make_server

    from audit_app import create_app
    from tests.settings import settings_for_tests

    chromium_path()
    folder = tmp_path_factory.mktemp("browser-server")
    settings = settings_for_tests(f"sqlite:///{folder / 'audit.sqlite3'}", folder)
    settings.update(WTF_CSRF_ENABLED=True, TESTING=False)
    app = create_app(settings)
    totp = _seed(app)
    server = make_server("127.0.0.1", 0, app, threaded=True, request_handler=_QuietHandler)
    # The browser keeps connections open (HTTP/1.1 keep-alive) until it closes, which is
    # after the server stops: stopping must not wait for their threads.
    server.daemon_threads = True
    server.block_on_close = False
    url = f"http://127.0.0.1:{server.server_port}"
    app.config["BASE_URL"] = url
    thread = threading.Thread(target=server.serve_forever, name="live-server", daemon=True)
    thread.start()
    yield LiveServer(app=app, url=url, folder=folder, totp=totp)
    server.shutdown()
    thread.join(timeout=10)
    with app.app_context():
        from audit_app.extensions import db

        db.engine.dispose()


# --- the browser --------------------------------------------------------------------------

@pytest.fixture(scope="session")
def playwright_instance():
    from playwright.sync_api import sync_playwright

    chromium_path()
    with sync_playwright() as playwright:
        yield playwright


@pytest.fixture(scope="session")
def browser(playwright_instance):
    browser = playwright_instance.chromium.launch(
        executable_path=chromium_path(), headless=True,
        args=["--no-sandbox", "--disable-background-networking"])
    yield browser
    browser.close()


@pytest.fixture
def new_context(browser, live_server, request):
    """new_context(**options): a fresh browser context on the server (closed after the
    test); its pages are watched, and must all have been checked with axe."""
    contexts = []

    def _make(**options):
        options.setdefault("base_url", live_server.url)
        options.setdefault("viewport", VIEWPORT)
        options.setdefault("locale", "en-GB")
        options.setdefault("timezone_id", "Europe/London")
        context = browser.new_context(**options)
        context._journey_javascript = options.get("java_script_enabled", True)
        context.set_default_timeout(20_000)
        context.on("page", watch_page)
        contexts.append(context)
        return context

    yield _make
    problems = []
    call = getattr(request.node, "report_call", None)
    passed = call is not None and call.passed
    for context in contexts:
        if not passed:
            _keep_failure_evidence(context, request.node.name)
        for page in context.pages if passed else ():
            watch = watch_page(page)
            if watch.errors:
                problems.append("script errors or CSP violations:\n  "
                                + "\n  ".join(watch.errors))
            unchecked = watch.unchecked()
            if unchecked:
                problems.append("pages shown but never checked with axe:\n  "
                                + "\n  ".join(unchecked))
        context.close()
    if problems:
        pytest.fail("\n".join(problems), pytrace=False)


def _keep_failure_evidence(context, name: str) -> None:
    """A failed journey leaves its last pages (HTML and PNG) where the report says."""
    folder = Path(os.environ.get("TMPDIR", "/tmp")) / "browser-failures"
    folder.mkdir(parents=True, exist_ok=True)
    for index, page in enumerate(context.pages):
        stem = folder / f"{name}-{index}"
        try:
            stem.with_suffix(".html").write_text(page.content())
            page.screenshot(path=str(stem.with_suffix(".png")), full_page=True)
        except Exception as error:  # the page may be gone; the failure itself matters more
            sys.stderr.write(f"could not keep {stem}: {error}\n")
            continue
        sys.stderr.write(f"\nLast page of {name}: {page.url} -> {stem}.html / .png\n")


@pytest.fixture
def page(new_context):
    context = new_context()
    page = context.new_page()
    watch_page(page)
    return page


# --- people -------------------------------------------------------------------------------

RESPONDENT_PASSWORD = "a browser journey passphrase 2026"


@dataclass(frozen=True)
class Respondent:
    email: str
    password: str
    return_id: int
    organisation: str
    cycle: str


def make_respondent(live_server, cycle_name: str, label: str,
                    phase: str | None = None) -> Respondent:
    """A person invited (through the product's services) to respond for an organisation
    whose return in ``cycle_name`` has not been started; the password they would set from
    the invitation is set for them. Each call takes another organisation, so journeys do
    not depend on each other or on their order."""
    from audit_app.auth.models import Grant
    from audit_app.auth.services import invite_person, set_password
    from audit_app.cycles.models import AuditReturn, Cycle
    from audit_app.extensions import db
    from audit_app.organisations.models import Organisation

    with live_server.context():
        cycle = Cycle.query.filter_by(name=cycle_name).one()
        taken = {grant.organisation_id for grant in Grant.query.filter(
            Grant.organisation_id.isnot(None)).all() if grant.user.email.endswith("@journey.test")}
        audit_return = next(
            item for item in AuditReturn.query.filter_by(cycle_id=cycle.id, status="not_started")
            .join(Organisation).order_by(Organisation.name)
            if item.organisation_id not in taken
            and (phase is None or item.organisation.phase == phase))
        organisation = audit_return.organisation
        user, _new = invite_person(f"{label}-{audit_return.id}@journey.test",
                                   f"Journey {label.title()}", "respondent",
                                   cycle.partnership, organisation=organisation)
        set_password(user, RESPONDENT_PASSWORD)
        db.session.commit()
        return Respondent(user.email, RESPONDENT_PASSWORD, audit_return.id,
                          organisation.name, cycle.name)


@pytest.fixture
def school_respondent(live_server):
    return make_respondent(live_server, "S175 audit 2025-26", "dsl")


@pytest.fixture
def agency_respondent(live_server):
    return make_respondent(live_server, "Section 11 audit 2025-26", "lead")


@dataclass(frozen=True)
class Submitted:
    respondent: Respondent
    question_id: str
    question_text: str
    section_title: str
    answer: str


def submit_for(live_server, respondent: Respondent) -> Submitted:
    """The respondent's return answered (as the demo answers returns) and submitted
    through the product's services, ready for a reviewer; with its first rated answer."""
    from audit_app.auth.models import User
    from audit_app.cycles.models import AuditReturn
    from audit_app.cycles.transitions import transition
    from audit_app.demo.cycles import _approve_and_submit
    from audit_app.demo.answers import fill_return
    from audit_app.extensions import db
    from audit_app.questionnaires.definition import Definition
    from audit_app.returns.models import Answer
    from audit_app.timeutil import today_london

    with live_server.context():
        audit_return = db.session.get(AuditReturn, respondent.return_id)
        user = User.query.filter_by(email=respondent.email).one()
        transition(audit_return, "in_progress", actor=user)
        fill_return(audit_return, actor=user)
        _approve_and_submit(audit_return, user, today_london())
        db.session.commit()
        answer = (Answer.query.filter_by(return_id=audit_return.id)
                  .filter(Answer.value == "green").order_by(Answer.id).first())
        definition = Definition.of(audit_return.cycle.questionnaire_version.definition)
        question = definition.question(answer.question_key)
        return Submitted(respondent, question.id, question.text, question.section.title,
                         answer.value)


@pytest.fixture
def submitted_school_return(live_server):
    return submit_for(live_server, make_respondent(live_server, "S175 audit 2025-26",
                                                   "reviewed"))
