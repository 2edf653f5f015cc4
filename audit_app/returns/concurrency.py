"""No lost updates (DESIGN §5). Each section of a return has a version. A section page carries
the version it was rendered from and a signed copy of the answers it showed (its *base*).
A save from a stale version is merged field by field (an answer and its comment are separate
fields): what only this person changed is applied, what only the other person changed is
kept, and where both changed a field to different values nothing is overwritten: the field
is reported as a conflict, for the person to choose.

The version moves on with a conditional UPDATE (``WHERE version = :seen``) in the same
transaction as the answers, so two saves can never both build on the same version."""
from dataclasses import dataclass, field

import sqlalchemy as sa
from flask import current_app
from itsdangerous import BadSignature, URLSafeSerializer

from ..extensions import db
from ..timeutil import utcnow
from .models import SectionState

BASE_SALT = "section-base"
COMMENT_SUFFIX = "__comment"
MINE, THEIRS = "mine", "theirs"


class BaseRefused(ValueError):
    """The page's base is missing, tampered with or from another section."""


@dataclass(frozen=True)
class Conflict:
    """A field both people changed, to different values."""
    field: str
    mine: str | None
    theirs: str | None

    @property
    def question_id(self) -> str:
        return question_of(self.field)

    @property
    def is_comment(self) -> bool:
        return self.field.endswith(COMMENT_SUFFIX)


@dataclass
class Merge:
    changes: dict = field(default_factory=dict)     # field -> the value to store
    conflicts: list = field(default_factory=list)   # [Conflict]


def comment_key(question_id: str) -> str:
    return f"{question_id}{COMMENT_SUFFIX}"


def question_of(field_key: str) -> str:
    return field_key.removesuffix(COMMENT_SUFFIX)


def as_fields(answers: dict | None, comments: dict | None) -> dict:
    """One flat dict of fields: question id -> answer, ``<id>__comment`` -> comment."""
    fields = {key: value for key, value in (answers or {}).items()}
    fields.update({comment_key(key): value for key, value in (comments or {}).items()})
    return fields


def normalise(value) -> str | None:
    """Stored text compared as such: empty text is no answer."""
    if value is None:
        return None
    text = str(value)
    return text if text.strip() else None


# The signed base ---------------------------------------------------------------------

def _serializer() -> URLSafeSerializer:
    return URLSafeSerializer(current_app.secret_key, salt=BASE_SALT)


def sign_base(return_id: int, section_id: str, version: int, fields: dict) -> str:
    return _serializer().dumps({"r": return_id, "s": section_id, "v": version,
                                "f": {key: normalise(value) for key, value in fields.items()}})


def read_base(token: str | None, return_id: int, section_id: str) -> tuple[int, dict]:
    """(version, fields) from a page's signed base; BaseRefused when it cannot be trusted
    or belongs to another return or section."""
    if not token:
        raise BaseRefused("missing")
    try:
        data = _serializer().loads(token)
    except BadSignature as error:
        raise BaseRefused("bad signature") from error
    if not isinstance(data, dict) or data.get("r") != return_id or data.get("s") != section_id \
            or not isinstance(data.get("v"), int) or not isinstance(data.get("f"), dict):
        raise BaseRefused("another page")
    return data["v"], data["f"]


# The merge ---------------------------------------------------------------------------

def three_way_merge(base: dict, mine: dict, current: dict, stale: bool) -> Merge:
    """What a save writes. ``base`` is what the page showed, ``mine`` what it posted,
    ``current`` what is stored now; ``stale`` when the section moved on since the page."""
    merge = Merge()
    for key, posted in mine.items():
        posted, shown, stored = normalise(posted), normalise(base.get(key)), \
            normalise(current.get(key))
        if posted == shown:
            continue  # this person did not touch it: whatever is stored stays
        if not stale or stored == shown:
            if posted != stored:
                merge.changes[key] = posted
        elif stored != posted:
            merge.conflicts.append(Conflict(key, posted, stored))
    return merge


def apply_choices(mine: dict, base: dict, choices: dict) -> dict:
    """The posted fields after the person chose, for each earlier conflict, whose value to
    keep: choosing theirs posts the base (which holds their value) so nothing changes."""
    chosen = dict(mine)
    for key, choice in choices.items():
        if choice == THEIRS:
            chosen[key] = base.get(key)
    return chosen


# The version -------------------------------------------------------------------------

def section_state(return_id: int, section_id: str) -> SectionState:
    """The section's state row, created on first use (callers hold the return's lock, so
    two saves never create it at once)."""
    state = (SectionState.query.filter_by(return_id=return_id, section_key=section_id)
             .execution_options(populate_existing=True).one_or_none())
    if state is None:
        state = SectionState(return_id=return_id, section_key=section_id,
                             status="not_started", version=0)
        db.session.add(state)
        db.session.flush()
    return state


def advance_version(state: SectionState, seen_version: int, status: str, actor) -> bool:
    """Move the section from ``seen_version`` to the next version (and ``status``) if, and
    only if, no other save got there first. True when this save won."""
    result = db.session.execute(
        sa.update(SectionState)
        .where(SectionState.id == state.id, SectionState.version == seen_version)
        .values(version=seen_version + 1, status=status, updated_at=utcnow(),
                updated_by_id=getattr(actor, "id", None))
        .execution_options(synchronize_session=False))
    if result.rowcount != 1:
        return False
    db.session.refresh(state)
    return True
