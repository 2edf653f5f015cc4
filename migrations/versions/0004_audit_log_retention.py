"""The audit log keeps its records for 6 years: the database still refuses every update,
and refuses a delete unless the record is more than 6 years old by the database's own
clock (so the application cannot delete a recent record, even by mistake).

The period is written here rather than imported, because a migration must keep doing what
it did when it was written; ``audit_app.retention.records`` purges with the same period.

Revision ID: 0004
Revises: 0003
"""
from alembic import op

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None

YEARS = 6
MESSAGE = "audit_events is append-only"
DELETE_MESSAGE = (f"audit_events is append-only: a record can be deleted only when it is "
                  f"more than {YEARS} years old")

# Computed in UTC whatever the session's time zone, so that a session cannot move the limit.
POSTGRES_CUTOFF = f"((now() AT TIME ZONE 'UTC') - interval '{YEARS} years') AT TIME ZONE 'UTC'"
# SQLite stores the time as text: a value julianday() cannot read gives NULL, which must
# refuse the delete rather than allow it.
SQLITE_REFUSED = (f"coalesce(julianday(OLD.occurred_at) < julianday('now', '-{YEARS} years'), "
                  f"0) = 0")


def _postgres_function(body: str) -> None:
    op.execute(f"""
        CREATE OR REPLACE FUNCTION audit_events_append_only() RETURNS trigger AS $$
        BEGIN
            {body}
        END;
        $$ LANGUAGE plpgsql
    """)


def upgrade():
    if op.get_bind().dialect.name == "postgresql":
        # The trigger (BEFORE UPDATE OR DELETE, for each row) stays; only its function changes.
        _postgres_function(f"""
            IF TG_OP = 'DELETE' AND OLD.occurred_at < {POSTGRES_CUTOFF} THEN
                RETURN OLD;
            END IF;
            IF TG_OP = 'DELETE' THEN
                RAISE EXCEPTION '{DELETE_MESSAGE}';
            END IF;
            RAISE EXCEPTION '{MESSAGE}';
        """)
    else:
        op.execute("DROP TRIGGER audit_events_no_delete")
        op.execute(f"""
            CREATE TRIGGER audit_events_no_delete BEFORE DELETE ON audit_events
            WHEN {SQLITE_REFUSED}
            BEGIN
                SELECT RAISE(ABORT, '{DELETE_MESSAGE}');
            END
        """)


def downgrade():
    if op.get_bind().dialect.name == "postgresql":
        _postgres_function(f"RAISE EXCEPTION '{MESSAGE}';")
    else:
        op.execute("DROP TRIGGER audit_events_no_delete")
        op.execute(f"""
            CREATE TRIGGER audit_events_no_delete BEFORE DELETE ON audit_events
            BEGIN
                SELECT RAISE(ABORT, '{MESSAGE}');
            END
        """)
