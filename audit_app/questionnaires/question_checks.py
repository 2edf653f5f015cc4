"""Checks of one question, for the definition checker: the keys its type allows, its options
or scale, scoring, per-answer rules and number ranges."""
from . import schema
from .condition_rules import QuestionInfo
from .question_types import QUESTION_TYPES
from .schema import one_of, requirements_problem

NEVER_SCORED_NOTE = {"scored": ": only rating, yes_no and choice questions can be scored"}


def check_question(checker, question, path, position: int, section_what: str) -> None:
    """``checker`` is the DefinitionChecker reading the file."""
    question_id = question.get("id") if isinstance(question, dict) else None
    what = f"question '{question_id}'" if isinstance(question_id, str) \
        else f"question {path[-1] + 1} of {section_what}"
    if not isinstance(question, dict):
        checker.report(path, f"{what} must be a mapping of keys to values")
        return
    type_name = question.get("type") if question.get("type") in QUESTION_TYPES else None
    _check_keys(checker, question, path, type_name, what)
    if checker.valid(question, "id", schema.QUESTION_KEYS["id"], path):
        checker._register_id(question_id, path + ("id",), is_question=True)
    if "show_if" in question:
        checker.check_condition(question["show_if"], path + ("show_if",), position,
                                owner=question_id if isinstance(question_id, str) else None)
    values = None
    if type_name is not None:
        values, scale, options_ok = _check_options(checker, question, path, type_name, what)
        if options_ok:
            _check_scored(checker, question, path, scale, what)
            _check_requires(checker, question, path, type_name, values, scale, what)
        _check_range(checker, question, path)
    if isinstance(question_id, str) and question_id not in checker.questions \
            and checker.positions.get(question_id) == position:
        checker.questions[question_id] = QuestionInfo(type_name, values, position)


def _check_keys(checker, question, path, type_name, what) -> None:
    allowed_specific = schema.QUESTION_TYPE_KEYS[type_name] if type_name \
        else schema.TYPE_SPECIFIC_KEYS
    for key in question:
        if key not in schema.QUESTION_KEYS:
            checker.report(path + (key,), checker._unknown_key(key, schema.QUESTION_KEYS, what))
        elif key in schema.TYPE_SPECIFIC_KEYS and key not in allowed_specific:
            checker.report(path + (key,), f"'{key}' does not apply to {type_name} questions"
                                          + NEVER_SCORED_NOTE.get(key, ""))
    checker.check_required(question, path, schema.QUESTION_KEYS, what)
    checker.check_values(question, path, schema.QUESTION_KEYS)


def _check_options(checker, question, path, type_name, what):
    """(option values, ScaleInfo or None, whether the options are sound)."""
    kind = QUESTION_TYPES[type_name].options
    has_scale, has_options = "scale" in question, "options" in question
    if kind == "none":
        return None, None, True
    if kind == "scale" and not has_scale:
        checker.report(path, f"{what} is a rating question and needs a 'scale'")
        return None, None, False
    if kind == "either" and has_scale and has_options:
        checker.report(path + ("options",), f"{what} has both 'options' and 'scale': use one")
        return None, None, False
    if kind == "either" and not has_scale and not has_options:
        checker.report(path, f"{what} needs 'options' or a 'scale'")
        return None, None, False
    if has_scale:
        return _scale_of(checker, question, path, type_name, what)
    if has_options:
        return _inline_options(checker, question, path, what)
    return ("yes", "no"), None, True


def _scale_of(checker, question, path, type_name, what):
    scale_id = question["scale"]
    if not isinstance(scale_id, str):
        return None, None, False
    scale = checker.scales.get(scale_id)
    declared = checker.data.get("scales")
    declared = list(declared) if isinstance(declared, dict) else []
    if scale is None:
        if scale_id not in declared:
            names = f"declared scales: {one_of(declared, 'and')}" if declared \
                else "no scales are declared"
            checker.report(path + ("scale",), f"unknown scale '{scale_id}' ({names})")
        return None, None, False
    if type_name == "yes_no" and sorted(scale.values) != ["no", "yes"]:
        checker.report(path + ("scale",), f"scale '{scale_id}' cannot be used by yes_no "
                                          f"{what}: its option values must be exactly yes "
                                          "and no")
        return None, None, False
    return scale.values, scale, True


def _inline_options(checker, question, path, what):
    options = question["options"]
    if not isinstance(options, list):
        return None, None, False
    if not options:
        checker.report(path + ("options",), f"{what} has no options")
        return None, None, False
    before = len(checker.problems)
    values = checker._check_option_list(options, path + ("options",), what,
                                        schema.INLINE_OPTION_KEYS)
    if len(checker.problems) > before:
        return None, None, False
    return tuple(values), None, True


def _check_scored(checker, question, path, scale, what) -> None:
    if question.get("scored") is True and (scale is None or not scale.has_scores):
        reason = "its scale has no scores" if scale is not None \
            else "it has no scale with scores"
        checker.report(path + ("scored",), f"{what} is marked scored, but {reason}")


def _check_requires(checker, question, path, type_name, values, scale, what) -> None:
    requires = question.get("requires")
    if "requires" in question and values is None:
        checker.report(path + ("requires",), f"'requires' does not apply to {type_name} "
                                             "questions: they have no options")
        return
    if values is None:
        return
    own_rules = requires if isinstance(requires, dict) else {}
    for value, needs in own_rules.items():
        rule_path = path + ("requires", value)
        if value not in values:
            checker.report(rule_path, f"'requires' names '{value}', which is not an option of "
                                      f"{what} (use {one_of(values)})")
        problem = requirements_problem(needs)
        if problem:
            checker.report(rule_path, f"'requires' for '{value}' {problem}")
    _check_rules_fit_boxes(checker, question, path, type_name, values, scale, own_rules, what)


def _check_rules_fit_boxes(checker, question, path, type_name, values, scale, own_rules,
                           what) -> None:
    """An answer cannot need a comment (or evidence) the question gives no box for."""
    question_type = QUESTION_TYPES[type_name]
    comment = question.get("comment", question_type.default_comment)
    evidence = question.get("evidence", question_type.default_evidence)
    for value in values:
        needs = own_rules.get(value) if value in own_rules \
            else (scale.requires.get(value, ()) if scale is not None else ())
        needs = needs if isinstance(needs, (list, tuple)) else ()
        if comment == "none" and ("comment" in needs or "reason" in needs):
            checker.report(path + ("comment",) if "comment" in question else path,
                           f"{what} has comment: none, but the answer '{value}' needs a "
                           "comment")
            return
        if evidence == "none" and "evidence" in needs:
            checker.report(path + ("evidence",) if "evidence" in question else path,
                           f"{what} has evidence: none, but the answer '{value}' needs "
                           "evidence")
            return


def _check_range(checker, question, path) -> None:
    low, high = question.get("min"), question.get("max")
    if schema.is_number(low) and schema.is_number(high) and low > high:
        checker.report(path + ("min",), "'min' must not be more than 'max'")
