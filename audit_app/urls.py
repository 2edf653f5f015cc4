"""Absolute links for emails and command output, built from the BASE_URL setting."""
from flask import current_app, url_for


def external_url(endpoint: str, **values) -> str:
    base = current_app.config["BASE_URL"].rstrip("/")
    with current_app.test_request_context(base_url=base):
        return url_for(endpoint, _external=True, **values)
