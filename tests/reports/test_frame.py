"""The frames on the test database: which returns and submissions count, final = moderated,
scores and bands, organisation attributes, one query for the answers, the previous cycle,
and year on year across the real S175 2024-25 -> 2025-26 renamed questions."""
from datetime import date, datetime, timedelta, timezone

import pandas as pd
import pytest
import sqlalchemy as sa

from audit_app.cycles.transitions import transition
from audit_app.extensions import db
from audit_app.organisations.models import Membership
from audit_app.questionnaires.definition import Definition
from audit_app.reports import analysis, reading
from audit_app.reports.frame import (ANSWER_COLUMNS, actions_frame, answers_frame,
                                     latest_submission_ids, previous_cycle, returns_frame)
from audit_app.reports.services import load_report
from audit_app.returns.models import SubmissionAnswer
from audit_app.returns.submission import submit
from audit_app.review.services import accept, moderate, raise_query, return_for_changes
from audit_app.timeutil import today_london
from tests.fixtures import add_school
from tests.returns.conftest import EXAMPLE, ROOT, load_version, make_cycle, make_return
from tests.returns.submission_builders import (ACADEMY, add_action, answer_everything,
                                               approve_all, set_answer, submission_cycle)

RATED = "leadership_board_lead_governor"
TRAINING = "leadership_board_training"
S175_2024 = ROOT / "questionnaires" / "s175" / "2024-25.yaml"


@pytest.fixture
def request_ctx(app):
    """Submitting and returning queue emails with links, which need a request context."""
    with app.test_request_context():
        yield


@pytest.fixture
def people(make_user, partnership):
    return {"reviewer": make_user("reviewer", partnership, name="Sam Reviewer"),
            "submitter": make_user("respondent", partnership, name="Dee Lead")}


def submitted(cycle, organisation, submitter, rating="green"):
    audit_return = make_return(cycle, organisation, status="in_progress")
    answer_everything(audit_return, rating=rating)
    approve_all(audit_return, submitter)
    submit(audit_return, submitter, True, audit_return.lock_version)
    db.session.commit()
    return audit_return


def resubmitted(audit_return, people, question, value):
    """Returned for changes with a query, one answer changed, submitted again."""
    raise_query(audit_return, question, "Please check this rating", people["reviewer"])
    return_for_changes(audit_return, people["reviewer"])
    db.session.commit()
    set_answer(audit_return, question, value, "Explained for the partnership")
    add_action(audit_return, question)
    approve_all(audit_return, people["submitter"])
    submit(audit_return, people["submitter"], True, audit_return.lock_version)
    db.session.commit()
    return audit_return


@pytest.fixture
def states(partnership, school, people, request_ctx):
    """One S175 cycle: Oak submitted (green, one answer moderated to amber); Elm returned
    (amber); Ash resubmitted with one answer red, then accepted; Birch in progress; Cedar
    submitted then withdrawn; Dell not started."""
    cycle = submission_cycle(partnership, name="S175 audit 2025-26")
    elm = add_school(partnership, urn="100002", name="Elm Secondary School",
                     phase="Secondary", **ACADEMY)
    ash, birch, cedar, dell = (add_school(partnership, urn=f"10001{number}", name=name)
                               for number, name in enumerate(
                                   ["Ash Primary", "Birch Infants", "Cedar Juniors",
                                    "Dell Primary"]))
    Membership.query.filter_by(organisation_id=school.id).one().locality = "North"
    oak_return = submitted(cycle, school, people["submitter"], "green")
    moderate(oak_return, RATED, "amber", "No named governor in the minutes",
             people["reviewer"])
    elm_return = submitted(cycle, elm, people["submitter"], "amber")
    raise_query(elm_return, None, "Send the minutes", people["reviewer"])
    return_for_changes(elm_return, people["reviewer"])
    ash_return = resubmitted(submitted(cycle, ash, people["submitter"], "green"), people,
                             TRAINING, "red")
    accept(ash_return, people["reviewer"], "Sam Reviewer")
    make_return(cycle, birch, status="in_progress")
    cedar_return = submitted(cycle, cedar, people["submitter"], "green")
    transition(cedar_return, "withdrawn", actor=people["reviewer"], reason="School closed")
    make_return(cycle, dell)
    db.session.commit()
    return {"cycle": cycle, "oak": oak_return, "elm": elm_return, "ash": ash_return,
            "cedar": cedar_return}


