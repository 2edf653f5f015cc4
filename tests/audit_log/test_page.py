"""The admin's audit log page and its CSV export: search, pages, errors, the partnership's
records only."""
import csv
import io
from datetime import datetime, timezone

import pytest

from audit_app.audit_log.models import AuditEvent
from audit_app.extensions import db
from audit_app.organisations.models import Partnership

PAGE = "/admin/audit-log"
EXPORT = "/admin/audit-log/export.csv"


def event(partnership=None, action="test.event", when=None, detail=None,
          **values) -> AuditEvent:
    item = AuditEvent(action=action, partnership_id=getattr(partnership, "id", None),
                      occurred_at=when or datetime.now(timezone.utc), detail=detail or {},
                      **values)
    db.session.add(item)
    db.session.flush()
    return item


@pytest.fixture
def admin(make_user, partnership):
    return make_user("admin", partnership, email="boss@example.org")


@pytest.fixture
def admin_client(app, admin, sign_in):
    return sign_in(app.test_client(), admin)


@pytest.fixture
def other_partnership(db_session):
    item = Partnership(slug="elsewhere", name="Elsewhere Safeguarding Children Partnership")
    db.session.add(item)
    db.session.commit()
    return item


def shown_actions(response) -> list[str]:
    """The actions listed on the page, top to bottom."""
    import re

    return re.findall(r"<code>([^<]+)</code>", response.get_data(as_text=True))


def csv_rows(response) -> list[dict]:
    return list(csv.DictReader(io.StringIO(response.get_data(as_text=True))))


def test_only_admins_see_it_in_the_navigation(app, admin_client, make_user, partnership,
                                              sign_in):
    assert 'href="/admin/audit-log"' in admin_client.get("/dashboard").get_data(as_text=True)
    reviewer = sign_in(app.test_client(), make_user("reviewer", partnership))
    assert 'href="/admin/audit-log"' not in reviewer.get("/dashboard").get_data(as_text=True)
    assert reviewer.get(PAGE).status_code == 403


def test_newest_first_fifty_a_page(admin_client, partnership):
    for number in range(60):
        event(partnership, action=f"test.n{number:02d}",
              when=datetime(2026, 3, 1, 12, number, tzinfo=timezone.utc))
    db.session.commit()
    first = admin_client.get(PAGE + "?action=test.")
    assert first.status_code == 200
    assert shown_actions(first) == [f"test.n{n:02d}" for n in range(59, 9, -1)]
    html = first.get_data(as_text=True)
    assert "govuk-pagination" in html and "60 records" in html
    assert "page=2" in html and "action=test." in html
    second = admin_client.get(PAGE + "?action=test.&page=2")
    assert shown_actions(second) == [f"test.n{n:02d}" for n in range(9, -1, -1)]


def test_filters_by_action_email_record_and_ip(admin_client, partnership):
    event(partnership, action="auth.sign_in", actor_email="Dsl@School.example.org",
          object_type="User", object_id="7", ip_address="192.0.2.10")
    event(partnership, action="auth.sign_in_failed", ip_address="198.51.100.1")
    event(partnership, action="return.status_changed", actor_email="sase@example.org",
          object_type="AuditReturn", object_id="7", ip_address="192.0.2.10")
    db.session.commit()

    def actions(query):
        response = admin_client.get(PAGE + "?" + query)
        assert response.status_code == 200
        return sorted(shown_actions(response))

    assert actions("action=auth.") == ["auth.sign_in", "auth.sign_in_failed"]
    assert actions("action=auth.sign_in_failed") == ["auth.sign_in_failed"]
    assert actions("actor_email=school.EXAMPLE") == ["auth.sign_in"]
    assert actions("object_type=auditreturn&object_id=7") == ["return.status_changed"]
    assert actions("object_id=7") == ["auth.sign_in", "return.status_changed"]
    assert actions("ip_address=192.0.2.10") == ["auth.sign_in", "return.status_changed"]
    assert actions("action=%25") == []  # a wildcard typed in the box is just a character


def test_the_date_range_is_in_uk_days(admin_client, partnership):
    # 23:30 UTC on 30 June is 00:30 on 1 July in London (summer time).
    event(partnership, action="test.july", when=datetime(2026, 6, 30, 23, 30, tzinfo=timezone.utc))
    event(partnership, action="test.june", when=datetime(2026, 6, 30, 22, 30, tzinfo=timezone.utc))
    db.session.commit()

    def actions(query):
        return shown_actions(admin_client.get(PAGE + "?action=test.&" + query))

    july = "date_from=1&date_from=7&date_from=2026"
    june = "date_to=30&date_to=6&date_to=2026"
    assert actions(july) == ["test.july"]
    assert actions(june) == ["test.june"]
    assert actions(july + "&date_to=1&date_to=7&date_to=2026") == ["test.july"]


