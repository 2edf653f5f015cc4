"""The access matrix: every route, GET and POST, for seven people, on real objects of
organisation A (see ``tests.security.build_world``). Then forged ids: lists that must not
show A's return, another return's evidence, actions, queries and submissions, keys that are
not the return's, another partnership's admin and ids, and forms posted with fields they do
not have. Last: no GET changes what is stored."""
import pytest
from flask import url_for

from audit_app.extensions import db
from tests.security import (EVIDENCE_QUESTION, PERSONAS, RATED, build_elsewhere, build_world,
                            changed_tables, client_as, forged, protected, section_fields,
                            stored_state, undone)

IN = "in"  # a redirect to the sign-in page

# endpoint: (GET, POST), each the status for, in order: anonymous, respondent of A,
# respondent of B, reviewer not assigned to A's return, reviewer assigned to it, qa, admin.
# "in" is a redirect to sign in; None: the route does not take that method. A POST sends no
# fields (a person's own forms answer 400, a button 302). A new route needs a line here.
MATRIX = {
    "static": ("200 200 200 200 200 200 200", None),
    "site.index": ("200 302 302 302 302 302 302", None),
    "site.dashboard": ("in 200 200 200 200 200 200", None),
    "site.healthz": ("200 200 200 200 200 200 200", None),
    "site.accessibility": ("200 200 200 200 200 200 200", None),
    "site.privacy": ("200 200 200 200 200 200 200", None),
    "site.cookies": ("200 200 200 200 200 200 200", None),
    "site.help": ("200 200 200 200 200 200 200", None),
    "auth.sign_in": ("200 302 302 302 302 302 302", "200 302 302 302 302 302 302"),
    "auth.sign_out": (None, "in in in in in in in"),
    "auth.set_password": ("410 410 410 410 410 410 410", "410 410 410 410 410 410 410"),
    "auth.forgot_password": ("200 200 200 200 200 200 200", "200 200 200 200 200 200 200"),
    "auth.reset_password": ("410 410 410 410 410 410 410", "410 410 410 410 410 410 410"),
    "auth.change_password": ("in 200 200 200 200 200 200", "in 200 200 200 200 200 200"),
    "auth.choose_partnership": (None, "in 404 404 404 404 404 404"),
    "two_factor.verify": ("in 302 302 302 302 302 302", "in 302 302 302 302 302 302"),
    "two_factor.recovery": ("in 302 302 302 302 302 302", "in 302 302 302 302 302 302"),
    "two_factor.set_up": ("in 200 200 200 200 200 200", "in 200 200 200 200 200 200"),
    "two_factor.start": (None, "in 302 302 302 302 302 302"),
    "two_factor.manage": ("in 200 200 200 200 200 200", None),
    "two_factor.new_recovery_codes": (None, "in 302 302 302 302 302 302"),
    "two_factor.turn_off": ("in 302 302 302 302 302 302", "in 302 302 302 302 302 302"),
    "organisations.index": ("in 403 403 200 200 200 200", None),
    "organisations.show": ("in 200 404 200 200 200 200", None),
    "organisations.add_agency": ("in 403 403 403 403 403 200", "in 403 403 403 403 403 400"),
    "organisations.edit_agency": ("in 403 403 403 403 403 200", "in 403 403 403 403 403 400"),
    "organisations.change_locality": ("in 403 403 403 403 403 200",
                                      "in 403 403 403 403 403 302"),
    "questionnaires.index": ("in 403 403 200 200 200 200", None),
    "questionnaires.show": ("in 403 403 200 200 200 200", None),
    "questionnaires.preview_section": ("in 403 403 200 200 200 200", None),
    "people.index": ("in 403 403 403 403 403 200", None),
    "people.invite": ("in 403 403 403 403 403 200", "in 403 403 403 403 403 200"),
    "people.show": ("in 403 403 403 403 403 200", None),
    "people.add_role": (None, "in 403 403 403 403 403 400"),
    "people.remove_role": (None, "in 403 403 403 403 403 302"),
    "people.change_status": (None, "in 403 403 403 403 403 302"),
    "people.reset_two_factor": (None, "in 403 403 403 403 403 302"),
    "people.colleagues": ("in 200 404 404 404 404 200", "in 200 404 404 404 404 200"),
    "people.remove_colleague": (None, "in 302 404 404 404 404 302"),
    "cycles.index": ("in 403 403 403 403 403 200", None),
    "cycles.new": ("in 403 403 403 403 403 200", "in 403 403 403 403 403 400"),
    "cycles.show": ("in 403 403 403 403 403 200", None),
    "cycles.refresh": (None, "in 403 403 403 403 403 302"),
    "cycles.close": ("in 403 403 403 403 403 200", "in 403 403 403 403 403 302"),
    "cycles.manage_return": ("in 403 403 403 403 403 200", None),
    "cycles.extension": (None, "in 403 403 403 403 403 400"),
    "cycles.withdraw_return": (None, "in 403 403 403 403 403 400"),
    "submission.check": ("in 200 404 403 403 403 403", None),
    "submission.save_approvals": (None, "in 302 404 403 403 403 403"),
    "submission.submit_return": (None, "in 400 404 403 403 403 403"),
    "submission.confirmation": ("in 200 404 403 403 403 403", None),
    "submission.draft_pdf_download": ("in 200 404 404 200 200 200", None),
    "submission.submission_pdf_download": ("in 200 404 404 200 200 200", None),
    "returns.home": ("in 200 200 403 403 403 403", None),
    "returns.task_list": ("in 200 404 403 403 403 403", None),
    "returns.section": ("in 200 404 403 403 403 403", "in 400 404 403 403 403 403"),
    "returns.autosave": (None, "in 400 404 403 403 403 403"),
    "returns.keep_alive": (None, "in 200 200 200 200 200 200"),
    "returns.evidence_page": ("in 200 404 403 403 403 403", None),
    "returns.upload_evidence": (None, "in 400 404 403 403 403 403"),
    "returns.add_evidence_reference": (None, "in 400 404 403 403 403 403"),
    "returns.remove_evidence_item": (None, "in 302 404 403 403 403 403"),
    "returns.download_evidence": ("in 200 404 404 200 200 200", None),
    "returns.actions_page": ("in 200 404 403 403 403 403", "in 400 404 403 403 403 403"),
    "returns.edit_action": ("in 200 404 403 403 403 403", "in 400 404 403 403 403 403"),
    "returns.remove_action_item": (None, "in 302 404 403 403 403 403"),
    "review_respondent.query": ("in 200 404 403 403 403 403", "in 400 404 403 403 403 403"),
    "review_respondent.changes": ("in 403 403 404 200 403 200", None),
    "review.queue": ("in 403 403 200 200 403 200", None),
    "review.draw_spot_check": (None, "in 403 403 400 400 403 400"),
    "review.review_return": ("in 403 403 403 200 200 200", None),
    "review.review_question": ("in 403 403 403 200 200 200", None),
    "review.moderate_answer": (None, "in 403 403 403 400 403 400"),
    "review.raise_return_query": (None, "in 403 403 403 400 403 400"),
    "review.close_return_query": (None, "in 403 403 403 302 403 302"),
    "review.return_for_changes_view": (None, "in 403 403 403 400 403 400"),
    "review.accept_return": (None, "in 403 403 403 400 403 400"),
    "review.reopen_return": (None, "in 403 403 403 403 403 400"),
    "review.return_history": ("in 200 403 403 200 200 200", None),
    "review.assign_reviewers": ("in 403 403 403 403 403 200", "in 403 403 403 403 403 400"),
    "reports.index": ("in 403 403 200 200 200 200", None),
    "reports.dashboard": ("in 403 403 404 200 200 200", None),
    "reports.download": ("in 403 403 404 200 200 200", None),
    "audit_log.index": ("in 403 403 403 403 403 200", None),
    "audit_log.export": ("in 403 403 403 403 403 200", None),
}

