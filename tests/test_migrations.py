"""The schema is only ever changed by migrations, and they agree with the models."""
import uuid

import pytest
import sqlalchemy as sa
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy.engine import make_url

from audit_app import create_app
from audit_app.audit_log.models import AuditEvent
from audit_app.audit_log.services import record
from audit_app.extensions import db
from tests.settings import settings_for_tests


def test_models_and_migrations_agree(app_ctx):
    context = MigrationContext.configure(
        db.session.connection(),
        opts={"compare_type": True, "render_as_batch": True})
    assert compare_metadata(context, db.metadata) == []



@pytest.mark.no_db
def test_upgrade_downgrade_upgrade_from_empty(own_database_url, tmp_path):
    from flask_migrate import downgrade, upgrade

    app = create_app(settings_for_tests(own_database_url, tmp_path))
    with app.app_context():
        upgrade()
        tables = set(sa.inspect(db.engine).get_table_names())
        assert {"partnerships", "organisations", "memberships", "users", "grants",
                "user_sessions", "user_tokens", "questionnaire_versions", "cycles", "returns",
                "return_events", "section_states", "answers", "submissions",
                "submission_answers", "evidence", "action_items", "approvals",
                "moderations", "review_queries", "query_messages", "spot_check_samples",
                "outbox_messages", "audit_events"} <= tables
        downgrade(revision="base")
        assert set(sa.inspect(db.engine).get_table_names()) <= {"alembic_version"}
        upgrade()
        db.engine.dispose()


def test_audit_log_is_append_only(app_ctx):
    event = record("test.event", detail={"n": 1})
    db.session.commit()
    with pytest.raises(sa.exc.DatabaseError):
        with db.session.begin_nested():
            db.session.execute(sa.update(AuditEvent).where(AuditEvent.id == event.id)
                               .values(action="tampered"))
    with pytest.raises(sa.exc.DatabaseError):
        with db.session.begin_nested():
            db.session.execute(sa.delete(AuditEvent).where(AuditEvent.id == event.id))
    assert db.session.get(AuditEvent, event.id).action == "test.event"