def _rows(frame, return_id, question):
    rows = frame[(frame.return_id == return_id) & (frame.question_id == question)]
    assert len(rows) == 1
    return rows.iloc[0]


def test_only_the_latest_submission_of_submitted_returned_and_accepted_returns(states):
    frame = answers_frame(states["cycle"])
    assert list(frame.columns) == ANSWER_COLUMNS
    oak, elm, ash = states["oak"], states["elm"], states["ash"]
    assert set(frame.return_id) == {oak.id, elm.id, ash.id}
    assert dict(frame.groupby("return_id").return_status.first().astype(str)) == {
        oak.id: "submitted", elm.id: "returned", ash.id: "accepted"}
    latest = latest_submission_ids(states["cycle"])
    stored = SubmissionAnswer.query.filter(SubmissionAnswer.submission_id.in_(latest)).count()
    assert len(frame) == stored == len(frame.drop_duplicates(["return_id", "question_id"]))
    assert set(frame[frame.return_id == ash.id].submission_number) == {2}
    # Submission 1 had it green; only submission 2 (red) is read.
    assert _rows(frame, ash.id, TRAINING).self_value == "red"


def test_final_is_the_moderated_rating_where_there_is_one(states):
    frame = answers_frame(states["cycle"])
    oak = states["oak"].id
    moderated = _rows(frame, oak, RATED)
    assert (moderated.self_value, moderated.moderated_value, moderated.final_value) == (
        "green", "amber", "amber")
    assert (moderated.self_score, moderated.final_score, moderated.max_score) == (3, 1, 3)
    assert (moderated.self_rag, moderated.final_rag) == ("green", "amber")
    assert not moderated.final_compliant
    others = frame[(frame.return_id == oak) & (frame.question_id != RATED)]
    assert others.moderated_value.isna().all()
    assert (others.final_value.astype(str) == others.self_value.astype(str)).all()


def test_scores_and_bands_from_the_questionnaire_scale(states):
    frame = answers_frame(states["cycle"])
    elm = frame[frame.return_id == states["elm"].id]
    rated = elm[elm.final_rag.notna()]
    assert len(rated) > 50
    assert set(rated.final_value.astype(str)) == {"amber"}
    assert set(rated.final_score) == {1.0} and set(rated.max_score) == {3.0}
    assert set(rated.final_rag.astype(str)) == {"amber"}
    assert not rated.final_compliant.any()
    unscored = elm[elm.final_rag.isna()]
    assert len(unscored) > 0
    assert unscored.final_score.isna().all() and unscored.max_score.isna().all()
    red = _rows(frame, states["ash"].id, TRAINING)
    assert (red.final_score, red.final_rag, bool(red.final_compliant)) == (0, "red", False)
    green = _rows(frame, states["ash"].id, RATED)
    assert (green.final_score, green.final_rag, bool(green.final_compliant)) == (
        3, "green", True)
    definition = Definition.of(states["cycle"].questionnaire_version)
    assert set(frame.section_id.astype(str)) <= {section.id for section in
                                                 definition.sections}
    assert green.section_id == definition.question(RATED).section.id
    assert green.question_position == definition.question(RATED).position + 1


def test_organisation_attributes_and_locality_are_joined(states, school):
    frame = answers_frame(states["cycle"])
    oak = frame[frame.return_id == states["oak"].id].iloc[0]
    assert (oak.organisation_id, oak.organisation_name, oak.organisation_kind) == (
        school.id, "Oak Tree Primary School", "school")
    assert (oak.type_group, oak.phase, oak.legal_basis, oak.locality) == (
        "Local authority maintained schools", "Primary", "s175", "North")
    assert (oak.cycle_id, oak.cycle_name, oak.questionnaire) == (
        states["cycle"].id, "S175 audit 2025-26", "s175")
    elm = frame[frame.return_id == states["elm"].id].iloc[0]
    assert (elm.type_group, elm.phase, elm.trust, elm.legal_basis) == (
        "Academies", "Secondary", "Testshire Learning Trust", "s157")
    assert frame[frame.return_id == states["elm"].id].locality.isna().all()


