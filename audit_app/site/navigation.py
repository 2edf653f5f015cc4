"""What every page's layout needs: the service and partnership names and the navigation."""
from flask import current_app, has_request_context, request, url_for
from flask_login import current_user
from sqlalchemy.exc import SQLAlchemyError

from ..auth.policy import STAFF_ROLES, current_partnership, roles_in
from ..auth.sessions import second_factor_step
from ..extensions import db

# (text, endpoint, roles that see it (None: everyone signed in), blueprint whose pages
# make the item active)
NAVIGATION = (
    ("Home", "site.dashboard", None, None),
    ("Your audits", "returns.home", {"respondent"}, "returns"),
    ("Cycles", "cycles.index", {"admin"}, "cycles"),
    ("Review", "review.queue", {"admin", "reviewer"}, "review"),
    ("Reports", "reports.index", {"admin", "qa", "reviewer"}, "reports"),
    ("Organisations", "organisations.index", set(STAFF_ROLES), "organisations"),
    ("Questionnaires", "questionnaires.index", set(STAFF_ROLES), "questionnaires"),
    ("People", "people.index", {"admin"}, "people"),
    ("Audit log", "audit_log.index", {"admin"}, "audit_log"),
)


def endpoint_exists(endpoint: str) -> bool:
    """Other domains add their pages over time; the layout links only to what exists."""
    return endpoint in current_app.view_functions


def layout_partnership(signed_in: bool):
    """The signed-in person's partnership, else the platform's only partnership, else None."""
    from ..organisations.models import Partnership

    partnership = current_partnership() if signed_in else None
    if partnership is not None:
        return partnership
    only = Partnership.query.order_by(Partnership.id).limit(2).all()
    return only[0] if len(only) == 1 else None


def is_active(endpoint: str, blueprint: str | None) -> bool:
    if blueprint is not None:
        return request.blueprint == blueprint
    return request.endpoint == endpoint


def navigation_items(roles: set[str]) -> list[dict]:
    items = []
    for text, endpoint, allowed_roles, blueprint in NAVIGATION:
        if allowed_roles is not None and not roles & allowed_roles:
            continue
        if not endpoint_exists(endpoint):
            continue
        items.append({"href": url_for(endpoint), "text": text,
                      "active": is_active(endpoint, blueprint)})
    return items


def _partnership_and_roles():
    """(partnership, roles, signed_in) for the layout."""
    # The layout also renders the error pages, including the one for a database that has
    # gone away: it must then fall back to the configured names rather than fail again.
    try:
        if not has_request_context():
            # Emails are rendered from the command line too: nobody is signed in there.
            return layout_partnership(signed_in=False), set(), False
        signed_in = current_user.is_authenticated
        partnership = layout_partnership(signed_in)
        roles = roles_in(current_user, partnership) if signed_in else set()
    except SQLAlchemyError:
        db.session.rollback()
        current_app.logger.exception("layout could not read the partnership")
        return None, set(), False
    return partnership, roles, signed_in


def inject_layout() -> dict:
    partnership, roles, signed_in = _partnership_and_roles()
    return {
        "service_name": current_app.config["SERVICE_NAME"],
        "partnership": partnership,
        "partnership_name": partnership.name if partnership is not None
        else current_app.config["PARTNERSHIP_NAME"],
        # Half-signed-in (second factor still to come): only the two-factor pages work.
        "navigation_items": navigation_items(roles)
        if signed_in and second_factor_step() is None else [],
        "brand_colour": current_app.config.get("BRAND_COLOUR", "#005ea5"),
    }
