"""Security tests. ``build_world`` makes the real objects they attack: two schools of one
partnership in one S175 cycle, the seven people of the access matrix, and organisation A's
return with answers, evidence, an action plan item, a submission and an open query.
``undone`` and ``client_as`` let a test send requests whose effects are then undone;
``stored_state`` tells whether anything stored changed. The injection tests' builders are
at the end."""
import hashlib
from contextlib import contextmanager
from dataclasses import dataclass

import sqlalchemy as sa

from audit_app.extensions import db
from tests.fixtures import add_agency, add_school

# The people the matrix signs in, in the order of the columns of its table.
PERSONAS = ("anonymous", "respondent_a", "respondent_b", "reviewer_out", "reviewer_in", "qa",
            "admin")

RATED = "leadership_board_lead_governor"
EVIDENCE_QUESTION = "leadership_board_training"
QUERY_TEXT = "Which governor leads on safeguarding?"


@dataclass
class World:
    """Ids only: the tests' requests end their sessions, which detaches ORM objects."""

    ids: dict      # name -> id of every object built
    people: dict   # persona (and a few more) -> user id

    def url_values(self, rule, overrides: dict | None = None) -> dict:
        """Values for a route's arguments, naming organisation A's objects (``overrides``
        maps an argument to the name of another object). An unknown argument fails the
        test, so that whoever adds the route adds a value here."""
        ids = self.ids
        known = {
            "user_id": self.people["qa"], "grant_id": ids["qa_grant"],
            "organisation_id": ids["school_a"], "token": "not-a-real-token",
            "action": "resend", "filename": "build/app.css", "cycle_id": ids["cycle"],
            "return_id": ids["return_a"], "version_id": ids["version"],
            "section_id": "leadership", "number": 1, "question_id": RATED,
            "evidence_id": ids["evidence_a"], "action_id": ids["action_a"],
            "query_id": ids["query_a"], "format_name": "csv",
        }
        for argument, name in (overrides or {}).items():
            known[argument] = ids[name] if name in ids else self.people[name]
        missing = [argument for argument in rule.arguments if argument not in known]
        assert not missing, f"{rule.endpoint}: add test values for {missing}"
        return {argument: known[argument] for argument in rule.arguments}


def build_world(partnership, make_user, app) -> World:
    """Organisation A's return is submitted with a file, a reference and an action, then
    returned for changes with an open query; B's return is in progress with its own."""
    from audit_app.returns.evidence import add_file, add_reference
    from audit_app.returns.submission import submit
    from audit_app.review.services import raise_query, return_for_changes
    from tests.returns.conftest import make_return
    from tests.returns.files import pdf_bytes
    from tests.returns.submission_builders import (add_action, answer_everything, approve_all,
                                                   make_submitter, return_in_progress,
                                                   set_answer)

    school_a = add_school(partnership, urn="610001", name="Alder School")
    school_b = add_school(partnership, urn="610002", name="Birch School")
    agency = add_agency(partnership, name="Testshire Fire and Rescue", sector="Fire")
    respondent_a = make_submitter(make_user, partnership, school_a)
    return_a = return_in_progress(partnership, school_a)
    cycle = return_a.cycle
    with app.test_request_context():
        answer_everything(return_a)
        evidence_a = add_file(return_a, EVIDENCE_QUESTION, "minutes.pdf", pdf_bytes(), None)
        reference_a = add_reference(return_a, EVIDENCE_QUESTION, "Governors' minutes", None)
        action_a = add_action(return_a, EVIDENCE_QUESTION)
        approve_all(return_a, respondent_a)
        submit(return_a, respondent_a, True, return_a.lock_version)
        reviewer_in = make_user("reviewer", partnership, cycle=cycle)
        query_a = raise_query(return_a, RATED, QUERY_TEXT, reviewer_in)
        return_for_changes(return_a, reviewer_in)
        db.session.commit()
        return_b = make_return(cycle, school_b, status="in_progress")
        set_answer(return_b, RATED, "amber")
        evidence_b = add_reference(return_b, EVIDENCE_QUESTION, "Birch minutes", None)
        action_b = add_action(return_b, RATED, description="Birch's own action")
        db.session.commit()
    people = {
        "respondent_a": respondent_a,
        "respondent_b": make_user("respondent", partnership, organisation=school_b),
        # A reviewer of agency audits only: S175 returns are not theirs to see.
        "reviewer_out": make_user("reviewer", partnership, questionnaire_key="s11"),
        "reviewer_in": reviewer_in,
        "qa": make_user("qa", partnership),
        "admin": make_user("admin", partnership),
        "colleague_a": make_user("respondent", partnership, organisation=school_a),
    }
    ids = {name: item.id for name, item in {
        "partnership": partnership, "school_a": school_a, "school_b": school_b,
        "agency": agency, "cycle": cycle, "return_a": return_a, "return_b": return_b,
        "evidence_a": evidence_a, "reference_a": reference_a, "action_a": action_a,
        "query_a": query_a, "evidence_b": evidence_b, "action_b": action_b}.items()}
    ids["version"] = cycle.questionnaire_version_id
    ids["qa_grant"] = people["qa"].grants[0].id
    return World(ids, {persona: user.id for persona, user in people.items()})


