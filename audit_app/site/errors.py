"""Wording of the error pages, and the page for a database that cannot be reached."""
import sqlalchemy as sa
from flask import g, jsonify, render_template, request
from werkzeug.exceptions import default_exceptions

from ..extensions import db, login_manager


def specific_error_detail(description: str | None) -> str | None:
    """A reason given where the error was raised (``abort(404, "...")``), or None.

    Werkzeug's stock descriptions ("The requested URL was not found on the server...") are
    dropped: the error page already says the same thing in the service's own words."""
    if not description:
        return None
    stock = {exception.description for exception in default_exceptions.values()}
    return None if description in stock else description


# The database cannot be reached ---------------------------------------------------------

UNAVAILABLE_TITLE = "Sorry, the service is unavailable"
# Endpoints whose posts save a respondent's answers: their page says so in those words.
ANSWER_SAVING_ENDPOINTS = ("returns.section", "returns.autosave")
RETRY_AFTER_SECONDS = 30


def unavailable_wording(method: str, endpoint: str | None) -> list[str]:
    """The paragraphs of the page: whether what was sent has been saved, and what to do."""
    if method in ("GET", "HEAD"):
        return ["You will be able to use the service later. Try again in a few minutes.",
                "Nothing you saved before has been lost."]
    if endpoint in ANSWER_SAVING_ENDPOINTS:
        first = "Your answers have not been saved."
    elif endpoint == "auth.sign_in":
        first = "You have not been signed in."
    else:
        first = "What you sent has not been saved."
    return [first, "Try again in a few minutes. Nothing you saved before has been lost."]


def register_unavailable_page(app) -> None:
    """A database that cannot be reached (stopped, restarting, network gone) gives a 503 in
    the layout, never a traceback; the engine's pre-ping lets the next request reconnect by
    itself once it is back."""

    def unavailable(error):
        app.logger.error("database unavailable on %s %s: %s", request.method, request.path,
                         type(getattr(error, "orig", None) or error).__name__)
        _forget_database_work()
        treat_as_visitor()
        headers = {"Retry-After": str(RETRY_AFTER_SECONDS), "Cache-Control": "no-store"}
        paragraphs = unavailable_wording(request.method, request.endpoint)
        if request.accept_mimetypes.best == "application/json":
            return jsonify({"status": "unavailable",
                            "message": _autosave_message(request.endpoint)}), 503, headers
        return render_template("errors/unavailable.html", title=UNAVAILABLE_TITLE,
                               paragraphs=paragraphs), 503, headers

    for error_class in (sa.exc.OperationalError, sa.exc.InterfaceError, sa.exc.TimeoutError):
        app.register_error_handler(error_class, unavailable)


def treat_as_visitor() -> None:
    """Nobody's identity can be read while the database is away: the rest of the request
    (the layout, the response headers) sees a visitor instead of asking the database again,
    and the layout's own reads fall back to the configured names."""
    g._login_user = login_manager.anonymous_user()


def _autosave_message(endpoint: str | None) -> str:
    if endpoint in ANSWER_SAVING_ENDPOINTS:
        return ("Your latest answers have not been saved because the service is unavailable. "
                "They are kept on this page and will be saved when it is back.")
    return "The service is unavailable. Try again in a few minutes."


def _forget_database_work() -> None:
    """Drop the request's transaction; on a connection that has gone, rolling back fails
    too, and the session is then simply closed (its connection is discarded by the pool)."""
    try:
        db.session.rollback()
    except sa.exc.SQLAlchemyError:
        db.session.close()
