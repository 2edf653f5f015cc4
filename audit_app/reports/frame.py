"""The frames every report is a function of (DESIGN §6): the answers of the latest submission
of each counted return of a cycle, one row per return × question, read in one query; one row
per return for completion; the action plan; and the codebook of the questionnaire.

Repeated strings are pandas categoricals and organisation attributes are joined by integer
key after reading, because at national scale (millions of answers) per-row Python objects
cost more than the read itself (see the reading notes in ``reading.py``)."""
from datetime import date

import numpy as np
import pandas as pd
import sqlalchemy as sa

from ..cycles.models import AuditReturn, Cycle
from ..extensions import db
from ..organisations.models import Membership, Organisation
from ..questionnaires.definition import Definition
from ..returns.models import ActionItem, Submission
from ..timeutil import today_london
from .rating import RAG_ORDER, option_table
from .reading import read_answer_rows

# Returns whose ratings count; completion counts every return but the withdrawn.
RATED_STATUSES = ("submitted", "returned", "accepted")
NEVER_SUBMITTED = ("not_started", "in_progress")

ORGANISATION_COLUMNS = ["organisation_id", "organisation_name", "organisation_kind",
                        "type_group", "phase", "legal_basis", "trust", "local_authority",
                        "locality", "sector"]
ANSWER_COLUMNS = (["cycle_id", "cycle_name", "questionnaire", "return_id"]
                  + ORGANISATION_COLUMNS
                  + ["return_status", "submission_number", "submitted_at", "accepted_at",
                     "section_id", "section_title", "question_id", "question_position",
                     "self_value", "self_score", "self_rag", "moderated_value",
                     "final_value", "final_score", "max_score", "final_compliant",
                     "final_rag"])
CATEGORY_COLUMNS = ("cycle_name", "questionnaire", "organisation_name", "organisation_kind",
                    "type_group", "phase", "legal_basis", "trust", "local_authority",
                    "locality", "sector", "return_status")


def definition_of(cycle: Cycle) -> Definition:
    return Definition.of(cycle.questionnaire_version)


def returns_frame(cycle: Cycle, today: date | None = None) -> pd.DataFrame:
    """One row per return of the cycle (withdrawn ones too, marked by status), with its
    organisation's attributes, due date (an extension moves it) and submission dates."""
    today = today or today_london()
    rows = db.session.execute(
        sa.select(
            AuditReturn.id.label("return_id"), AuditReturn.status.label("return_status"),
            AuditReturn.extension_until, AuditReturn.latest_submission_number,
            AuditReturn.first_submitted_at, AuditReturn.last_submitted_at,
            AuditReturn.accepted_at,
            Organisation.id.label("organisation_id"),
            Organisation.name.label("organisation_name"),
            Organisation.kind.label("organisation_kind"), Organisation.type_group,
            Organisation.phase, Organisation.legal_basis, Organisation.trust,
            Organisation.la_name.label("local_authority"), Membership.locality,
            Organisation.sector)
        .join(Organisation, Organisation.id == AuditReturn.organisation_id)
        .outerjoin(Membership, sa.and_(Membership.organisation_id == Organisation.id,
                                       Membership.partnership_id == cycle.partnership_id))
        .where(AuditReturn.cycle_id == cycle.id)
        .order_by(Organisation.name, AuditReturn.id)).all()
    frame = pd.DataFrame(rows, columns=[
        "return_id", "return_status", "extension_until", "submission_number",
        "first_submitted_at", "last_submitted_at", "accepted_at", *ORGANISATION_COLUMNS])
    frame.insert(0, "cycle_id", cycle.id)
    frame.insert(1, "cycle_name", cycle.name)
    frame["due_date"] = [extension or cycle.due_date for extension in frame.extension_until]
    for column in ("first_submitted_at", "last_submitted_at", "accepted_at"):
        frame[column] = pd.to_datetime(frame[column], utc=True)
    # The London date of the first submission against the due date, as whole arrays: a
    # Python call per return costs seconds at national scale. Never submitted (NaT): False.
    submitted_day = frame.first_submitted_at.dt.tz_convert("Europe/London") \
        .dt.tz_localize(None).dt.normalize()
    due_day = pd.to_datetime(pd.Series(frame.due_date, index=frame.index, dtype="object"))
    frame["submitted_on_time"] = (submitted_day <= due_day).to_numpy(dtype=bool)
    never = frame.return_status.isin(NEVER_SUBMITTED)
    overdue_days = [(today - due).days for due in frame.due_date]
    frame["days_overdue"] = np.where(never, np.maximum(overdue_days, 0), 0).astype("int64")
    frame["submission_number"] = frame.submission_number.astype("int64")
    return _categorise(frame.drop(columns="extension_until"))


