"""Evidence pages: one answer's evidence, uploading a file, adding a written reference,
removing evidence, and downloading a file (always as an attachment, only for people who
may see the return)."""
import os

from flask import abort, flash, redirect, render_template, request, send_file, url_for
from flask_login import current_user

from ..auth.policy import access
from ..extensions import db
from .drafts import JourneyError, ReturnContext
from .evidence import (accept_attribute, add_file, add_reference, content_disposition,
                       evidence_of, evidence_question, max_upload_bytes, remove_evidence,
                       size_words, stored_path)
from .forms import ButtonForm, EvidenceFileForm, EvidenceReferenceForm, form_summary
from .models import Evidence
from .routes import bp, return_or_404
from .services import end_reading_transaction, lock_reason


def _question_or_404(audit_return, question_id: str):
    try:
        return evidence_question(ReturnContext.of(audit_return), question_id)
    except JourneyError as error:
        abort(404, str(error))


def _evidence_or_404(audit_return, evidence_id: int) -> Evidence:
    evidence = db.session.get(Evidence, evidence_id)
    if evidence is None or evidence.return_id != audit_return.id \
            or evidence.removed_at is not None:
        abort(404)
    return evidence


def _render(audit_return, question, file_form=None, reference_form=None, status=200):
    file_form = file_form or EvidenceFileForm(formdata=None)
    reference_form = reference_form or EvidenceReferenceForm(formdata=None)
    items = [(item, size_words(item.size))
             for item in evidence_of(audit_return.id, [question.id])]
    return render_template(
        "returns/evidence.html", audit_return=audit_return, question=question, items=items,
        file_form=file_form, reference_form=reference_form, remove_form=ButtonForm(),
        form=form_summary(file_form, reference_form), locked=lock_reason(audit_return),
        accept=accept_attribute(), max_mb=max_upload_bytes() // (1024 * 1024)), status


@bp.route("/<int:return_id>/questions/<question_id>/evidence")
@access("respondent")
def evidence_page(return_id, question_id):
    audit_return = return_or_404(return_id)
    return _render(audit_return, _question_or_404(audit_return, question_id))


@bp.route("/<int:return_id>/questions/<question_id>/evidence/upload", methods=["POST"])
@access("respondent")
def upload_evidence(return_id, question_id):
    audit_return = return_or_404(return_id)
    question = _question_or_404(audit_return, question_id)
    form = EvidenceFileForm()
    upload = request.files.get("file")
    filename = upload.filename if upload is not None else ""
    # One byte over the limit is enough to know the file is too big.
    data = upload.stream.read(max_upload_bytes() + 1) if upload is not None else b""
    end_reading_transaction()
    try:
        evidence = add_file(audit_return, question.id, filename or "", data, current_user)
    except JourneyError as error:
        db.session.rollback()
        form.file.errors = [str(error)]
        return _render(audit_return, question, file_form=form, status=400)
    db.session.commit()
    flash(f"‘{evidence.original_name}’ has been added as evidence", "success")
    return redirect(url_for(".evidence_page", return_id=return_id, question_id=question.id))


@bp.route("/<int:return_id>/questions/<question_id>/evidence/reference", methods=["POST"])
@access("respondent")
def add_evidence_reference(return_id, question_id):
    audit_return = return_or_404(return_id)
    question = _question_or_404(audit_return, question_id)
    form = EvidenceReferenceForm()
    end_reading_transaction()
    try:
        add_reference(audit_return, question.id, form.reference.data or "", current_user)
    except JourneyError as error:
        db.session.rollback()
        form.reference.errors = [str(error)]
        return _render(audit_return, question, reference_form=form, status=400)
    db.session.commit()
    flash("The reference has been added as evidence", "success")
    return redirect(url_for(".evidence_page", return_id=return_id, question_id=question.id))


@bp.route("/<int:return_id>/evidence/<int:evidence_id>/remove", methods=["POST"])
@access("respondent")
def remove_evidence_item(return_id, evidence_id):
    audit_return = return_or_404(return_id)
    evidence = _evidence_or_404(audit_return, evidence_id)
    question_id = evidence.question_key
    end_reading_transaction()
    try:
        remove_evidence(evidence, audit_return, current_user)
    except JourneyError as error:
        db.session.rollback()
        flash(f"Nothing was removed. {error}", "error")
    else:
        db.session.commit()
        flash("The evidence has been removed", "success")
    return redirect(url_for(".evidence_page", return_id=return_id, question_id=question_id))


@bp.route("/<int:return_id>/evidence/<int:evidence_id>")
@access("signed_in")
def download_evidence(return_id, evidence_id):
    audit_return = return_or_404(return_id, "return.view")
    evidence = _evidence_or_404(audit_return, evidence_id)
    path = stored_path(evidence) if evidence.kind == "file" else None
    if path is None or not os.path.isfile(path):
        abort(404)
    response = send_file(path, mimetype=evidence.content_type, as_attachment=True,
                         download_name=evidence.original_name, conditional=False, max_age=0)
    response.headers["Content-Disposition"] = content_disposition(evidence.original_name)
    response.headers["X-Content-Type-Options"] = "nosniff"
    response.headers["Cache-Control"] = "private, no-store"
    return response
