"""Two people save the same section at the same moment, each in their own thread, session
and transaction, committing for real in a database of their own (PostgreSQL when the suite
runs on it, else a SQLite file). Neither save is lost: what only one changed is applied,
and where both changed an answer, exactly one value is stored and the other person is told
of the conflict. The version moves on once per save that wrote."""
import threading
import uuid

import pytest
import sqlalchemy as sa
from sqlalchemy.engine import make_url

from audit_app import create_app
from audit_app.auth.models import Grant, User
from audit_app.cycles.models import AuditReturn, ReturnEvent
from audit_app.extensions import db
from audit_app.organisations.models import Partnership
from audit_app.returns.concurrency import Conflict
from audit_app.returns.models import SectionState
from audit_app.returns.services import save_section
from tests.fixtures import add_school
from tests.returns.conftest import make_cycle, make_return
from tests.returns.helpers import page_of, stored

ROUNDS = 3
pytestmark = pytest.mark.no_db




def _people_and_returns(count: int) -> tuple[list[int], list[int]]:
    partnership = Partnership(slug=f"p{uuid.uuid4().hex[:6]}", name="Race Partnership")
    db.session.add(partnership)
    db.session.commit()
    cycle = make_cycle(partnership)
    people = [User(email=f"{name}@example.org", name=name.title()) for name in ("ann", "ben")]
    db.session.add_all(people)
    return_ids = []
    for number in range(count):
        school = add_school(partnership, urn=f"50000{number}", name=f"School {number}")
        for person in people:
            db.session.add(Grant(user=person, role="respondent", partnership_id=partnership.id,
                                 organisation_id=school.id))
        return_ids.append(make_return(cycle, school).id)
    db.session.commit()
    return return_ids, [person.id for person in people]


def _race(app, return_id: int, saves: list[tuple[int, str, dict]]) -> list:
    """Each (user id, section, answers) renders its page, waits for the others, then all
    save at once. The results (or errors), in the order given."""
    barrier = threading.Barrier(len(saves), timeout=30)
    results: list = [None] * len(saves)

    def person(index, user_id, section_id, answers):
        with app.app_context():
            try:
                audit_return = db.session.get(AuditReturn, return_id)
                user = db.session.get(User, user_id)
                version, fields = page_of(audit_return, section_id)
                db.session.commit()   # the page is rendered; its request is over
                barrier.wait()
                results[index] = save_section(audit_return, section_id, answers, {}, version,
                                              fields, user, False)
                db.session.commit()
            except Exception as error:  # reported to the test below, never swallowed
                db.session.rollback()
                results[index] = error
            finally:
                db.session.remove()

    threads = [threading.Thread(target=person, args=(index, *save))
               for index, save in enumerate(saves)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(60)
    errors = [result for result in results if isinstance(result, Exception)]
    assert not errors, errors
    return results


def test_two_people_saving_one_section_at_once_lose_nothing(own_app):
    with own_app.app_context():
        return_ids, (ann, ben) = _people_and_returns(ROUNDS)
    for return_id in return_ids:
        first, second = _race(own_app, return_id, [
            (ann, "dsl", {"dsl_in_post": "green", "dsl_deputies": "1"}),
            (ben, "dsl", {"dsl_in_post": "red", "dsl_cover": "always"}),
        ])
        with own_app.app_context():
            audit_return = db.session.get(AuditReturn, return_id)
            answers = stored(audit_return)
            assert answers["dsl_deputies"] == ("1", None)
            assert answers["dsl_cover"] == ("always", None)
            winner, loser = (first, second) if not first.conflicts else (second, first)
            assert winner.conflicts == [] and not winner.stale
            assert loser.stale and [c.field for c in loser.conflicts] == ["dsl_in_post"]
            assert answers["dsl_in_post"][0] == \
                ("green" if winner is first else "red"), "the first save's value stays"
            assert loser.conflicts[0] == Conflict(
                "dsl_in_post", "red" if winner is first else "green",
                answers["dsl_in_post"][0])
            state = SectionState.query.filter_by(return_id=return_id, section_key="dsl").one()
            assert state.version == 2 and sorted([first.version, second.version]) == [1, 2]
            events = ReturnEvent.query.filter_by(return_id=return_id).all()
            assert [(e.from_status, e.to_status) for e in events] == \
                [("not_started", "in_progress")], "the return started once"
            db.session.remove()


def test_two_saves_of_the_same_answer_cannot_both_win(own_app):
    with own_app.app_context():
        return_ids, (ann, ben) = _people_and_returns(ROUNDS)
    for return_id in return_ids:
        results = _race(own_app, return_id, [
            (ann, "leadership", {"gov_training": "yes"}),
            (ben, "leadership", {"gov_training": "no"}),
        ])
        with own_app.app_context():
            wrote = [result for result in results if result.wrote]
            refused = [result for result in results if not result.wrote]
            assert len(wrote) == 1 and len(refused) == 1
            assert refused[0].conflicts[0].field == "gov_training"
            value = stored(db.session.get(AuditReturn, return_id))["gov_training"][0]
            assert value == ("yes" if results[0].wrote else "no")
            state = SectionState.query.filter_by(return_id=return_id,
                                                 section_key="leadership").one()
            assert state.version == 1
            db.session.remove()


def test_first_saves_of_two_sections_at_once_start_the_return_once(own_app):
    with own_app.app_context():
        return_ids, (ann, ben) = _people_and_returns(ROUNDS)
    for return_id in return_ids:
        results = _race(own_app, return_id, [
            (ann, "leadership", {"gov_training": "yes"}),
            (ben, "pupils", {"has_boarders": "no"}),
        ])
        assert all(result.wrote and not result.conflicts for result in results)
        with own_app.app_context():
            audit_return = db.session.get(AuditReturn, return_id)
            assert audit_return.status == "in_progress"
            assert ReturnEvent.query.filter_by(return_id=return_id).count() == 1
            assert set(stored(audit_return)) == {"gov_training", "has_boarders"}
            db.session.remove()
