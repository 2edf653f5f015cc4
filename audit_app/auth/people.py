"""Queries and choices for the people pages."""
import sqlalchemy as sa

from ..extensions import db
from ..organisations.models import Membership, Organisation
from ..questionnaires.models import QuestionnaireVersion
from .models import Grant, User


def people_in(partnership, search: str = "", role: str = ""):
    """People holding any grant in the partnership, by name."""
    holders = sa.select(Grant.user_id).where(Grant.partnership_id == partnership.id)
    if role:
        holders = holders.where(Grant.role == role)
    query = sa.select(User).where(User.id.in_(holders))
    if search:
        pattern = f"%{search.strip().lower()}%"
        query = query.where(sa.or_(sa.func.lower(User.name).like(pattern),
                                   User.email.like(pattern)))
    return query.order_by(User.name, User.email)


def organisation_choices(partnership) -> list[tuple[str, str]]:
    rows = (db.session.query(Organisation.id, Organisation.name, Organisation.urn)
            .join(Membership, Membership.organisation_id == Organisation.id)
            .filter(Membership.partnership_id == partnership.id,
                    Organisation.status == "open")
            .order_by(Organisation.name).all())
    return [("", "Not linked to an organisation")] + [
        (str(row.id), f"{row.name} (URN {row.urn})" if row.urn else row.name) for row in rows]


def questionnaire_choices() -> list[tuple[str, str]]:
    keys = db.session.query(QuestionnaireVersion.questionnaire_key,
                            sa.func.max(QuestionnaireVersion.title)).group_by(
        QuestionnaireVersion.questionnaire_key).order_by(QuestionnaireVersion.questionnaire_key)
    return [("", "All questionnaires")] + [(key, f"{title} ({key})") for key, title in keys]


def member_organisation(partnership, organisation_id: str | None):
    """The organisation with this id if it reports to the partnership, else None."""
    if not organisation_id or not str(organisation_id).isdigit():
        return None
    return (Organisation.query.join(Membership)
            .filter(Membership.partnership_id == partnership.id,
                    Organisation.id == int(organisation_id)).one_or_none())


def respondents_of(organisation, partnership) -> list[User]:
    return (User.query.join(Grant, Grant.user_id == User.id)
            .filter(Grant.partnership_id == partnership.id, Grant.role == "respondent",
                    Grant.organisation_id == organisation.id)
            .order_by(User.name).all())


def person_status(user: User) -> str:
    if not user.active:
        return "Deactivated"
    if not user.has_password:
        return "Invited"
    return "Active"
