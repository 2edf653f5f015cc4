"""Markdown from questionnaire definitions (guidance, descriptions, the declaration), made
safe to show: raw HTML is never passed through, and the result is cleaned against a small
allow-list before it reaches a page."""
from functools import lru_cache

import nh3
from markdown_it import MarkdownIt
from markupsafe import Markup

ALLOWED_TAGS = {"p", "br", "strong", "em", "a", "ul", "ol", "li", "code", "pre",
                "blockquote", "h2", "h3", "h4", "hr"}
ALLOWED_ATTRIBUTES = {"a": {"href", "title"}}
URL_SCHEMES = {"http", "https", "mailto"}
# GOV.UK Frontend styles only elements that carry its classes.
GOVUK_CLASSES = {
    "p": {"class": "govuk-body"},
    "ul": {"class": "govuk-list govuk-list--bullet"},
    "ol": {"class": "govuk-list govuk-list--number"},
    "a": {"class": "govuk-link"},
    "h2": {"class": "govuk-heading-m"},
    "h3": {"class": "govuk-heading-s"},
    "h4": {"class": "govuk-heading-s"},
    "blockquote": {"class": "govuk-inset-text"},
    "hr": {"class": "govuk-section-break govuk-section-break--m govuk-section-break--visible"},
}


@lru_cache(maxsize=1)
def _parser() -> MarkdownIt:
    # "commonmark" with html off: <script> in a definition is shown as text, never run.
    return MarkdownIt("commonmark", {"html": False})


def render_markdown(text) -> Markup:
    """Markdown text to sanitised HTML (empty for anything that is not text)."""
    if not isinstance(text, str) or not text.strip():
        return Markup("")
    # Safe to mark: _cleaned_html has cleaned it against the allow-lists above.
    return Markup(_cleaned_html(text))  # nosec B704


# The texts are a definition's (descriptions, guidance, the declaration): few, and shown on
# every page of a return, so each is rendered once per process.
@lru_cache(maxsize=2048)
def _cleaned_html(text: str) -> str:
    parser = _parser()
    env: dict = {}
    tokens = parser.parse(text, env)
    for token in tokens:
        # The page owns its h1: a definition's headings start one level down.
        if token.type in ("heading_open", "heading_close"):
            token.tag = f"h{min(int(token.tag[1]) + 1, 4)}"
    html = parser.renderer.render(tokens, parser.options, env)
    return nh3.clean(html, tags=ALLOWED_TAGS, attributes=ALLOWED_ATTRIBUTES,
                     url_schemes=URL_SCHEMES, link_rel="noopener",
                     set_tag_attribute_values=GOVUK_CLASSES).strip()
