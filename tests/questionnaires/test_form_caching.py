"""What the section forms keep between requests: a question's markup, rendered once per
distinct params (and exactly what the GOV.UK widget renders), and the parsed definition of
a stored version (parsed again when its data differs)."""
import copy

import pytest
from govuk_frontend_wtf.wtforms_widgets import GovTextArea
from markupsafe import Markup
from wtforms import Form, TextAreaField

from audit_app.extensions import db
from audit_app.questionnaires.definition import Definition
from audit_app.questionnaires.forms import _render_key, build_section_form, rendered_once
from audit_app.questionnaires.models import QuestionnaireVersion
from tests.questionnaires.conftest_data import example, school
from tests.returns.conftest import S175, load_version


def plain_markup(field) -> str:
    """The field as its widget renders it without the kept markup."""
    plain = next(base for base in type(field.widget).__mro__[1:]
                 if base.__name__ == type(field.widget).__name__)
    return plain(params=field.widget.default_params)(field)


@pytest.mark.parametrize("which", ["example", "s175"])
def test_every_question_renders_what_its_widget_renders(app, which):
    if which == "example":
        parsed = Definition.of(example())
    else:
        with app.app_context():
            parsed = Definition.of(load_version(S175))
    with app.test_request_context():
        for section in parsed.sections:
            form_class = build_section_form(parsed, section.id, school(), {}, show_all=True)
            # Empty, then each option chosen with a message: kept and plain markup agree.
            empty = form_class(formdata=None)
            checks = [(empty, [field for field in empty if field.name != "csrf_token"])]
            for question in section.questions:
                for option in question.options[:2]:
                    form = form_class(formdata=None)
                    form[question.id].data = [option.value] \
                        if question.type_name == "multi_choice" else option.value
                    form[question.id].errors = [f"Select a rating for ‘{question.name}’"]
                    checks.append((form, [form[question.id]]))
            for _form, fields in checks:
                for field in fields:
                    assert field() == plain_markup(field)
                    assert field() == plain_markup(field)      # and again, from the cache


def test_params_that_render_differently_are_kept_apart(app):
    class CommentForm(Form):
        comment = TextAreaField("Comment", widget=rendered_once(GovTextArea)())

    with app.test_request_context():
        form = CommentForm()
        text = form.comment(params={"hint": {"text": "<b>Bold</b>"}})
        html = form.comment(params={"hint": {"text": Markup("<b>Bold</b>")}})
        assert "&lt;b&gt;Bold&lt;/b&gt;" in text and "<b>Bold</b>" in html
        form.comment.errors = ["Enter a comment"]
        assert "Enter a comment" in form.comment(params={"hint": {"text": "<b>Bold</b>"}})
    assert _render_key({"a": True}) != _render_key({"a": 1})
    assert _render_key({"a": [1.0]}) != _render_key({"a": [1]})


def test_params_it_cannot_compare_are_rendered_each_time(app):
    class Label:
        def __str__(self):
            return "A label"

    class CommentForm(Form):
        comment = TextAreaField("Comment", widget=rendered_once(GovTextArea)())

    with app.test_request_context():
        assert "A label" in CommentForm().comment(params={"label": {"text": Label()}})


def test_a_stored_version_is_parsed_once_and_again_when_its_data_differs(app):
    with app.app_context():
        version = load_version(S175)
        first = Definition.of(version)
        assert Definition.of(version) is first
        db.session.expire(version)                  # read again: equal data, not the same
        assert Definition.of(db.session.get(QuestionnaireVersion, version.id)) is first
        changed = copy.deepcopy(version.definition)
        changed["sections"][0]["title"] = "A new title"
        version.definition = changed               # the same id and checksum
        again = Definition.of(version)
        assert again is not first and again.sections[0].title == "A new title"
        # The kept definition has a copy of its own: data changed in place is parsed anew.
        version.definition["sections"][0]["title"] = "Changed in place"
        assert Definition.of(version).sections[0].title == "Changed in place"
        assert again.sections[0].title == "A new title"
