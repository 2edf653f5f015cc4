"""Backup and restore, and the restore drill of docs/operations.md, on SQLite and on
PostgreSQL: seed answers and an evidence file, back up, restore into a fresh database and a
fresh uploads folder, compare every table's rows and every file's hash, and sign in to the
restored copy. A damaged or unfinished backup, a database or folder that is not empty, and
a backup of the other kind of database are refused, with nothing changed."""
import json
import os

import pytest

from audit_app.backup import databases
from audit_app.backup.uploads import stored_files
from audit_app.extensions import db
from tests.faults.conftest import seed_return, sign_in_form

pytestmark = pytest.mark.no_db
KINDS = ["sqlite", "postgresql"]


def counts(application) -> dict:
    with application.app_context():
        return databases.database_counts(db.engine)


def kind_of(application) -> str:
    return application.config["SQLALCHEMY_DATABASE_URI"].split(":")[0].split("+")[0]


def run(application, *arguments):
    return application.test_cli_runner().invoke(args=["backup", *arguments])


@pytest.fixture(params=KINDS)
def source(request, new_database, make_app, tmp_path):
    """An application on a new database of the kind, seeded; and what was seeded."""
    application = make_app(new_database(request.param), tmp_path / "source")
    return application, seed_return(application)


def test_the_restore_drill(source, new_database, make_app, tmp_path):
    application, seeded = source
    kind = kind_of(application)
    before = counts(application)
    out = tmp_path / "backup"
    made = run(application, "create", "--out", str(out))
    assert made.exit_code == 0, made.output
    assert made.output.startswith(f"backup written to {out}: tables={len(before)} ")
    manifest = json.loads((out / "manifest.json").read_text())
    assert manifest["database"]["row_counts"] == before
    assert manifest["database"]["file"] in os.listdir(out)
    assert oct((out).stat().st_mode & 0o777) == "0o700"
    source_files = stored_files(application.config["UPLOAD_DIR"])
    assert len(source_files) == 1 and manifest["uploads"]["files"] == source_files

    restored = make_app(new_database(kind), tmp_path / "restored", migrate=False)
    done = run(restored, "restore", str(out))
    assert done.exit_code == 0, done.output
    after = counts(restored)
    assert after.pop("audit_events") == before["audit_events"] + 1, "the restore is recorded"
    assert after == {name: rows for name, rows in before.items() if name != "audit_events"}
    assert stored_files(restored.config["UPLOAD_DIR"]) == source_files
    assert before["answers"] >= 1 and before["evidence"] == 1

    client = restored.test_client()
    assert sign_in_form(client, seeded.email).status_code == 302
    page = client.get(f"/returns/{seeded.return_id}/sections/leadership")
    assert page.status_code == 200 and "Minutes.pdf" in page.get_data(as_text=True)
    download = client.get(f"/returns/{seeded.return_id}/evidence/{seeded.evidence_id}")
    assert download.status_code == 200 and download.data == seeded.evidence_bytes


def test_a_restore_refuses_a_database_or_folder_that_is_not_empty(source, tmp_path):
    application, seeded = source
    out = tmp_path / "backup"
    assert run(application, "create", "--out", str(out)).exit_code == 0
    before = counts(application)
    refused = run(application, "restore", str(out))
    assert refused.exit_code == 1
    assert "The database is not empty" in refused.output and "--force" in refused.output
    assert counts(application) == before

    forced = run(application, "restore", str(out), "--force")
    assert forced.exit_code == 0, forced.output
    assert stored_files(application.config["UPLOAD_DIR"]) == \
        json.loads((out / "manifest.json").read_text())["uploads"]["files"]
    client = application.test_client()
    assert sign_in_form(client, seeded.email).status_code == 302


def test_a_damaged_backup_is_refused_before_anything_changes(source, new_database, make_app,
                                                             tmp_path):
    application, _seeded = source
    out = tmp_path / "backup"
    assert run(application, "create", "--out", str(out)).exit_code == 0
    archive = out / "uploads.tar.gz"
    data = bytearray(archive.read_bytes())
    data[len(data) // 2] ^= 0xFF
    archive.write_bytes(bytes(data))
    kind = kind_of(application)
    target = make_app(new_database(kind), tmp_path / "target", migrate=False)
    refused = run(target, "restore", str(out))
    assert refused.exit_code == 1
    assert "uploads.tar.gz does not match its SHA-256" in refused.output
    assert counts(target) == {}
    assert stored_files(target.config["UPLOAD_DIR"]) == {}

    (out / "manifest.json").unlink()
    unfinished = run(target, "check", str(out))
    assert unfinished.exit_code == 1 and "not a finished backup" in unfinished.output


def test_a_backup_goes_only_into_a_new_or_empty_folder(source, tmp_path):
    application, _seeded = source
    out = tmp_path / "taken"
    out.mkdir()
    (out / "notes.txt").write_text("keep me")
    refused = run(application, "create", "--out", str(out))
    assert refused.exit_code == 1 and "is not an empty folder" in refused.output
    assert os.listdir(out) == ["notes.txt"]


def test_check_reports_a_complete_backup(source, tmp_path):
    application, _seeded = source
    out = tmp_path / "backup"
    assert run(application, "create", "--out", str(out)).exit_code == 0
    checked = run(application, "check", str(out))
    assert checked.exit_code == 0 and " is complete: tables=" in checked.output
    assert checked.output.rstrip().endswith("files=1")


def test_a_backup_of_the_other_database_is_refused(new_database, make_app, tmp_path):
    sqlite_app = make_app(new_database("sqlite"), tmp_path / "lite")
    seed_return(sqlite_app, with_evidence=False)
    out = tmp_path / "backup"
    assert run(sqlite_app, "create", "--out", str(out)).exit_code == 0
    postgres = make_app(new_database("postgresql"), tmp_path / "pg", migrate=False)
    refused = run(postgres, "restore", str(out))
    assert refused.exit_code == 1
    assert "This is a backup of a sqlite database; DATABASE_URL names a postgresql one" \
        in refused.output
    assert counts(postgres) == {}


def test_a_database_that_cannot_be_opened_gives_a_one_line_reason(new_database, make_app,
                                                                  tmp_path):
    missing = tmp_path / "not-there" / "audit.sqlite3"
    broken = make_app(f"sqlite:///{missing}", tmp_path / "broken", migrate=False)
    failed = run(broken, "create", "--out", str(tmp_path / "nothing"))
    assert failed.exit_code == 1 and not (tmp_path / "nothing").exists()
    assert failed.output == f"Error: The database file {missing} does not exist\n"

    source = make_app(new_database("sqlite"), tmp_path / "source")
    assert run(source, "create", "--out", str(tmp_path / "backup")).exit_code == 0
    refused = run(broken, "restore", str(tmp_path / "backup"))
    assert refused.exit_code == 1
    assert refused.output == ("Error: The database could not be used: unable to open "
                              "database file\n")
