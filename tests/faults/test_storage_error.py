"""The evidence store fails as a full disk (or a read-only folder) would make it fail: the
person sees a clear error on the page they uploaded from, no evidence record is made,
nothing else of the return changes and no partial file is left in the upload folder."""
import builtins
import errno
import io
import os

import pytest

from audit_app.audit_log.models import AuditEvent
from audit_app.extensions import db
from audit_app.returns import evidence as evidence_module
from audit_app.returns.evidence import STORE_FAILED, EvidenceRefused, add_file
from audit_app.returns.models import Evidence
from tests.returns.files import pdf_bytes

UPLOAD = "/returns/{id}/questions/gov_named_governor/evidence/upload"


class FullDisk:
    """``open`` for the evidence module: the file is created and half written, then the
    disk is full (``fail_at`` "write"), or the folder refuses new files ("open")."""

    def __init__(self, fail_at: str):
        self.fail_at = fail_at
        self.opened: list[str] = []

    def __call__(self, path, mode="r", *args, **kwargs):
        if self.fail_at == "open":
            raise OSError(errno.EROFS, os.strerror(errno.EROFS), path)
        handle = builtins.open(path, mode, *args, **kwargs)
        self.opened.append(path)
        real_write = handle.write

        def write(data):
            real_write(data[: len(data) // 2])
            handle.flush()
            raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC), path)

        handle.write = write
        return handle


@pytest.fixture
def upload_dir(app, tmp_path, monkeypatch):
    folder = tmp_path / "uploads"
    monkeypatch.setitem(app.config, "UPLOAD_DIR", str(folder))
    return folder


@pytest.mark.parametrize("fail_at", ["write", "open"])
def test_a_storage_error_adds_no_evidence_and_leaves_no_file(audit_return, respondent,
                                                             upload_dir, monkeypatch, fail_at):
    full = FullDisk(fail_at)
    monkeypatch.setattr(evidence_module, "open", full, raising=False)
    lock_version = audit_return.lock_version
    with pytest.raises(EvidenceRefused) as refused:
        add_file(audit_return, "gov_named_governor", "Minutes.pdf", pdf_bytes(), respondent)
    db.session.commit()
    assert str(refused.value) == STORE_FAILED
    if fail_at == "write":
        assert full.opened and full.opened[0].endswith(".part"), "the fault was reached"
    assert Evidence.query.count() == 0
    assert AuditEvent.query.filter_by(action="evidence.added").count() == 0
    db.session.refresh(audit_return)
    assert audit_return.lock_version == lock_version, "the return's change was undone"
    assert not upload_dir.exists() or list(upload_dir.iterdir()) == []


def test_the_person_sees_a_clear_error_and_can_upload_once_space_is_back(
        respondent_client, audit_return, upload_dir, monkeypatch):
    url = UPLOAD.format(id=audit_return.id)
    monkeypatch.setattr(evidence_module, "open", FullDisk("write"), raising=False)
    response = respondent_client.post(url, data={"file": (io.BytesIO(pdf_bytes()), "a.pdf")},
                                      content_type="multipart/form-data")
    assert response.status_code == 400
    page = response.get_data(as_text=True)
    assert "There is a problem" in page and "govuk-error-summary" in page
    assert f'<a href="#file">{STORE_FAILED}</a>' in page
    assert "Traceback" not in page
    assert Evidence.query.count() == 0 and list(upload_dir.iterdir()) == []

    monkeypatch.undo()
    monkeypatch.setitem(respondent_client.application.config, "UPLOAD_DIR", str(upload_dir))
    again = respondent_client.post(url, data={"file": (io.BytesIO(pdf_bytes()), "a.pdf")},
                                   content_type="multipart/form-data")
    assert again.status_code == 302
    evidence = Evidence.query.one()
    assert [path.name for path in upload_dir.iterdir()] == [evidence.stored_name]
