"""The shipped questionnaires hold to their content bar: they pass the checker, cover what
CONTENT.md asks of each audit, say what "fully met" looks like for every question, carry the
action plan rules, and use conditions that actually divide the demo register."""
import csv
import difflib
import itertools
import re
from collections import Counter
from functools import cache
from pathlib import Path

import pytest
import yaml

from audit_app.organisations.models import Organisation
from audit_app.questionnaires.checker import check_file
from audit_app.questionnaires.conditions import evaluate, organisation_attributes
from audit_app.questionnaires.definition import Definition

QUESTIONNAIRES = Path(__file__).resolve().parents[2] / "questionnaires"
DATA = Path(__file__).resolve().parent / "data"

SHIPPED = sorted(path for path in QUESTIONNAIRES.glob("*/*.yaml")
                 if path.parent.name != "example")
EXPECTED_FILES = ("s175/2024-25.yaml", "s175/2025-26.yaml", "s11/2025-26.yaml",
                  "prevent/2025-26.yaml")

# CONTENT.md section or standard -> the section id that covers it.
S175_SECTIONS = {
    "Leadership and governance": "leadership",
    "Designated safeguarding lead": "dsl",
    "Policies": "policies",
    "Staff training and induction": "training",
    "Safer recruitment and the single central record": "recruitment",
    "Allegations and low-level concerns": "allegations",
    "Online safety, filtering and monitoring": "online_safety",
    "Child-on-child abuse, sexual violence and harassment": "child_on_child",
    "Curriculum": "curriculum",
    "Early help, referrals and working with partners": "early_help",
    "Vulnerable groups": "vulnerable_groups",
    "Attendance and children missing education": "attendance",
    "Prevent duty": "prevent",
    "Records and information sharing": "records",
    "Site, visitors and alternative provision": "site",
}
S11_STANDARDS = {
    "Senior management commitment and accountability": "leadership",
    "Designated safeguarding leads": "designated_leads",
    "Policies and procedures": "policies",
    "Listening to children": "voice_of_child",
    "Safer recruitment and workforce": "safer_recruitment",
    "Training and learning": "training",
    "Supervision and support": "supervision",
    "Inter-agency working": "interagency",
    "Information sharing": "information_sharing",
    "Escalation and professional challenge": "escalation",
    "Allegations against people who work with children": "allegations",
    "A culture of safety, equality and protection": "culture",
}
EXPECTATIONS = {
    "s175": {"questions": (80, 130), "sections": S175_SECTIONS},
    "s11": {"questions": (50, 90), "sections": S11_STANDARDS},
    "prevent": {"questions": (15, 25), "sections": {}},
}

# What CONTENT.md lists under each S175/157 section, as words a question there must use.
S175_TOPICS = {
    "leadership": [r"governor|trustee|proprietor", r"training", r"agenda", r"report",
                   r"website"],
    "dsl": [r"senior leadership", r"job description", r"deputy", r"two years",
            r"once a year", r"school hours"],
    "policies": [r"child protection policy", r"child-on-child", r"special educational needs",
                 r"code of conduct", r"whistleblowing", r"low-level", r"online safety"],
    "training": [r"Part 1", r"induction", r"updates"],
    "recruitment": [r"safer recruitment training", r"[Rr]eferences", r"pre-appointment",
                    r"single central record", r"volunteer", r"[Cc]ontractors"],
    "allegations": [r"LADO", r"[Ll]ow-level", r"record"],
    "online_safety": [r"governor", r"filtering and monitoring provision", r"restrict",
                      r"monitoring strategy", r"teaching"],
    "child_on_child": [r"recognise", r"report", r"[Rr]ecords"],
    "curriculum": [r"[Rr]elationships", r"consent", r"healthy"],
    "early_help": [r"early help", r"[Rr]eferrals", r"strategy meetings"],
    "vulnerable_groups": [r"looked-after", r"social worker", r"SEND", r"young carers"],
    "attendance": [r"absence", r"remove", r"roll"],
    "prevent": [r"risk", r"Prevent training", r"Prevent referral"],
    "records": [r"chronology", r"transferred", r"shar\w+ information"],
    "site": [r"visitor", r"premises", r"alternative provision"],
}

MIN_TEXT = 25
MIN_GUIDANCE = 80
MIN_EVIDENCE = 10
MIN_REF = 8
NOT_NAMING = re.compile(r"(do not|never|don't) (include )?(the )?names?\b", re.IGNORECASE)


def shown(path: Path) -> str:
    return str(path.relative_to(QUESTIONNAIRES))


@cache
def load(path: Path) -> dict:
    return yaml.safe_load(path.read_text(encoding="utf-8"))


@cache
def definition(path: Path) -> Definition:
    return Definition(load(path))


# The demo register ---------------------------------------------------------------------------

