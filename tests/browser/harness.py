"""What the browser tests share: the page watch, the axe-core check, and the steps every
journey takes (visit, submit, sign in, screenshot). Tests import these from here."""
import os
import re
import shutil
import sys
import time
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
SCREENSHOT_DIR = ROOT / "docs" / "screenshots"
DEMO_PASSWORD = "demo-audit-2026"


def chromium_path() -> str:
    """Debian's Chromium, or a skip (a failure in CI) that says loudly why not."""
    found = shutil.which("chromium") or shutil.which("chromium-browser")
    if found:
        return found
    message = ("no Chromium on this machine, so the real-browser journeys, the axe-core "
               "checks and the page scripts were NOT tested (apt-get install chromium)")
    if os.environ.get("CI", "").lower() == "true":
        pytest.fail(f"CI=true: {message}")
    sys.stderr.write(f"\n{'!' * 78}\nSKIPPED: {message}\n{'!' * 78}\n")
    pytest.skip(f"SKIPPED LOUDLY: {message}")


AXE_SOURCE = None
AXE_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa"]


def _axe_source() -> str:
    global AXE_SOURCE
    if AXE_SOURCE is None:
        AXE_SOURCE = (ROOT / "node_modules" / "axe-core" / "axe.min.js").read_text()
    return AXE_SOURCE


class PageWatch:
    """What a page did: the documents it showed, which of them axe checked, script errors
    and Content Security Policy violations."""

    def __init__(self, page):
        self.page = page
        self.documents = 0
        self.checked: set[int] = set()
        self.urls: dict[int, str] = {}
        self.errors: list[str] = []
        page.on("framenavigated", self._navigated)
        page.on("pageerror", lambda error: self.errors.append(f"{page.url}: {error}"))
        page.on("console", self._console)

    def _navigated(self, frame):
        if frame == self.page.main_frame:
            self.documents += 1
            self.urls[self.documents] = frame.url

    def _console(self, message):
        if "Content Security Policy" in message.text or message.type == "error" and \
                "Refused to" in message.text:
            self.errors.append(f"{self.page.url}: {message.text}")

    def unchecked(self) -> list[str]:
        return [self.urls[n] for n in range(1, self.documents + 1) if n not in self.checked]


def watch_page(page) -> PageWatch:
    """The page's watch, started when the page is made (before its first document)."""
    watch = getattr(page, "_journey_watch", None)
    if watch is None:
        watch = page._journey_watch = PageWatch(page)
    return watch


AXE_RUN = """tags => axe.run(document, {runOnly: {type: 'tag', values: tags},
                                      resultTypes: ['violations']})
             .then(r => r.violations.map(v => ({
                 id: v.id, impact: v.impact, help: v.help,
                 nodes: v.nodes.map(n => ({target: n.target.join(' '),
                                           html: n.html.slice(0, 300),
                                           summary: n.failureSummary}))})))"""


def _run_axe(page) -> list:
    # Evaluated through the DevTools protocol, which the page's nonce-based CSP does not
    # govern, so the journey itself runs under the real policy.
    if not page.evaluate("typeof window.axe === 'object'"):
        page.evaluate(_axe_source() + "\n;0")
    return page.evaluate(AXE_RUN, AXE_TAGS)


def _axe_page_for(page):
    """A page with JavaScript, in a context that ignores the CSP, for checking a page whose
    own context has JavaScript turned off (axe-core cannot run there)."""
    context = page.context
    helper = getattr(context, "_journey_axe_page", None)
    if helper is None:
        helper_context = context.browser.new_context(
            bypass_csp=True, viewport=page.viewport_size, java_script_enabled=True)
        helper = context._journey_axe_page = helper_context.new_page()
        context.on("close", lambda _context: helper_context.close())
    return helper


