"""Wording of the error pages."""
from werkzeug.exceptions import default_exceptions


def specific_error_detail(description: str | None) -> str | None:
    """A reason given where the error was raised (``abort(404, "...")``), or None.

    Werkzeug's stock descriptions ("The requested URL was not found on the server...") are
    dropped: the error page already says the same thing in the service's own words."""
    if not description:
        return None
    stock = {exception.description for exception in default_exceptions.values()}
    return None if description in stock else description
