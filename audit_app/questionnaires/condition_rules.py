"""Checks of ``show_if`` conditions, used by the definition checker: the shape of each leaf and
combination, known organisation attributes and their values, and references to earlier
questions only (so that conditions can never be circular)."""
import difflib
from dataclasses import dataclass

from .conditions import COMBINATORS, ORG_ATTRIBUTES
from .schema import is_number, is_scalar, one_of, yaml_reading

MAX_NESTING = 16
OPTION_TYPES = ("rating", "yes_no", "choice", "multi_choice")


@dataclass(frozen=True)
class QuestionInfo:
    """What conditions on a question need to know about it."""
    type: str | None
    values: tuple | None     # its option values; None when not known (or not an option type)
    position: int


class ConditionChecks:
    """Mixed into the checker, which provides ``report(path, message)``, ``source`` (the
    parsed file), ``questions`` (id -> QuestionInfo, filled in file order), ``positions``
    (question id -> position of its first declaration) and ``section_ids``."""

    def check_condition(self, condition, path, position: int, allow_questions: bool = True,
                        depth: int = 0, owner: str | None = None) -> None:
        """``position`` is where the condition's owner (the question ``owner``, or a section
        or approval) starts: a condition may only use questions before it."""
        if depth > MAX_NESTING:
            self.report(path, "conditions are nested too deeply")
            return
        if not isinstance(condition, dict):
            self.report(path, "a condition must be a mapping, e.g. "
                              "{org: phase, in: [Primary]}")
            return
        keys = list(condition)
        for key in keys:
            if key not in ("org", "question", *COMBINATORS, "in", "not_in", "min", "max"):
                self.report(path + (key,), f"unknown key '{key}' in a condition (use org or "
                                           "question with in, not_in, min or max; or all, "
                                           "any or not)")
                return
        combinators = [key for key in keys if key in COMBINATORS]
        if len(combinators) > 1:
            self.report(path, "a condition can have only one of 'all', 'any' and 'not'")
        elif combinators:
            self._check_combination(condition, combinators[0], path, position,
                                    allow_questions, depth, owner)
        else:
            self._check_leaf(condition, path, position, allow_questions, owner)

    def _check_combination(self, condition, combinator, path, position, allow_questions,
                           depth, owner):
        others = [key for key in condition if key != combinator]
        if others:
            self.report(path, f"a condition with '{combinator}' cannot also have "
                              f"'{others[0]}': put each test in its own condition")
            return
        parts = condition[combinator]
        if combinator == "not":
            self.check_condition(parts, path + ("not",), position, allow_questions, depth + 1,
                                 owner)
            return
        if not isinstance(parts, list) or not parts:
            self.report(path + (combinator,),
                        f"'{combinator}' must be a list of at least one condition")
            return
        for index, part in enumerate(parts):
            self.check_condition(part, path + (combinator, index), position, allow_questions,
                                 depth + 1, owner)

    def _check_leaf(self, condition, path, position, allow_questions, owner):
        has_org, has_question = "org" in condition, "question" in condition
        if has_org and has_question:
            self.report(path, "a condition names 'org' or 'question', not both")
            return
        if not has_org and not has_question:
            self.report(path, "a condition needs 'org' or 'question' (or 'all', 'any' or "
                              "'not')")
            return
        subject_key = "org" if has_org else "question"
        subject = condition[subject_key]
        if not isinstance(subject, str):
            self.report(path + (subject_key,), f"'{subject_key}' must be text")
            return
        label = f"organisation attribute '{subject}'" if has_org else f"question '{subject}'"
        test = self._test_of(condition, path, label)
        if test is None:
            return
        if has_org:
            self._check_org_leaf(condition, subject, test, path)
        elif not allow_questions:
            self.report(path + ("question",), "approval conditions may use organisation "
                                              f"attributes only, not question '{subject}'")
        else:
            self._check_question_leaf(condition, subject, test, path, position, owner)

    def _test_of(self, condition, path, label) -> str | None:
        """'in', 'not_in' or 'range', once its values are well-formed; None after a report."""
        tests = [key for key in ("in", "not_in") if key in condition]
        has_range = "min" in condition or "max" in condition
        if len(tests) + has_range == 0:
            self.report(path, f"the condition on {label} needs 'in', 'not_in', 'min' or 'max'")
            return None
        if len(tests) + has_range > 1:
            self.report(path, f"the condition on {label} can have only one of 'in', 'not_in' "
                              "or 'min'/'max'")
            return None
        if tests:
            values = condition[tests[0]]
            if not isinstance(values, list) or not values:
                self.report(path + (tests[0],),
                            f"'{tests[0]}' must be a list of at least one value")
                return None
            if not all(is_scalar(value) for value in values):
                self.report(path + (tests[0],), f"'{tests[0]}' must list single values, not "
                                                "lists, mappings or empty values")
                return None
            return tests[0]
        for bound in ("min", "max"):
            if bound in condition and not is_number(condition[bound]):
                self.report(path + (bound,), f"'{bound}' must be a number")
                return None
        if "min" in condition and "max" in condition and condition["min"] > condition["max"]:
            self.report(path + ("min",), "'min' must not be more than 'max'")
            return None
        return "range"

    def _check_org_leaf(self, condition, name, test, path):
        attribute = ORG_ATTRIBUTES.get(name)
        if attribute is None:
            close = difflib.get_close_matches(name, list(ORG_ATTRIBUTES), n=1)
            suggestion = f"did you mean '{close[0]}'? " if close else ""
            self.report(path + ("org",), f"unknown organisation attribute '{name}' "
                                         f"({suggestion}use {one_of(ORG_ATTRIBUTES)})")
            return
        label = f"organisation attribute '{name}'"
        if attribute.kind == "number":
            if test != "range":
                self.report(path + (test,), f"{label} is a number: use 'min' or 'max'")
            return
        if test == "range":
            self.report(path, f"{label} is not a number: use 'in' or 'not_in'")
            return
        for index, value in enumerate(condition[test]):
            raw = self.source.plain_text.get(path + (test, index))
            if attribute.kind == "boolean":
                if not isinstance(value, bool):
                    self.report(path + (test, index),
                                f"{label} is true or false, not '{value}'")
                    return
            elif not isinstance(value, str):
                self.report(path + (test, index),
                            f"the values of {label} are text" + yaml_reading(raw, value))
                return
            elif attribute.values and value not in attribute.values:
                self.report(path + (test, index), f"'{value}' is not a value of {label} "
                                                  f"(use {one_of(attribute.values)})")
                return

    def _check_question_leaf(self, condition, question_id, test, path, position, owner):
        where = path + ("question",)
        info = self.questions.get(question_id)
        first_position = self.positions.get(question_id)
        if first_position is None:
            if question_id in self.section_ids:
                self.report(where, f"the condition refers to '{question_id}', which is a "
                                   "section: name a question")
            else:
                self.report(where, f"the condition refers to unknown question '{question_id}'")
            return
        if question_id == owner:
            self.report(where, f"the condition of question '{question_id}' refers to itself: "
                               "a condition may only use an earlier question")
            return
        if first_position >= position or info is None:
            self.report(where, f"the condition refers to question '{question_id}', which "
                               "comes later in the file: a condition may only use an earlier "
                               "question")
            return
        self._check_question_values(condition, info, question_id, test, path)

    def _check_question_values(self, condition, info, question_id, test, path):
        label = f"question '{question_id}'"
        if info.type in OPTION_TYPES or info.type in ("text", "date"):
            if test == "range":
                self.report(path, f"{label} is a {info.type} question: use 'in' or 'not_in'")
                return
            for index, value in enumerate(condition[test]):
                raw = self.source.plain_text.get(path + (test, index))
                if not isinstance(value, str):
                    self.report(path + (test, index), f"the values of {label} are text"
                                + yaml_reading(raw, value))
                    return
                if info.values is not None and value not in info.values:
                    self.report(path + (test, index), f"'{value}' is not an option of {label} "
                                                      f"(use {one_of(info.values)})")
                    return
        elif info.type == "number" and test != "range":
            for index, value in enumerate(condition[test]):
                if not _is_whole_number(value):
                    self.report(path + (test, index),
                                f"{label} is a number question: its values are whole numbers")
                    return


def _is_whole_number(value) -> bool:
    if isinstance(value, str):
        return value.strip().lstrip("+-").isdigit()
    return is_number(value) and float(value).is_integer()
