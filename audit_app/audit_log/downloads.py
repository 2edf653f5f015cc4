"""Every file the service hands out as an attachment (evidence, return PDFs) is recorded,
whichever domain serves it, so that no new download can forget its audit record."""
from flask import Flask, g, request
from werkzeug.http import parse_options_header

from ..extensions import db
from .services import record

# The URL arguments that name what was downloaded, most specific first.
OBJECT_ARGUMENTS = ("evidence_id", "return_id", "cycle_id")


def _attachment_name(response) -> str | None:
    """The file name of an attachment, or None when the response is not one."""
    disposition, options = parse_options_header(response.headers.get("Content-Disposition"))
    if disposition.lower() != "attachment":
        return None
    return options.get("filename") or ""


def _downloaded_object(arguments: dict):
    from ..cycles.models import AuditReturn, Cycle
    from ..returns.models import Evidence

    models = {"evidence_id": Evidence, "return_id": AuditReturn, "cycle_id": Cycle}
    for name in OBJECT_ARGUMENTS:
        if name in arguments:
            return db.session.get(models[name], arguments[name])
    return None


def record_download(response):
    if response.status_code != 200 or request.method == "HEAD" \
            or g.get("audit_download_recorded"):
        return response
    filename = _attachment_name(response)
    if filename is None:
        return response
    arguments = dict(request.view_args or {})
    record("file.downloaded", _downloaded_object(arguments),
           detail={"endpoint": request.endpoint, "filename": filename,
                   "arguments": arguments})
    db.session.commit()
    return response


def _forget_previous_download() -> None:
    # An application context can outlive one request: each request starts unrecorded.
    g.pop("audit_download_recorded", None)


def init_app(app: Flask) -> None:
    app.before_request(_forget_previous_download)
    app.after_request(record_download)
