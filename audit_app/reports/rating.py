"""RAG bands from a questionnaire's own scales, and a lookup table from (question, value)
codes to score, band and compliance so that millions of answers are rated with array
indexing rather than a Python call per answer.

An option's band: not counted (excluded, e.g. not applicable) is ``na``; compliant is
``green``; the lowest score on its scale is ``red``; any score between is ``amber``."""
from dataclasses import dataclass

import numpy as np
import pandas as pd

from ..questionnaires.definition import Definition, Question

RAG_ORDER = ["green", "amber", "red", "na"]
RAG_LABELS = {"green": "Green", "amber": "Amber", "red": "Red", "na": "Not applicable"}
# Worst first, for "worst rating" in a heatmap cell.
RAG_SEVERITY = {"red": 3, "amber": 2, "green": 1, "na": 0}
NO_BAND = -1


def option_band(question: Question, option) -> str | None:
    if not question.scored:
        return None
    if option.excluded:
        return "na"
    if option.compliant:
        return "green"
    scores = [item.score or 0.0 for item in question.options if not item.excluded]
    return "red" if (option.score or 0.0) <= min(scores) else "amber"


@dataclass
class OptionTable:
    section_ids: list
    section_titles: list
    section_code: np.ndarray      # by question code
    position: np.ndarray          # by question code
    maximum: np.ndarray           # by question code (NaN when not scored)
    score: np.ndarray             # [question code, value code]
    band: np.ndarray              # [question code, value code], NO_BAND when none
    compliant: np.ndarray         # [question code, value code], float 1/0/NaN

    def per_question(self, array: np.ndarray, question_codes: np.ndarray, missing):
        """``array`` (one entry per question) for each question code; ``missing`` for a
        question the definition does not have (code -1)."""
        if len(array) == 0:
            return np.full(len(question_codes), missing)
        taken = array[np.where(question_codes >= 0, question_codes, 0)]
        return np.where(question_codes >= 0, taken, missing)

    def lookup(self, question_codes: np.ndarray, value_codes: np.ndarray):
        """Score, band code and compliance for each (question, value) code pair; a missing
        question or value (code -1) has none."""
        valid = (question_codes >= 0) & (value_codes >= 0)
        q = np.where(valid, question_codes, 0)
        v = np.where(valid, value_codes, 0)
        if self.score.size == 0:
            empty = np.full(len(q), np.nan)
            return empty, np.full(len(q), NO_BAND, dtype="int8"), empty
        score = np.where(valid, self.score[q, v], np.nan)
        band = np.where(valid, self.band[q, v], NO_BAND).astype("int8")
        compliant = np.where(valid, self.compliant[q, v], np.nan)
        return score, band, compliant


def option_table(definition: Definition, values: pd.Index) -> OptionTable:
    questions = definition.questions
    sections = definition.sections
    section_index = {section.id: number for number, section in enumerate(sections)}
    shape = (len(questions), len(values))
    score = np.full(shape, np.nan)
    band = np.full(shape, NO_BAND, dtype="int8")
    compliant = np.full(shape, np.nan)
    maximum = np.full(len(questions), np.nan)
    value_codes = {value: code for code, value in enumerate(values)}
    for q_code, question in enumerate(questions):
        if not question.scored:
            continue
        maximum[q_code] = question.scale.maximum if question.scale is not None else np.nan
        for option in question.options:
            v_code = value_codes.get(option.value)
            if v_code is None:
                continue
            name = option_band(question, option)
            band[q_code, v_code] = RAG_ORDER.index(name)
            if not option.excluded:
                score[q_code, v_code] = option.score or 0.0
                compliant[q_code, v_code] = 1.0 if option.compliant else 0.0
    return OptionTable(
        section_ids=[section.id for section in sections],
        section_titles=_unique_titles(sections),
        section_code=np.array([section_index[q.section.id] for q in questions], dtype="int32"),
        position=np.array([q.position + 1 for q in questions], dtype="int32"),
        maximum=maximum, score=score, band=band, compliant=compliant)


def _unique_titles(sections) -> list[str]:
    """Categories must be unique: a repeated section title gets its id appended."""
    seen, titles = set(), []
    for section in sections:
        title = section.title if section.title not in seen else f"{section.title} ({section.id})"
        seen.add(title)
        titles.append(title)
    return titles