# Routes whose arguments name another object than A's (argument -> object of the world).
URL_OVERRIDES = {
    "people.remove_colleague": {"user_id": "colleague_a"},
    "organisations.edit_agency": {"organisation_id": "agency"},
}
# Arguments that name organisation A's data: B's respondent must never be let in.
A_ARGUMENTS = {"organisation_id", "return_id", "evidence_id", "action_id", "query_id"}


@pytest.fixture
def world(app, partnership, make_user):
    return build_world(partnership, make_user, app)


def expected(endpoint: str, method: str, persona: str) -> str | None:
    row = MATRIX[endpoint][0 if method == "GET" else 1]
    return None if row is None else row.split()[PERSONAS.index(persona)]


def url_of(app, world, rule, **overrides) -> str:
    values = world.url_values(rule, URL_OVERRIDES.get(rule.endpoint))
    values.update(overrides)
    with app.test_request_context():
        return url_for(rule.endpoint, **values)


def outcome(response) -> str:
    location = response.headers.get("Location", "")
    if response.status_code == 302 and "/sign-in" in location:
        return IN
    return str(response.status_code)


def rules(app):
    return sorted(app.url_map.iter_rules(), key=lambda rule: rule.endpoint)


# The matrix -----------------------------------------------------------------------------

def test_every_route_is_in_the_matrix(app):
    endpoints = {rule.endpoint for rule in app.url_map.iter_rules()}
    missing = sorted(endpoints - MATRIX.keys())
    assert not missing, f"routes missing from the access matrix (add a line each): {missing}"
    stale = sorted(MATRIX.keys() - endpoints)
    assert not stale, f"the access matrix names routes that no longer exist: {stale}"
    for rule in app.url_map.iter_rules():
        for index, method in enumerate(("GET", "POST")):
            row = MATRIX[rule.endpoint][index]
            assert (row is not None) == (method in rule.methods), \
                f"{rule.endpoint}: the matrix's {method} entry does not match the route"
            assert row is None or len(row.split()) == len(PERSONAS), rule.endpoint


