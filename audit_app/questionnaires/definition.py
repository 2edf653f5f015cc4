"""Read-only views over a stored (already checked) definition: sections, questions, scales,
the defaults the README promises, and which questions and approvals apply to an
organisation given its answers so far."""
import copy
import threading
from collections import OrderedDict
from dataclasses import dataclass
from functools import cached_property

from .conditions import evaluate
from .question_types import DEFAULT_TEXT_LENGTH, QUESTION_TYPES

NAME_LENGTH = 100
# Parsed definitions kept by version (see Definition.of): a handful are in use at a time.
DEFINITION_CACHE_SIZE = 32
YES_NO_LABELS = (("yes", "Yes"), ("no", "No"))


@dataclass(frozen=True)
class Option:
    value: str
    label: str
    hint: str | None = None
    score: float | None = None
    compliant: bool = False
    excluded: bool = False
    requires: tuple = ()

    @classmethod
    def from_data(cls, data: dict) -> "Option":
        return cls(value=data["value"], label=data["label"], hint=data.get("hint"),
                   score=data.get("score"), compliant=bool(data.get("compliant", False)),
                   excluded=bool(data.get("excluded", False)),
                   requires=tuple(data.get("requires") or ()))


class Scale:
    def __init__(self, scale_id: str, data: dict):
        self.id = scale_id
        self.label = data.get("label")
        self.options = [Option.from_data(item) for item in data["options"]]

    @property
    def has_scores(self) -> bool:
        return any(option.score is not None for option in self.options)

    @property
    def maximum(self) -> float | None:
        scores = [option.score for option in self.options
                  if not option.excluded and option.score is not None]
        return max(scores) if scores else None


class Question:
    def __init__(self, data: dict, section: "Section", scales: dict, position: int):
        self.data = data
        self.section = section
        self.position = position
        self.id = data["id"]
        self.type_name = data["type"]
        self.type = QUESTION_TYPES[self.type_name]
        self.text = data["text"]
        self.guidance = data.get("guidance")
        self.typical_evidence = data.get("typical_evidence")
        self.ref = data.get("ref")
        self.required = data.get("required", True)
        self.show_if = data.get("show_if")
        self.scale = scales.get(data["scale"]) if "scale" in data else None
        self.min = data.get("min")
        self.max = data.get("max")
        self.unit = data.get("unit")
        self.max_length = data.get("max_length", DEFAULT_TEXT_LENGTH)
        self.comment = data.get("comment", self.type.default_comment)
        self.evidence = data.get("evidence", self.type.default_evidence)

    def __repr__(self):
        return f"<Question {self.id}>"

    @cached_property
    def options(self) -> list[Option]:
        if self.scale is not None:
            return self.scale.options
        if "options" in self.data:
            return [Option.from_data(item) for item in self.data["options"]]
        if self.type_name == "yes_no":
            return [Option(value, label) for value, label in YES_NO_LABELS]
        return []

    def option(self, value) -> Option | None:
        return next((option for option in self.options if option.value == value), None)

    def read(self, value):
        """A stored text or form value as this question's answer: None when empty or not
        one of its options (a list keeps only the options it has)."""
        value = self.type.parse(value)
        if value is None or not self.options:
            return value
        if isinstance(value, list):
            return [item for item in value if self.option(item) is not None] or None
        return value if self.option(value) is not None else None

    @property
    def scored(self) -> bool:
        if not self.type.can_be_scored:
            return False
        default = self.scale is not None and self.scale.has_scores
        return bool(self.data.get("scored", default))

    @property
    def name(self) -> str:
        """The question as named in messages: its text, without closing punctuation, cut
        at a word if long."""
        text = " ".join(self.text.split()).rstrip(".?:;!")
        if len(text) <= NAME_LENGTH:
            return text
        return text[:NAME_LENGTH].rsplit(" ", 1)[0].rstrip(",;:") + "…"

    def requirements(self, value) -> tuple:
        """What an answer with ``value`` needs (for several choices, what any of them
        needs): the question's own rule for a value, else the option's; plus the comment or
        evidence the question always asks for. Nothing for no answer."""
        if value is None:
            return ()
        own_rules = self.data.get("requires") or {}
        needs: list[str] = []
        for chosen in value if isinstance(value, list) else [value]:
            if not isinstance(chosen, str):
                continue
            option = self.option(chosen)
            rules = own_rules[chosen] if chosen in own_rules \
                else (option.requires if option is not None else ())
            needs.extend(need for need in rules if need not in needs)
        if self.comment == "required" and "comment" not in needs and "reason" not in needs:
            needs.append("comment")
        if self.evidence == "required" and "evidence" not in needs:
            needs.append("evidence")
        return tuple(needs)


class Section:
    def __init__(self, data: dict, scales: dict, first_position: int):
        self.data = data
        self.id = data["id"]
        self.title = data["title"]
        self.short_title = data.get("short_title") or self.title
        self.description = data.get("description")
        self.show_if = data.get("show_if")
        self.questions = [Question(item, self, scales, first_position + index)
                          for index, item in enumerate(data["questions"])]


@dataclass(frozen=True)
class Approval:
    id: str
    label: str
    hint: str | None
    show_if: dict | None


