"""Definition Markdown is rendered without raw HTML and cleaned against an allow-list."""
from audit_app.questionnaires.markdown import render_markdown


def test_markdown_renders_with_govuk_classes():
    html = render_markdown("Some **bold** text.\n\n- one\n- two\n")
    assert '<p class="govuk-body">Some <strong>bold</strong> text.</p>' in html
    assert '<ul class="govuk-list govuk-list--bullet">' in html


def test_raw_html_and_scripts_are_never_passed_through():
    html = render_markdown('<script>alert(1)</script>\n\n<img src=x onerror="alert(2)">')
    assert "<script" not in html and "<img" not in html
    assert "&lt;script&gt;" in html


def test_links_are_safe():
    html = render_markdown("[guidance](https://www.gov.uk) and [bad](javascript:alert(1))")
    assert '<a href="https://www.gov.uk" class="govuk-link" rel="noopener">guidance</a>' in html
    assert "javascript:" not in html.split("[bad]")[0] and 'href="javascript' not in html


def test_headings_start_below_the_page_heading():
    assert render_markdown("# Title") == '<h2 class="govuk-heading-m">Title</h2>'


def test_nothing_for_no_text():
    assert render_markdown(None) == "" and render_markdown("  ") == ""
