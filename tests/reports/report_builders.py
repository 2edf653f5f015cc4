"""A small S175 cycle with answers known by hand, for the dashboard, CLI and CSV tests:
Oak Tree (all green, one answer moderated to amber), Elm (all amber), and a school whose name
looks like a formula and markup that has not submitted."""
from audit_app.extensions import db
from audit_app.returns.submission import submit
from audit_app.review.services import moderate
from tests.fixtures import add_school
from tests.returns.conftest import make_return
from tests.returns.submission_builders import answer_everything, approve_all, \
    submission_cycle

RATED = "leadership_board_lead_governor"
HOSTILE_NAME = '=HYPERLINK("http://example.com","x") <b>Ash</b> Şcoală'


def submitted(cycle, school, submitter, rating):
    audit_return = make_return(cycle, school, status="in_progress")
    answer_everything(audit_return, rating=rating)
    approve_all(audit_return, submitter)
    submit(audit_return, submitter, True, audit_return.lock_version)
    db.session.commit()
    return audit_return


def known_cycle(partnership, school, make_user, reviewer=None, hostile_submits=False):
    cycle = submission_cycle(partnership, name="S175 audit 2025-26")
    elm = add_school(partnership, urn="100002", name="Elm Secondary School", phase="Secondary")
    hostile = add_school(partnership, urn="100003", name=HOSTILE_NAME)
    oak_return = submitted(cycle, school, make_user("respondent", partnership, school), "green")
    submitted(cycle, elm, make_user("respondent", partnership, elm), "amber")
    if hostile_submits:
        submitted(cycle, hostile, make_user("respondent", partnership, hostile), "green")
    else:
        make_return(cycle, hostile, status="in_progress")
    reviewer = reviewer or make_user("reviewer", partnership)
    moderate(oak_return, RATED, "amber", "No named governor in the minutes", reviewer)
    db.session.commit()
    return cycle