@pytest.mark.parametrize("query, message", [
    ("date_from=31&date_from=2&date_from=2026", "The start date must be a real date"),
    ("date_to=1&date_to=&date_to=2026", "The end date must include a month"),
    ("date_from=2&date_from=3&date_from=2026&date_to=1&date_to=3&date_to=2026",
     "The end date must be the same as or after the start date"),
    ("ip_address=999.1.1.1", "Enter an IP address in the correct format"),
    ("action=" + "a" * 81, "Action must be 80 characters or fewer"),
])
def test_a_bad_search_gets_an_error_summary(admin_client, partnership, query, message):
    event(partnership, action="test.visible")
    db.session.commit()
    response = admin_client.get(PAGE + "?" + query)
    html = response.get_data(as_text=True)
    assert response.status_code == 200
    assert "govuk-error-summary" in html and message in html
    assert "<title>Error: " in html
    assert shown_actions(response) == []
    export = admin_client.get(EXPORT + "?" + query)
    assert export.status_code == 400 and message in export.get_data(as_text=True)
    assert AuditEvent.query.filter_by(action="audit_log.exported").count() == 0


def test_only_the_partnerships_records_are_shown(admin_client, admin, partnership,
                                                 other_partnership, make_user):
    member = make_user("respondent", partnership)
    outsider = make_user("admin", other_partnership)
    event(partnership, action="test.ours")
    event(other_partnership, action="test.theirs")
    # No partnership: shown when one of ours did it or it is about one of ours.
    event(None, action="test.member_acted", actor_id=member.id, actor_email=member.email)
    event(None, action="test.about_member", object_type="User", object_id=str(member.id))
    event(None, action="test.outsider_acted", actor_id=outsider.id)
    event(None, action="test.about_outsider", object_type="User", object_id=str(outsider.id))
    event(None, action="test.nobody")
    db.session.commit()
    expected = ["test.about_member", "test.member_acted", "test.ours"]
    assert sorted(shown_actions(admin_client.get(PAGE + "?action=test."))) == expected
    rows = csv_rows(admin_client.get(EXPORT + "?action=test."))
    assert sorted(row["action"] for row in rows) == expected


def test_the_export_is_a_streamed_csv_attachment(admin_client, partnership):
    event(partnership, action="test.csv", actor_email="=HYPERLINK(\"http://x\")",
          object_type="AuditReturn", object_id="12", ip_address="192.0.2.10",
          when=datetime(2026, 1, 15, 9, 5, tzinfo=timezone.utc))
    event(partnership, action="other.csv")
    db.session.commit()
    response = admin_client.get(EXPORT + "?action=test.")
    assert response.status_code == 200
    assert response.is_streamed
    assert response.mimetype == "text/csv"
    assert response.headers["Content-Disposition"].startswith("attachment; filename=")
    assert response.headers["Cache-Control"] == "no-store"
    rows = csv_rows(response)
    assert len(rows) == 1
    row = rows[0]
    assert row["action"] == "test.csv"
    assert row["actor_email"] == "'=HYPERLINK(\"http://x\")"
    assert (row["object_type"], row["object_id"]) == ("AuditReturn", "12")
    assert row["ip_address"] == "192.0.2.10"
    assert row["occurred_at_utc"] == "2026-01-15T09:05:00+00:00"
    assert row["occurred_at_london"] == "2026-01-15T09:05:00+00:00"


def test_the_first_visit_lists_everything_without_errors(admin_client, partnership):
    event(partnership, action="test.any")
    db.session.commit()
    response = admin_client.get(PAGE)
    assert response.status_code == 200
    html = response.get_data(as_text=True)
    assert "govuk-error-summary" not in html and "test.any" in html
    assert "Download these" in html


def test_a_page_number_out_of_range_is_not_an_error(admin_client, partnership):
    event(partnership, action="test.one")
    db.session.commit()
    for page in ("9", "0", "-1", "x"):
        response = admin_client.get(PAGE + "?page=" + page)
        assert response.status_code == 200, page


def test_the_detail_reads_as_text(admin_client, partnership):
    event(partnership, action="test.detail",
          detail={"filters": {"action": "auth."}, "reason": "route:admin", "empty": None})
    db.session.commit()
    html = admin_client.get(PAGE + "?action=test.detail").get_data(as_text=True)
    assert "filters: {&#34;action&#34;: &#34;auth.&#34;}; reason: route:admin" in html
    assert "empty" not in html
