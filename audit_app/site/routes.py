"""The start page, the signed-in home page, the footer pages and the health check."""
from flask import Blueprint, Response, redirect, render_template, url_for
from flask_login import current_user

from ..auth.policy import access, current_partnership
from ..db_setup import database_reachable
from .errors import specific_error_detail, treat_as_visitor
from .forms import choose_partnership_form
from .services import dashboard_for

bp = Blueprint("site", __name__)
bp.add_app_template_filter(specific_error_detail)


@bp.route("/")
@access("public")
def index():
    if current_user.is_authenticated:
        return redirect(url_for("site.dashboard"))
    return render_template("site/index.html")


@bp.route("/dashboard")
@access("signed_in")
def dashboard():
    partnership = current_partnership()
    dashboard = dashboard_for(current_user, partnership)
    return render_template(
        "site/dashboard.html", dashboard=dashboard,
        partnership_form=choose_partnership_form(partnership, dashboard.other_partnerships))


@bp.route("/accessibility")
@access("public")
def accessibility():
    return render_template("site/accessibility.html")


@bp.route("/privacy")
@access("public")
def privacy():
    return render_template("site/privacy.html")


@bp.route("/cookies")
@access("public")
def cookies():
    return render_template("site/cookies.html")


@bp.route("/help", endpoint="help")
@access("public")
def help_page():
    return render_template("site/help.html")


@bp.route("/healthz")
@access("public")
def healthz():
    if not database_reachable():
        treat_as_visitor()
        return Response("database unavailable", status=503, mimetype="text/plain",
                        headers={"Cache-Control": "no-store"})
    return Response("ok", mimetype="text/plain")
