"""Error pages render in the layout with the right status. 404 and 405 come from real URLs;
the others from throwaway routes on an application of their own (the session's application
has already handled requests, so routes cannot be added to it)."""
import io

import pytest
from flask import abort, request

from audit_app import create_app
from audit_app.extensions import db
from audit_app.setup import ERROR_PAGES
from tests.site.helpers import (assert_in_layout, assert_no_inline_styles, csp_nonce_of,
                                h1_of, script_nonces)


@pytest.fixture(scope="module")
def error_app(app):
    application = create_app({
        "AUDIT_ENV": "test",
        "SQLALCHEMY_DATABASE_URI": app.config["SQLALCHEMY_DATABASE_URI"],
        "SECRET_KEY": app.config["SECRET_KEY"],
        "WTF_CSRF_ENABLED": False,
        "OUTBOX_DIR": app.config["OUTBOX_DIR"],
        "UPLOAD_DIR": app.config["UPLOAD_DIR"],
        "MAX_UPLOAD_MB": 0,  # requests over 1 MB are refused
        # Render the 500 page rather than raise into the test.
        "PROPAGATE_EXCEPTIONS": False,
    })

    def raise_status():
        status = int(request.args["status"])
        if request.args.get("reason"):
            abort(status, request.args["reason"])
        abort(status)

    def fail():
        raise RuntimeError("something broke")

    def upload():
        return f"{len(request.form)} fields"

    application.add_url_rule("/throwaway/status", "throwaway_status", raise_status)
    application.add_url_rule("/throwaway/fail", "throwaway_fail", fail)
    application.add_url_rule("/throwaway/upload", "throwaway_upload", upload, methods=["POST"])
    yield application
    with application.app_context():
        db.engine.dispose()


def assert_error_page(response, status, partnership_name):
    assert response.status_code == status
    html = response.get_data(as_text=True)
    assert_in_layout(html, partnership_name)
    assert_no_inline_styles(html)
    assert h1_of(html) == ERROR_PAGES[status][0]
    assert ERROR_PAGES[status][1] in html
    assert set(script_nonces(html)) == {csp_nonce_of(response)}
    return html


def test_an_unknown_url_gets_the_404_page(client, partnership):
    html = assert_error_page(client.get("/no/such/page"), 404, partnership.name)
    assert "The requested URL was not found" not in html, "Werkzeug's wording is not shown"


def test_a_wrong_method_gets_the_405_page(client, partnership):
    assert_error_page(client.post("/healthz"), 405, partnership.name)


@pytest.mark.parametrize("status", [400, 403, 404, 429])
def test_aborting_renders_the_error_page(error_app, partnership, status):
    response = error_app.test_client().get(f"/throwaway/status?status={status}")
    assert_error_page(response, status, partnership.name)


def test_a_specific_reason_is_shown_on_the_page(error_app, partnership):
    response = error_app.test_client().get(
        "/throwaway/status?status=400&reason=Enter+a+date+in+the+future")
    html = assert_error_page(response, 400, partnership.name)
    assert "Enter a date in the future" in html


def test_an_oversized_request_gets_the_413_page(error_app, partnership):
    body = {"file": (io.BytesIO(b"x" * (1024 * 1024 + 10)), "big.pdf")}
    response = error_app.test_client().post("/throwaway/upload", data=body,
                                            content_type="multipart/form-data")
    assert_error_page(response, 413, partnership.name)


def test_an_unexpected_failure_gets_the_500_page(error_app, partnership):
    response = error_app.test_client().get("/throwaway/fail")
    html = assert_error_page(response, 500, partnership.name)
    assert "something broke" not in html


def test_every_error_status_of_the_service_is_covered():
    covered = {400, 403, 404, 405, 413, 429, 500}
    assert set(ERROR_PAGES) == covered