def test_the_matrix_never_lets_b_into_a_or_anyone_in_without_signing_in(app):
    """A line added to the table cannot give B's respondent A's objects, nor an anonymous
    person more than the public pages."""
    from tests.test_route_access import ROUTE_ACCESS

    for rule in app.url_map.iter_rules():
        for method in ("GET", "POST"):
            if rule.endpoint not in MATRIX:  # the test above names it
                continue
            if expected(rule.endpoint, method, "anonymous") is None:
                continue
            names_a = set(rule.arguments) & A_ARGUMENTS - \
                set(URL_OVERRIDES.get(rule.endpoint, {}))
            if names_a:
                assert expected(rule.endpoint, method, "respondent_b") in ("403", "404"), \
                    (rule.endpoint, method)
            if ROUTE_ACCESS.get(rule.endpoint) != "public":
                assert expected(rule.endpoint, method, "anonymous") == IN, \
                    (rule.endpoint, method)


@pytest.mark.parametrize("persona", PERSONAS)
def test_each_route_answers_each_person_as_the_matrix_says(app, world, persona):
    wrong = []
    for rule in rules(app):
        if rule.endpoint not in MATRIX:
            wrong.append(f"{rule.endpoint}: not in the access matrix")
            continue
        url = url_of(app, world, rule)
        for method in ("GET", "POST"):
            want = expected(rule.endpoint, method, persona)
            if want is None:
                continue
            with undone():
                client = client_as(app, world.people.get(persona))
                got = outcome(client.open(url, method=method, data={}))
            if got != want:
                wrong.append(f"{method} {url} ({rule.endpoint}) as {persona}: "
                             f"{got}, expected {want}")
    assert not wrong, "\n".join(wrong)


# Forged ids --------------------------------------------------------------------------------

@pytest.mark.parametrize("persona", ["respondent_b", "reviewer_out"])
def test_no_list_shows_a_s_return_to_someone_who_may_not_see_it(app, world, persona):
    """Pages without arguments (home pages, queues, dashboards, lists) as B's respondent
    and a reviewer of other audits: no link to A's return, and for B no word of A."""
    client = client_as(app, world.people[persona])
    return_a = world.ids["return_a"]
    for rule in rules(app):
        if rule.arguments or "GET" not in rule.methods:
            continue
        page = client.get(url_of(app, world, rule)).get_data(as_text=True)
        assert f"/returns/{return_a}\"" not in page and f"/returns/{return_a}/" not in page, \
            (rule.endpoint, persona)
        assert persona != "respondent_b" or "Alder School" not in page, rule.endpoint


CHILD_ARGUMENTS = ("evidence_id", "action_id", "query_id", "number")


@pytest.mark.parametrize("persona", ["respondent_b", "reviewer_in", "admin"])
def test_a_child_of_a_s_return_under_b_s_return_is_not_found(app, world, persona):
    """B's return id in the URL with A's evidence, action, query or submission number:
    refused, and nothing is changed."""
    client = client_as(app, world.people[persona])
    before = stored_state()
    tried = 0
    for rule in rules(app):
        if "return_id" not in rule.arguments or not set(CHILD_ARGUMENTS) & set(rule.arguments):
            continue
        url = url_of(app, world, rule, return_id=world.ids["return_b"])
        for method in sorted({"GET", "POST"} & rule.methods):
            tried += 1
            response = client.open(url, method=method, data={})
            assert response.status_code in (403, 404), (method, url, response.status_code)
    assert tried >= 8
    db.session.expire_all()
    assert changed_tables(before, stored_state()) == []


# Keys that are not the return's: unknown, not applying to a maintained school, a path.
FORGED_KEYS = {"question_id": ("no_such_question", "leadership_proprietor_lead", "..%2f1"),
               "section_id": ("no_such_section", "..%2f1")}


