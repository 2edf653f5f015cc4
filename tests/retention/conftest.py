"""A long-closed cycle with one accepted return carrying every kind of personal data the
purge removes, and the figures it keeps."""
import hashlib
import os
from dataclasses import dataclass
from datetime import timedelta

import pytest

from audit_app.cycles.models import AuditReturn, Cycle
from audit_app.extensions import db
from audit_app.returns.evidence import stored_path
from audit_app.returns.submission import submit
from audit_app.review.services import accept, moderate, raise_query
from audit_app.timeutil import utcnow
from tests.returns.submission_builders import (add_action, add_evidence, answer_everything,
                                               approve_all, return_in_progress, set_answer)
from tests.review.review_builders import RATED

COMMENT = "Mrs Smith, the deputy head, leads this"
OWNER = "Jane Doe (business manager)"
NOTE = "Jane chased the governors in May"
QUERY = "Please ask Mr Jones to send the minutes"
MODERATION_REASON = "Spoke to Mr Jones, the training is out of date"
COUNTERSIGNATURE = "Rita Reviewer"
FILE_NAME = "minutes-of-Mrs-Smith.pdf"
REFERENCE = "Email from Mr Jones, 3 March"


@dataclass
class ClosedCycle:
    cycle: Cycle
    audit_return: AuditReturn
    file_path: str


def closed_cycle(partnership, school, submitter, reviewer, *, closed_years_ago: float,
                 name: str = "S175 2018-19") -> ClosedCycle:
    audit_return = return_in_progress(partnership, school, name=name)
    answer_everything(audit_return)
    set_answer(audit_return, RATED, "amber", COMMENT)
    add_action(audit_return, RATED, owner=OWNER).progress_note = NOTE
    data = b"%PDF-1.4 minutes"
    evidence = add_evidence(audit_return, RATED, file_name=FILE_NAME,
                            sha256=hashlib.sha256(data).hexdigest())
    add_evidence(audit_return, RATED, reference=REFERENCE)
    path = stored_path(evidence)
    os.makedirs(os.path.dirname(path), exist_ok=True)
    with open(path, "wb") as handle:
        handle.write(data)
    db.session.commit()
    approve_all(audit_return, submitter)
    submit(audit_return, submitter, True, audit_return.lock_version)
    db.session.commit()
    moderate(audit_return, RATED, "red", MODERATION_REASON, reviewer)
    raise_query(audit_return, RATED, QUERY, reviewer)
    accept(audit_return, reviewer, COUNTERSIGNATURE)
    cycle = audit_return.cycle
    cycle.status = "closed"
    cycle.closed_at = utcnow() - timedelta(days=round(365.25 * closed_years_ago))
    db.session.commit()
    return ClosedCycle(cycle, audit_return, path)


@pytest.fixture
def people_of(make_user, partnership, school):
    from tests.returns.submission_builders import make_submitter

    return {"submitter": make_submitter(make_user, partnership, school),
            "reviewer": make_user("reviewer", partnership)}


@pytest.fixture
def old_cycle(partnership, school, people_of):
    return closed_cycle(partnership, school, people_of["submitter"], people_of["reviewer"],
                        closed_years_ago=7)
