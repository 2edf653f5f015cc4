"""Evidence for an answer: an uploaded file or a written reference.

A file is accepted by what it contains, never by its name alone: its first bytes must be
those of the type its name claims (PDF, DOCX, XLSX, ODT, JPG, PNG or TXT). DOCX, XLSX and
ODT are zip files: their directory is read (never unpacked) and refused when it would
expand too far (a zip bomb), is encrypted or lacks the parts of a real document. Files are
stored under UPLOAD_DIR with a generated name, with their SHA-256, and only ever served as
an attachment through an access-checked route."""
import errno
import hashlib
import io
import os
import re
import secrets
import struct
import unicodedata
import zipfile
from dataclasses import dataclass
from urllib.parse import quote

from flask import current_app

from ..audit_log.services import record
from ..extensions import db
from ..timeutil import utcnow
from .drafts import JourneyError, ReturnContext, applying_question
from .models import Evidence
from .services import return_change

REFERENCE_LENGTH = 500
NAME_LENGTH = 255
# Zip limits: no real audit document comes near them; a zip bomb goes far past them.
MAX_ZIP_MEMBERS = 5000
MAX_UNPACKED_BYTES = 200 * 1024 * 1024
MAX_MEMBER_RATIO = 100
RATIO_CHECKED_FROM = 1024 * 1024
# Bytes that announce markup a browser would run, at the start of a "text" file.
MARKUP_START = re.compile(rb"^\s*<(?:!doctype|html|head|body|script|iframe|svg|\?xml|!--)",
                          re.IGNORECASE)
TEXT_CONTROL = re.compile(rb"[\x00-\x08\x0b\x0e-\x1f\x7f]")


class EvidenceRefused(JourneyError):
    """The evidence cannot be added; the message says why."""


@dataclass(frozen=True)
class FileType:
    label: str
    extensions: tuple
    content_type: str


PDF = FileType("PDF", ("pdf",), "application/pdf")
DOCX = FileType("DOCX", ("docx",), "application/vnd.openxmlformats-officedocument."
                                   "wordprocessingml.document")
XLSX = FileType("XLSX", ("xlsx",), "application/vnd.openxmlformats-officedocument."
                                   "spreadsheetml.sheet")
ODT = FileType("ODT", ("odt",), "application/vnd.oasis.opendocument.text")
JPG = FileType("JPG", ("jpg", "jpeg"), "image/jpeg")
PNG = FileType("PNG", ("png",), "image/png")
TXT = FileType("TXT", ("txt",), "text/plain; charset=utf-8")
FILE_TYPES = (PDF, DOCX, XLSX, ODT, JPG, PNG, TXT)
ODT_MIMETYPE = b"application/vnd.oasis.opendocument.text"
ACCEPTED_WORDS = "a PDF, DOCX, XLSX, ODT, JPG, PNG or TXT"
STORE_FAILED = ("The selected file could not be uploaded because of a problem with the "
                "service – try again later")


def max_upload_bytes() -> int:
    return current_app.config["MAX_UPLOAD_MB"] * 1024 * 1024


def accept_attribute() -> str:
    """The file input's ``accept`` list (a hint to the browser; the server decides)."""
    return ",".join(f".{extension}" for file_type in FILE_TYPES
                    for extension in file_type.extensions)


def type_for_name(filename: str) -> FileType | None:
    extension = filename.rsplit(".", 1)[-1].lower() if "." in filename else ""
    return next((file_type for file_type in FILE_TYPES if extension in file_type.extensions),
                None)


def check_file(filename: str, data: bytes, limit: int) -> FileType:
    """The type of an upload, checked by content. EvidenceRefused says what is wrong."""
    if not filename:
        raise EvidenceRefused("Select a file")
    claimed = type_for_name(filename)
    if claimed is None:
        raise EvidenceRefused(f"The selected file must be {ACCEPTED_WORDS}")
    if not data:
        raise EvidenceRefused("The selected file is empty")
    if len(data) > limit:
        raise EvidenceRefused(f"The selected file must be smaller than "
                              f"{limit // (1024 * 1024)}MB")
    if claimed in (DOCX, XLSX, ODT):
        _check_document_zip(claimed, data)
    elif not _content_is(claimed, data):
        raise EvidenceRefused(f"The selected file is not a real {claimed.label}: its content "
                              "does not match its name")
    return claimed


