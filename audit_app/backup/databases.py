"""Copying and restoring the database itself: SQLite through its online backup API (a
consistent copy while the service runs), PostgreSQL through ``pg_dump --format=custom`` and
``pg_restore``. Row counts are taken from the very state that is copied, so that a restore
can prove it brought back everything."""
import os
import shutil
import sqlite3
import subprocess

import sqlalchemy as sa
from sqlalchemy.engine import URL

from .errors import BackupError

SQLITE_FILE = "database.sqlite3"
POSTGRES_FILE = "database.pgdump"
# pg_dump of a large partnership takes minutes, not hours; a stuck one must not hang cron.
TOOL_TIMEOUT_SECONDS = 3600


def dump_file_name(dialect: str) -> str:
    if dialect == "sqlite":
        return SQLITE_FILE
    if dialect == "postgresql":
        return POSTGRES_FILE
    raise BackupError(f"Backups are made of SQLite or PostgreSQL databases, not {dialect}")


def sqlite_path(url: URL) -> str:
    if not url.database or url.database == ":memory:":
        raise BackupError("An in-memory SQLite database cannot be backed up or restored")
    return os.path.abspath(url.database)


# Copying ----------------------------------------------------------------------------------

def copy_database(engine: sa.Engine, target: str) -> dict:
    """Write a consistent copy of the database to ``target``; its row counts per table."""
    if engine.dialect.name == "sqlite":
        return _copy_sqlite(sqlite_path(engine.url), target)
    return _dump_postgres(engine, target)


def _copy_sqlite(source_path: str, target: str) -> dict:
    if not os.path.exists(source_path):
        raise BackupError(f"The database file {source_path} does not exist")
    source = sqlite3.connect(f"file:{source_path}?mode=ro", uri=True)
    copy = sqlite3.connect(target)
    try:
        source.backup(copy)
        # The copy stands alone: no write-ahead log beside it.
        copy.execute("PRAGMA journal_mode=DELETE")
    finally:
        copy.close()
        source.close()
    # Counted in the copy itself: exactly what the backup holds.
    return database_counts(sa.create_engine(f"sqlite:///{target}", poolclass=sa.NullPool))


def _dump_postgres(engine: sa.Engine, target: str) -> dict:
    """pg_dump and the row counts read in one snapshot: the dump joins the snapshot that a
    repeatable-read transaction exported, so both see the same committed state."""
    with engine.connect().execution_options(isolation_level="REPEATABLE READ") as connection:
        with connection.begin():
            snapshot = connection.exec_driver_sql("SELECT pg_export_snapshot()").scalar()
            counts = table_counts(connection)
            _run_tool("pg_dump", engine.url,
                      ["--format=custom", "--no-password", f"--snapshot={snapshot}",
                       f"--file={target}"])
    return counts


def table_counts(connection: sa.Connection) -> dict:
    """Rows per table of the connection's database (every table, the migration table too)."""
    names = sorted(sa.inspect(connection).get_table_names())
    return {name: connection.scalar(sa.select(sa.func.count()).select_from(sa.table(name)))
            for name in names}


def database_counts(engine: sa.Engine) -> dict:
    with engine.connect() as connection:
        return table_counts(connection)


# Restoring --------------------------------------------------------------------------------

def existing_tables(engine: sa.Engine) -> list[str]:
    with engine.connect() as connection:
        return sorted(sa.inspect(connection).get_table_names())


def restore_database(engine: sa.Engine, dump: str, replace: bool) -> None:
    """Load ``dump`` into the (empty, or with ``replace`` emptied) database of ``engine``."""
    engine.dispose()
    if engine.dialect.name == "sqlite":
        _restore_sqlite(dump, sqlite_path(engine.url))
    else:
        _restore_postgres(engine, dump, replace)
    engine.dispose()


def _restore_sqlite(dump: str, target_path: str) -> None:
    """The backup API copies every page: the target becomes the copy, whatever it held."""
    os.makedirs(os.path.dirname(target_path), exist_ok=True)
    source = sqlite3.connect(f"file:{dump}?mode=ro", uri=True)
    target = sqlite3.connect(target_path)
    try:
        source.backup(target)
        target.execute("PRAGMA journal_mode=WAL")
    finally:
        target.close()
        source.close()


def _restore_postgres(engine: sa.Engine, dump: str, replace: bool) -> None:
    if replace:
        # Tables first (in the order their foreign keys need); --clean then removes what
        # else the dump brings (the audit log's trigger function) before recreating it.
        metadata = sa.MetaData()
        with engine.begin() as connection:
            metadata.reflect(connection)
            metadata.drop_all(connection)
        engine.dispose()
    options = ["--no-owner", "--no-privileges", "--exit-on-error", "--single-transaction",
               "--no-password"]
    if replace:
        options += ["--clean", "--if-exists"]
    _run_tool("pg_restore", engine.url, [*options, dump])


def _run_tool(tool: str, url: URL, arguments: list[str]) -> None:
    """Run pg_dump or pg_restore on ``url``'s database; the password goes through the
    environment, never the command line (where every local user could read it)."""
    program = shutil.which(tool)
    if program is None:
        raise BackupError(f"{tool} was not found: install the PostgreSQL client tools of the "
                          "server's version")
    environment = dict(os.environ)
    if url.password:
        environment["PGPASSWORD"] = str(url.password)
    libpq_url = url.set(drivername="postgresql", password=None) \
        .render_as_string(hide_password=False)
    try:
        result = subprocess.run(  # noqa: S603  (a fixed program, arguments as a list)
            [program, f"--dbname={libpq_url}", *arguments], env=environment,
            capture_output=True, text=True, timeout=TOOL_TIMEOUT_SECONDS, check=False)
    except subprocess.TimeoutExpired:
        raise BackupError(f"{tool} did not finish within {TOOL_TIMEOUT_SECONDS} seconds") \
            from None
    if result.returncode != 0:
        lines = [line for line in result.stderr.splitlines() if line.strip()]
        raise BackupError(f"{tool} failed: {lines[-1] if lines else 'no reason given'}")
