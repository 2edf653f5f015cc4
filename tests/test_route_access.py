"""Every route in the application is mapped to its access rule here. A new route without
an entry fails the first test; each issue extends the table."""
import re

import pytest

from tests.fixtures import add_school

# endpoint -> the rule its view declares with @access(...)
ROUTE_ACCESS = {
    "static": "public",
    # site
    "site.index": "public",
    "site.dashboard": "signed_in",
    "site.healthz": "public",
    "site.accessibility": "public",
    "site.privacy": "public",
    "site.cookies": "public",
    "site.help": "public",
    # auth
    "auth.sign_in": "public",
    "auth.sign_out": "public",
    "auth.set_password": "public",
    "auth.forgot_password": "public",
    "auth.reset_password": "public",
    "auth.change_password": "signed_in",
    "auth.choose_partnership": "signed_in",
    # two-factor sign-in
    "two_factor.verify": "signed_in",
    "two_factor.recovery": "signed_in",
    "two_factor.set_up": "signed_in",
    "two_factor.start": "signed_in",
    "two_factor.manage": "signed_in",
    "two_factor.new_recovery_codes": "signed_in",
    "two_factor.turn_off": "signed_in",
    # organisations
    "organisations.index": "staff",
    "organisations.show": "signed_in",
    "organisations.add_agency": "admin",
    "organisations.edit_agency": "admin",
    "organisations.change_locality": "admin",
    # questionnaires
    "questionnaires.index": "staff",
    "questionnaires.show": "staff",
    "questionnaires.preview_section": "staff",
    # people
    "people.index": "admin",
    "people.invite": "admin",
    "people.show": "admin",
    "people.add_role": "admin",
    "people.remove_role": "admin",
    "people.change_status": "admin",
    "people.colleagues": "signed_in",
    "people.remove_colleague": "signed_in",
    "people.reset_two_factor": "admin",
    # cycles
    "cycles.index": "admin",
    "cycles.new": "admin",
    "cycles.show": "admin",
    "cycles.refresh": "admin",
    "cycles.close": "admin",
    "cycles.manage_return": "admin",
    "cycles.extension": "admin",
    "cycles.withdraw_return": "admin",
    # check your answers, approvals, submit, PDFs
    "submission.check": "respondent",
    "submission.save_approvals": "respondent",
    "submission.submit_return": "respondent",
    "submission.confirmation": "respondent",
    "submission.draft_pdf_download": "signed_in",
    "submission.submission_pdf_download": "signed_in",
    # the respondent journey
    "returns.home": "respondent",
    "returns.task_list": "respondent",
    "returns.section": "respondent",
    "returns.autosave": "respondent",
    "returns.keep_alive": "signed_in",
    "returns.evidence_page": "respondent",
    "returns.upload_evidence": "respondent",
    "returns.add_evidence_reference": "respondent",
    "returns.remove_evidence_item": "respondent",
    "returns.download_evidence": "signed_in",
    "returns.actions_page": "respondent",
    "returns.edit_action": "respondent",
    "returns.remove_action_item": "respondent",
    # returned returns: the organisation's replies to queries; what changed (issue 5)
    "review_respondent.query": "respondent",
    "review_respondent.changes": "reviewer",
    # the reviewer journey (issue 5)
    "review.queue": "reviewer",
    "review.draw_spot_check": "reviewer",
    "review.review_return": "staff",
    "review.review_question": "staff",
    "review.moderate_answer": "reviewer",
    "review.raise_return_query": "reviewer",
    "review.close_return_query": "reviewer",
    "review.return_for_changes_view": "reviewer",
    "review.accept_return": "reviewer",
    "review.reopen_return": "admin",
    "review.return_history": "signed_in",
    "review.assign_reviewers": "admin",
    # reports (issue 6)
    "reports.index": "qa",
    "reports.dashboard": "qa",
    "reports.download": "qa",
    # the audit log (issue 7)
    "audit_log.index": "admin",
    "audit_log.export": "admin",
}

# What each rule lets through, for the people the matrix signs in.
ALLOWED = {
    "public": {"anonymous", "respondent", "reviewer", "qa", "admin"},
    "signed_in": {"respondent", "reviewer", "qa", "admin"},
    "admin": {"admin"},
    "staff": {"reviewer", "qa", "admin"},
    "reviewer": {"reviewer", "admin"},
    "qa": {"qa", "reviewer", "admin"},
    "respondent": {"respondent"},
}


def test_every_route_is_mapped_to_its_rule(app):
    endpoints = {rule.endpoint for rule in app.url_map.iter_rules()}
    unmapped = sorted(endpoints - ROUTE_ACCESS.keys())
    assert not unmapped, f"routes without an access rule in ROUTE_ACCESS: {unmapped}"
    stale = sorted(ROUTE_ACCESS.keys() - endpoints)
    assert not stale, f"ROUTE_ACCESS names routes that no longer exist: {stale}"
    for endpoint in endpoints - {"static"}:
        declared = getattr(app.view_functions[endpoint], "access_rule", None)
        assert declared == ROUTE_ACCESS[endpoint], \
            f"{endpoint} declares {declared!r}, expected {ROUTE_ACCESS[endpoint]!r}"