def _content_is(file_type: FileType, data: bytes) -> bool:
    if file_type is PDF:
        return data.startswith(b"%PDF-")
    if file_type is PNG:
        return data.startswith(b"\x89PNG\r\n\x1a\n")
    if file_type is JPG:
        return data.startswith(b"\xff\xd8\xff")
    return _is_plain_text(data)


def _is_plain_text(data: bytes) -> bool:
    body = data.removeprefix(b"\xef\xbb\xbf")
    try:
        body.decode("utf-8")
    except UnicodeDecodeError:
        return False
    return not TEXT_CONTROL.search(body) and not MARKUP_START.match(body)


def _check_document_zip(claimed: FileType, data: bytes) -> None:
    not_real = EvidenceRefused(f"The selected file is not a real {claimed.label}: its content "
                               "does not match its name")
    if not data.startswith(b"PK\x03\x04"):
        raise not_real
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            members = archive.infolist()
    except (zipfile.BadZipFile, ValueError, OSError):
        raise EvidenceRefused(f"The selected file is damaged: it cannot be opened as a "
                              f"{claimed.label}") from None
    _check_zip_sizes(members)
    if any(member.flag_bits & 0x1 for member in members):
        raise EvidenceRefused("The selected file is protected with a password: remove the "
                              "password and upload it again")
    names = {member.filename for member in members}
    if claimed is DOCX and not {"[Content_Types].xml", "word/document.xml"} <= names:
        raise not_real
    if claimed is XLSX and not {"[Content_Types].xml", "xl/workbook.xml"} <= names:
        raise not_real
    if claimed is ODT and not _odt_mimetype_first(data, members):
        raise not_real


def _check_zip_sizes(members) -> None:
    """Refuse a zip bomb from its directory alone, before anything is unpacked."""
    too_big = EvidenceRefused("The selected file cannot be accepted: it expands to far more "
                              "than a document's size. Save it again from the program that "
                              "made it, and upload that copy")
    if len(members) > MAX_ZIP_MEMBERS:
        raise too_big
    if sum(member.file_size for member in members) > MAX_UNPACKED_BYTES:
        raise too_big
    for member in members:
        if member.file_size >= RATIO_CHECKED_FROM and \
                member.file_size > MAX_MEMBER_RATIO * max(member.compress_size, 1):
            raise too_big


def _odt_mimetype_first(data: bytes, members) -> bool:
    """An OpenDocument file starts with an uncompressed ``mimetype`` member; its bytes are
    read in place, so nothing is decompressed."""
    first = members[0] if members else None
    if first is None or first.filename != "mimetype" or \
            first.compress_type != zipfile.ZIP_STORED:
        return False
    offset = first.header_offset
    header = data[offset:offset + 30]
    if len(header) < 30:
        return False
    name_length, extra_length = struct.unpack("<HH", header[26:30])
    start = offset + 30 + name_length + extra_length
    return data[start:start + first.file_size] == ODT_MIMETYPE


# Names --------------------------------------------------------------------------------

def display_name(filename: str, file_type: FileType) -> str:
    """The name the person gave, without any folder and without control characters."""
    name = re.split(r"[\\/]", filename or "")[-1]
    name = "".join(char for char in name if unicodedata.category(char)[0] != "C").strip()
    if not name.strip(". "):
        name = f"evidence.{file_type.extensions[0]}"
    if len(name) > NAME_LENGTH:
        stem, _dot, extension = name.rpartition(".")
        name = f"{stem[:NAME_LENGTH - len(extension) - 1]}.{extension}"
    return name


def content_disposition(name: str) -> str:
    """An RFC 6266 attachment header: an ASCII ``filename`` for old browsers and the
    exact name as ``filename*``."""
    # Accents fall away (é -> e); anything else outside plain ASCII becomes "_".
    ascii_name = "".join(char for char in unicodedata.normalize("NFKD", name)
                         if not unicodedata.combining(char))
    ascii_name = re.sub(r"[^A-Za-z0-9 ._()-]", "_", ascii_name).strip() or "evidence"
    return (f'attachment; filename="{ascii_name}"; '
            f"filename*=UTF-8''{quote(name, safe='')}")


def stored_path(evidence: Evidence) -> str:
    return os.path.join(current_app.config["UPLOAD_DIR"], evidence.stored_name)


# Adding and removing ---------------------------------------------------------------------

def evidence_question(context: ReturnContext, question_id: str):
    """The question, if evidence can be attached to it for this organisation now."""
    question = applying_question(context, question_id)
    if question.evidence == "none":
        raise EvidenceRefused(f"‘{question.name}’ does not take evidence")
    return question