@pytest.mark.parametrize("persona", ["respondent_a", "admin"])
def test_question_and_section_keys_not_of_the_return_are_not_found(app, world, persona):
    client = client_as(app, world.people[persona])
    before = stored_state()
    found = []
    for rule in rules(app):
        if "return_id" not in rule.arguments:
            continue
        for argument in set(FORGED_KEYS) & set(rule.arguments):
            for key in FORGED_KEYS[argument]:
                url = url_of(app, world, rule, **{argument: key})
                for method in sorted({"GET", "POST"} & rule.methods):
                    response = client.open(url, method=method, data={})
                    assert response.status_code in (403, 404), (method, url)
                    found.append(response.status_code)
    assert found.count(404) >= 6  # each persona reaches the routes that are theirs
    db.session.expire_all()
    assert changed_tables(before, stored_state()) == []


def test_no_submission_number_but_the_return_s_own_is_found(app, world):
    client = client_as(app, world.people["respondent_a"])
    return_a = world.ids["return_a"]
    assert client.get(f"/returns/{return_a}/submissions/1").status_code == 200
    for number in (0, 2, 99):
        assert client.get(f"/returns/{return_a}/submissions/{number}").status_code == 404
        assert client.get(f"/returns/{return_a}/submissions/{number}.pdf").status_code == 404


def test_a_report_format_that_does_not_exist_is_not_found(app, world):
    client = client_as(app, world.people["qa"])
    base = f"/reports/cycles/{world.ids['cycle']}/download"
    assert client.get(f"{base}/csv").status_code == 200
    for name in ("exe", "CSV", "..%2fcsv", "csv%00", "pdf.exe"):
        assert client.get(f"{base}/{name}").status_code == 404, name
    assert client.get(f"/reports/cycles/{world.ids['cycle'] + 99}").status_code == 404


@pytest.fixture
def elsewhere(world, make_user) -> dict:
    return build_elsewhere(make_user)


def test_an_admin_of_another_partnership_reaches_nothing_of_a(app, world, elsewhere):
    client = client_as(app, elsewhere["admin"])
    before = stored_state()
    for rule in rules(app):
        # Questionnaire versions are shared by every partnership: not A's data.
        if not set(rule.arguments) & (A_ARGUMENTS | {"cycle_id"}):
            continue
        url = url_of(app, world, rule)
        for method in sorted({"GET", "POST"} & rule.methods):
            response = client.open(url, method=method, data={})
            assert response.status_code in (403, 404), (method, url, response.status_code)
    db.session.expire_all()
    assert changed_tables(before, stored_state()) == []


def test_another_partnership_s_ids_in_our_forms_change_nothing(app, world, elsewhere):
    admin = client_as(app, world.people["admin"])
    respondent = client_as(app, world.people["respondent_a"])
    qa, school_a = world.people["qa"], world.ids["school_a"]
    before = stored_state()
    for client, url, data, statuses in (
            (admin, f"/people/{qa}/grants", {"role": "respondent",
                                             "organisation_id": elsewhere["school"]}, (400,)),
            (admin, "/people/invite", {"email": "x@example.org", "name": "X", "role":
                                       "respondent", "organisation_id": elsewhere["school"],
                                       "questionnaire_key": ""}, (200, 400)),
            (admin, f"/people/{elsewhere['respondent']}/deactivate", {}, (404,)),
            (admin, f"/people/{qa}/grants/{elsewhere['respondent_grant']}/remove", {}, (404,)),
            (admin, f"/people/{elsewhere['respondent']}/grants/"
                    f"{elsewhere['respondent_grant']}/remove", {}, (404,)),
            (admin, f"/cycles/{world.ids['cycle']}/returns/{elsewhere['return']}/withdraw",
             {"reason": "Closed"}, (404,)),
            (admin, "/review/assignments", {"user_id": elsewhere["reviewer"], "scope": "all"},
             (400,)),
            (admin, "/review/samples", {"cycle_id": elsewhere["cycle"], "percentage": "10",
                                        "seed": "x"}, (400,)),
            (respondent, f"/people/organisation/{school_a}/{elsewhere['respondent']}/remove",
             {}, (404,))):
        response = client.post(url, data=data)
        assert response.status_code in statuses, (url, response.status_code)
    db.session.expire_all()
    assert changed_tables(before, stored_state()) == []


# Fields a form does not have ------------------------------------------------------------

def _section_save(client, world):
    data = {**section_fields(client, world.ids["return_a"]), "action": "draft"}
    data[f"{RATED}-comment"] = "Our lead governor was appointed in May"
    return f"/returns/{world.ids['return_a']}/sections/leadership", data


