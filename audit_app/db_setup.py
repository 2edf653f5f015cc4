"""Engine tuning per database: SQLite gets WAL, foreign keys and real transactions;
PostgreSQL gives up connecting after a few seconds. With the ``pool_pre_ping`` of the
configuration, a request after the database comes back reconnects by itself."""
import sqlalchemy as sa

# A database host that has vanished from the network would otherwise hold each request for
# the operating system's TCP timeout (minutes) before the 503 page.
POSTGRES_CONNECT_TIMEOUT_SECONDS = 5


def configure_engines(engine: sa.Engine) -> None:
    if engine.dialect.name == "postgresql":
        @sa.event.listens_for(engine, "do_connect")
        def _connect_timeout(_dialect, _record, _cargs, cparams):
            cparams.setdefault("connect_timeout", POSTGRES_CONNECT_TIMEOUT_SECONDS)
        return
    if engine.dialect.name != "sqlite":
        return

    @sa.event.listens_for(engine, "connect")
    def _on_connect(dbapi_connection, _record):
        # Let SQLAlchemy, not pysqlite, decide where transactions begin (savepoints work).
        dbapi_connection.isolation_level = None
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.execute("PRAGMA busy_timeout=5000")
        if engine.url.database not in (None, "", ":memory:"):
            cursor.execute("PRAGMA journal_mode=WAL")
        cursor.close()

    @sa.event.listens_for(engine, "begin")
    def _on_begin(connection):
        connection.exec_driver_sql("BEGIN")


def database_reachable() -> bool:
    """Whether a connection can be made and used now (the health check reports it)."""
    from .extensions import db

    try:
        with db.engine.connect() as connection:
            connection.exec_driver_sql("SELECT 1")
    except sa.exc.SQLAlchemyError:
        return False
    return True