def add_file(audit_return, question_id: str, filename: str, data: bytes, actor) -> Evidence:
    """Check and store an uploaded file as evidence for a question."""
    with return_change(audit_return):
        evidence_question(ReturnContext.of(audit_return), question_id)
        file_type = check_file(filename, data, max_upload_bytes())
        evidence = Evidence(return_id=audit_return.id, question_key=question_id, kind="file",
                            original_name=display_name(filename, file_type),
                            stored_name=f"{secrets.token_hex(20)}.{file_type.extensions[0]}",
                            content_type=file_type.content_type, size=len(data),
                            sha256=hashlib.sha256(data).hexdigest(),
                            uploaded_by_id=getattr(actor, "id", None), uploaded_at=utcnow())
        _write_file(stored_path(evidence), data)
        try:
            db.session.add(evidence)
            db.session.flush()
            record("evidence.added", obj=audit_return, actor=actor,
                   partnership=audit_return.cycle.partnership,
                   detail={"evidence": evidence.id, "question": question_id, "kind": "file",
                           "sha256": evidence.sha256, "size": evidence.size})
        except BaseException:
            os.remove(stored_path(evidence))
            raise
    return evidence


def _write_file(path: str, data: bytes) -> None:
    """Store the file whole or not at all. A storage failure (a full disk, a folder that
    cannot be written) leaves no partial file behind and refuses the upload, so that the
    caller adds no evidence record; the reason goes to the log for whoever runs the service."""
    partial = f"{path}.part"
    try:
        os.makedirs(os.path.dirname(path), exist_ok=True)
        with open(partial, "xb") as handle:
            handle.write(data)
        os.replace(partial, path)
    except OSError as error:
        current_app.logger.error("evidence could not be stored (%s): %s",
                                 errno.errorcode.get(error.errno, error.errno), error.strerror)
        try:
            os.remove(partial)
        except FileNotFoundError:
            pass
        except OSError:
            current_app.logger.error("could not remove %s after a failed upload",
                                     os.path.basename(partial))
        raise EvidenceRefused(STORE_FAILED) from None


def add_reference(audit_return, question_id: str, reference: str, actor) -> Evidence:
    """A written reference instead of a file, e.g. 'Governors' minutes, 12 March 2026'."""
    text = " ".join((reference or "").split())
    if not text:
        raise EvidenceRefused("Enter a reference to the evidence")
    if len(text) > REFERENCE_LENGTH:
        raise EvidenceRefused(f"The reference must be {REFERENCE_LENGTH} characters or fewer")
    with return_change(audit_return):
        evidence_question(ReturnContext.of(audit_return), question_id)
        evidence = Evidence(return_id=audit_return.id, question_key=question_id,
                            kind="reference", reference=text,
                            uploaded_by_id=getattr(actor, "id", None), uploaded_at=utcnow())
        db.session.add(evidence)
        db.session.flush()
        record("evidence.added", obj=audit_return, actor=actor,
               partnership=audit_return.cycle.partnership,
               detail={"evidence": evidence.id, "question": question_id,
                       "kind": "reference"})
    return evidence


def remove_evidence(evidence: Evidence, audit_return, actor) -> None:
    """Take evidence off an answer. The record and the file stay, for the audit trail (a
    submission may name it)."""
    with return_change(audit_return):
        if evidence.removed_at is not None:
            raise EvidenceRefused("This evidence has already been removed")
        evidence.removed_at = utcnow()
        db.session.flush()
        record("evidence.removed", obj=audit_return, actor=actor,
               partnership=audit_return.cycle.partnership,
               detail={"evidence": evidence.id, "question": evidence.question_key})


def evidence_of(return_id: int, question_ids=None) -> list[Evidence]:
    """Evidence of a return not removed (for some questions only, if given), in order."""
    query = Evidence.query.filter_by(return_id=return_id, removed_at=None)
    if question_ids is not None:
        query = query.filter(Evidence.question_key.in_(list(question_ids)))
    return query.order_by(Evidence.uploaded_at, Evidence.id).all()


def size_words(size: int | None) -> str:
    if not size:
        return ""
    if size < 1024:
        return f"{size} bytes"
    if size < 1024 * 1024:
        return f"{size / 1024:.0f}KB"
    return f"{size / (1024 * 1024):.1f}MB"
