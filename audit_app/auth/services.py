"""The rules about people: signing in, passwords, invitations, grants, deactivation."""
from ..audit_log.services import record
from ..extensions import db
from ..mail.services import queue_email
from ..timeutil import utcnow
from ..urls import external_url
from .models import ROLES, Grant, User
from .passwords import hash_password, password_problem, verify_password
from .sessions import end_user_sessions
from .tokens import issue_token


class PeopleError(ValueError):
    """A request about people that cannot be done; the message says why."""


def normalise_email(email: str) -> str:
    return (email or "").strip().lower()


def find_user(email: str) -> User | None:
    return User.query.filter_by(email=normalise_email(email)).one_or_none()


def authenticate(email: str, password: str) -> User | None:
    """The user for these credentials, or None; both outcomes are audited."""
    user = find_user(email)
    ok = verify_password(user.password_hash if user else None, password)
    if user is not None and ok and user.active:
        record("auth.sign_in", obj=user, actor=user)
        return user
    record("auth.sign_in_failed", obj=user,
           detail={"email": normalise_email(email)[:254],
                   "reason": "inactive" if (user and ok) else "bad_credentials"})
    return None


def set_password(user: User, password: str, *, keep_session=None, reason="password_set"):
    problem = password_problem(password, user.email)
    if problem:
        raise PeopleError(problem)
    user.password_hash = hash_password(password)
    user.password_changed_at = utcnow()
    end_user_sessions(user, reason, keep=keep_session)
    record(f"auth.{reason}", obj=user, actor=user)


def get_or_create_user(email: str, name: str) -> tuple[User, bool]:
    email = normalise_email(email)
    if not email or "@" not in email:
        raise PeopleError("Enter an email address in the correct format, like name@example.org")
    # The forms check lengths; an imported file reaches here unchecked, and on PostgreSQL
    # a value longer than its column would fail the whole import.
    if len(email) > User.email.type.length:
        raise PeopleError(f"Email address must be {User.email.type.length} characters or "
                          "fewer")
    user = find_user(email)
    if user is not None:
        return user, False
    if not (name or "").strip():
        raise PeopleError("Enter the person's full name")
    if len(name.strip()) > User.name.type.length:
        raise PeopleError(f"Full name must be {User.name.type.length} characters or fewer")
    user = User(email=email, name=name.strip())
    db.session.add(user)
    db.session.flush()
    return user, True


def validate_grant(role: str, organisation=None, questionnaire_key=None, cycle=None) -> None:
    if role not in ROLES:
        raise PeopleError(f"Unknown role {role!r}: use one of {', '.join(ROLES)}")
    if role == "respondent" and organisation is None:
        raise PeopleError("A respondent must be linked to an organisation")
    if role != "respondent" and organisation is not None:
        raise PeopleError("Only respondents are linked to an organisation")
    if role != "reviewer" and (questionnaire_key or cycle):
        raise PeopleError("Only reviewers are limited to a questionnaire or cycle")


def add_grant(user: User, role: str, partnership, *, organisation=None,
              questionnaire_key=None, cycle=None, by=None) -> tuple[Grant, bool]:
    """Give ``user`` a grant; an identical existing grant is returned unchanged."""
    validate_grant(role, organisation, questionnaire_key, cycle)
    existing = Grant.query.filter_by(
        user_id=user.id, role=role, partnership_id=partnership.id,
        organisation_id=getattr(organisation, "id", None),
        questionnaire_key=questionnaire_key or None,
        cycle_id=getattr(cycle, "id", None)).one_or_none()
    if existing is not None:
        return existing, False
    grant = Grant(user=user, role=role, partnership_id=partnership.id,
                  organisation_id=getattr(organisation, "id", None),
                  questionnaire_key=questionnaire_key or None,
                  cycle_id=getattr(cycle, "id", None),
                  created_by_id=getattr(by, "id", None))
    db.session.add(grant)
    db.session.flush()
    record("people.grant_added", obj=user, actor=by, partnership=partnership,
           detail=describe_grant(grant))
    return grant, True


def remove_grant(grant: Grant, *, by=None) -> None:
    record("people.grant_removed", obj=grant.user, actor=by, partnership=grant.partnership,
           detail=describe_grant(grant))
    db.session.delete(grant)


def describe_grant(grant: Grant) -> dict:
    return {"role": grant.role, "partnership_id": grant.partnership_id,
            "organisation_id": grant.organisation_id,
            "questionnaire_key": grant.questionnaire_key, "cycle_id": grant.cycle_id}


def send_invitation(user: User, partnership, *, by=None) -> None:
    """Queue the invitation: a set-password link for people without a password, else a
    note that they have been given access."""
    if user.has_password:
        queue_email(user.email, f"You have been given access to {partnership.name}'s "
                    "safeguarding self-audit", "access_granted", kind="access_granted",
                    partnership=partnership, user=user, link=external_url("auth.sign_in"))
    else:
        raw = issue_token(user, "invite")
        queue_email(user.email, f"Set up your account for {partnership.name}'s "
                    "safeguarding self-audit", "invite", kind="invite",
                    partnership=partnership, user=user,
                    link=external_url("auth.set_password", token=raw))
    record("people.invited", obj=user, actor=by, partnership=partnership)


def invite_person(email: str, name: str, role: str, partnership, *, organisation=None,
                  questionnaire_key=None, cycle=None, by=None) -> tuple[User, bool]:
    """Create (or find) the person, grant the role and queue the invitation.
    Returns (user, whether the grant is new)."""
    validate_grant(role, organisation, questionnaire_key, cycle)
    user, _created = get_or_create_user(email, name)
    if not user.active:
        raise PeopleError(f"{user.email} has been deactivated. Reactivate them first")
    _grant, is_new = add_grant(user, role, partnership, organisation=organisation,
                               questionnaire_key=questionnaire_key, cycle=cycle, by=by)
    if is_new:
        send_invitation(user, partnership, by=by)
    return user, is_new


def request_password_reset(email: str, partnership=None) -> None:
    """Queue a reset link if the account exists and is active; say nothing either way."""
    user = find_user(email)
    if user is None or not user.active:
        record("auth.reset_requested_unknown", detail={"email": normalise_email(email)[:254]})
        return
    raw = issue_token(user, "reset")
    queue_email(user.email, "Reset your password", "reset", kind="reset",
                partnership=partnership, user=user,
                link=external_url("auth.reset_password", token=raw))
    record("auth.reset_requested", obj=user, actor=user)


def deactivate(user: User, *, by=None) -> None:
    if by is not None and user.id == by.id:
        raise PeopleError("You cannot deactivate your own account")
    user.active = False
    user.deactivated_at = utcnow()
    end_user_sessions(user, "deactivated")
    record("people.deactivated", obj=user, actor=by)


def reactivate(user: User, *, by=None) -> None:
    from ..retention.records import PLACEHOLDER_DOMAIN

    if user.email.endswith("@" + PLACEHOLDER_DOMAIN):
        # The retention purge removed this person's details: there is nobody to give
        # access back to. Invite them again as a new person instead.
        raise PeopleError("This account was anonymised under the retention policy and "
                          "cannot be reactivated: invite the person again")
    user.active = True
    user.deactivated_at = None
    record("people.reactivated", obj=user, actor=by)
