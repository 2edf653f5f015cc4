"""Evidence: files checked by content (a PDF that is HTML, an empty file, a zip bomb, real
small files), stored under generated names with their SHA-256, downloaded only as an
attachment by the people who may see the return; or a written reference."""
import hashlib
import io
import os

import pytest

from audit_app.returns.services import JourneyError

from audit_app.extensions import db
from audit_app.returns import evidence as evidence_module
from audit_app.returns.evidence import (EvidenceRefused, add_file, add_reference, check_file,
                                        content_disposition, display_name, remove_evidence,
                                        stored_path)
from audit_app.returns.models import Evidence
from tests.fixtures import add_school
from tests.returns.conftest import make_cycle, make_return
from tests.returns.files import (docx_bytes, odt_bytes, pdf_bytes, png_bytes, xlsx_bytes,
                                 zip_bomb_docx)

LIMIT = 10 * 1024 * 1024
UPLOAD = "/returns/{id}/questions/gov_named_governor/evidence/upload"


@pytest.mark.parametrize("name, data, label", [
    ("minutes.pdf", pdf_bytes(), "PDF"),
    ("photo.PNG", png_bytes(), "PNG"),
    ("photo.jpeg", b"\xff\xd8\xff\xe0\x00\x10JFIF\x00" + b"\x00" * 64, "JPG"),
    ("policy.docx", docx_bytes(), "DOCX"),
    ("register.xlsx", xlsx_bytes(), "XLSX"),
    ("policy.odt", odt_bytes(), "ODT"),
    ("notes.txt", "Training log – all staff, September\n".encode(), "TXT"),
])
def test_real_files_are_accepted(name, data, label):
    assert check_file(name, data, LIMIT).label == label


@pytest.mark.parametrize("name, data, message", [
    ("report.pdf", b"<!DOCTYPE html><html><script>alert(1)</script></html>",
     "The selected file is not a real PDF: its content does not match its name"),
    ("photo.png", pdf_bytes(), "The selected file is not a real PNG"),
    ("policy.docx", pdf_bytes(), "The selected file is not a real DOCX"),
    ("policy.docx", xlsx_bytes(), "The selected file is not a real DOCX"),
    ("register.xlsx", docx_bytes(), "The selected file is not a real XLSX"),
    ("policy.odt", odt_bytes(b"application/vnd.oasis.opendocument.spreadsheet"),
     "The selected file is not a real ODT"),
    ("policy.docx", b"PK\x03\x04 not really a zip at all",
     "The selected file is damaged: it cannot be opened as a DOCX"),
    ("notes.txt", b"<html><body onload=alert(1)>", "The selected file is not a real TXT"),
    ("notes.txt", b"text\x00with\x00nulls", "The selected file is not a real TXT"),
    ("notes.txt", b"\xff\xfe\x00latin", "The selected file is not a real TXT"),
    ("setup.exe", b"MZ\x90\x00", "The selected file must be a PDF, DOCX, XLSX, ODT, JPG, PNG "
                                 "or TXT"),
    ("no-extension", pdf_bytes(), "The selected file must be a PDF"),
    ("empty.pdf", b"", "The selected file is empty"),
    ("", b"", "Select a file"),
])
def test_files_that_are_not_what_they_say_are_refused(name, data, message):
    with pytest.raises(EvidenceRefused) as refused:
        check_file(name, data, LIMIT)
    assert str(refused.value).startswith(message)


def test_a_zip_bomb_is_refused_from_its_directory_before_unpacking(monkeypatch):
    bomb = zip_bomb_docx(20)
    assert len(bomb) < 100_000
    opened = []
    monkeypatch.setattr(evidence_module.zipfile.ZipFile, "open",
                        lambda *args, **kwargs: opened.append(args) or None)
    with pytest.raises(EvidenceRefused) as refused:
        check_file("policy.docx", bomb, LIMIT)
    assert "expands to far more than a document's size" in str(refused.value)
    assert opened == [], "nothing was unpacked"


def test_a_zip_that_would_expand_past_the_total_limit_is_refused(monkeypatch):
    monkeypatch.setattr(evidence_module, "MAX_UNPACKED_BYTES", 1000)
    with pytest.raises(EvidenceRefused):
        check_file("policy.docx", docx_bytes(b"x" * 2000), LIMIT)