def test_the_returns_frame_holds_every_return_with_its_state(states):
    returns = returns_frame(states["cycle"])
    assert sorted(returns.return_status.astype(str)) == [
        "accepted", "in_progress", "not_started", "returned", "submitted", "withdrawn"]
    done = analysis.completion(returns)
    assert (done["expected"], done["submitted"], done["on_time"]) == (5, 3, 3)
    ash = returns[returns.return_id == states["ash"].id].iloc[0]
    assert ash.submission_number == 2 and ash.accepted_at is not None
    actions = actions_frame(states["cycle"])
    assert states["cedar"].id not in set(actions.return_id)
    assert states["ash"].id in set(actions.return_id)


def test_on_time_is_judged_by_the_london_date_and_an_extension_moves_the_due_date(
        partnership):
    cycle = submission_cycle(partnership, name="Summer cycle")
    cycle.due_date = date(2025, 6, 30)
    at = {name: datetime(*moment, tzinfo=timezone.utc) for name, moment in {
        "British summer time, 00:30 on 1 July": (2025, 6, 30, 23, 30),
        "22:59 on the day": (2025, 6, 30, 21, 59),
        "extended to 2 July": (2025, 7, 1, 9, 0),
        "late": (2025, 7, 1, 9, 0)}.items()}
    for number, (name, moment) in enumerate(at.items()):
        school = add_school(partnership, urn=f"30000{number}", name=name)
        make_return(cycle, school, status="submitted", latest_submission_number=1,
                    first_submitted_at=moment, last_submitted_at=moment,
                    extension_until=date(2025, 7, 2) if "extended" in name else None)
    make_return(cycle, add_school(partnership, urn="300009", name="Never"))
    returns = returns_frame(cycle, today=date(2025, 7, 10))
    on_time = dict(zip(returns.organisation_name.astype(str), returns.submitted_on_time))
    assert on_time == {"British summer time, 00:30 on 1 July": False,
                       "22:59 on the day": True, "extended to 2 July": True, "late": False,
                       "Never": False}
    overdue = dict(zip(returns.organisation_name.astype(str), returns.days_overdue))
    assert overdue["Never"] == 10 and overdue["late"] == 0


class StatementCounter:
    """Every SQL statement sent through SQLAlchemy while it is active."""

    def __init__(self):
        self.statements = []

    def __call__(self, conn, cursor, statement, parameters, context, executemany):
        self.statements.append(statement)

    def __enter__(self):
        sa.event.listen(db.engine, "before_cursor_execute", self)
        return self

    def __exit__(self, *exc):
        sa.event.remove(db.engine, "before_cursor_execute", self)


def _count_reading(cycle, monkeypatch):
    """(statements sent, reads of the answers) for one answers frame built from cold."""
    copies = []
    original = reading._read_by_copy
    monkeypatch.setattr(reading, "_read_by_copy",
                        lambda *args: copies.append(1) or original(*args))
    db.session.expire_all()
    with StatementCounter() as counter:
        frame = answers_frame(cycle)
    answer_reads = [statement for statement in counter.statements
                    if "submission_answers" in statement]
    return len(counter.statements), len(answer_reads) + len(copies), frame


def test_one_query_for_the_answers_however_many_returns(states, partnership, people,
                                                        monkeypatch):
    cycle = states["cycle"]
    before, answer_reads, frame = _count_reading(cycle, monkeypatch)
    assert answer_reads == 1
    for number in range(3):
        school = add_school(partnership, urn=f"20000{number}", name=f"Extra school {number}")
        submitted(cycle, school, people["submitter"], "green")
    after, answer_reads, bigger = _count_reading(cycle, monkeypatch)
    assert answer_reads == 1
    assert bigger.return_id.nunique() == frame.return_id.nunique() + 3
    assert after == before


def test_the_named_previous_cycle_wins(partnership):
    version = load_version(ROOT / "questionnaires" / "s175" / "2025-26.yaml")
    named = make_cycle(partnership, version, name="Named")
    recent = make_cycle(partnership, version, name="Recent")
    cycle = make_cycle(partnership, version, name="Now")
    named.open_date = today_london() - timedelta(days=800)
    recent.open_date = today_london() - timedelta(days=300)
    cycle.previous_cycle_id = named.id
    db.session.commit()
    assert previous_cycle(cycle) == named


