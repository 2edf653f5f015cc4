"""Staff pages: the stored questionnaire versions, and a read-only preview of each."""
from flask import Blueprint, abort, render_template

from ..auth.policy import access
from ..extensions import db
from .definition import Definition
from .describe import describe_answer, describe_condition
from .forms import build_section_form
from .markdown import render_markdown
from .models import QuestionnaireVersion
from .services import cycle_counts, stored_versions

bp = Blueprint("questionnaires", __name__, url_prefix="/questionnaires")
# Every page that shows definition text (guidance, descriptions) renders it this way.
bp.add_app_template_filter(render_markdown, "markdown")


def _version_or_404(version_id: int) -> QuestionnaireVersion:
    version = db.session.get(QuestionnaireVersion, version_id)
    if version is None:
        abort(404)
    return version


@bp.route("/")
@access("staff")
def index():
    return render_template("questionnaires/index.html", versions=stored_versions(),
                           cycles=cycle_counts())


@bp.route("/<int:version_id>")
@access("staff")
def show(version_id):
    version = _version_or_404(version_id)
    return render_template("questionnaires/show.html", version=version,
                           definition=Definition.of(version),
                           describe=describe_condition, answer_kind=describe_answer,
                           in_use=cycle_counts().get(version.id, 0))


@bp.route("/<int:version_id>/sections/<section_id>")
@access("staff")
def preview_section(version_id, section_id):
    version = _version_or_404(version_id)
    definition = Definition.of(version)
    try:
        section = definition.section(section_id)
    except KeyError:
        abort(404)
    form = build_section_form(definition, section.id, None, {}, show_all=True)()
    return render_template("questionnaires/preview_section.html", version=version,
                           definition=definition, section=section,
                           questions=form.question_fields(), describe=describe_condition)