def test_a_file_over_the_limit_is_refused():
    with pytest.raises(EvidenceRefused) as refused:
        check_file("big.pdf", b"%PDF-" + b"0" * 2048, 1024 * 1024 // 1024)
    assert str(refused.value).startswith("The selected file must be smaller than")


def test_names_are_cleaned_and_downloads_name_the_file_both_ways():
    assert display_name("C:\\Users\\dsl\\Minutes\x07.pdf", None) == "Minutes.pdf"
    assert display_name("../../etc/passwd.txt", None) == "passwd.txt"
    header = content_disposition("Évaluation – été.pdf")
    assert header == ("attachment; filename=\"Evaluation _ ete.pdf\"; "
                      "filename*=UTF-8''%C3%89valuation%20%E2%80%93%20%C3%A9t%C3%A9.pdf")
    assert content_disposition('a"b;c.pdf').startswith('attachment; filename="a_b_c.pdf"')


def test_an_upload_is_stored_under_a_generated_name_with_its_sha256(app, audit_return,
                                                                     respondent):
    data = pdf_bytes()
    evidence = add_file(audit_return, "gov_named_governor", "Minutes March.pdf", data,
                        respondent)
    db.session.commit()
    assert evidence.original_name == "Minutes March.pdf"
    assert "Minutes" not in evidence.stored_name and evidence.stored_name.endswith(".pdf")
    assert evidence.sha256 == hashlib.sha256(data).hexdigest() and evidence.size == len(data)
    path = stored_path(evidence)
    assert os.path.dirname(path) == app.config["UPLOAD_DIR"]
    with open(path, "rb") as handle:
        assert handle.read() == data


def test_evidence_is_refused_for_a_question_that_takes_none_or_does_not_apply(audit_return,
                                                                            respondent):
    with pytest.raises(EvidenceRefused):
        add_reference(audit_return, "has_boarders", "Register", respondent)
    with pytest.raises(Exception) as refused:
        add_reference(audit_return, "boarding_checks", "Register", respondent)
    assert "does not apply" in str(refused.value)
    with pytest.raises(EvidenceRefused):
        add_reference(audit_return, "gov_named_governor", "   ", respondent)
    assert Evidence.query.count() == 0


def test_a_locked_return_takes_no_evidence(audit_return, respondent):
    audit_return.status = "submitted"
    db.session.commit()
    with pytest.raises(Exception) as refused:
        add_file(audit_return, "gov_named_governor", "a.pdf", pdf_bytes(), respondent)
    assert "submitted" in str(refused.value)
    assert Evidence.query.count() == 0


def upload(client, audit_return, name, data):
    return client.post(UPLOAD.format(id=audit_return.id),
                       data={"file": (io.BytesIO(data), name)},
                       content_type="multipart/form-data")


def test_upload_download_and_remove_over_http(respondent_client, audit_return):
    data = png_bytes()
    response = upload(respondent_client, audit_return, "Notice board é.png", data)
    assert response.status_code == 302
    evidence = Evidence.query.filter_by(return_id=audit_return.id).one()
    page = respondent_client.get(response.headers["Location"]).get_data(as_text=True)
    assert "‘Notice board é.png’ has been added as evidence" in page
    download = respondent_client.get(f"/returns/{audit_return.id}/evidence/{evidence.id}")
    assert download.status_code == 200 and download.data == data
    assert download.headers["Content-Disposition"] == (
        "attachment; filename=\"Notice board e.png\"; "
        "filename*=UTF-8''Notice%20board%20%C3%A9.png")
    assert download.headers["Content-Type"] == "image/png"
    assert download.headers["X-Content-Type-Options"] == "nosniff"
    respondent_client.post(f"/returns/{audit_return.id}/evidence/{evidence.id}/remove")
    assert respondent_client.get(f"/returns/{audit_return.id}/evidence/{evidence.id}") \
        .status_code == 404
    assert Evidence.query.filter_by(id=evidence.id).one().removed_at is not None


def test_a_refused_upload_shows_the_error_and_stores_nothing(respondent_client, audit_return,
                                                            app):
    before = set(os.listdir(app.config["UPLOAD_DIR"])) \
        if os.path.isdir(app.config["UPLOAD_DIR"]) else set()
    response = upload(respondent_client, audit_return, "report.pdf", b"<html>hello</html>")
    assert response.status_code == 400
    html = response.get_data(as_text=True)
    assert '<a href="#file">The selected file is not a real PDF' in html
    empty = upload(respondent_client, audit_return, "empty.pdf", b"")
    assert "The selected file is empty" in empty.get_data(as_text=True)
    assert Evidence.query.count() == 0
    after = set(os.listdir(app.config["UPLOAD_DIR"])) \
        if os.path.isdir(app.config["UPLOAD_DIR"]) else set()
    assert after == before


def test_a_file_too_big_for_the_server_gets_the_413_page(respondent_client, audit_return, app):
    too_big = b"%PDF-" + b"0" * app.config["MAX_CONTENT_LENGTH"]
    response = upload(respondent_client, audit_return, "huge.pdf", too_big)
    assert response.status_code == 413
    assert "The file is too big" in response.get_data(as_text=True)
    assert Evidence.query.count() == 0


def test_only_people_who_may_see_the_return_can_download(app, audit_return, respondent,
                                                        partnership, make_user, sign_in):
    evidence = add_file(audit_return, "gov_named_governor", "a.pdf", pdf_bytes(), respondent)
    db.session.commit()
    url = f"/returns/{audit_return.id}/evidence/{evidence.id}"
    reviewer = sign_in(app.test_client(), make_user("reviewer", partnership))
    assert reviewer.get(url).status_code == 200
    elsewhere = add_school(partnership, urn="188888", name="Elsewhere")
    outsider = sign_in(app.test_client(), make_user("respondent", partnership, elsewhere))
    assert outsider.get(url).status_code == 404
    anonymous = app.test_client().get(url)
    assert anonymous.status_code == 302 and "/sign-in" in anonymous.headers["Location"]
    other = make_return(make_cycle(partnership, name="Other"), elsewhere)
    own_client = sign_in(app.test_client(), respondent)
    assert own_client.get(f"/returns/{other.id}/evidence/{evidence.id}").status_code == 404
    assert own_client.post(f"/returns/{other.id}/evidence/{evidence.id}/remove") \
        .status_code == 404
    assert Evidence.query.filter_by(id=evidence.id).one().removed_at is None


def test_removing_evidence_is_refused_once_submitted(audit_return, respondent):
    evidence = add_reference(audit_return, "gov_named_governor", "Minutes", respondent)
    audit_return.status = "submitted"
    db.session.commit()
    with pytest.raises(JourneyError):
        remove_evidence(evidence, audit_return, respondent)
    assert evidence.removed_at is None
