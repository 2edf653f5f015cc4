"""What changed between two stored submissions of a return: for each question, the answer
(value and display text), the comment, the evidence (added, removed, file changed) and the
action plan items (added, removed, fields changed), old -> new. Pure functions over the
submissions' content (see returns/submission_content.snapshot)."""
from dataclasses import dataclass, field
from datetime import date

from ..returns.submission_content import content_questions
from ..timeutil import format_date

# Action fields compared, with the words the page shows for them.
ACTION_FIELDS = (("description", "Action"), ("owner", "Owner"),
                 ("target_date", "Target date"), ("status", "Status"),
                 ("progress_note", "Progress note"))
ACTION_STATUS_WORDS = {"open": "Open", "in_progress": "In progress", "done": "Done",
                       "dropped": "Removed"}


@dataclass(frozen=True)
class Change:
    """One value, old -> new (None where there was, or is, nothing)."""
    old: object
    new: object


@dataclass(frozen=True)
class AnswerChange:
    old_value: object
    new_value: object
    old_text: str | None
    new_text: str | None


@dataclass(frozen=True)
class ItemChange:
    """An evidence item or action: ``kind`` is added, removed or changed; ``label`` names
    it; ``summary`` describes it as a person reads it; ``fields`` maps a field's words to
    its Change, as a person reads the values (for changed items)."""
    kind: str
    label: str
    old: dict | None
    new: dict | None
    fields: dict = field(default_factory=dict)
    summary: str = ""


@dataclass
class QuestionDiff:
    question_id: str | None
    text: str
    section_title: str | None
    answer: AnswerChange | None = None
    comment: Change | None = None
    evidence: list[ItemChange] = field(default_factory=list)
    actions: list[ItemChange] = field(default_factory=list)

    @property
    def changed(self) -> bool:
        return bool(self.answer or self.comment or self.evidence or self.actions)


@dataclass
class SubmissionDiff:
    older_number: int | None
    newer_number: int | None
    questions: list[QuestionDiff]

    @property
    def changed(self) -> bool:
        return bool(self.questions)

    def for_question(self, question_id: str | None) -> QuestionDiff | None:
        return next((item for item in self.questions if item.question_id == question_id),
                    None)


def diff_submissions(older, newer) -> SubmissionDiff:
    """What changed from the ``older`` Submission to the ``newer`` one."""
    return diff_contents(older.content, newer.content)


def diff_contents(old: dict, new: dict) -> SubmissionDiff:
    """What changed between two submission contents, question by question in the order of
    the newer one (questions only in the older one follow); items not tied to a question
    come last."""
    old_questions, new_questions = content_questions(old), content_questions(new)
    order = list(new_questions) + [key for key in old_questions if key not in new_questions]
    diffs = []
    for question_id in order + [None]:
        before = old_questions.get(question_id, {})
        after = new_questions.get(question_id, {})
        item = QuestionDiff(
            question_id,
            after.get("text") or before.get("text") or "About the whole return",
            after.get("section_title") or before.get("section_title"),
            answer=_answer_change(before, after), comment=_comment_change(before, after),
            evidence=_evidence_changes(_items(old, "evidence", question_id),
                                       _items(new, "evidence", question_id)),
            actions=_action_changes(_items(old, "actions", question_id),
                                    _items(new, "actions", question_id)))
        if item.changed:
            diffs.append(item)
    return SubmissionDiff(old.get("number"), new.get("number"), diffs)


def _items(content: dict, kind: str, question_id: str | None) -> list[dict]:
    return [item for item in content.get(kind, []) if item.get("question_id") == question_id]


def _answer_change(before: dict, after: dict) -> AnswerChange | None:
    old_value, new_value = before.get("value"), after.get("value")
    old_text, new_text = before.get("answer"), after.get("answer")
    if old_value == new_value and old_text == new_text:
        return None
    return AnswerChange(old_value, new_value, old_text, new_text)


def _comment_change(before: dict, after: dict) -> Change | None:
    old, new = before.get("comment") or None, after.get("comment") or None
    return None if old == new else Change(old, new)


def _evidence_label(item: dict) -> str:
    if item.get("kind") == "file":
        return item.get("file_name") or "A file"
    return item.get("reference") or "A reference"


def _evidence_key(item: dict) -> tuple:
    # A file is the same item when its name is; a reference is its text.
    if item.get("kind") == "file":
        return ("file", item.get("file_name"))
    return ("reference", item.get("reference"))


def _evidence_changes(old: list[dict], new: list[dict]) -> list[ItemChange]:
    pairs, removed, added = _pair(old, new, _evidence_key)
    changes = []
    for before, after in pairs:
        if before.get("sha256") != after.get("sha256"):
            changes.append(ItemChange("changed", _evidence_label(after), before, after,
                                      {"SHA-256": Change(before.get("sha256"),
                                                         after.get("sha256"))},
                                      _evidence_summary(after)))
    changes += [ItemChange("removed", _evidence_label(item), item, None,
                           summary=_evidence_summary(item)) for item in removed]
    changes += [ItemChange("added", _evidence_label(item), None, item,
                           summary=_evidence_summary(item)) for item in added]
    return changes


def _evidence_summary(item: dict) -> str:
    sha256 = item.get("sha256")
    return _evidence_label(item) + (f" (SHA-256 {sha256})" if sha256 else "")


def action_value_text(name: str, value) -> str | None:
    """An action's field as a person reads it: '1 September 2026', 'In progress'."""
    if value is None or value == "":
        return None
    if name == "target_date":
        try:
            return format_date(date.fromisoformat(value))
        except (TypeError, ValueError):
            return str(value)
    if name == "status":
        return ACTION_STATUS_WORDS.get(value, value)
    return str(value)


def _action_summary(item: dict) -> str:
    details = [text for text in (item.get("owner"),
                                 action_value_text("target_date", item.get("target_date")))
               if text]
    owner_and_date = ", by ".join(details)
    return (item.get("description") or "") + (f" ({owner_and_date})" if details else "")


def _action_changes(old: list[dict], new: list[dict]) -> list[ItemChange]:
    pairs, removed, added = _pair(old, new, lambda item: item.get("description"))
    # An action whose wording was edited is the same action changed, not one removed and
    # another added: what is left over on both sides is paired in order.
    while removed and added:
        pairs.append((removed.pop(0), added.pop(0)))
    changes = []
    for before, after in pairs:
        fields = {words: Change(action_value_text(name, before.get(name)),
                                action_value_text(name, after.get(name)))
                  for name, words in ACTION_FIELDS if before.get(name) != after.get(name)}
        if fields:
            changes.append(ItemChange("changed", after.get("description") or "",
                                      before, after, fields, _action_summary(after)))
    changes += [ItemChange("removed", item.get("description") or "", item, None,
                           summary=_action_summary(item)) for item in removed]
    changes += [ItemChange("added", item.get("description") or "", None, item,
                           summary=_action_summary(item)) for item in added]
    return changes


def _pair(old: list[dict], new: list[dict], key):
    """(pairs with equal keys, in order; the old left over; the new left over)."""
    waiting = list(old)
    pairs, added = [], []
    for item in new:
        match = next((index for index, candidate in enumerate(waiting)
                      if key(candidate) == key(item)), None)
        if match is None:
            added.append(item)
        else:
            pairs.append((waiting.pop(match), item))
    return pairs, waiting, added