@dataclass
class Visibility:
    """Which sections and questions apply, and the answers that count (those of visible
    questions, read as their types' values)."""
    sections: list
    questions: list
    answers: dict

    def includes(self, question_id: str) -> bool:
        return any(question.id == question_id for question in self.questions)


class Definition:
    def __init__(self, data: dict):
        self.data = data
        self.key = data["id"]
        self.version = data["version"]
        self.title = data["title"]
        self.audience = data["audience"]
        self.legal_basis = data["legal_basis"]
        self.source = data.get("source")
        self.description = data.get("description")
        self.previous = data.get("previous")
        self.renamed = dict(data.get("renamed") or {})
        self.declaration_text = data["declaration"]["text"]

    @classmethod
    def of(cls, definition) -> "Definition":
        """A Definition from itself, a stored definition dict or a QuestionnaireVersion."""
        if isinstance(definition, Definition):
            return definition
        if isinstance(definition, dict):
            return cls(definition)
        stored = getattr(definition, "definition", None)
        if isinstance(stored, dict):
            return _parsed.of(definition, stored)
        raise TypeError(f"not a questionnaire definition: {definition!r}")

    @cached_property
    def scales(self) -> dict[str, Scale]:
        return {scale_id: Scale(scale_id, data)
                for scale_id, data in self.data["scales"].items()}

    @cached_property
    def sections(self) -> list[Section]:
        sections, position = [], 0
        for item in self.data["sections"]:
            section = Section(item, self.scales, position)
            position += len(section.questions)
            sections.append(section)
        return sections

    @cached_property
    def questions(self) -> list[Question]:
        return [question for section in self.sections for question in section.questions]

    @cached_property
    def _questions_by_id(self) -> dict[str, Question]:
        return {question.id: question for question in self.questions}

    def section(self, section_id: str) -> Section:
        for section in self.sections:
            if section.id == section_id:
                return section
        raise KeyError(section_id)

    def question(self, question_id: str) -> Question:
        return self._questions_by_id[question_id]

    def has_question(self, question_id: str) -> bool:
        return question_id in self._questions_by_id

    @cached_property
    def approvals(self) -> list[Approval]:
        return [Approval(item["id"], item["label"], item.get("hint"), item.get("show_if"))
                for item in self.data["declaration"]["approvals"]]

    def visibility(self, org: dict | None, answers: dict | None) -> Visibility:
        """What applies to an organisation (attributes by README name) with these answers
        (question id -> stored text or value). A hidden question's answer is ignored, so a
        question that depends on it is hidden too."""
        answers = answers if isinstance(answers, dict) else {}
        counted: dict = {}
        sections, questions = [], []
        for section in self.sections:
            if not evaluate(section.show_if, counted, org):
                continue
            sections.append(section)
            for question in section.questions:
                if not evaluate(question.show_if, counted, org):
                    continue
                questions.append(question)
                value = question.read(answers.get(question.id))
                if value is not None:
                    counted[question.id] = value
        return Visibility(sections, questions, counted)

    def visible_sections(self, org: dict | None, answers: dict | None) -> list[Section]:
        return self.visibility(org, answers).sections

    def visible_questions(self, org: dict | None, answers: dict | None,
                          section_id: str | None = None) -> list[Question]:
        questions = self.visibility(org, answers).questions
        if section_id is None:
            return questions
        return [question for question in questions if question.section.id == section_id]

    def approvals_for(self, org: dict | None) -> list[Approval]:
        """The approvals the declaration needs from this organisation."""
        return [approval for approval in self.approvals
                if evaluate(approval.show_if, {}, org)]

    def unanswered(self, org: dict | None, answers: dict | None,
                   section_id: str | None = None) -> list[Question]:
        """Required questions that apply but have no answer yet."""
        visibility = self.visibility(org, answers)
        return [question for question in visibility.questions
                if question.required and question.id not in visibility.answers
                and (section_id is None or question.section.id == section_id)]


class _ParsedDefinitions:
    """Definitions parsed from stored versions, by version id and SHA-256, so that the
    pages of a return reuse one Definition (and the questions, options and markup worked
    out from it) rather than parse it again for every request. A version's definition does
    not change once in use; the stored data is still compared with the cached one's, so a
    version whose definition was replaced (or a test's made-up checksum) is parsed anew."""

    def __init__(self, size: int):
        self.size = size
        self.items = OrderedDict()
        self.lock = threading.Lock()

    def of(self, version, stored: dict) -> Definition:
        key = (type(version), getattr(version, "id", None), getattr(version, "sha256", None))
        if key[1] is None or key[2] is None:
            return Definition(stored)
        with self.lock:
            cached = self.items.get(key)
        if cached is not None and cached.data == stored:
            with self.lock:
                if key in self.items:
                    self.items.move_to_end(key)
            return cached
        # A copy of its own, so that nothing done to the stored data later changes it.
        parsed = Definition(copy.deepcopy(stored))
        with self.lock:
            self.items[key] = parsed
            while len(self.items) > self.size:
                self.items.popitem(last=False)
        return parsed


_parsed = _ParsedDefinitions(DEFINITION_CACHE_SIZE)
