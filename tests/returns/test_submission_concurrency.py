"""A double click or two tabs: two requests submit the same return at the same moment, each
in its own thread, session and transaction, committing for real in a database of their own.
Exactly one submission is made; the other request is told the return is already submitted."""
import threading
import uuid

import pytest
import sqlalchemy as sa
from sqlalchemy.engine import make_url

from audit_app import create_app
from audit_app.auth.models import Grant, User
from audit_app.cycles.models import AuditReturn, ReturnEvent
from audit_app.extensions import db
from audit_app.mail.models import OutboxMessage
from audit_app.organisations.models import Partnership
from audit_app.returns.models import Submission, SubmissionAnswer
from audit_app.returns.submission import (AlreadySubmitted, SubmissionBusy, SubmissionError,
                                          submit)
from tests.fixtures import add_school
from tests.returns.conftest import make_return
from tests.returns.submission_builders import (answer_everything, approve_all,
                                                    submission_cycle)

ROUNDS = 3




def _ready_returns(count: int) -> tuple[list[int], int]:
    """Returns ready to submit, committed; and the submitter's id."""
    partnership = Partnership(slug="concurrency", name="Concurrency Partnership")
    db.session.add(partnership)
    db.session.commit()
    cycle = submission_cycle(partnership)
    user = User(email="submitter@example.org", name="Sam Submitter")
    db.session.add(user)
    return_ids = []
    for number in range(count):
        school = add_school(partnership, urn=f"40000{number}", name=f"School {number}")
        db.session.add(Grant(user=user, role="respondent", partnership_id=partnership.id,
                             organisation_id=school.id))
        audit_return = make_return(cycle, school, status="in_progress")
        answer_everything(audit_return)
        approve_all(audit_return, user)
        return_ids.append(audit_return.id)
    db.session.commit()
    return return_ids, user.id


def _try_again(app, return_id: int, user_id: int) -> str:
    """What the person told "try again" gets when they do."""
    with app.app_context():
        audit_return = db.session.get(AuditReturn, return_id)
        try:
            submit(audit_return, db.session.get(User, user_id), True,
                   audit_return.lock_version)
        except AlreadySubmitted:
            return "already submitted"
        finally:
            db.session.rollback()
            db.session.remove()
        return "submitted again"


def _race(app, return_id: int, user_id: int) -> list[str]:
    """Two requests read the return, wait for each other, then both submit it."""
    barrier = threading.Barrier(2, timeout=30)
    outcomes: list[str] = []

    def request():
        with app.app_context():
            try:
                audit_return = db.session.get(AuditReturn, return_id)
                user = db.session.get(User, user_id)
                seen = audit_return.lock_version
                barrier.wait()
                try:
                    submit(audit_return, user, True, seen)
                    db.session.commit()
                    outcomes.append("submitted")
                except AlreadySubmitted:
                    db.session.rollback()
                    outcomes.append("already submitted")
                except SubmissionBusy:
                    db.session.rollback()
                    outcomes.append("busy")
                except SubmissionError as error:
                    db.session.rollback()
                    outcomes.append(f"refused: {error}")
            finally:
                db.session.remove()

    threads = [threading.Thread(target=request) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    return outcomes


@pytest.mark.no_db
def test_two_requests_submitting_at_once_make_one_submission(own_app):
    with own_app.app_context():
        return_ids, user_id = _ready_returns(ROUNDS)
        db.session.remove()
    for return_id in return_ids:
        outcomes = _race(own_app, return_id, user_id)
        if "busy" in outcomes and own_app.config["SQLALCHEMY_DATABASE_URI"].startswith("sqlite"):
            # SQLite refuses the second writer outright ("try again"), PostgreSQL waits
            # and then finds the return changed. Trying again is told it is submitted.
            outcomes[outcomes.index("busy")] = _try_again(own_app, return_id, user_id)
        assert sorted(outcomes) == ["already submitted", "submitted"]
    with own_app.app_context():
        for return_id in return_ids:
            audit_return = db.session.get(AuditReturn, return_id)
            assert audit_return.status == "submitted"
            assert audit_return.latest_submission_number == 1
            (submission,) = Submission.query.filter_by(return_id=return_id).all()
            assert submission.number == 1
            assert SubmissionAnswer.query.filter_by(submission_id=submission.id).count() == \
                sum(len(section["questions"]) for section in submission.content["sections"])
            assert ReturnEvent.query.filter_by(return_id=return_id,
                                               to_status="submitted").count() == 1
            assert OutboxMessage.query.filter_by(return_id=return_id,
                                                 kind="submission_receipt").count() == 1
        db.session.remove()