@contextmanager
def undone():
    """Whatever the requests inside write is rolled back afterwards (a savepoint on the
    test's connection, around the sessions the requests open and close)."""
    db.session.remove()
    savepoint = db.session.get_bind().begin_nested()
    try:
        yield
    finally:
        db.session.remove()
        savepoint.rollback()


def client_as(app, user_id):
    """A test client signed in with a real server-side session that has passed the second
    factor (anonymous for None)."""
    from audit_app.auth.models import User
    from audit_app.auth.sessions import SESSION_KEY, start_session

    client = app.test_client()
    if user_id is None:
        return client
    with app.test_request_context():
        token = start_session(db.session.get(User, user_id), second_factor=True)
        db.session.commit()
    with client.session_transaction() as cookie_session:
        cookie_session[SESSION_KEY] = token
    return client


# Tables a request may write to without changing anything a person stored: the session
# it runs in, and the audit log of what it did (refusals included).
BOOKKEEPING = {"user_sessions", "audit_events"}


def stored_state(skip=BOOKKEEPING) -> dict:
    """Table -> (row count, digest of every row), for every table a person's data is in."""
    state = {}
    for table in db.metadata.sorted_tables:
        if table.name in skip:
            continue
        rows = db.session.execute(sa.select(table).order_by(*table.primary_key.columns)).all()
        state[table.name] = (len(rows), hashlib.sha256(repr(rows).encode()).hexdigest())
    return state


def changed_tables(before: dict, after: dict) -> list[str]:
    return sorted(name for name in before if before[name] != after[name])


def section_fields(client, return_id, section_id="leadership") -> dict:
    from tests.review.test_respondent_journey import section_form

    page = client.get(f"/returns/{return_id}/sections/{section_id}").get_data(as_text=True)
    return section_form(page, f"/sections/{section_id}")


# Forged ids and fields ------------------------------------------------------------------

def build_elsewhere(make_user) -> dict:
    """Another partnership with its school, cycle, return and people: their ids."""
    from audit_app.organisations.models import Partnership
    from tests.returns.conftest import make_cycle, make_return

    partnership = Partnership(slug="elsewhere", name="Elsewhere Safeguarding Partnership")
    db.session.add(partnership)
    db.session.commit()
    school = add_school(partnership, urn="620001", name="Elsewhere School")
    audit_return = make_return(make_cycle(partnership, name="Elsewhere audit"), school)
    people = {role: make_user(role, partnership, organisation=school if role == "respondent"
                              else None) for role in ("admin", "reviewer", "respondent")}
    return {"school": school.id, "cycle": audit_return.cycle_id, "return": audit_return.id,
            **{role: user.id for role, user in people.items()},
            "respondent_grant": people["respondent"].grants[0].id}


