"""Plausible answers for demo returns: mostly green, some amber and red with action plan
items, the odd "not applicable" with a reason; deterministic for each organisation."""
import random
from datetime import date, timedelta

from ..extensions import db
from ..questionnaires.conditions import organisation_attributes
from ..questionnaires.definition import Definition
from ..returns.models import ActionItem, Answer, Evidence, SectionState
from ..timeutil import utcnow

RATING_WEIGHTS = {"green": 70, "amber": 20, "red": 5, "na": 5}
ACTION_OWNERS = ("Designated safeguarding lead", "Headteacher", "Business manager",
                 "Chair of governors", "Safeguarding lead", "Head of HR")
COMMENTS = {
    "red": "Not yet in place. The gap was identified at the last internal review and an "
           "action plan is agreed.",
    "amber": "Partly in place; the remaining work is in the action plan.",
    "na": "This does not apply to our setting.",
}


def _rating(rng: random.Random, options) -> str:
    values = [option.value for option in options]
    weights = [RATING_WEIGHTS.get(value, 10) for value in values]
    return rng.choices(values, weights=weights)[0]


def _value_for(question, rng: random.Random, quality: float):
    kind = question.type_name
    if kind in ("rating", "choice"):
        value = _rating(rng, question.options)
        if value in ("amber", "red") and rng.random() < quality:
            value = "green"
        return value
    if kind == "yes_no":
        return "yes" if rng.random() < 0.8 else "no"
    if kind == "multi_choice":
        options = [option.value for option in question.options]
        return rng.sample(options, k=max(1, min(len(options), rng.randint(1, 3))))
    if kind == "number":
        low = question.min if question.min is not None else 0
        high = question.max if question.max is not None else low + 60
        return str(rng.randint(int(low), int(min(high, low + 60))))
    if kind == "date":
        return (date.today() - timedelta(days=rng.randint(20, 300))).isoformat()
    return "Summarised in the attached policy and the governors' minutes."


def _add_answer(audit_return, section_id, question, value, rng, actor) -> None:
    """The answer row, plus the comment, evidence and action plan item its rules ask for."""
    needs = question.requirements(value)
    comment = COMMENTS.get(value if isinstance(value, str) else "", None)
    if ("comment" in needs or "reason" in needs) and not comment:
        comment = "See the action plan."
    actor_id = getattr(actor, "id", None)
    db.session.add(Answer(
        return_id=audit_return.id, section_key=section_id, question_key=question.id,
        value=question.type.serialise(value), comment=comment, section_version=1,
        updated_by_id=actor_id))
    if "evidence" in needs:
        db.session.add(Evidence(
            return_id=audit_return.id, question_key=question.id, kind="reference",
            reference="Governing board minutes (see the safeguarding item)",
            uploaded_by_id=actor_id))
    if "action" in needs:
        db.session.add(ActionItem(
            return_id=audit_return.id, question_key=question.id,
            description=f"Close the gap: {question.name}", owner=rng.choice(ACTION_OWNERS),
            target_date=date.today() + timedelta(days=rng.randint(-20, 150)),
            status=rng.choice(("open", "open", "in_progress")), created_by_id=actor_id))


def fill_return(audit_return, *, sections: int | None = None, quality: float = 0.5,
                actor=None) -> None:
    """Answer every visible question of the first ``sections`` sections (all when None),
    with the comments and action plan items the rules ask for."""
    version = audit_return.cycle.questionnaire_version
    definition = Definition.of(version.definition)
    org = organisation_attributes(audit_return.organisation)
    rng = random.Random(f"{audit_return.organisation_id}:{version.id}")
    answers: dict = {}
    chosen = [section.id for section in definition.visible_sections(org, {})][:sections]
    for section_id in chosen:
        # Answers may reveal later questions of the same section: look again until none.
        while True:
            pending = [question for question in
                       definition.visible_questions(org, answers, section_id)
                       if question.id not in answers]
            if not pending:
                break
            for question in pending:
                value = _value_for(question, rng, quality)
                answers[question.id] = value
                _add_answer(audit_return, section_id, question, value, rng, actor)
        db.session.add(SectionState(return_id=audit_return.id, section_key=section_id,
                                    status="completed", version=1, updated_at=utcnow(),
                                    updated_by_id=getattr(actor, "id", None)))
    db.session.flush()