def _flag(value: str, yes: str, no: tuple) -> bool | None:
    if value == yes:
        return True
    return False if value in no else None


def _number(value: str) -> int | None:
    return int(value) if value.strip().isdigit() else None


def _legal_basis(type_group: str, establishment_type: str) -> str:
    if type_group in ("Academies", "Free Schools", "Independent schools") \
            or establishment_type.startswith(("Academy", "Free school")):
        return "s157"
    if establishment_type == "Non-maintained special school":
        return "nmss"
    return "s175"


@cache
def school_register() -> tuple:
    """The demo GIAS extract (Windows-1252, as GIAS publishes it) as condition attributes."""
    with (DATA / "schools_gias.csv").open(encoding="cp1252", newline="") as handle:
        rows = list(csv.DictReader(handle))
    schools = []
    for row in rows:
        type_group = row["EstablishmentTypeGroup (name)"]
        establishment_type = row["TypeOfEstablishment (name)"]
        schools.append(organisation_attributes(Organisation(
            kind="school", name=row["EstablishmentName"], urn=row["URN"],
            establishment_type=establishment_type, type_group=type_group,
            phase=row["PhaseOfEducation (name)"],
            legal_basis=_legal_basis(type_group, establishment_type),
            statutory_low_age=_number(row["StatutoryLowAge"]),
            statutory_high_age=_number(row["StatutoryHighAge"]),
            pupils=_number(row["NumberOfPupils"]),
            boarders=_flag(row["Boarders (name)"], "Boarding school", ("No boarders",)),
            nursery=_flag(row["NurseryProvision (name)"], "Has Nursery Classes",
                          ("No Nursery Classes",)),
            sixth_form=_flag(row["OfficialSixthForm (name)"], "Has a sixth form",
                             ("Does not have a sixth form", "Not applicable")),
            religious_character=row["ReligiousCharacter (name)"])))
    return tuple(schools)


@cache
def agency_register() -> tuple:
    with (DATA / "agencies.csv").open(encoding="utf-8", newline="") as handle:
        rows = list(csv.DictReader(handle))
    return tuple(organisation_attributes(Organisation(
        kind="agency", name=row["name"], sector=row["sector"], duty_basis=row["duty_basis"]))
        for row in rows)


def register_for(path: Path) -> tuple:
    return school_register() if load(path)["audience"] == "school" else agency_register()


# Conditions ----------------------------------------------------------------------------------

def condition_nodes(condition, where: str):
    """Every node of a condition tree, each with where it sits, outermost first."""
    yield where, condition
    for key in ("all", "any"):
        for index, part in enumerate(condition.get(key) or ()):
            yield from condition_nodes(part, f"{where}.{key}[{index}]")
    if isinstance(condition.get("not"), dict):
        yield from condition_nodes(condition["not"], f"{where}.not")


def leaves(condition):
    return [node for _, node in condition_nodes(condition, "")
            if "org" in node or "question" in node]


def every_condition(path: Path):
    """(where, condition) for every section, question and approval condition of a file."""
    data = load(path)
    for section in data["sections"]:
        if section.get("show_if"):
            yield f"section {section['id']}", section["show_if"]
        for question in section["questions"]:
            if question.get("show_if"):
                yield f"question {question['id']}", question["show_if"]
    for approval in data["declaration"]["approvals"]:
        if approval.get("show_if"):
            yield f"approval {approval['id']}", approval["show_if"]


def possible_answers(path: Path, question_id: str, conditions: list) -> list:
    """Answers worth trying for a question: no answer at all, then each of its options or,
    for a question without options, every value and bound the conditions name (and either
    side of each bound)."""
    question = definition(path).question(question_id)
    values = [None]
    if question.options:
        many = question.type_name == "multi_choice"
        return values + [[option.value] if many else option.value
                         for option in question.options]
    for leaf in conditions:
        if leaf.get("question") != question_id:
            continue
        values += list(leaf.get("in") or ()) + list(leaf.get("not_in") or ())
        for bound in (leaf.get("min"), leaf.get("max")):
            if bound is not None:
                values += [bound - 1, bound, bound + 1]
    return values


def outcomes(path: Path, condition: dict) -> set:
    """Every result the condition can give across the register and possible answers."""
    question_leaves = [leaf for leaf in leaves(condition) if "question" in leaf]
    question_ids = sorted({leaf["question"] for leaf in question_leaves})
    choices = [possible_answers(path, question_id, question_leaves)
               for question_id in question_ids]
    results = set()
    for combination in itertools.product(*choices):
        answers = {question_id: value for question_id, value in zip(question_ids, combination)
                   if value is not None}
        for org in register_for(path):
            results.add(evaluate(condition, answers, org))
            if len(results) == 2:
                return results
    return results