# What a forged form adds: other objects' ids and the values a person may not set.
def forged(world) -> dict:
    ids = world.ids
    return {"organisation_id": ids["school_b"], "partnership_id": ids["partnership"] + 99,
            "status": "accepted", "score": "99", "return_id": ids["return_b"],
            "cycle_id": ids["cycle"] + 99, "evidence_id": ids["evidence_a"],
            "action_id": ids["action_a"], "query_id": ids["query_a"] + 99, "kind": "file",
            "stored_name": "../../../etc/passwd", "question_key": "dsl_senior_leader",
            "created_by_id": world.people["admin"], "urn": "999999", "name_key": "forged",
            # answers to questions of another section, and to no question
            "dsl_senior_leader": "red", "dsl_senior_leader-comment": "Forged",
            "no_such_question": "red"}


def protected(world) -> dict:
    """What no forged form may change: every return's owner, cycle and status, the
    register, people's grants, the submissions, and everything of B's return."""
    from audit_app.cycles.models import AuditReturn
    from audit_app.organisations.models import Membership
    from audit_app.review.models import ReviewQuery

    rows = {table: state for table, state in stored_state().items()
            if table in ("partnerships", "organisations", "grants", "cycles", "submissions",
                         "submission_answers")}
    rows["returns"] = sorted((r.id, r.organisation_id, r.cycle_id, r.status)
                             for r in AuditReturn.query)
    rows["memberships"] = sorted((m.organisation_id, m.partnership_id, m.active)
                                 for m in Membership.query)
    rows["queries"] = sorted((q.id, q.return_id, q.question_key, q.submission_number)
                             for q in ReviewQuery.query)
    for name in ("answers", "evidence", "action_items", "section_states"):
        table = db.metadata.tables[name]
        rows[name] = repr(db.session.execute(sa.select(table).where(
            table.c.return_id == world.ids["return_b"]).order_by(table.c.id)).all())
    return rows


# Builders of the injection tests ---------------------------------------------------------

def post_comment(client, return_id, text):
    """Save the leadership section as its page would, with ``text`` as a comment."""
    data = {**section_fields(client, return_id), "action": "draft",
            f"{RATED}-comment": text}
    return client.post(f"/returns/{return_id}/sections/leadership", data=data)


def hostile_definition(folder):
    """The example questionnaire, loaded, with the corpus in its title, a section's title,
    a question's text, its guidance and the declaration (Markdown). Returns the stored
    version and the section's id."""
    import yaml

    from tests.returns.conftest import EXAMPLE, load_version
    from tests.security import payloads

    definition = yaml.safe_load(EXAMPLE.read_text())
    definition.update(id="hostile", title=payloads.HOSTILE_TITLE)
    definition.pop("previous", None)
    definition.pop("renamed", None)
    definition["sections"][0]["title"] = payloads.REPORTLAB_MARKUP
    question = definition["sections"][0]["questions"][0]
    question["text"] = payloads.ATTRIBUTE + " " + payloads.TEMPLATE
    question["guidance"] = definition["declaration"]["text"] = "\n\n".join(payloads.MARKDOWN)
    path = folder / "hostile" / "1.yaml"
    path.parent.mkdir()
    path.write_text(yaml.safe_dump(definition, allow_unicode=True, sort_keys=False))
    return load_version(path), definition["sections"][0]["id"]


def approvals_form(return_id, name: str, role: str) -> dict:
    """The check page's fields recording every approval the return needs, dated today."""
    from audit_app.cycles.models import AuditReturn
    from audit_app.returns.submission import approval_slots
    from audit_app.timeutil import today_london

    data, today = {}, today_london()
    for slot in approval_slots(db.session.get(AuditReturn, return_id)):
        data[f"approval_{slot.id}_name"] = name
        data[f"approval_{slot.id}_role"] = role
        data[f"approval_{slot.id}_date"] = [str(today.day), str(today.month), str(today.year)]
    return data