def answers_frame(cycle: Cycle, returns: pd.DataFrame | None = None) -> pd.DataFrame:
    """The long frame: one row per counted return × answered question of its latest
    submission, with self, moderated and final values, scores and RAG bands."""
    returns = returns_frame(cycle) if returns is None else returns
    definition = definition_of(cycle)
    raw = read_answer_rows(cycle.id, RATED_STATUSES)
    rated = returns.set_index("return_id")
    position = rated.index.get_indexer(raw["return_id"])
    known = position >= 0
    if not known.all():
        raw = {name: column[known] for name, column in raw.items()}
        position = position[known]
    frame = pd.DataFrame({"cycle_id": np.full(len(position), cycle.id, dtype="int64"),
                          "return_id": raw["return_id"]})
    for column in ("cycle_name", *ORGANISATION_COLUMNS, "return_status",
                   "submission_number", "last_submitted_at", "accepted_at"):
        frame[column] = rated[column].array.take(position)
    frame = frame.rename(columns={"last_submitted_at": "submitted_at"})
    frame["questionnaire"] = pd.Categorical([definition.key] * len(frame)) \
        if len(frame) else pd.Categorical([], categories=[definition.key])
    _add_ratings(frame, raw, definition)
    return frame[ANSWER_COLUMNS]


def _add_ratings(frame: pd.DataFrame, raw: dict, definition: Definition) -> None:
    """Question and section from the definition; final value = the moderated value where a
    reviewer gave one, else the self value; scores and RAG bands looked up per (question,
    value) pair through integer codes, never per row in Python."""
    questions = pd.Categorical(raw["question_id"],
                               categories=[q.id for q in definition.questions])
    values_seen = pd.Index(pd.unique(np.concatenate([
        np.asarray(raw["value"].categories, dtype=object),
        np.asarray(raw["moderated_value"].categories, dtype=object)])))
    self_values = raw["value"].set_categories(values_seen)
    moderated = raw["moderated_value"].set_categories(values_seen)
    final_codes = np.where(moderated.codes >= 0, moderated.codes, self_values.codes)
    final_values = pd.Categorical.from_codes(final_codes, categories=values_seen)

    table = option_table(definition, values_seen)
    q_codes = questions.codes
    section_codes = table.per_question(table.section_code, q_codes, -1)
    frame["section_id"] = pd.Categorical.from_codes(section_codes,
                                                    categories=table.section_ids)
    frame["section_title"] = pd.Categorical.from_codes(section_codes,
                                                       categories=table.section_titles)
    frame["question_id"] = questions
    frame["question_position"] = table.per_question(table.position, q_codes, 0)
    frame["self_value"] = self_values.remove_unused_categories()
    frame["moderated_value"] = moderated.remove_unused_categories()
    frame["final_value"] = final_values.remove_unused_categories()
    for prefix, codes in (("self", self_values.codes), ("final", final_codes)):
        score, rag, compliant = table.lookup(q_codes, codes)
        frame[f"{prefix}_score"] = score
        frame[f"{prefix}_rag"] = pd.Categorical.from_codes(rag, categories=RAG_ORDER)
        if prefix == "final":
            frame["final_compliant"] = pd.array(compliant, dtype="boolean")
            maximum = table.per_question(table.maximum, q_codes, np.nan)
            frame["max_score"] = np.where(np.isnan(score), np.nan, maximum)


