"""The evidence files: packed into one archive with the SHA-256 of every file, and unpacked
into a staging folder that is checked, file by file, before anything is moved into place."""
import hashlib
import os
import shutil
import tarfile
import tempfile

from .errors import BackupError

UPLOADS_FILE = "uploads.tar.gz"
# An upload being written has this suffix until it is complete (returns/evidence.py).
PARTIAL_SUFFIX = ".part"
CHUNK = 1024 * 1024


def file_sha256(path: str) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as handle:
        for chunk in iter(lambda: handle.read(CHUNK), b""):
            digest.update(chunk)
    return digest.hexdigest()


def stored_files(folder: str) -> dict[str, str]:
    """Relative path -> SHA-256 of every complete file under ``folder`` (none if absent)."""
    found = {}
    if not os.path.isdir(folder):
        return found
    for root, directories, names in os.walk(folder):
        directories.sort()
        for name in sorted(names):
            if name.endswith(PARTIAL_SUFFIX):
                continue
            path = os.path.join(root, name)
            found[os.path.relpath(path, folder).replace(os.sep, "/")] = file_sha256(path)
    return found


def pack(folder: str, archive: str) -> dict[str, str]:
    """Write ``folder``'s files to the ``archive``; returns what was packed, with hashes."""
    files = stored_files(folder)
    with tarfile.open(archive, "w:gz") as tar:
        for name in files:
            tar.add(os.path.join(folder, *name.split("/")), arcname=name, recursive=False)
    return files


def unpack_checked(archive: str, expected: dict[str, str], beside: str) -> str:
    """Unpack ``archive`` into a new staging folder next to ``beside`` (same disk, so the
    files can then be moved into place) and check it holds exactly the ``expected`` files
    with their hashes. Returns the staging folder; removes it on any failure."""
    parent = os.path.dirname(os.path.abspath(beside)) or "."
    os.makedirs(parent, exist_ok=True)
    staging = tempfile.mkdtemp(prefix=".restore-", dir=parent)
    try:
        with tarfile.open(archive, "r:gz") as tar:
            # The "data" filter refuses absolute paths, "..", links out of the folder and
            # device files: a tampered archive cannot write outside the staging folder.
            tar.extractall(staging, filter="data")
        found = stored_files(staging)
        if set(found) != set(expected):
            missing = sorted(set(expected) - set(found))
            extra = sorted(set(found) - set(expected))
            raise BackupError(f"The uploads archive does not match the manifest (missing: "
                              f"{len(missing)}, not listed: {len(extra)})")
        damaged = sorted(name for name, digest in found.items() if expected[name] != digest)
        if damaged:
            raise BackupError(f"{len(damaged)} file(s) in the uploads archive do not match "
                              f"their SHA-256 in the manifest, e.g. {damaged[0]}")
    except (tarfile.TarError, OSError) as error:
        shutil.rmtree(staging, ignore_errors=True)
        raise BackupError(f"The uploads archive cannot be unpacked: {error}") from None
    except BaseException:
        shutil.rmtree(staging, ignore_errors=True)
        raise
    return staging


def move_into_place(staging: str, folder: str) -> None:
    """Move the checked files from ``staging`` into ``folder``, then drop ``staging``."""
    os.makedirs(folder, exist_ok=True)
    for root, _directories, names in os.walk(staging):
        for name in names:
            source = os.path.join(root, name)
            target = os.path.join(folder, os.path.relpath(source, staging))
            os.makedirs(os.path.dirname(target), exist_ok=True)
            os.replace(source, target)
    shutil.rmtree(staging, ignore_errors=True)


def folder_has_files(folder: str) -> bool:
    return bool(stored_files(folder))