def test_else_the_most_recent_earlier_cycle_of_the_same_questionnaire_and_partnership(
        partnership, school):
    from audit_app.organisations.models import Partnership

    s175 = load_version(ROOT / "questionnaires" / "s175" / "2025-26.yaml")
    example = load_version(EXAMPLE)
    other = Partnership(slug="elsewhere", name="Elsewhere Partnership")
    db.session.add(other)
    db.session.flush()
    cycle = make_cycle(partnership, s175, name="Now")
    opened = {"Old": (partnership, s175, 700), "Last year": (partnership, s175, 365),
              "Other questionnaire": (partnership, example, 100),
              "Other partnership": (other, s175, 100), "Later": (partnership, s175, -20)}
    made = {}
    for name, (owner, version, days_ago) in opened.items():
        made[name] = make_cycle(owner, version, name=name)
        made[name].open_date = cycle.open_date - timedelta(days=days_ago)
    db.session.commit()
    assert previous_cycle(cycle) == made["Last year"]
    assert previous_cycle(made["Old"]) is None
    assert previous_cycle(made["Other questionnaire"]) is None


def test_year_on_year_follows_the_s175_renamed_questions_end_to_end(partnership, school,
                                                                    people, request_ctx):
    """Last year everything was green but the question since renamed, which was red; this
    year everything is green. Only its section is better: the old answer was followed to
    its new id. Without the mapping it would have been left out and nothing would change."""
    renamed_old, renamed_new = "online_filtering_monitoring_review", \
        "online_filtering_annual_review"
    before = submission_cycle(partnership, S175_2024, name="S175 2024-25")
    old_return = make_return(before, school, status="in_progress")
    answer_everything(old_return, rating="green")
    set_answer(old_return, renamed_old, "red", "Explained for the partnership")
    add_action(old_return, renamed_old)
    approve_all(old_return, people["submitter"])
    submit(old_return, people["submitter"], True, old_return.lock_version)
    before.open_date -= timedelta(days=365)
    before.due_date -= timedelta(days=365)
    db.session.commit()
    cycle = submission_cycle(partnership, name="S175 2025-26")
    submitted(cycle, school, people["submitter"], "green")

    report = load_report(cycle)
    assert report.previous == before
    assert report.renamed[renamed_old] == renamed_new
    assert renamed_old in set(report.previous_answers.question_id.astype(str))
    changes = analysis.year_on_year(report.answers, report.previous_answers, report.renamed)
    section = report.definition.question(renamed_new).section.id
    assert len(changes) == len(report.definition.sections)
    moved = changes[changes.section_id == section].iloc[0]
    assert moved.direction == "better" and moved.current_percent == 100.0
    assert moved.previous_percent < 100.0
    assert set(changes[changes.section_id != section].direction) == {"same"}
    unmapped = analysis.year_on_year(report.answers, report.previous_answers, {})
    assert set(unmapped.direction) == {"same"}


def test_a_cycle_with_no_returns_gives_empty_frames(partnership):
    cycle = submission_cycle(partnership, name="Empty")
    report = load_report(cycle)
    assert report.returns.empty and report.answers.empty and report.actions.empty
    assert list(report.answers.columns) == ANSWER_COLUMNS
    assert report.previous is None and report.previous_answers is None


def test_a_moderation_of_an_answer_since_changed_no_longer_counts(partnership, school,
                                                                   make_user):
    from audit_app.review.models import Moderation
    from tests.reports.report_builders import RATED, known_cycle

    cycle = known_cycle(partnership, school, make_user)

    def oak_final():
        answers = answers_frame(cycle)
        row = answers[(answers.organisation_name == "Oak Tree Primary School")
                      & (answers.question_id == RATED)].iloc[0]
        return row.self_value, row.moderated_value, row.final_value

    assert oak_final() == ("green", "amber", "amber")
    # The reviewer moderated a red answer that the school has since resubmitted as green.
    Moderation.query.filter_by(question_key=RATED).one().self_value = "red"
    db.session.commit()
    self_value, moderated, final = oak_final()
    assert (self_value, final) == ("green", "green") and pd.isna(moderated)
