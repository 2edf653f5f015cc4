"""The audit log holds a record — who, what, when (UTC), from where — of every sign-in,
refusal, download, export, role change and return state change."""
from datetime import timedelta, timezone

import pytest
from flask import Response

from audit_app.audit_log.downloads import record_download
from audit_app.audit_log.models import AuditEvent
from audit_app.audit_log.services import record
from audit_app.cycles.models import AuditReturn
from audit_app.cycles.transitions import MOVES, transition
from audit_app.extensions import db
from audit_app.returns.evidence import add_file
from audit_app.timeutil import utcnow
from tests.fixtures import DEFAULT_PASSWORD
from tests.returns.conftest import make_cycle, make_return
from tests.returns.files import pdf_bytes

CLIENT_IP = "203.0.113.9"


def url(app, endpoint, **values) -> str:
    from flask import url_for

    with app.test_request_context():
        return url_for(endpoint, **values)


def only(action, **criteria) -> AuditEvent:
    events = AuditEvent.query.filter_by(action=action, **criteria).all()
    assert len(events) == 1, (action, criteria, [e.action for e in AuditEvent.query])
    return events[0]


def assert_who_when_where(event, user, ip=CLIENT_IP):
    assert event.actor_id == getattr(user, "id", None)
    assert event.actor_email == getattr(user, "email", None)
    assert event.ip_address == ip
    assert event.occurred_at.tzinfo is not None
    assert event.occurred_at.utcoffset() == timedelta(0)
    assert abs(utcnow() - event.occurred_at.astimezone(timezone.utc)) < timedelta(minutes=1)


@pytest.fixture
def client(app):
    test_client = app.test_client()
    test_client.environ_base["REMOTE_ADDR"] = CLIENT_IP
    return test_client


@pytest.fixture
def respondent(make_user, partnership, school):
    return make_user("respondent", partnership, organisation=school)


@pytest.fixture
def admin(make_user, partnership):
    return make_user("admin", partnership)


def test_a_sign_in_is_recorded(client, respondent):
    response = client.post("/sign-in", data={"email": respondent.email,
                                             "password": DEFAULT_PASSWORD})
    assert response.status_code == 302
    event = only("auth.sign_in")
    assert_who_when_where(event, respondent)
    assert (event.object_type, event.object_id) == ("User", str(respondent.id))


def test_a_failed_sign_in_is_recorded_with_the_email_tried(client, respondent):
    client.post("/sign-in", data={"email": respondent.email, "password": "wrong password"})
    client.post("/sign-in", data={"email": "nobody@example.org", "password": "wrong password"})
    known = only("auth.sign_in_failed", object_id=str(respondent.id))
    assert_who_when_where(known, None)
    assert known.detail == {"email": respondent.email, "reason": "bad_credentials"}
    unknown = only("auth.sign_in_failed", object_id=None)
    assert unknown.detail["email"] == "nobody@example.org"
    assert unknown.ip_address == CLIENT_IP


def test_a_refusal_is_recorded(client, sign_in, respondent):
    sign_in(client, respondent)
    assert client.get("/admin/audit-log").status_code == 403
    event = only("access.denied")
    assert_who_when_where(event, respondent)
    assert event.detail == {"reason": "route:admin", "path": "/admin/audit-log",
                            "method": "GET"}


def test_an_evidence_download_is_recorded(app, client, sign_in, partnership, school,
                                          respondent):
    audit_return = make_return(make_cycle(partnership), school)
    evidence = add_file(audit_return, "gov_named_governor", "minutes.pdf", pdf_bytes(), None)
    db.session.commit()
    sign_in(client, respondent)
    response = client.get(url(app, "returns.download_evidence", return_id=audit_return.id,
                              evidence_id=evidence.id))
    assert response.status_code == 200
    event = only("file.downloaded")
    assert_who_when_where(event, respondent)
    assert (event.object_type, event.object_id) == ("Evidence", str(evidence.id))
    assert event.partnership_id == partnership.id
    assert event.detail["endpoint"] == "returns.download_evidence"
    assert event.detail["filename"] == "minutes.pdf"


def test_a_pdf_download_is_recorded(app, client, sign_in, partnership, school, respondent):
    from tests.returns.submission_builders import answer_everything, return_in_progress

    audit_return = return_in_progress(partnership, school)
    answer_everything(audit_return)
    sign_in(client, respondent)
    response = client.get(url(app, "submission.draft_pdf_download",
                                  return_id=audit_return.id))
    assert response.status_code == 200 and response.mimetype == "application/pdf"
    event = only("file.downloaded")
    assert_who_when_where(event, respondent)
    assert (event.object_type, event.object_id) == ("AuditReturn", str(audit_return.id))
    assert event.detail["filename"].endswith(".pdf")


