"""Scores from answers: per answer, per section and per return. Only questions whose scale has
scores count (rating, and yes_no or choice on a scored scale); an option marked ``excluded``
(not applicable) is counted by option but left out of scores and percentages. Nothing here
raises on odd answers: an answer that is not one of the question's options is unanswered."""
from collections import Counter
from dataclasses import dataclass, field

from .definition import Definition, Question


@dataclass(frozen=True)
class AnswerScore:
    question_id: str
    value: str
    achieved: float | None      # None when the option is excluded
    maximum: float | None
    compliant: bool | None
    excluded: bool


@dataclass
class ScoreSummary:
    achieved: float = 0.0
    maximum: float = 0.0
    scored: int = 0             # answers counted in the scores
    compliant: int = 0
    excluded: int = 0           # answers with an excluded option (e.g. not applicable)
    unanswered: int = 0         # scored questions that apply but have no answer
    counts: Counter = field(default_factory=Counter)   # option value -> answers

    @property
    def percent(self) -> float | None:
        return round(100 * self.achieved / self.maximum, 1) if self.maximum else None

    @property
    def percent_compliant(self) -> float | None:
        return round(100 * self.compliant / self.scored, 1) if self.scored else None

    def add(self, result: AnswerScore | None) -> None:
        if result is None:
            self.unanswered += 1
            return
        self.counts[result.value] += 1
        if result.excluded:
            self.excluded += 1
            return
        self.scored += 1
        self.achieved += result.achieved or 0.0
        self.maximum += result.maximum or 0.0
        self.compliant += 1 if result.compliant else 0


def score_answer(question: Question, value) -> AnswerScore | None:
    """The score of one answer; None when the question is not scored or the answer is not
    one of its options."""
    if not question.scored:
        return None
    chosen = question.read(value)
    if not isinstance(chosen, str):
        return None
    option = question.option(chosen)
    if option.excluded:
        return AnswerScore(question.id, chosen, None, None, None, True)
    maximum = question.scale.maximum if question.scale is not None else None
    return AnswerScore(question.id, chosen, option.score or 0.0, maximum or 0.0,
                       option.compliant, False)


def _scored_questions(definition: Definition, answers, org, section_id=None):
    if org is None:
        # No organisation: every question counts, as on a blank preview.
        questions = definition.questions
    else:
        questions = definition.visibility(org, answers).questions
    return [question for question in questions if question.scored
            and (section_id is None or question.section.id == section_id)]


def _summarise(questions, answers) -> ScoreSummary:
    answers = answers if isinstance(answers, dict) else {}
    summary = ScoreSummary()
    for question in questions:
        summary.add(score_answer(question, answers.get(question.id)))
    return summary


def score_section(definition, section_id: str, answers: dict, org: dict | None = None
                  ) -> ScoreSummary:
    """Scores of one section. With ``org`` (attributes by README name) only the questions
    that apply to it count."""
    definition = Definition.of(definition)
    definition.section(section_id)  # an unknown section is the caller's mistake: KeyError
    return _summarise(_scored_questions(definition, answers, org, section_id), answers)


def score_return(definition, answers: dict, org: dict | None = None) -> ScoreSummary:
    definition = Definition.of(definition)
    return _summarise(_scored_questions(definition, answers, org), answers)


def score_sections(definition, answers: dict, org: dict | None = None
                   ) -> dict[str, ScoreSummary]:
    """Scores of every section, by section id, in order (sections that do not apply to
    ``org`` are left out)."""
    definition = Definition.of(definition)
    questions = _scored_questions(definition, answers, org)
    applying = (definition.sections if org is None
                else definition.visibility(org, answers).sections)
    return {section.id: _summarise([question for question in questions
                                    if question.section.id == section.id], answers)
            for section in applying}