def test_no_get_route_is_declared_to_change_state(app):
    """State changes are POST-only: a GET route must never be one of these verbs."""
    changing = re.compile(r"(remove|delete|deactivate|reactivate|resend|sign_out|add_role)")
    for rule in app.url_map.iter_rules():
        if changing.search(rule.endpoint):
            assert "GET" not in rule.methods, rule.endpoint


@pytest.fixture
def people(partnership, make_user):
    school = add_school(partnership, urn="300001", name="Matrix School")
    return {
        "school": school,
        "admin": make_user("admin", partnership),
        "reviewer": make_user("reviewer", partnership),
        "qa": make_user("qa", partnership),
        "respondent": make_user("respondent", partnership, organisation=school),
        **_journey(partnership, school),
    }


def _journey(partnership, school) -> dict:
    """A real open cycle with a return for the matrix school, with a file of evidence and
    an action plan item on one of its answers."""
    from audit_app.extensions import db
    from audit_app.returns.actions import ActionInput, add_action
    from audit_app.returns.evidence import add_file
    from tests.returns.conftest import make_cycle, make_return
    from tests.returns.files import pdf_bytes

    audit_return = make_return(make_cycle(partnership, name="Matrix audit"), school)
    evidence = add_file(audit_return, "gov_named_governor", "minutes.pdf", pdf_bytes(), None)
    action = add_action(audit_return, "gov_training",
                        ActionInput("Train governors", "Clerk", "1", "9", "2031"), None)
    db.session.commit()
    return {"audit_return": audit_return, "evidence": evidence, "action": action}


def url_values(rule, people):
    """Real values for a route's arguments; an unknown argument fails the test so that
    whoever adds the route adds a value here."""
    known = {
        "user_id": people["qa"].id,
        "grant_id": people["qa"].grants[0].id,
        "organisation_id": people["school"].id,
        "token": "not-a-real-token",
        "action": "resend",
        "filename": "build/app.css",
        "cycle_id": people["audit_return"].cycle_id,
        "format_name": "csv",
        "return_id": people["audit_return"].id,
        "version_id": 1,
        "section_id": "dsl",
        "number": 1,
        "question_id": "gov_named_governor",
        "evidence_id": people["evidence"].id,
        "action_id": people["action"].id,
        "query_id": 1,
    }
    missing = [arg for arg in rule.arguments if arg not in known]
    assert not missing, f"{rule.endpoint}: add test values for {missing}"
    return {arg: known[arg] for arg in rule.arguments}


@pytest.mark.parametrize("who", ["anonymous", "respondent", "reviewer", "qa", "admin"])
def test_get_routes_enforce_their_rule(app, people, sign_in, who):
    from flask import url_for

    client = app.test_client()
    if who != "anonymous":
        sign_in(client, people[who])
    for rule in app.url_map.iter_rules():
        if "GET" not in rule.methods or rule.endpoint == "static":
            continue
        with app.test_request_context():
            url = url_for(rule.endpoint, **url_values(rule, people))
        response = client.get(url)
        expected_rule = ROUTE_ACCESS[rule.endpoint]
        if who in ALLOWED[expected_rule]:
            assert response.status_code not in (401, 403), (url, who, response.status_code)
            if who != "anonymous":
                assert "/sign-in" not in response.headers.get("Location", ""), (url, who)
        elif who == "anonymous":
            assert response.status_code == 302, (url, who, response.status_code)
            assert "/sign-in" in response.headers["Location"], (url, who)
        else:
            assert response.status_code in (403, 404), (url, who, response.status_code)


@pytest.mark.parametrize("who", ["anonymous", "respondent", "reviewer", "qa"])
def test_post_routes_refuse_the_wrong_people(app, people, sign_in, who):
    from flask import url_for

    client = app.test_client()
    if who != "anonymous":
        sign_in(client, people[who])
    for rule in app.url_map.iter_rules():
        if "POST" not in rule.methods:
            continue
        expected_rule = ROUTE_ACCESS[rule.endpoint]
        if who in ALLOWED[expected_rule]:
            continue
        with app.test_request_context():
            url = url_for(rule.endpoint, **url_values(rule, people))
        response = client.post(url, data={})
        if who == "anonymous":
            assert response.status_code == 302 and "/sign-in" in response.headers["Location"]
        else:
            assert response.status_code in (403, 404), (url, who, response.status_code)


def test_every_post_route_requires_a_csrf_token(app, people, sign_in, csrf_enabled):
    from flask import url_for

    from audit_app.audit_log.models import AuditEvent

    client = app.test_client()
    sign_in(client, people["admin"])
    checked = 0
    for rule in app.url_map.iter_rules():
        if "POST" not in rule.methods:
            continue
        with app.test_request_context():
            url = url_for(rule.endpoint, **url_values(rule, people))
        response = client.post(url, data={"csrf_token": "forged"})
        assert response.status_code == 400, (url, response.status_code)
        checked += 1
    assert checked and AuditEvent.query.filter_by(action="security.csrf_failure").count() == checked