# The tests -----------------------------------------------------------------------------------

def test_every_expected_questionnaire_is_shipped():
    assert {shown(path) for path in SHIPPED} >= set(EXPECTED_FILES)


@pytest.mark.parametrize("path", SHIPPED, ids=shown)
def test_file_passes_the_checker(path):
    result = check_file(path)
    assert result.problems == [], "\n".join(str(problem) for problem in result.problems)


@pytest.mark.parametrize("path", SHIPPED, ids=shown)
def test_question_count_is_within_the_expected_range(path):
    expected = EXPECTATIONS.get(load(path)["id"])
    assert expected, f"{shown(path)}: add this questionnaire's expectations to EXPECTATIONS"
    low, high = expected["questions"]
    assert low <= len(definition(path).questions) <= high


@pytest.mark.parametrize("path", SHIPPED, ids=shown)
def test_each_content_section_is_present(path):
    expected = EXPECTATIONS[load(path)["id"]]["sections"]
    sections = {section.id: section for section in definition(path).sections}
    missing = [title for title, section_id in expected.items() if section_id not in sections]
    assert missing == []
    thin = [section_id for section_id in expected.values()
            if len(sections[section_id].questions) < 3]
    assert thin == [], "every standard needs at least three questions"


@pytest.mark.parametrize("path", [path for path in SHIPPED if path.parent.name == "s175"],
                         ids=shown)
def test_s175_sections_cover_the_topics_content_md_lists(path):
    gaps = []
    for section_id, patterns in S175_TOPICS.items():
        texts = " ".join(question.text for question in definition(path).section(section_id)
                         .questions)
        gaps += [f"{section_id}: {pattern}" for pattern in patterns
                 if not re.search(pattern, texts, re.IGNORECASE)]
    assert gaps == []


@pytest.mark.parametrize("path", SHIPPED, ids=shown)
def test_every_question_has_guidance_evidence_and_a_reference(path):
    thin = []
    for question in definition(path).questions:
        for field, minimum in (("guidance", MIN_GUIDANCE), ("typical_evidence", MIN_EVIDENCE),
                               ("ref", MIN_REF)):
            value = " ".join(str(question.data.get(field) or "").split())
            if len(value) < minimum:
                thin.append(f"{question.id}: {field} {value!r}")
    assert thin == []


@pytest.mark.parametrize("path", SHIPPED, ids=shown)
def test_no_question_text_is_near_empty_or_duplicated(path):
    questions = definition(path).questions
    short = [question.id for question in questions
             if len(" ".join(question.text.split())) < MIN_TEXT]
    assert short == []
    normalised = {question.id: " ".join(question.text.casefold().split())
                  for question in questions}
    duplicates = [(first, second) for first, second in itertools.combinations(normalised, 2)
                  if difflib.SequenceMatcher(None, normalised[first],
                                             normalised[second]).ratio() > 0.9]
    assert duplicates == []
    guidance = Counter(" ".join((question.guidance or "").split()) for question in questions)
    assert [text[:60] for text, count in guidance.items() if count > 1] == []


@pytest.mark.parametrize("path", SHIPPED, ids=shown)
def test_rating_answers_carry_the_action_plan_rules(path):
    """Each rating that is not compliant needs an action, the lowest also a comment, and an
    answer left out of scoring (not applicable) needs a reason."""
    broken = []
    for question in definition(path).questions:
        if question.type_name != "rating":
            continue
        scored = [option for option in question.options if not option.excluded]
        lowest = min(option.score for option in scored)
        assert any(not option.compliant for option in scored), question.id
        for option in question.options:
            needs = set(question.requirements(option.value))
            wanted = set()
            if option.excluded:
                wanted.add("reason")
            elif not option.compliant:
                wanted.add("action")
                if option.score == lowest:
                    wanted.add("comment")
            if not wanted <= needs:
                broken.append(f"{question.id}={option.value} needs {sorted(wanted - needs)}")
    assert broken == []


@pytest.mark.parametrize("path", SHIPPED, ids=shown)
def test_introduction_reminds_people_not_to_name_anyone(path):
    assert NOT_NAMING.search(load(path).get("description") or "")


@pytest.mark.parametrize("path", [path for path in SHIPPED if path.parent.name == "s175"],
                         ids=shown)
def test_s175_every_section_reminds_people_not_to_name_anyone(path):
    silent = [section.id for section in definition(path).sections
              if not re.search(r"\bnam(e|es|ing)\b", section.description or "")]
    assert silent == []


@pytest.mark.parametrize("path", SHIPPED, ids=shown)
def test_every_condition_can_be_both_true_and_false(path):
    """At every level of every condition: some organisation in the demo register (with some
    answer, where the condition reads one) makes it true, and some makes it false."""
    one_sided = []
    for where, condition in every_condition(path):
        for inner, node in condition_nodes(condition, "show_if"):
            results = outcomes(path, node)
            if results != {True, False}:
                one_sided.append(f"{where} {inner} is always {results.pop()}")
    assert one_sided == []


