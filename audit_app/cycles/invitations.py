"""Who is asked to complete a return, and the invitation email that asks them. Email goes
through the outbox; each person is invited to each return at most once."""
from collections import defaultdict

import sqlalchemy as sa
from flask import current_app

from ..auth.models import Grant, User
from ..auth.tokens import issue_token
from ..extensions import db
from ..mail.models import OutboxMessage
from ..mail.services import queue_email
from ..urls import external_url
from .models import AuditReturn, Cycle

# Returns whose organisation still has work to do, and so people to invite or remind.
AWAITING_RESPONDENT = ("not_started", "in_progress", "returned")
RETURN_ENDPOINT = "returns.task_list"


def respondents_by_organisation(partnership, organisation_ids) -> dict[int, list[User]]:
    """Active people holding a respondent grant in the partnership, per organisation."""
    organisation_ids = list(organisation_ids)
    found: dict[int, list[User]] = defaultdict(list)
    if not organisation_ids:
        return found
    rows = db.session.execute(
        sa.select(Grant.organisation_id, User)
        .join(User, User.id == Grant.user_id)
        .where(Grant.partnership_id == partnership.id, Grant.role == "respondent",
               Grant.organisation_id.in_(organisation_ids), User.active.is_(True))
        .order_by(User.name, User.id))
    for organisation_id, user in rows:
        if user not in found[organisation_id]:
            found[organisation_id].append(user)
    return found


def return_link(audit_return: AuditReturn) -> str:
    """An absolute link to the return, or to the home page until the respondent pages
    exist (the home page lists a respondent's returns)."""
    if RETURN_ENDPOINT in current_app.view_functions:
        return external_url(RETURN_ENDPOINT, return_id=audit_return.id)
    return external_url("site.dashboard")


def invitation_key(audit_return: AuditReturn, user: User) -> str:
    return f"invitation:{audit_return.id}:{user.id}"


def _already_invited(keys: list[str]) -> set[str]:
    if not keys:
        return set()
    return set(db.session.scalars(
        sa.select(OutboxMessage.dedupe_key).where(OutboxMessage.dedupe_key.in_(keys))))


def invite_respondents(cycle: Cycle, returns: list[AuditReturn]) -> int:
    """Queue an invitation to every respondent of these returns not yet invited to them.
    People without a password get a set-password link in the same email (one link per
    person per call, because a new link cancels the earlier ones). Returns how many."""
    returns = [item for item in returns if item.status in AWAITING_RESPONDENT]
    people = respondents_by_organisation(cycle.partnership,
                                         {item.organisation_id for item in returns})
    keys = [invitation_key(item, user) for item in returns
            for user in people.get(item.organisation_id, [])]
    done = _already_invited(keys)
    set_password_links: dict[int, str] = {}
    queued = 0
    for item in returns:
        for user in people.get(item.organisation_id, []):
            key = invitation_key(item, user)
            if key in done:
                continue
            link = None
            if not user.has_password:
                if user.id not in set_password_links:
                    set_password_links[user.id] = external_url(
                        "auth.set_password", token=issue_token(user, "invite"))
                link = set_password_links[user.id]
            _queue_invitation(cycle, item, user, key, link)
            queued += 1
    return queued


def _queue_invitation(cycle, audit_return, user, key, set_password_link) -> None:
    organisation = audit_return.organisation
    queue_email(
        user.email,
        f"{cycle.partnership.name}: complete the {cycle.name} safeguarding self-audit for "
        f"{organisation.name}"[:300],
        "cycle_invitation", kind="cycle_invitation", partnership=cycle.partnership,
        dedupe_key=key, return_id=audit_return.id,
        user=user, cycle=cycle, organisation=organisation,
        questionnaire_title=cycle.questionnaire_version.title,
        set_password_link=set_password_link, return_link=return_link(audit_return))


def organisations_without_contact(cycle: Cycle) -> list:
    """Organisations with a return still to complete and nobody to ask: the admin adds a
    respondent for each (then uses 'Add organisations and send invitations')."""
    returns = [item for item in cycle.returns if item.status in AWAITING_RESPONDENT]
    people = respondents_by_organisation(cycle.partnership,
                                         {item.organisation_id for item in returns})
    missing = [item.organisation for item in returns if not people.get(item.organisation_id)]
    return sorted(missing, key=lambda organisation: (organisation.name, organisation.id))
