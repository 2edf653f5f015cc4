"""The ``register_*`` steps of the application factory."""
import jinja2
from flask import Flask, g, render_template, request
from sqlalchemy.exc import SQLAlchemyError
from werkzeug.exceptions import HTTPException
from werkzeug.middleware.proxy_fix import ProxyFix

from .extensions import csrf, db, login_manager, migrate
from .timeutil import format_date, format_datetime

ERROR_PAGES = {
    400: ("Sorry, there is a problem with your request",
          "The page could not handle what your browser sent. Go back and try again."),
    403: ("You do not have permission to see this page",
          "If you think you should have access, contact your partnership's business unit."),
    404: ("Page not found",
          "If you typed the web address, check it is correct. If you pasted it, check you "
          "copied the entire address."),
    405: ("Sorry, that action is not allowed here",
          "Go back to the previous page and use the buttons on it."),
    413: ("The file is too big",
          "Files must be smaller than the size shown on the page. Go back and choose a "
          "smaller file."),
    429: ("Too many attempts",
          "Wait a few minutes, then try again."),
    500: ("Sorry, there is a problem with the service",
          "Try again later. What you saved before this error has not been lost."),
}


def register_logging(app: Flask) -> None:
    from .logging_setup import init_app

    init_app(app)


def register_proxy(app: Flask) -> None:
    hops = app.config["PROXY_FIX_HOPS"]
    if hops:
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=hops, x_proto=hops, x_host=hops)


def register_extensions(app: Flask) -> None:
    from . import models  # noqa: F401  (every table known to the metadata)
    from .db_setup import configure_engines

    db.init_app(app)
    migrate.init_app(app, db, directory=_migrations_dir(), render_as_batch=True,
                     compare_type=True)
    csrf.init_app(app)
    login_manager.init_app(app)
    with app.app_context():
        configure_engines(db.engine)

    from .auth import sessions, throttle

    sessions.init_app(app)
    throttle.init_app(app)


def _migrations_dir() -> str:
    import os

    return os.path.join(os.path.dirname(os.path.dirname(os.path.abspath(__file__))),
                        "migrations")


def register_templates(app: Flask) -> None:
    app.jinja_loader = jinja2.ChoiceLoader([
        jinja2.PackageLoader("audit_app", "templates"),
        jinja2.PrefixLoader({
            "govuk_frontend_jinja": jinja2.PackageLoader("govuk_frontend_jinja"),
            "govuk_frontend_wtf": jinja2.PackageLoader("govuk_frontend_wtf"),
        }),
    ])
    app.jinja_env.trim_blocks = True
    app.jinja_env.lstrip_blocks = True
    app.jinja_env.filters["datetime"] = format_datetime
    app.jinja_env.filters["date"] = format_date

    from .auth.policy import may

    app.jinja_env.globals["may"] = may

    from .retention.services import notice_retention_years

    app.jinja_env.globals["notice_retention_years"] = notice_retention_years

    from govuk_frontend_wtf.main import WTFormsHelpers

    WTFormsHelpers(app)

    from .site.navigation import inject_layout

    app.context_processor(inject_layout)


def register_blueprints(app: Flask) -> None:
    from .audit_log.routes import bp as audit_log_bp
    from .auth.routes import bp as auth_bp
    from .auth.people_routes import bp as people_bp
    from .auth.two_factor_routes import bp as two_factor_bp
    from .cycles.routes import bp as cycles_bp
    from .organisations.routes import bp as organisations_bp
    from .questionnaires.routes import bp as questionnaires_bp
    from .reports.routes import bp as reports_bp
    from .returns.routes import bp as returns_bp
    from .returns.submission_routes import bp as submission_bp
    from .review.routes import bp as review_bp
    from .review.respondent_routes import bp as review_respondent_bp
    from .site.routes import bp as site_bp

    for blueprint in (site_bp, auth_bp, two_factor_bp, people_bp, organisations_bp, questionnaires_bp,
                      cycles_bp, submission_bp, returns_bp, review_respondent_bp, review_bp,
                      reports_bp, audit_log_bp):
        app.register_blueprint(blueprint)


def register_cli(app: Flask) -> None:
    from .auth.cli import users_cli
    from .backup.cli import backup_cli
    from .cycles.cli import cycles_cli
    from .demo.cli import demo_cli
    from .mail.cli import mail_cli
    from .organisations.cli import orgs_cli
    from .questionnaires.cli import questionnaires_cli
    from .reports.cli import reports_cli
    from .retention.cli import retention_cli

    for group in (users_cli, demo_cli, mail_cli, orgs_cli, questionnaires_cli, cycles_cli,
                  retention_cli, reports_cli, backup_cli):
        app.cli.add_command(group)


def register_security(app: Flask) -> None:
    from .audit_log.downloads import init_app as audit_downloads
    from .security import init_app

    init_app(app)
    audit_downloads(app)


def _rollback_quietly() -> None:
    try:
        db.session.rollback()
    except SQLAlchemyError:
        pass


def register_error_pages(app: Flask) -> None:
    def render_error(error):
        code = error.code if isinstance(error, HTTPException) else 500
        if code not in ERROR_PAGES:
            return error
        title, body = ERROR_PAGES[code]
        if code == 500:
            _rollback_quietly()
        headers = {}
        if isinstance(error, HTTPException) and code == 405:
            headers = {"Allow": ", ".join(getattr(error, "valid_methods", None) or [])}
        return render_template("errors/error.html", title=title, body=body,
                               description=getattr(error, "description", None)
                               if code in (400, 404, 403) else None,
                               status=code), code, headers

    for code in ERROR_PAGES:
        app.register_error_handler(code, render_error)

    from .site.errors import register_unavailable_page

    register_unavailable_page(app)

    from flask_wtf.csrf import CSRFError

    @app.errorhandler(CSRFError)
    def csrf_error(error):
        from .audit_log.services import record

        try:
            record("security.csrf_failure", detail={"path": request.path})
            db.session.commit()
        except SQLAlchemyError:
            # The page must still say what happened when the database is away.
            _rollback_quietly()
            app.logger.exception("could not record a CSRF failure")
        return render_template(
            "errors/error.html", status=400,
            title="Your form could not be sent",
            body="The page had expired or the form did not come from this service. Go back, "
                 "refresh the page and try again. Nothing has been changed.",
            description=None), 400

    @app.before_request
    def remember_request_start():
        g.request_path = request.path