def test_a_refused_download_is_a_refusal_not_a_download(app, client, sign_in, partnership,
                                                        school, make_user):
    from tests.fixtures import add_school

    audit_return = make_return(make_cycle(partnership), school)
    evidence = add_file(audit_return, "gov_named_governor", "minutes.pdf", pdf_bytes(), None)
    db.session.commit()
    other = make_user("respondent", partnership,
                      organisation=add_school(partnership, urn="100999", name="Other School"))
    sign_in(client, other)
    response = client.get(url(app, "returns.download_evidence", return_id=audit_return.id,
                              evidence_id=evidence.id))
    assert response.status_code in (403, 404)
    assert AuditEvent.query.filter_by(action="file.downloaded").count() == 0
    assert_who_when_where(only("access.denied"), other)


def test_an_export_that_records_itself_is_not_recorded_twice(app, partnership):
    """The convention for report exports: record ``report.exported`` in the route; the
    download hook then adds nothing."""
    with app.test_request_context("/reports/1/export", environ_base={"REMOTE_ADDR": CLIENT_IP}):
        record("report.exported", partnership, {"format": "csv"}, partnership=partnership)
        response = Response("a,b\r\n", mimetype="text/csv",
                            headers={"Content-Disposition": 'attachment; filename="r.csv"'})
        record_download(response)
        db.session.commit()
    assert [e.action for e in AuditEvent.query] == ["report.exported"]
    assert only("report.exported").ip_address == CLIENT_IP


def test_a_page_is_not_a_download(client, sign_in, respondent):
    sign_in(client, respondent)
    assert client.get("/").status_code in (200, 302)
    assert AuditEvent.query.filter_by(action="file.downloaded").count() == 0


def test_the_audit_log_export_is_recorded(client, sign_in, admin, partnership):
    sign_in(client, admin)
    response = client.get("/admin/audit-log/export.csv?action=auth.")
    assert response.status_code == 200, response.headers.get("Location")
    response.get_data()
    event = only("audit_log.exported")
    assert_who_when_where(event, admin)
    assert event.partnership_id == partnership.id
    assert event.detail == {"filters": {"action": "auth."}}
    assert AuditEvent.query.filter_by(action="file.downloaded").count() == 0


def test_role_changes_are_recorded(app, client, sign_in, admin, make_user, partnership):
    person = make_user("qa", partnership)
    sign_in(client, admin)
    grant = person.grants[0]
    response = client.post(url(app, "people.remove_role", user_id=person.id,
                                   grant_id=grant.id))
    assert response.status_code == 302
    removed = only("people.grant_removed")
    assert_who_when_where(removed, admin)
    assert (removed.object_type, removed.object_id) == ("User", str(person.id))
    assert removed.partnership_id == partnership.id
    assert removed.detail["role"] == "qa"
    response = client.post(url(app, "people.add_role", user_id=person.id),
                           data={"role": "qa", "organisation_id": "", "questionnaire_key": ""})
    assert response.status_code == 302, response.get_data(as_text=True)
    added = only("people.grant_added")
    assert_who_when_where(added, admin)
    assert added.detail["role"] == "qa"


@pytest.mark.parametrize("move", sorted(MOVES))
def test_every_return_state_change_is_recorded(move, partnership, school, admin):
    from_status, to_status = move
    audit_return = make_return(make_cycle(partnership), school, status=from_status)
    reason = "School closed" if MOVES[move].needs_reason else None
    transition(audit_return, to_status, actor=admin, reason=reason)
    db.session.commit()
    event = only("return.status_changed")
    assert (event.object_type, event.object_id) == ("AuditReturn", str(audit_return.id))
    assert event.actor_id == admin.id and event.partnership_id == partnership.id
    assert event.detail["from"] == from_status and event.detail["to"] == to_status
    assert event.detail["reason"] == reason


def test_a_state_change_made_in_the_browser_records_where_from(app, client, sign_in, admin,
                                                                partnership, school):
    audit_return = make_return(make_cycle(partnership), school)
    sign_in(client, admin)
    response = client.post(url(app, "cycles.withdraw_return", cycle_id=audit_return.cycle_id,
                               return_id=audit_return.id),
                           data={"reason": "The school has closed"})
    assert response.status_code == 302, response.get_data(as_text=True)
    assert db.session.get(AuditReturn, audit_return.id).status == "withdrawn"
    event = only("return.status_changed")
    assert_who_when_where(event, admin)
    assert event.detail["to"] == "withdrawn"
