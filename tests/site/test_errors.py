"""Error pages render in the layout with the right status. 404 and 405 come from real URLs,
the others from the throwaway routes of tests/site/conftest.py."""
import io

import pytest
from markupsafe import escape

from audit_app.setup import ERROR_PAGES
from tests.site.helpers import (assert_in_layout, assert_no_inline_styles, csp_nonce_of,
                                h1_of, script_nonces)


def assert_error_page(response, status, partnership_name):
    assert response.status_code == status
    html = response.get_data(as_text=True)
    assert_in_layout(html, partnership_name)
    assert_no_inline_styles(html)
    assert h1_of(html) == ERROR_PAGES[status][0]
    assert str(escape(ERROR_PAGES[status][1])) in html
    assert set(script_nonces(html)) == {csp_nonce_of(response)}
    return html


def test_an_unknown_url_gets_the_404_page(client, partnership):
    html = assert_error_page(client.get("/no/such/page"), 404, partnership.name)
    assert "The requested URL was not found" not in html, "Werkzeug's wording is not shown"


def test_a_wrong_method_gets_the_405_page(client, partnership):
    assert_error_page(client.post("/healthz"), 405, partnership.name)


@pytest.mark.parametrize("status", [400, 403, 404, 429])
def test_aborting_renders_the_error_page(throwaway_app, partnership, status):
    response = throwaway_app.test_client().get(f"/throwaway/status?status={status}")
    assert_error_page(response, status, partnership.name)


def test_a_specific_reason_is_shown_on_the_page(throwaway_app, partnership):
    response = throwaway_app.test_client().get(
        "/throwaway/status?status=400&reason=Enter+a+date+in+the+future")
    html = assert_error_page(response, 400, partnership.name)
    assert "Enter a date in the future" in html


def test_an_oversized_request_gets_the_413_page(throwaway_app, partnership):
    body = {"file": (io.BytesIO(b"x" * (1024 * 1024 + 10)), "big.pdf")}
    response = throwaway_app.test_client().post("/throwaway/upload", data=body,
                                            content_type="multipart/form-data")
    assert_error_page(response, 413, partnership.name)


def test_an_unexpected_failure_gets_the_500_page(throwaway_app, partnership):
    response = throwaway_app.test_client().get("/throwaway/fail")
    html = assert_error_page(response, 500, partnership.name)
    assert "something broke" not in html


def test_every_error_status_of_the_service_is_covered():
    covered = {400, 403, 404, 405, 413, 429, 500}
    assert set(ERROR_PAGES) == covered