def build_hostile(app, world: World, make_user) -> dict:
    """A school named with the corpus, its return submitted in a cycle named with it, by a
    respondent named with it. Returns their ids."""
    from audit_app.organisations.models import Partnership
    from tests.review.review_builders import submitted_return
    from tests.security import payloads

    partnership = db.session.get(Partnership, world.ids["partnership"])
    school = add_school(partnership, urn="610099", name=payloads.HOSTILE_SCHOOL)
    submitter = make_user("respondent", partnership, organisation=school,
                          name=payloads.ATTRIBUTE, email="dsl@hostile.example.org")
    with app.test_request_context():
        audit_return = submitted_return(partnership, school, submitter,
                                        name=payloads.HOSTILE_CYCLE)
    return {"return": audit_return.id, "cycle": audit_return.cycle_id, "school": school.id,
            "submitter": submitter.id}


def long_forms(world: World, hostile_ids: dict) -> list[tuple[str, str, dict]]:
    """(persona, url, fields) of every form with a text field, each field very long."""
    from tests.security.payloads import LONG as long

    ids = world.ids
    a, r = f"/returns/{ids['return_a']}", f"/review/returns/{hostile_ids['return']}"
    date = ["1", "9", "2031"]
    return [
        ("anonymous", "/sign-in", {"email": long, "password": long}),
        ("anonymous", "/reset-password", {"email": long}),
        ("respondent_a", f"{a}/questions/{RATED}/actions",
         {"description": long, "owner": long, "target_date": date}),
        ("respondent_a", f"{a}/actions/{ids['action_a']}",
         {"description": long, "owner": "Head", "status": "open", "note": long,
          "target_date": date}),
        ("respondent_a", f"{a}/questions/{EVIDENCE_QUESTION}/evidence/reference",
         {"reference": long}),
        ("respondent_a", f"{a}/queries/{ids['query_a']}", {f"query-{ids['query_a']}-body": long}),
        ("respondent_a", f"{a}/approvals", approvals_form(ids["return_a"], long, long)),
        ("respondent_a", f"/people/organisation/{ids['school_a']}",
         {"email": "long@alder.example.org", "name": long}),
        ("admin", "/people/invite", {"email": "long@example.org", "name": long, "role": "qa",
                                     "organisation_id": "", "questionnaire_key": ""}),
        ("admin", "/organisations/agencies/new",
         {"name": long, "code": long, "sector": long, "duty_basis": "voluntary",
          "statutory_partner": "no", "partnership_involvement": long}),
        ("admin", f"/organisations/{ids['agency']}/edit",
         {"name": long, "sector": "Fire", "duty_basis": "s11", "statutory_partner": "yes"}),
        ("admin", f"/organisations/{ids['school_a']}/locality", {"locality": long}),
        ("admin", f"{r}/queries", {"question_id": RATED, "body": long}),
        ("admin", f"{r}/questions/{RATED}/moderate", {"rating": "amber", "reason": long}),
        ("admin", f"{r}/accept", {"countersigned_name": long}),
        ("admin", f"/cycles/{hostile_ids['cycle']}/returns/{hostile_ids['return']}/withdraw",
         {"reason": long}),
    ]


def fill_with_corpus(app, world: World):
    """Organisation A's return with the corpus in a comment, an action, a reference, a
    reply to the query and the approvals, all typed through the pages by A's respondent.
    Returns their client and the text typed."""
    from tests.security import payloads
    from tests.security.payloads import errors_on

    ids = world.ids
    client = client_as(app, world.people["respondent_a"])
    base = f"/returns/{ids['return_a']}"
    text = payloads.combined()
    steps = [
        post_comment(client, ids["return_a"], text),
        client.post(f"{base}/questions/{RATED}/actions", data={
            "description": text, "owner": payloads.SCRIPT + payloads.ATTRIBUTE,
            "target_date": ["1", "9", "2031"]}),
        client.post(f"{base}/questions/{EVIDENCE_QUESTION}/evidence/reference",
                    data={"reference": text}),
        client.post(f"{base}/queries/{ids['query_a']}",
                    data={f"query-{ids['query_a']}-body": text}),
        client.post(f"{base}/approvals", data=approvals_form(
            ids["return_a"], payloads.APPROVER, payloads.SCRIPT)),
    ]
    assert [response.status_code for response in steps] == [302] * 5, \
        [errors_on(response.get_data(as_text=True)) for response in steps]
    return client, text
