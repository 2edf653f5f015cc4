"""The task list and section pages read a fixed number of queries, whatever the number of
answers, sections, evidence and actions (no query per question)."""
import sqlalchemy as sa

from audit_app.extensions import db
from audit_app.returns.actions import ActionInput, add_action
from audit_app.returns.evidence import add_reference
from tests.returns.helpers import save


def queries_for(client, url) -> int:
    connection = db.session.get_bind()
    statements = []

    def count(_conn, _cursor, statement, *_args):
        if not statement.lstrip().upper().startswith(("SAVEPOINT", "RELEASE")):
            statements.append(statement)

    sa.event.listen(connection, "before_cursor_execute", count)
    try:
        assert client.get(url).status_code == 200
    finally:
        sa.event.remove(connection, "before_cursor_execute", count)
    return len(statements)


def test_the_section_page_does_not_query_per_question(respondent_client, audit_return,
                                                      respondent):
    url = f"/returns/{audit_return.id}/sections/leadership"
    save(audit_return, "leadership", {"gov_named_governor": "amber"}, actor=respondent)
    db.session.commit()
    few = queries_for(respondent_client, url)
    save(audit_return, "leadership", {"gov_training": "no", "policy_reviewed_on": "2025-01-02"},
         comments={"gov_named_governor": "In hand"}, actor=respondent)
    for number in range(4):
        add_reference(audit_return, "gov_named_governor", f"Minutes {number}", respondent)
        for question_id in ("gov_named_governor", "gov_training"):
            add_action(audit_return, question_id,
                       ActionInput(f"Action {number}", "Clerk", "1", "1", "2031"), respondent)
    db.session.commit()
    assert queries_for(respondent_client, url) == few


def test_the_task_list_does_not_query_per_section(respondent_client, audit_return,
                                                 respondent):
    url = f"/returns/{audit_return.id}"
    save(audit_return, "dsl", {"dsl_in_post": "green"}, actor=respondent)
    db.session.commit()
    few = queries_for(respondent_client, url)
    save(audit_return, "leadership", {"gov_training": "yes"}, actor=respondent)
    save(audit_return, "pupils", {"has_boarders": "no"}, actor=respondent, complete=True)
    add_reference(audit_return, "gov_named_governor", "Minutes", respondent)
    db.session.commit()
    assert queries_for(respondent_client, url) == few