@pytest.mark.parametrize("path", [path for path in SHIPPED if load(path)["audience"] == "school"],
                         ids=shown)
def test_every_school_needs_its_head_and_one_board_level_approval(path):
    register = school_register()
    approvals = [{approval.id for approval in definition(path).approvals_for(org)}
                 for org in register]
    everyone = set.intersection(*approvals)
    assert len(everyone) == 1, "one approval (the headteacher's) applies to every school"
    assert all(len(needed) == 2 for needed in approvals)
    assert len({frozenset(needed) for needed in approvals}) == 3, \
        "governors, trust board and proprietor each approve for some school"


def test_s175_approvals_follow_each_school_type():
    path = QUESTIONNAIRES / "s175" / "2025-26.yaml"
    by_type = {}
    for org in school_register():
        needed = {approval.id for approval in definition(path).approvals_for(org)}
        by_type.setdefault(org["establishment_type"], set()).add(frozenset(needed))
    governors = {frozenset({"headteacher", "chair_of_governors"})}
    trust = {frozenset({"headteacher", "chair_of_trust"})}
    proprietor = {frozenset({"headteacher", "proprietor"})}
    assert by_type["Community school"] == governors
    assert by_type["Pupil referral unit"] == governors
    assert by_type["Further education"] == governors
    assert by_type["Non-maintained special school"] == governors
    assert by_type["Academy converter"] == trust
    assert by_type["Academy special converter"] == trust
    assert by_type["Free schools"] == trust
    assert by_type["Other independent school"] == proprietor
    assert by_type["Other independent special school"] == proprietor


def test_s175_settings_see_the_questions_that_fit_them():
    path = QUESTIONNAIRES / "s175" / "2025-26.yaml"
    register = school_register()

    def sees(question_id, org):
        return definition(path).visibility(org, {}).includes(question_id)

    for org in register:
        independent = org["type_group"] == "Independent schools"
        assert sees("leadership_proprietor_lead", org) == independent
        assert sees("leadership_board_lead_governor", org) == (not independent)
        assert sees("recruitment_boarding_adults", org) == bool(org["boarders"])
        assert sees("vulnerable_adult_learners", org) == (org["type_group"] == "Colleges")
        assert sees("site_early_years_phones_cameras", org) == (org["statutory_low_age"] <= 4)


@pytest.mark.parametrize("path", [path for path in SHIPPED if "previous" in load(path)],
                         ids=shown)
def test_renamed_ids_lead_from_the_previous_version_to_this_one(path):
    data = load(path)
    previous_path = path.with_name(f"{data['previous']}.yaml")
    assert previous_path.exists(), f"{shown(path)} follows {data['previous']}, not shipped"
    old_ids = {question.id for question in definition(previous_path).questions}
    new_ids = {question.id for question in definition(path).questions}
    for old_id, new_id in (data.get("renamed") or {}).items():
        assert old_id in old_ids and old_id not in new_ids, old_id
        assert new_id in new_ids and new_id not in old_ids, new_id


@pytest.mark.parametrize("folder", sorted({path.parent for path in SHIPPED}),
                         ids=lambda folder: folder.name)
def test_each_later_version_names_the_one_before(folder):
    versions = sorted(path for path in SHIPPED if path.parent == folder)
    assert "previous" not in load(versions[0])
    for earlier, later in itertools.pairwise(versions):
        assert load(later).get("previous") == earlier.stem


def test_s175_changes_between_years_as_a_real_year_does():
    earlier = definition(QUESTIONNAIRES / "s175" / "2024-25.yaml")
    later = definition(QUESTIONNAIRES / "s175" / "2025-26.yaml")
    renamed = later.renamed
    old_ids = {question.id for question in earlier.questions}
    new_ids = {question.id for question in later.questions}
    carried = {renamed.get(question_id, question_id) for question_id in old_ids} & new_ids
    added = new_ids - carried
    removed = {question_id for question_id in old_ids
               if renamed.get(question_id, question_id) not in new_ids}
    assert 2 <= len(renamed) <= 3
    assert 1 <= len(removed) <= 3 and 1 <= len(added) <= 6
    assert len(carried) >= 0.9 * len(old_ids), "most questions carry over"
    new_text = " ".join(question.text for question in later.questions if question.id in added)
    for change in (r"misinformation", r"generative AI", r"home educate"):
        assert re.search(change, new_text), f"2025-26 adds a question on {change}"
    assert "KCSIE 2024" not in str(later.data) and "KCSIE 2025" not in str(earlier.data)
