"""Which reviewer reviews what: reviewer grants for every audit, for one questionnaire
(all its cycles) or for one cycle. Admins assign them on the assignments page."""
import sqlalchemy as sa

from ..auth.models import Grant, User
from ..auth.people import questionnaire_choices
from ..auth.services import PeopleError, add_grant
from ..cycles.models import Cycle
from ..extensions import db
from .services import ReviewError

EVERYTHING = "all"


def reviewers_in(partnership) -> list[User]:
    """Active people holding any reviewer grant in the partnership, by name."""
    # Users carry JSON columns, which PostgreSQL cannot compare for DISTINCT.
    reviewer_ids = sa.select(Grant.user_id).where(Grant.partnership_id == partnership.id,
                                                  Grant.role == "reviewer")
    return db.session.scalars(
        sa.select(User).where(User.id.in_(reviewer_ids), User.active.is_(True))
        .order_by(User.name, User.id)).all()


def scope_choices(partnership) -> list[tuple[str, str]]:
    questionnaires = [(f"questionnaire:{key}", f"Every cycle of {label}")
                      for key, label in questionnaire_choices() if key]
    cycles = [(f"cycle:{cycle.id}", f"Cycle: {cycle.name}")
              for cycle in Cycle.query.filter_by(partnership_id=partnership.id)
              .order_by(Cycle.name)]
    return [(EVERYTHING, "Every audit of the partnership")] + questionnaires + cycles


def assign_reviewer(partnership, user_id, scope: str, by) -> tuple[Grant, bool]:
    """Give a reviewer a grant for ``scope`` (a value of scope_choices). Returns the grant
    and whether it is new."""
    reviewer = next((user for user in reviewers_in(partnership)
                     if str(user.id) == str(user_id or "")), None)
    if reviewer is None:
        raise ReviewError("Select a reviewer")
    if (scope or "") not in dict(scope_choices(partnership)):
        raise ReviewError("Select what to assign the reviewer to")
    kind, _, value = scope.partition(":")
    cycle = db.session.get(Cycle, int(value)) if kind == "cycle" else None
    try:
        return add_grant(reviewer, "reviewer", partnership,
                         questionnaire_key=value if kind == "questionnaire" else None,
                         cycle=cycle, by=by)
    except PeopleError as error:
        raise ReviewError(str(error)) from error


def assignments(partnership) -> list[dict]:
    """Every reviewer grant of the partnership with the words for what it covers."""
    grants = (Grant.query.filter_by(partnership_id=partnership.id, role="reviewer")
              .join(User, User.id == Grant.user_id).order_by(User.name, Grant.id).all())
    cycles = {cycle.id: cycle.name
              for cycle in Cycle.query.filter_by(partnership_id=partnership.id)}
    return [{"grant": grant, "person": grant.user,
             "covers": f"Cycle: {cycles.get(grant.cycle_id, grant.cycle_id)}"
             if grant.cycle_id else f"Every cycle of questionnaire {grant.questionnaire_key}"
             if grant.questionnaire_key else "Every audit of the partnership"}
            for grant in grants]
