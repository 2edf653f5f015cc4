"""Reading rendered pages: the parts of the layout the tests look at."""
import re

SCRIPT_TAG = re.compile(r"<script\b([^>]*)>", re.IGNORECASE)
STYLE_TAG = re.compile(r"<style\b([^>]*)>", re.IGNORECASE)
NONCE = re.compile(r"""\bnonce=["']([^"']+)["']""")
INLINE_STYLE = re.compile(r"""<[^>]*\sstyle\s*=""", re.IGNORECASE)
CROWN_MARKERS = ("govuk-header__logotype", "govuk-logo-dot", "govuk-footer__crown",
                 "govuk-footer__licence-logo", "govuk-footer__copyright-logo",
                 "Crown copyright", "<svg")


def between(html: str, start: str, end: str) -> str:
    first = html.index(start)
    return html[first:html.index(end, first) + len(end)]


def header_of(html: str) -> str:
    return between(html, "<header", "</header>")


def footer_of(html: str) -> str:
    return between(html, "<footer", "</footer>")


def title_of(html: str) -> str:
    return re.search(r"<title[^>]*>(.*?)</title>", html, re.DOTALL).group(1).strip()


def h1_of(html: str) -> str:
    return re.search(r"<h1[^>]*>(.*?)</h1>", html, re.DOTALL).group(1).strip()


def csp_nonce_of(response) -> str:
    policy = response.headers["Content-Security-Policy"]
    match = re.search(r"script-src [^;]*'nonce-([^']+)'", policy)
    assert match, policy
    return match.group(1)


def script_nonces(html: str) -> list[str | None]:
    """The nonce of every <script> tag (None where a tag has none)."""
    nonces = []
    for attributes in SCRIPT_TAG.findall(html):
        match = NONCE.search(attributes)
        nonces.append(match.group(1) if match else None)
    return nonces


def assert_in_layout(html: str, partnership_name: str) -> None:
    header, footer = header_of(html), footer_of(html)
    assert 'class="govuk-generic-header app-header"' in header
    assert partnership_name in header
    assert "govuk-service-navigation" in header
    assert 'id="main-content"' in html
    for marker in CROWN_MARKERS:
        assert marker not in header, f"crown marker {marker!r} in the header"
        assert marker not in footer, f"crown marker {marker!r} in the footer"
    assert partnership_name in footer
    assert "/static/build/app.css" in html
    assert "GOV.UK" not in title_of(html)


def assert_no_inline_styles(html: str) -> None:
    assert not INLINE_STYLE.search(html), "an element has an inline style attribute"
    for attributes in STYLE_TAG.findall(html):
        assert NONCE.search(attributes), "a <style> element has no nonce"
