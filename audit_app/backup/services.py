"""Making a backup and restoring one.

A backup is a folder: the database copy (``database.sqlite3`` or ``database.pgdump``), the
evidence files (``uploads.tar.gz``) and ``manifest.json``, written last, which lists the
SHA-256 of both and of every evidence file, the row count of every table and the schema's
migration revision. A folder without a manifest is an unfinished backup.

The database is copied before the files: evidence files are written before the record that
names them is committed and never change afterwards, so every file the copied database
names is in the archive (a file uploaded during the backup may be there too, unnamed).

A restore checks the manifest and every hash before it changes anything, goes only into an
empty database and an empty uploads folder unless forced, and afterwards compares the row
count of every table with the manifest."""
import json
import os
import shutil
from dataclasses import dataclass

import sqlalchemy as sa
from flask import current_app

from ..audit_log.services import record
from ..extensions import db
from ..timeutil import utcnow
from . import databases, uploads
from .errors import BackupError

MANIFEST = "manifest.json"
FORMAT = 1


@dataclass
class Outcome:
    folder: str
    manifest: dict

    def summary(self) -> str:
        counts = self.manifest["database"]["row_counts"]
        return (f"tables={len(counts)} rows={sum(counts.values())} "
                f"files={len(self.manifest['uploads']['files'])}")


# Making a backup -------------------------------------------------------------------------

def create_backup(out: str) -> Outcome:
    """Back up the configured database and UPLOAD_DIR into the new (or empty) folder ``out``."""
    if os.path.exists(out) and (not os.path.isdir(out) or os.listdir(out)):
        raise BackupError(f"{out} already exists and is not an empty folder: choose a new one")
    engine = db.engine
    dump_name = databases.dump_file_name(engine.dialect.name)
    # The backup holds everything the service holds: only its owner may read it.
    os.makedirs(out, mode=0o700, exist_ok=True)
    try:
        counts = databases.copy_database(engine, os.path.join(out, dump_name))
        files = uploads.pack(current_app.config["UPLOAD_DIR"],
                             os.path.join(out, uploads.UPLOADS_FILE))
        manifest = {
            "format": FORMAT,
            "created_at": utcnow().isoformat(timespec="seconds") + "Z",
            "service": current_app.config["SERVICE_NAME"],
            "database": {"dialect": engine.dialect.name, "file": dump_name,
                         "sha256": uploads.file_sha256(os.path.join(out, dump_name)),
                         "revision": _revision(engine), "row_counts": counts},
            "uploads": {"file": uploads.UPLOADS_FILE,
                        "sha256": uploads.file_sha256(os.path.join(out, uploads.UPLOADS_FILE)),
                        "files": files},
        }
        _write_json(os.path.join(out, MANIFEST), manifest)
    except BaseException:
        shutil.rmtree(out, ignore_errors=True)
        raise
    outcome = Outcome(out, manifest)
    record("backup.created", detail={"folder": os.path.abspath(out),
                                     "summary": outcome.summary()})
    db.session.commit()
    return outcome


def _revision(engine: sa.Engine) -> str | None:
    with engine.connect() as connection:
        if not sa.inspect(connection).has_table("alembic_version"):
            return None
        return connection.exec_driver_sql("SELECT version_num FROM alembic_version").scalar()


def _write_json(path: str, value: dict) -> None:
    partial = f"{path}.part"
    with open(partial, "w", encoding="utf-8") as handle:
        json.dump(value, handle, indent=2, sort_keys=True)
    os.replace(partial, path)


# Checking a backup -----------------------------------------------------------------------

def check_backup(folder: str) -> dict:
    """The manifest of the backup in ``folder``, once it and both files' hashes check out."""
    path = os.path.join(folder, MANIFEST)
    if not os.path.isfile(path):
        raise BackupError(f"{folder} holds no {MANIFEST}: it is not a finished backup")
    try:
        with open(path, encoding="utf-8") as handle:
            manifest = json.load(handle)
        database, stored = manifest["database"], manifest["uploads"]
        parts = [(database["file"], database["sha256"]), (stored["file"], stored["sha256"])]
        if manifest["format"] != FORMAT or not isinstance(database["row_counts"], dict) \
                or not isinstance(stored["files"], dict):
            raise ValueError("unexpected layout")
    except (ValueError, KeyError, TypeError) as error:
        raise BackupError(f"{MANIFEST} cannot be read ({error}): the backup is damaged") \
            from None
    for name, digest in parts:
        part = os.path.join(folder, os.path.basename(name))
        if not os.path.isfile(part):
            raise BackupError(f"{name} is missing from the backup")
        if uploads.file_sha256(part) != digest:
            raise BackupError(f"{name} does not match its SHA-256 in the manifest: the backup "
                              "is damaged")
    return manifest


# Restoring -------------------------------------------------------------------------------

def restore_backup(folder: str, force: bool = False) -> Outcome:
    """Restore the backup in ``folder`` into the configured database and UPLOAD_DIR."""
    manifest = check_backup(folder)
    engine = db.engine
    dialect = manifest["database"]["dialect"]
    if dialect != engine.dialect.name:
        raise BackupError(f"This is a backup of a {dialect} database; DATABASE_URL names a "
                          f"{engine.dialect.name} one")
    db.session.remove()
    tables = databases.existing_tables(engine)
    if tables and not force:
        raise BackupError(f"The database is not empty (it has {len(tables)} tables): restore "
                          "into an empty database, or use --force to replace everything in it")
    upload_dir = current_app.config["UPLOAD_DIR"]
    if uploads.folder_has_files(upload_dir) and not force:
        raise BackupError(f"The uploads folder {upload_dir} is not empty: restore into an empty "
                          "folder, or use --force to add the backup's files to it")
    staging = uploads.unpack_checked(os.path.join(folder, manifest["uploads"]["file"]),
                                     manifest["uploads"]["files"], upload_dir)
    try:
        databases.restore_database(
            engine, os.path.join(folder, manifest["database"]["file"]), replace=force)
    except BaseException:
        shutil.rmtree(staging, ignore_errors=True)
        raise
    uploads.move_into_place(staging, upload_dir)
    _compare_counts(manifest["database"]["row_counts"], databases.database_counts(engine))
    outcome = Outcome(folder, manifest)
    record("backup.restored", detail={"folder": os.path.abspath(folder),
                                      "created_at": manifest["created_at"],
                                      "summary": outcome.summary()})
    db.session.commit()
    return outcome


def _compare_counts(expected: dict, found: dict) -> None:
    differ = sorted(name for name in set(expected) | set(found)
                    if expected.get(name) != found.get(name))
    if differ:
        name = differ[0]
        raise BackupError(f"The restored database differs from the manifest in {len(differ)} "
                          f"table(s), e.g. {name}: {found.get(name)} rows, expected "
                          f"{expected.get(name)}")