def _run_axe_without_javascript(page) -> list:
    """The document as this page shows it (its scripts left out, as they did not run),
    written into the helper page at the same address so that its styles load."""
    html = page.content()
    html = re.sub(r"<script\b[^>]*>.*?</script>", "", html, flags=re.S | re.I)
    helper = _axe_page_for(page)
    origin = re.match(r"https?://[^/]+", page.url).group(0)
    helper.goto(f"{origin}/healthz")
    helper.evaluate("""html => { document.open(); document.write(html); document.close() }""",
                    html)
    helper.wait_for_load_state("load")
    return _run_axe(helper)


def check_axe(page, context: str = "") -> None:
    """Run axe-core on the page as it is now; fail listing each violation's rule, elements
    (target and HTML) and the page's address."""
    watch = watch_page(page)
    if getattr(page.context, "_journey_javascript", True):
        result = _run_axe(page)
    else:
        result = _run_axe_without_javascript(page)
    watch.checked.add(watch.documents)
    if result:
        lines = [f"axe-core found {len(result)} accessibility violation(s) on {page.url}"
                 + (f" ({context})" if context else "")]
        for violation in result:
            lines.append(f"- {violation['id']} ({violation['impact']}): {violation['help']}")
            for node in violation["nodes"]:
                lines.append(f"    element {node['target']}: {node['html']}")
                lines.append(f"      {node['summary']}".replace("\n", "\n      "))
        pytest.fail("\n".join(lines), pytrace=False)


def visit(page, path: str):
    """Go to ``path`` (on the server) and check the page."""
    response = page.goto(path)
    page.wait_for_load_state("load")
    check_axe(page)
    return response


def submit(page, locator):
    """Select a button or link that loads another page, then check the page."""
    with page.expect_navigation():
        locator.click()
    page.wait_for_load_state("load")
    check_axe(page)


follow = submit


def screenshot(page, name: str, tmp_path: Path | None = None, full_page: bool = True) -> Path:
    """A PNG of the page (whole, or the window for long pages): into docs/screenshots with
    SCREENSHOTS=1 (for the README), else beside the test so that runs leave the tree alone."""
    if os.environ.get("SCREENSHOTS") == "1":
        folder = SCREENSHOT_DIR
    else:
        folder = tmp_path or Path(os.environ.get("TMPDIR", "/tmp"))
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / f"{name}.png"
    if not full_page:
        page.evaluate("window.scrollTo(0, 0)")
    page.screenshot(path=str(path), full_page=full_page)
    return path


def sign_in(page, email: str, password: str = DEMO_PASSWORD, *, expect_path=None):
    """Sign in through the real form, as a person does."""
    if "/sign-in" not in page.url:
        visit(page, "/sign-in")
    page.get_by_label("Email address").fill(email)
    page.get_by_label("Password", exact=True).fill(password)
    submit(page, page.get_by_role("button", name="Sign in"))
    assert "/sign-in" not in page.url, f"{email} could not sign in: {page.url}"
    if expect_path:
        assert expect_path in page.url


def sign_in_with_code(page, email: str, secret: str, password: str = DEMO_PASSWORD):
    """Staff sign in with their password, then a code from their authenticator app,
    computed here from the secret the demo seed printed. A code is never used twice: each
    staff login signs in once per test run, and if the service has just accepted this
    time-step's code the next step's is used (the service allows one step of drift)."""
    import pyotp

    if "/sign-in" not in page.url:
        visit(page, "/sign-in")
    page.get_by_label("Email address").fill(email)
    page.get_by_label("Password", exact=True).fill(password)
    submit(page, page.get_by_role("button", name="Sign in"))
    assert "/two-factor" in page.url, f"{email} was not asked for a code: {page.url}"
    totp = pyotp.TOTP(secret)
    code = totp.now()
    used = USED_CODES.setdefault(email, set())
    if code in used:
        code = totp.at(time.time() + totp.interval)
    used.add(code)
    page.get_by_label("Enter the 6-digit code from your authenticator app").fill(code)
    submit(page, page.get_by_role("button", name="Continue"))
    assert "/sign-in" not in page.url, f"{email} could not sign in: {page.url}"


USED_CODES: dict[str, set[str]] = {}


def sign_out(page):
    submit(page, page.get_by_role("button", name="Sign out"))
    assert "/sign-in" in page.url


