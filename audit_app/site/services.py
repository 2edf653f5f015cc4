"""What the signed-in home page offers each person, from the roles they hold."""
from dataclasses import dataclass, field

from flask import url_for

from ..auth.policy import STAFF_ROLES, organisation_ids_for, partnerships_of, roles_in
from ..organisations.models import Organisation
from .navigation import endpoint_exists

ROLE_NAMES = {
    "admin": "Administrator",
    "reviewer": "Reviewer",
    "qa": "Quality assurance",
    "respondent": "Respondent",
}

# (text, endpoint, description, roles that see it)
STAFF_LINKS = (
    ("Reports", "reports.index",
     "How organisations are doing in each audit cycle, with downloads for the board.",
     {"admin", "qa", "reviewer"}),
    ("Organisations", "organisations.index",
     "Schools and agencies that report to the partnership.", set(STAFF_ROLES)),
    ("Questionnaires", "questionnaires.index",
     "The audit questionnaires and their versions.", set(STAFF_ROLES)),
    ("People", "people.index",
     "Invite people, change what they can do, or remove their access.", {"admin"}),
)


@dataclass
class DashboardLink:
    text: str
    href: str
    description: str = ""


@dataclass
class Dashboard:
    role_names: list[str] = field(default_factory=list)
    staff_links: list[DashboardLink] = field(default_factory=list)
    organisations: list[tuple[Organisation, list[DashboardLink]]] = field(default_factory=list)
    other_partnerships: list = field(default_factory=list)

    @property
    def has_access(self) -> bool:
        return bool(self.role_names)


def _staff_links(roles: set[str]) -> list[DashboardLink]:
    return [DashboardLink(text, url_for(endpoint), description)
            for text, endpoint, description, allowed in STAFF_LINKS
            if roles & allowed and endpoint_exists(endpoint)]


def _organisation_links(organisation: Organisation) -> list[DashboardLink]:
    links = []
    if endpoint_exists("people.colleagues"):
        links.append(DashboardLink(
            "People who can complete this audit",
            url_for("people.colleagues", organisation_id=organisation.id)))
    return links


def dashboard_for(user, partnership) -> Dashboard:
    """The sections of the home page for ``user`` working in ``partnership`` (may be None)."""
    roles = roles_in(user, partnership)
    dashboard = Dashboard(
        role_names=[ROLE_NAMES[role] for role in ROLE_NAMES if role in roles],
        staff_links=_staff_links(roles),
        other_partnerships=[p for p in partnerships_of(user)
                            if partnership is None or p.id != partnership.id],
    )
    if "respondent" in roles:
        ids = organisation_ids_for(user, partnership)
        organisations = (Organisation.query.filter(Organisation.id.in_(ids))
                         .order_by(Organisation.name).all()) if ids else []
        dashboard.organisations = [(organisation, _organisation_links(organisation))
                                   for organisation in organisations]
    return dashboard
