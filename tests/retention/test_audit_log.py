"""The audit log keeps its records for 6 years: the database refuses to change any record or
to delete a younger one; the purge deletes the older ones."""
from datetime import timedelta

import pytest
import sqlalchemy as sa

from audit_app.audit_log.models import AuditEvent
from audit_app.audit_log.services import record
from audit_app.extensions import db
from audit_app.timeutil import utcnow

DAY = timedelta(days=1)
SIX_YEARS = timedelta(days=6 * 365 + 2)  # two leap days at most in six years


def add_event(age: timedelta, action: str = "test.event") -> AuditEvent:
    event = record(action, detail={"email": "someone@example.org"})
    event.occurred_at = utcnow() - age
    event.ip_address = "203.0.113.9"
    db.session.commit()
    return event


def refused(statement) -> bool:
    try:
        with db.session.begin_nested():
            db.session.execute(statement)
    except sa.exc.DatabaseError as error:
        assert "append-only" in str(error.orig)
        return True
    return False


def still_there(event_id) -> bool:
    db.session.expire_all()
    return db.session.get(AuditEvent, event_id) is not None


@pytest.mark.parametrize("age", [timedelta(0), 6 * 365 * DAY - 2 * DAY],
                         ids=["new", "nearly-six-years"])
def test_a_record_younger_than_six_years_cannot_be_deleted_or_changed(app_ctx, age):
    event = add_event(age)
    assert refused(sa.delete(AuditEvent).where(AuditEvent.id == event.id))
    assert refused(sa.update(AuditEvent).where(AuditEvent.id == event.id)
                   .values(action="tampered"))
    # Not even by making it look old first.
    assert refused(sa.update(AuditEvent).where(AuditEvent.id == event.id)
                   .values(occurred_at=utcnow() - 10 * SIX_YEARS))
    assert still_there(event.id)
    assert db.session.get(AuditEvent, event.id).action == "test.event"


def test_an_old_record_cannot_be_changed_either(app_ctx):
    event = add_event(SIX_YEARS + DAY)
    assert refused(sa.update(AuditEvent).where(AuditEvent.id == event.id)
                   .values(ip_address=None))
    assert still_there(event.id)


def test_the_purge_deletes_records_older_than_six_years_and_only_those(runner, partnership):
    old = add_event(SIX_YEARS + DAY, "test.old").id
    older = add_event(10 * SIX_YEARS, "test.older").id
    young = add_event(6 * 365 * DAY - 2 * DAY, "test.young").id

    dry = runner.invoke(args=["retention", "purge", "--dry-run"])
    assert dry.exit_code == 0, dry.output
    assert dry.output.strip().endswith("audit_events=2")
    assert still_there(old) and still_there(older)

    result = runner.invoke(args=["retention", "purge"])
    assert result.exit_code == 0, result.output
    assert result.output.strip().endswith("audit_events=2")
    assert not still_there(old) and not still_there(older)
    assert still_there(young)
    event = AuditEvent.query.filter_by(action="retention.records_purged").one()
    assert event.detail["audit_events"] == 2


@pytest.mark.no_db
def test_the_rule_survives_downgrade_and_upgrade(own_app):
    from flask_migrate import downgrade, upgrade

    def delete_old_record() -> bool:
        """Add a 7-year-old record and try to delete it; whether the database allowed it."""
        with db.engine.connect() as connection:
            with connection.begin():
                event_id = connection.execute(sa.insert(AuditEvent).values(
                    action="test.old", occurred_at=utcnow() - SIX_YEARS - 365 * DAY,
                    detail={}).returning(AuditEvent.id)).scalar_one()
            try:
                with connection.begin():
                    connection.execute(sa.delete(AuditEvent).where(AuditEvent.id == event_id))
            except sa.exc.DatabaseError:
                return False
            return True

    with own_app.app_context():
        assert delete_old_record()
        downgrade(revision="0003")
        assert not delete_old_record(), "before 0004 nothing could be deleted"
        upgrade()
        assert delete_old_record()
        with db.engine.connect() as connection:
            with pytest.raises(sa.exc.DatabaseError), connection.begin():
                connection.execute(sa.insert(AuditEvent).values(
                    action="test.new", occurred_at=utcnow(), detail={}))
                connection.execute(sa.delete(AuditEvent).where(
                    AuditEvent.action == "test.new"))
        db.engine.dispose()


def test_a_purge_asking_to_delete_recent_records_is_refused_and_changes_nothing(
        runner, partnership, make_user, monkeypatch):
    from audit_app.auth.models import UserSession
    from audit_app.retention import records

    recent = add_event(DAY).id
    user = make_user("admin", partnership)
    db.session.add(UserSession(token_hash="0" * 64, user_id=user.id,
                               last_seen_at=utcnow() - 3 * 365 * DAY))
    db.session.commit()
    # A mistake in the application: every record looks old to it.
    monkeypatch.setattr(records, "old_audit_events_where", sa.true)
    result = runner.invoke(args=["retention", "purge"])
    assert result.exit_code != 0
    lines = result.output.strip().splitlines()
    assert len(lines) == 1, lines
    assert lines[0].startswith("Error: The purge failed, so nothing was changed: "
                               "audit_events is append-only")
    assert still_there(recent)
    assert UserSession.query.filter_by(user_id=user.id).count() == 1


def test_the_purge_and_the_trigger_use_the_same_period():
    import importlib.util
    from pathlib import Path

    from audit_app.retention.records import AUDIT_LOG_YEARS

    path = Path(__file__).parents[2] / "migrations/versions/0004_audit_log_retention.py"
    spec = importlib.util.spec_from_file_location("migration_0004", path)
    migration = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(migration)
    assert migration.YEARS == AUDIT_LOG_YEARS == 6
