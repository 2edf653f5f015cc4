"""An application of the tests' own, with throwaway routes that raise errors, flash
messages and show a form with errors. The session's application has already handled
requests, so routes cannot be added to it."""
import pytest
from flask import abort, flash, render_template_string, request
from flask_wtf import FlaskForm
from govuk_frontend_wtf.wtforms_widgets import GovTextInput
from wtforms import StringField
from wtforms.validators import InputRequired

from audit_app import create_app
from audit_app.extensions import db

FORM_PAGE = """{% extends "base.html" %}
{% block title %}Name the organisation{% endblock %}
{% block content %}
<h1 class="govuk-heading-l">Name the organisation</h1>
<form method="post" novalidate>{{ form.csrf_token }}{{ form.name(params={}) }}</form>
{% endblock %}"""

PLAIN_PAGE = """{% extends "base.html" %}
{% block title %}Plain page{% endblock %}
{% block content %}<h1 class="govuk-heading-l">Plain page</h1>{% endblock %}"""


class NameForm(FlaskForm):
    name = StringField("Organisation name", widget=GovTextInput(),
                       validators=[InputRequired(message="Enter the organisation name")])


def _raise_status():
    status = int(request.args["status"])
    if request.args.get("reason"):
        abort(status, request.args["reason"])
    abort(status)


def _fail():
    raise RuntimeError("something broke")


def _upload():
    return f"{len(request.form)} fields"


def _form_page():
    form = NameForm()
    form.validate_on_submit()
    return render_template_string(FORM_PAGE, form=form)


def _flash_messages():
    flash("Your answers have been saved", "success")
    flash("The cycle closes on Friday")
    return render_template_string(PLAIN_PAGE)


def _plain_page():
    return render_template_string(PLAIN_PAGE)


def _missing_endpoint_page():
    return render_template_string(PLAIN_PAGE)


@pytest.fixture(scope="session")
def throwaway_app(app):
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
    routes = [
        ("/throwaway/status", "throwaway_status", _raise_status, ["GET"]),
        ("/throwaway/fail", "throwaway_fail", _fail, ["GET"]),
        ("/throwaway/upload", "throwaway_upload", _upload, ["POST"]),
        ("/throwaway/form", "throwaway_form", _form_page, ["GET", "POST"]),
        ("/throwaway/flash", "throwaway_flash", _flash_messages, ["GET"]),
        ("/throwaway/plain", "throwaway_plain", _plain_page, ["GET"]),
        # A page in the people section, for the navigation's active item.
        ("/throwaway/people-page", "people.throwaway_page", _plain_page, ["GET"]),
    ]
    for rule, endpoint, view, methods in routes:
        application.add_url_rule(rule, endpoint, view, methods=methods)
    # Staff navigation links to these once their domains exist; stand-ins until then.
    for rule, endpoint in (("/throwaway/organisations", "organisations.index"),
                           ("/throwaway/questionnaires", "questionnaires.index")):
        if endpoint not in application.view_functions:
            application.add_url_rule(rule, endpoint, _missing_endpoint_page)
    yield application
    with application.app_context():
        db.engine.dispose()
