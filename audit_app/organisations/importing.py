"""What the two register imports share: the result they report, checks of single values
(a problem rejects the row, naming the column), and linking organisations to partnerships."""
from dataclasses import dataclass, field
from datetime import date, datetime
from itertools import islice
from typing import Iterable, Iterator

from ..audit_log.services import record
from ..extensions import db
from .models import Membership, Organisation


class RowProblem(ValueError):
    """This row cannot be imported; the message says why."""


@dataclass
class ImportResult:
    created: int = 0
    updated: int = 0
    closed: int = 0
    skipped: int = 0
    rejected: int = 0
    unchanged: int = 0
    # (line, message); rows may be settled out of file order, so messages are sorted.
    notes: list[tuple[float, str]] = field(default_factory=list)

    @property
    def messages(self) -> list[str]:
        """One line per skipped, rejected or closed row, in file order, then any notes
        about the file as a whole."""
        return [message for _line, message in sorted(self.notes, key=lambda note: note[0])]

    def note(self, message: str, line: int | None = None) -> None:
        self.notes.append((line if line is not None else float("inf"),
                           f"line {line}: {message}" if line is not None else message))

    def summary(self) -> str:
        """The last line of every import's output (a contract with cron jobs and scripts)."""
        return (f"created={self.created} updated={self.updated} closed={self.closed} "
                f"skipped={self.skipped} rejected={self.rejected}")

    def counts(self) -> dict[str, int]:
        return {"created": self.created, "updated": self.updated, "closed": self.closed,
                "skipped": self.skipped, "rejected": self.rejected,
                "unchanged": self.unchanged}

    def reject(self, line: int, reason: str) -> None:
        self.rejected += 1
        self.note(f"rejected: {reason}", line)

    def skip(self, line: int, reason: str) -> None:
        self.skipped += 1
        self.note(f"skipped: {reason}", line)


def column_length(attribute: str) -> int | None:
    return getattr(Organisation.__table__.c[attribute].type, "length", None)


def text_value(column: str, value: str, attribute: str) -> str | None:
    """A trimmed text value (None when empty) that fits its database column."""
    value = " ".join(value.split())
    if not value:
        return None
    limit = column_length(attribute)
    if limit is not None and len(value) > limit:
        raise RowProblem(f"{column} is longer than {limit} characters")
    return value


def whole_number(column: str, value: str) -> int | None:
    if not value:
        return None
    if not (value.isascii() and value.isdigit()):
        raise RowProblem(f"{column} {value!r} is not a whole number")
    number = int(value)
    if number > 2_000_000_000:
        raise RowProblem(f"{column} {value!r} is too large")
    return number


def day_value(column: str, value: str) -> date | None:
    """GIAS writes dates as DD-MM-YYYY; ISO dates are accepted too."""
    if not value:
        return None
    for pattern in ("%d-%m-%Y", "%d/%m/%Y", "%Y-%m-%d"):
        try:
            return datetime.strptime(value, pattern).date()
        except ValueError:
            continue
    raise RowProblem(f"{column} {value!r} is not a date like 01-09-2015")


def batches(items: Iterable, size: int) -> Iterator[list]:
    iterator = iter(items)
    while batch := list(islice(iterator, size)):
        yield batch


def memberships_by_organisation(partnership, organisation_ids) -> dict[int, Membership]:
    """The partnership's memberships of these organisations, by organisation id."""
    if not organisation_ids:
        return {}
    memberships = Membership.query.filter(
        Membership.partnership_id == partnership.id,
        Membership.organisation_id.in_(list(organisation_ids))).all()
    return {membership.organisation_id: membership for membership in memberships}


def ensure_membership(partnership, organisation, membership: Membership | None) -> bool:
    """Make the organisation an active member; True when that changed anything. The
    locality of an existing membership is kept."""
    if membership is None:
        db.session.add(Membership(partnership=partnership, organisation=organisation))
        return True
    if not membership.active:
        membership.active = True
        return True
    return False


def apply_changes(organisation: Organisation, values: dict) -> bool:
    """Set the attributes that differ; True when any did."""
    changed = False
    for attribute, value in values.items():
        if getattr(organisation, attribute) != value:
            setattr(organisation, attribute, value)
            changed = True
    return changed


def record_import(source: str, partnership, result: ImportResult, filename: str | None,
                  actor=None) -> None:
    record("organisations.imported", partnership=partnership, actor=actor,
           detail={"source": source, "file": filename, **result.counts()})