FORGED_FORMS = {
    # name: (persona, the form (url, fields) built from the page or by hand)
    "section": ("respondent_a", _section_save),
    "new action": ("respondent_a", lambda client, world: (
        f"/returns/{world.ids['return_a']}/questions/{RATED}/actions",
        {"description": "Minute the appointment", "owner": "Clerk",
         "target_date": ["1", "9", "2031"]})),
    "changed action": ("respondent_a", lambda client, world: (
        f"/returns/{world.ids['return_a']}/actions/{world.ids['action_a']}",
        {"description": "Review the policy", "owner": "Head", "status": "in_progress",
         "target_date": ["1", "9", "2031"]})),
    "reference": ("respondent_a", lambda client, world: (
        f"/returns/{world.ids['return_a']}/questions/{EVIDENCE_QUESTION}/evidence/reference",
        {"reference": "Training log, 2025"})),
    "query reply": ("respondent_a", lambda client, world: (
        f"/returns/{world.ids['return_a']}/queries/{world.ids['query_a']}",
        {f"query-{world.ids['query_a']}-body": "The chair leads on safeguarding"})),
    "b removes b's evidence": ("respondent_b", lambda client, world: (
        f"/returns/{world.ids['return_b']}/evidence/{world.ids['evidence_b']}/remove", {})),
    "locality": ("admin", lambda client, world: (
        f"/organisations/{world.ids['school_a']}/locality", {"locality": "North"})),
}


@pytest.mark.parametrize("name", FORGED_FORMS)
def test_fields_a_form_does_not_have_are_ignored(app, world, name):
    from audit_app.returns.models import Answer, Evidence

    persona, build = FORGED_FORMS[name]
    client = client_as(app, world.people[persona])
    url, data = build(client, world)
    def answers_a():  # all but the comment the section form changes
        return sorted((item.question_key, item.value,
                       item.comment if item.question_key != RATED else None)
                      for item in Answer.query.filter_by(return_id=world.ids["return_a"]))

    answers_before = answers_a()
    before = protected(world)
    response = client.post(url, data={**forged(world), **data})
    assert response.status_code == 302, response.get_data(as_text=True)[:2000]
    db.session.expire_all()
    after = protected(world)
    if name == "b removes b's evidence":  # the one change that form makes
        before.pop("evidence"), after.pop("evidence")
    assert after == before
    assert answers_a() == answers_before
    evidence_a = db.session.get(Evidence, world.ids["evidence_a"])
    assert evidence_a.removed_at is None and evidence_a.return_id == world.ids["return_a"]
    newest = Evidence.query.order_by(Evidence.id.desc()).first()
    assert newest.kind == "reference" or newest.id == world.ids["evidence_a"]
    assert all(item.stored_name != "../../../etc/passwd" for item in Evidence.query)


def test_b_s_remove_button_with_a_s_evidence_id_removes_only_b_s(app, world):
    from audit_app.returns.models import Evidence

    client = client_as(app, world.people["respondent_b"])
    url = f"/returns/{world.ids['return_b']}/evidence/{world.ids['evidence_b']}/remove"
    response = client.post(url, data={"evidence_id": world.ids["evidence_a"]})
    assert response.status_code == 302
    db.session.expire_all()
    assert db.session.get(Evidence, world.ids["evidence_b"]).removed_at is not None
    assert db.session.get(Evidence, world.ids["evidence_a"]).removed_at is None


def test_a_new_action_is_open_and_a_s_whatever_was_posted(app, world):
    from audit_app.returns.models import ActionItem

    client = client_as(app, world.people["respondent_a"])
    url, data = FORGED_FORMS["new action"][1](client, world)
    assert client.post(url, data={**forged(world), **data}).status_code == 302
    action = ActionItem.query.filter_by(description="Minute the appointment").one()
    assert (action.return_id, action.status, action.question_key) == \
        (world.ids["return_a"], "open", RATED)
    assert action.created_by_id == world.people["respondent_a"]


# No GET changes state ----------------------------------------------------------------------

def test_no_get_changes_what_is_stored(app, world):
    clients = {persona: client_as(app, world.people.get(persona)) for persona in PERSONAS}
    db.session.remove()
    before = stored_state()
    for rule in rules(app):
        if "GET" not in rule.methods:
            continue
        url = url_of(app, world, rule)
        for persona, client in clients.items():
            response = client.get(url)
            assert response.status_code < 500, (url, persona)
    db.session.remove()
    assert changed_tables(before, stored_state()) == []
