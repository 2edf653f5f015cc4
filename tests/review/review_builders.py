"""Builders for the reviewer tests: a submitted S175 return and the people around it."""
from audit_app.extensions import db
from audit_app.returns.submission import submit
from tests.returns.submission_builders import (answer_everything, approve_all,
                                               make_submitter, return_in_progress)

RATED = "leadership_board_lead_governor"
TRAINING = "leadership_board_training"


def submitted_return(partnership, school, submitter, rating="green", **cycle_attrs):
    """A maintained school's S175 return, every rated answer ``rating``, submitted."""
    audit_return = return_in_progress(partnership, school, **cycle_attrs)
    answer_everything(audit_return, rating=rating)
    approve_all(audit_return, submitter)
    submit(audit_return, submitter, True, audit_return.lock_version)
    db.session.commit()
    return audit_return


__all__ = ["RATED", "TRAINING", "make_submitter", "submitted_return"]
