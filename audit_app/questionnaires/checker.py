"""The definition checker: every problem of a file as ``FILE:LINE: message``. It runs before
anything is loaded, so a broken definition never reaches a user."""
import difflib
from dataclasses import dataclass, field
from pathlib import Path

from . import schema
from .condition_rules import ConditionChecks, QuestionInfo
from .question_checks import check_question
from .schema import Key, id_problem, value_problem
from .yaml_source import ParsedSource, SourceError, parse


@dataclass(frozen=True)
class Problem:
    file: str
    line: int
    message: str

    def __str__(self) -> str:
        return f"{self.file}:{self.line}: {self.message}"


@dataclass
class CheckedFile:
    path: Path
    display: str
    problems: list = field(default_factory=list)
    data: dict | None = None      # the parsed definition; only when there are no problems


@dataclass(frozen=True)
class ScaleInfo:
    values: tuple
    requires: dict           # option value -> requirements
    has_scores: bool


def display_path(path) -> str:
    """The path as people see it: relative to the current folder when inside it."""
    path = Path(path)
    try:
        return str(path.resolve().relative_to(Path.cwd().resolve()))
    except ValueError:
        return str(path)


def check_file(path, display: str | None = None) -> CheckedFile:
    path = Path(path)
    shown = display or display_path(path)
    try:
        raw = path.read_bytes()
    except OSError as error:
        return CheckedFile(path, shown, [Problem(shown, 1, f"cannot read the file: "
                                                           f"{error.strerror}")])
    return check_source(raw, shown, path)


def check_source(raw: bytes, display: str, path: Path | None = None) -> CheckedFile:
    """Check a definition's bytes. ``path`` (questionnaires/<id>/<version>.yaml) gives the id
    and version the file must declare."""
    result = CheckedFile(path, display)
    try:
        source = parse(raw)
    except SourceError as error:
        result.problems.append(Problem(display, error.line, error.message))
        return result
    expected = None
    if path is not None:
        if path.suffix != ".yaml":
            result.problems.append(Problem(display, 1, "a questionnaire file must be named "
                                                       "<version>.yaml"))
        expected = (path.parent.name, path.stem)
    checker = DefinitionChecker(source, expected)
    checker.run()
    found = sorted(source.problems + checker.problems, key=lambda item: item[0])
    result.problems.extend(Problem(display, line, message) for line, message in found)
    if not result.problems:
        result.data = source.data
    return result


