"""The demo's people: one login per role (DESIGN §8)."""
from dataclasses import dataclass


@dataclass(frozen=True)
class DemoLogin:
    email: str
    name: str
    role: str
    job_title: str
    questionnaires: tuple[str, ...] = ()
    school_urn: str | None = None
    agency_name: str | None = None


# The DSL's school has a sixth form and the agency is an NHS trust, so that the
# conditional questions of both audits show.
DSL_SCHOOL_URN = "570384"
AGENCY_NAME = "Stockport NHS Foundation Trust"

DEMO_LOGINS = (
    DemoLogin("admin@example.org", "Alex Morgan", "admin", "Partnership business manager"),
    DemoLogin("sase@example.org", "Sam Okoro", "reviewer",
              "Senior Advisor for Safeguarding in Education", questionnaires=("s175", "prevent")),
    DemoLogin("qaofficer@example.org", "Jo Whitfield", "reviewer",
              "Quality assurance officer", questionnaires=("s11",)),
    DemoLogin("qa@example.org", "Priya Desai", "qa", "Chair, Quality Assurance subgroup"),
    DemoLogin("dsl@example.org", "Dana Hughes", "respondent", "Designated safeguarding lead",
              school_urn=DSL_SCHOOL_URN),
    DemoLogin("agency@example.org", "Chris Patel", "respondent",
              "Named nurse for safeguarding children", agency_name=AGENCY_NAME),
)

DEFAULT_PASSWORD = "demo-audit-2026"

LOCALITIES = ("Bramhall and Cheadle", "Heatons and Reddish", "Marple and Werneth",
              "Stepping Hill", "Tame Valley")