def actions_frame(cycle: Cycle, today: date | None = None) -> pd.DataFrame:
    """The action plan items of the cycle's returns (withdrawn returns left out)."""
    today = today or today_london()
    rows = db.session.execute(
        sa.select(ActionItem.id.label("action_id"), ActionItem.return_id,
                  Organisation.name.label("organisation_name"),
                  Organisation.kind.label("organisation_kind"), Organisation.type_group,
                  Organisation.phase, Organisation.trust, Membership.locality,
                  ActionItem.question_key.label("question_id"), ActionItem.description,
                  ActionItem.owner, ActionItem.target_date, ActionItem.status,
                  ActionItem.completed_at)
        .join(AuditReturn, AuditReturn.id == ActionItem.return_id)
        .join(Organisation, Organisation.id == AuditReturn.organisation_id)
        .outerjoin(Membership, sa.and_(Membership.organisation_id == Organisation.id,
                                       Membership.partnership_id == cycle.partnership_id))
        .where(AuditReturn.cycle_id == cycle.id, AuditReturn.status != "withdrawn")
        .order_by(ActionItem.target_date, ActionItem.id)).all()
    frame = pd.DataFrame(rows, columns=[
        "action_id", "return_id", "organisation_name", "organisation_kind", "type_group",
        "phase", "trust", "locality", "question_id", "description", "owner", "target_date",
        "status", "completed_at"])
    frame["completed_at"] = pd.to_datetime(frame.completed_at, utc=True)
    frame["overdue"] = [status != "done" and target < today
                        for status, target in zip(frame.status, frame.target_date)]
    frame["days_overdue"] = [max((today - target).days, 0) if late else 0
                             for target, late in zip(frame.target_date, frame.overdue)]
    return frame


def codebook_frame(definition: Definition) -> pd.DataFrame:
    """One row per question: where it sits, what it asks, how it is answered and scored."""
    rows = []
    for question in definition.questions:
        options = "; ".join(
            f"{option.value}={option.label}"
            + ("" if option.score is None else f" (score {option.score:g}")
            + ("" if option.score is None else (", compliant)" if option.compliant else ")"))
            + (" (not counted)" if option.excluded else "")
            for option in question.options)
        rows.append({
            "question_id": question.id, "position": question.position + 1,
            "section_id": question.section.id, "section_title": question.section.title,
            "question_text": " ".join(question.text.split()), "type": question.type_name,
            "scale": question.scale.id if question.scale is not None else "",
            "scored": question.scored,
            "maximum_score": question.scale.maximum if question.scored else None,
            "options": options, "reference": question.ref or ""})
    return pd.DataFrame(rows, columns=[
        "question_id", "position", "section_id", "section_title", "question_text", "type",
        "scale", "scored", "maximum_score", "options", "reference"])


def previous_cycle(cycle: Cycle) -> Cycle | None:
    """The cycle this one names as previous, else the most recent earlier cycle of the same
    questionnaire in the same partnership."""
    if cycle.previous_cycle is not None:
        return cycle.previous_cycle
    key = cycle.questionnaire_version.questionnaire_key
    return (Cycle.query.join(Cycle.questionnaire_version)
            .filter(Cycle.partnership_id == cycle.partnership_id, Cycle.id != cycle.id,
                    Cycle.open_date < cycle.open_date,
                    Cycle.questionnaire_version.has(questionnaire_key=key))
            .order_by(Cycle.open_date.desc(), Cycle.id.desc()).first())


def latest_submission_ids(cycle: Cycle) -> list[int]:
    """Ids of the latest submission of each counted return (for tests and checks)."""
    return list(db.session.scalars(
        sa.select(Submission.id).join(AuditReturn, sa.and_(
            AuditReturn.id == Submission.return_id,
            AuditReturn.latest_submission_number == Submission.number))
        .where(AuditReturn.cycle_id == cycle.id,
               AuditReturn.status.in_(RATED_STATUSES))))


def _categorise(frame: pd.DataFrame) -> pd.DataFrame:
    for column in CATEGORY_COLUMNS:
        if column in frame:
            frame[column] = frame[column].astype("category")
    return frame