class DefinitionChecker(ConditionChecks):
    def __init__(self, source: ParsedSource, expected: tuple | None = None):
        self.source = source
        self.data = source.data
        self.expected = expected              # (id, version) the file's path gives
        self.problems: list[tuple[int, str]] = []
        self.id_lines: dict[str, int] = {}    # section and question ids -> first line
        self.section_ids: set[str] = set()
        self.positions: dict[str, int] = {}   # question id -> position in the file
        self.questions: dict[str, QuestionInfo] = {}
        self.scales: dict[str, ScaleInfo] = {}

    def report(self, path, message: str) -> None:
        self.problems.append((self.source.line(path), message))

    # Generic key checks -----------------------------------------------------------------
    def check_keys(self, data, path, keys: dict, what: str, extra: dict | None = None) -> bool:
        """Unknown keys, missing required keys and value types of one mapping."""
        if not isinstance(data, dict):
            self.report(path, f"{what} must be a mapping of keys to values")
            return False
        for key in data:
            if key not in keys and (extra is None or key not in extra):
                self.report(path + (key,), self._unknown_key(key, keys, what))
        self.check_required(data, path, keys, what)
        self.check_values(data, path, keys)
        return True

    def check_required(self, data, path, keys: dict, what: str) -> None:
        for key, spec in keys.items():
            if spec.required and key not in data:
                self.report(path, f"{what} is missing required key '{key}'")

    def check_values(self, data, path, keys: dict) -> None:
        for key, value in data.items():
            spec = keys.get(key)
            if spec is None:
                continue
            problem = value_problem(key, spec, value, self.source.plain_text.get(path + (key,)))
            if problem:
                self.report(path + (key,), problem)

    @staticmethod
    def _unknown_key(key, keys, what: str) -> str:
        close = difflib.get_close_matches(str(key), list(keys), n=1)
        suggestion = f" (did you mean '{close[0]}'?)" if close else ""
        return f"unknown key '{key}' in {what}{suggestion}"

    def valid(self, data, key: str, spec: Key, path) -> bool:
        """Whether data[key] is present and of its kind (problems are reported elsewhere)."""
        return (isinstance(data, dict) and key in data and value_problem(
            key, spec, data[key], self.source.plain_text.get(path + (key,))) is None)

    # The whole file ---------------------------------------------------------------------
    def run(self) -> None:
        if not isinstance(self.data, dict):
            self.report((), "the file must be a mapping of keys to values, starting with "
                            "'id:'")
            return
        self.check_keys(self.data, (), schema.QUESTIONNAIRE_KEYS, "the questionnaire")
        self._check_path_match()
        self._collect_positions()
        if isinstance(self.data.get("scales"), dict):
            self._check_scales(self.data["scales"])
        if isinstance(self.data.get("sections"), list):
            self._check_sections(self.data["sections"])
        self._check_previous_and_renamed()
        if isinstance(self.data.get("declaration"), dict):
            self._check_declaration(self.data["declaration"])

    def _check_path_match(self) -> None:
        if self.expected is None:
            return
        folder, stem = self.expected
        keys = schema.QUESTIONNAIRE_KEYS
        if self.valid(self.data, "id", keys["id"], ()) and self.data["id"] != folder:
            self.report(("id",), f"id '{self.data['id']}' does not match the folder name "
                                 f"'{folder}'")
        if self.valid(self.data, "version", keys["version"], ()) \
                and self.data["version"] != stem:
            self.report(("version",), f"version '{self.data['version']}' does not match the "
                                      f"file name '{stem}.yaml'")

    def _collect_positions(self) -> None:
        """Every question's place in the file, so that a condition can tell an earlier
        question from a later one."""
        self.question_positions: dict[tuple, int] = {}
        position = 0
        sections = self.data.get("sections")
        for section_index, section in enumerate(sections if isinstance(sections, list) else []):
            questions = section.get("questions") if isinstance(section, dict) else None
            self.question_positions[(section_index,)] = position
            for question_index, question in enumerate(
                    questions if isinstance(questions, list) else []):
                self.question_positions[(section_index, question_index)] = position
                if isinstance(question, dict) and isinstance(question.get("id"), str):
                    self.positions.setdefault(question["id"], position)
                position += 1
        self.end_position = position

    # Scales -----------------------------------------------------------------------------
    def _check_scales(self, scales: dict) -> None:
        for scale_id, scale in scales.items():
            path = ("scales", scale_id)
            problem = id_problem(scale_id)
            if problem:
                self.report(path, f"scale id {problem}")
                continue
            what = f"scale '{scale_id}'"
            if not self.check_keys(scale, path, schema.SCALE_KEYS, what):
                continue
            options = scale.get("options")
            if not isinstance(options, list):
                continue
            if not options:
                self.report(path + ("options",), f"{what} has no options")
                continue
            info = self._check_scale_options(options, path + ("options",), what)
            if info is not None:
                self.scales[scale_id] = info

    def _check_scale_options(self, options: list, path, what: str) -> ScaleInfo | None:
        before = len(self.problems)
        values = self._check_option_list(options, path, what, schema.SCALE_OPTION_KEYS)
        scored = [option for option in options if isinstance(option, dict)
                  and "score" in option]
        for index, option in enumerate(options):
            if not isinstance(option, dict):
                continue
            name = f"option '{option.get('value')}' of {what}"
            if option.get("excluded") is True:
                if "score" in option:
                    self.report(path + (index, "score"), f"{name} is excluded from scores, so "
                                                         "it cannot have a 'score'")
                if option.get("compliant") is True:
                    self.report(path + (index, "compliant"), f"{name} is excluded from scores, "
                                                             "so it cannot be compliant")
            elif scored and "score" not in option:
                self.report(path + (index,), f"{name} needs a 'score': when one option of a "
                                             "scale has a score, every option that is not "
                                             "excluded needs one")
        if len(self.problems) > before:
            return None
        requires = {option["value"]: tuple(option.get("requires") or ()) for option in options}
        return ScaleInfo(tuple(values), requires, bool(scored))

    def _check_option_list(self, options: list, path, what: str, keys: dict) -> list:
        """Option mappings with unique values; returns the values that are well-formed."""
        values, lines = [], {}
        for index, option in enumerate(options):
            value = option.get("value") if isinstance(option, dict) else None
            label = f"option '{value}' of {what}" if isinstance(value, str) \
                else f"option {index + 1} of {what}"
            if not self.check_keys(option, path + (index,), keys, label):
                continue
            if not self.valid(option, "value", keys["value"], path + (index,)):
                continue
            if value in lines:
                self.report(path + (index, "value"), f"duplicate option value '{value}' in "
                                                     f"{what} (first on line {lines[value]})")
                continue
            lines[value] = self.source.line(path + (index, "value"))
            values.append(value)
        return values

    # Sections and questions ---------------------------------------------------------------
    def _check_sections(self, sections: list) -> None:
        if not sections:
            self.report(("sections",), "'sections' must list at least one section")
        for index, section in enumerate(sections):
            path = ("sections", index)
            section_id = section.get("id") if isinstance(section, dict) else None
            what = f"section '{section_id}'" if isinstance(section_id, str) \
                else f"section {index + 1}"
            if not self.check_keys(section, path, schema.SECTION_KEYS, what):
                continue
            if self.valid(section, "id", schema.SECTION_KEYS["id"], path):
                self._register_id(section_id, path + ("id",), is_question=False)
            start = self.question_positions.get((index,), self.end_position)
            if "show_if" in section:
                self.check_condition(section["show_if"], path + ("show_if",), start)
            questions = section.get("questions")
            if isinstance(questions, list) and not questions:
                self.report(path + ("questions",), f"{what} has no questions")
            for question_index, question in enumerate(
                    questions if isinstance(questions, list) else []):
                self._check_question(question, path + ("questions", question_index),
                                     self.question_positions[(index, question_index)],
                                     what)

    def _register_id(self, item_id: str, path, is_question: bool) -> bool:
        line = self.source.line(path)
        if item_id in self.id_lines:
            self.report(path, f"duplicate id '{item_id}' (first used on line "
                              f"{self.id_lines[item_id]})")
            return False
        if is_question and item_id in schema.reserved_ids():
            self.report(path, f"'{item_id}' cannot be a question id: the section's form uses "
                              "that name; choose another")
            return False
        self.id_lines[item_id] = line
        if not is_question:
            self.section_ids.add(item_id)
        return True

    def _check_question(self, question, path, position: int, section_what: str) -> None:
        check_question(self, question, path, position, section_what)

    # Previous version, renamed ids, declaration ---------------------------------------------
    def _check_previous_and_renamed(self) -> None:
        data = self.data
        keys = schema.QUESTIONNAIRE_KEYS
        if self.valid(data, "previous", keys["previous"], ()) \
                and data["previous"] == data.get("version"):
            self.report(("previous",), "'previous' must name an earlier version, not this one")
        renamed = data.get("renamed")
        if not isinstance(renamed, dict):
            return
        if "previous" not in data:
            self.report(("renamed",), "'renamed' needs 'previous': the version whose question "
                                      "ids changed")
        for old_id, new_id in renamed.items():
            path = ("renamed", old_id)
            problem = id_problem(old_id)
            if problem:
                self.report(path, f"renamed {problem}")
            elif not isinstance(new_id, str):
                self.report(path, f"'renamed' must map an old question id to a new one, e.g. "
                                  f"{old_id}: new_id")
            elif new_id not in self.questions:
                self.report(path, f"'renamed' maps '{old_id}' to '{new_id}', which is not a "
                                  "question in this version")
            elif old_id in self.positions:
                self.report(path, f"'{old_id}' is renamed to '{new_id}' but is still a "
                                  "question in this version")

    def _check_declaration(self, declaration: dict) -> None:
        path = ("declaration",)
        if not self.check_keys(declaration, path, schema.DECLARATION_KEYS, "the declaration"):
            return
        approvals = declaration.get("approvals")
        if not isinstance(approvals, list):
            return
        if not approvals:
            self.report(path + ("approvals",), "the declaration needs at least one approval")
        lines: dict[str, int] = {}
        for index, approval in enumerate(approvals):
            item_path = path + ("approvals", index)
            approval_id = approval.get("id") if isinstance(approval, dict) else None
            what = f"approval '{approval_id}'" if isinstance(approval_id, str) \
                else f"approval {index + 1}"
            if not self.check_keys(approval, item_path, schema.APPROVAL_KEYS, what):
                continue
            if self.valid(approval, "id", schema.APPROVAL_KEYS["id"], item_path):
                if approval_id in lines:
                    self.report(item_path + ("id",), f"duplicate approval id '{approval_id}' "
                                                     f"(first used on line {lines[approval_id]})")
                else:
                    lines[approval_id] = self.source.line(item_path + ("id",))
            if "show_if" in approval:
                self.check_condition(approval["show_if"], item_path + ("show_if",),
                                     self.end_position, allow_questions=False)
