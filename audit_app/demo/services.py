"""Building the demo partnership from the project's own synthetic data. Running it again
duplicates nothing."""
from dataclasses import dataclass, field
from importlib import resources

import pyotp
from flask import current_app

from ..auth.models import User
from ..auth.passwords import hash_password
from ..auth.policy import STAFF_ROLES
from ..auth.services import add_grant
from ..auth.two_factor import enrol_with_secret
from ..extensions import db
from ..organisations.models import Membership, Organisation
from .logins import DEFAULT_PASSWORD, DEMO_LOGINS, LOCALITIES, DemoLogin


class DemoRefused(RuntimeError):
    """The demo must not be built here."""


@dataclass
class DemoReport:
    partnership: object = None
    schools: int = 0
    agencies: int = 0
    questionnaires: list[str] = field(default_factory=list)
    cycles: list[str] = field(default_factory=list)
    logins: list[tuple[DemoLogin, str]] = field(default_factory=list)
    # (email, TOTP secret) of every demo account that signs in with two factors
    totp: list[tuple[str, str]] = field(default_factory=list)


def _data_file(name: str) -> bytes:
    return resources.files("audit_app.demo").joinpath("data", name).read_bytes()


def _assign_localities(partnership) -> None:
    """A stable locality per organisation (by URN or name), kept once set."""
    memberships = (Membership.query.filter_by(partnership_id=partnership.id, locality=None)
                   .join(Organisation).order_by(Organisation.id).all())
    for membership in memberships:
        key = membership.organisation.urn or membership.organisation.name
        membership.locality = LOCALITIES[sum(map(ord, key)) % len(LOCALITIES)]


def _find_organisation(partnership, login: DemoLogin):
    query = Organisation.query.join(Membership).filter(
        Membership.partnership_id == partnership.id)
    if login.school_urn:
        return query.filter(Organisation.urn == login.school_urn).one()
    if login.agency_name:
        return query.filter(Organisation.name == login.agency_name).one()
    return None


def _ensure_login(partnership, login: DemoLogin, password: str) -> str:
    """Create the person if missing. The password is (re)set every run, so that the
    logins printed are always the ones that work."""
    user = User.query.filter_by(email=login.email).one_or_none()
    if user is None:
        user = User(email=login.email, name=login.name, job_title=login.job_title)
        db.session.add(user)
        db.session.flush()
    user.password_hash = hash_password(password)
    user.active = True
    organisation = _find_organisation(partnership, login)
    scopes = login.questionnaires or (None,)
    for questionnaire_key in scopes:
        add_grant(user, login.role, partnership, organisation=organisation,
                  questionnaire_key=questionnaire_key)
    return password


def _ensure_two_factor(login: DemoLogin) -> str | None:
    """Staff must use two-factor sign-in: enrol them with a generated secret, kept from
    one run to the next so that an authenticator app set up once keeps working."""
    if login.role not in STAFF_ROLES:
        return None
    user = User.query.filter_by(email=login.email).one()
    if not (user.two_factor_enrolled and user.totp_secret):
        enrol_with_secret(user, pyotp.random_base32())
    return user.totp_secret


def seed(partnership_name: str | None = None, password: str | None = None) -> DemoReport:
    if current_app.config["AUDIT_ENV"] == "production":
        raise DemoRefused("flask demo seed is refused in production")
    from ..organisations.agencies import import_agencies
    from ..organisations.gias import import_gias
    from ..organisations.partnerships import resolve_partnership
    from ..questionnaires.services import (DefinitionProblems, LoadRefused, load_paths,
                                           stored_versions)

    report = DemoReport()
    partnership = resolve_partnership(partnership_name)
    report.partnership = partnership
    import_gias(_data_file("schools_gias.csv"), partnership)
    import_agencies(_data_file("agencies.csv"), partnership)
    _assign_localities(partnership)
    try:
        load_paths()
    except DefinitionProblems as error:
        first = error.problems[0]
        raise DemoRefused(f"questionnaire definitions have problems, e.g. {first}") from error
    except LoadRefused as error:
        raise DemoRefused(str(error)) from error
    report.questionnaires = [f"{v.questionnaire_key} {v.version}" for v in stored_versions()]
    for login in DEMO_LOGINS:
        report.logins.append((login, _ensure_login(partnership, login,
                                                   password or DEFAULT_PASSWORD)))
        secret = _ensure_two_factor(login)
        if secret is not None:
            report.totp.append((login.email, secret))
    from .cycles import seed_cycles

    report.cycles = [cycle.name for cycle in seed_cycles(partnership)]
    members = Organisation.query.join(Membership).filter(
        Membership.partnership_id == partnership.id)
    report.schools = members.filter(Organisation.kind == "school").count()
    report.agencies = members.filter(Organisation.kind == "agency").count()
    db.session.commit()
    return report
