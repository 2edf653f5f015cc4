"""The retention purge. For every cycle closed longer ago than the retention period, it
deletes the evidence (files and rows) and removes personal data: comments, approvers'
names, action owners and progress notes, query messages, moderation and status-change
reasons, countersignature names, and the names and comments inside stored submissions.
It keeps what year-on-year reports read: returns, statuses, dates, answers' values and
scores, moderated values, actions' wording, status and dates.

Everything is changed in the caller's one transaction; the files are listed so that the
caller deletes them only after the commit (a rolled-back purge must not lose a file)."""
import copy
import os
from dataclasses import dataclass, field
from datetime import datetime

import sqlalchemy as sa

from ..audit_log.services import record
from ..cycles.models import AuditReturn, Cycle, ReturnEvent
from ..extensions import db
from ..returns.evidence import stored_path
from ..returns.models import ActionItem, Answer, Approval, Evidence, Submission, SubmissionAnswer
from ..returns.submission_content import content_sha256
from ..review.models import Moderation, QueryMessage, ReviewQuery

# The retention period when the partnership has not set its own ``retention_years``: the
# privacy notice promises six years after a cycle closes.
DEFAULT_RETENTION_YEARS = 6
# Keys of a return event's detail that can hold a person's name or words.
PERSONAL_DETAIL_KEYS = ("countersigned_name", "name", "reason", "comment")


class RetentionError(ValueError):
    """The purge cannot run as asked; the message is one line saying why."""


def parse_years(value, source: str = "--older-than") -> int:
    """A retention period: a whole number of years, 0 or more."""
    text = str(value).strip()
    try:
        years = int(text)
    except ValueError:
        raise RetentionError(f"{source} must be a whole number of years, like 6 "
                             f"(not {text!r})") from None
    if years < 0:
        raise RetentionError(f"{source} must be 0 or more years (not {years})")
    if years > 200:
        raise RetentionError(f"{source} must be 200 years or fewer (not {years})")
    return years


def retention_years_of(partnership) -> int:
    """The partnership's retention period: its ``retention_years`` setting, else the
    default that the privacy notice states."""
    value = (partnership.settings or {}).get("retention_years") if partnership else None
    if value is None:
        return DEFAULT_RETENTION_YEARS
    return parse_years(value, "The partnership's retention_years setting")


def notice_retention_years(partnership) -> int:
    """The period the privacy notice states. A page must never fail on a setting the purge
    command would refuse (it says why when run), so such a setting shows the default."""
    try:
        return retention_years_of(partnership)
    except RetentionError:
        return DEFAULT_RETENTION_YEARS


def years_before(moment: datetime, years: int) -> datetime:
    """The same moment ``years`` calendar years earlier (29 February becomes the 28th)."""
    try:
        return moment.replace(year=moment.year - years)
    except ValueError:
        return moment.replace(year=moment.year - years, day=28)


@dataclass
class CyclePurge:
    cycle: Cycle
    returns: int = 0
    evidence_files: int = 0
    evidence_references: int = 0
    submissions: int = 0
    files: list[str] = field(default_factory=list)


def cycles_due(partnership, cutoff: datetime) -> list[Cycle]:
    """The partnership's cycles closed before ``cutoff``, oldest first."""
    return (Cycle.query
            .filter(Cycle.partnership_id == partnership.id, Cycle.status == "closed",
                    Cycle.closed_at.is_not(None), Cycle.closed_at < cutoff)
            .order_by(Cycle.closed_at, Cycle.id).all())


def anonymised_content(content: dict) -> dict:
    """A stored submission without the names and free text of people; the answers' values,
    display text and scores stay."""
    content = copy.deepcopy(content)
    content["submitted_by"] = None
    for section in content.get("sections", []):
        for question in section.get("questions", []):
            question["comment"] = None
    for item in content.get("evidence", []):
        item["reference"] = None
        item["file_name"] = None
    for item in content.get("actions", []):
        item["owner"] = None
        item["progress_note"] = None
    for approval in (content.get("declaration") or {}).get("approvals", []):
        approval["name"] = None
    for event in content.get("history", []):
        event["by"] = None
        event["reason"] = None
    content["personal_data_removed"] = True
    return content


def _update(model, where, **values) -> None:
    db.session.execute(sa.update(model).where(where).values(**values)
                       .execution_options(synchronize_session=False))


def _remove_personal_data(return_ids, submission_ids) -> None:
    _update(Answer, Answer.return_id.in_(return_ids), comment=None)
    _update(SubmissionAnswer, SubmissionAnswer.submission_id.in_(submission_ids), comment=None)
    _update(Approval, Approval.return_id.in_(return_ids), approver_name="")
    _update(ActionItem, ActionItem.return_id.in_(return_ids), owner="", progress_note=None)
    _update(Moderation, Moderation.return_id.in_(return_ids), reason="")
    query_ids = sa.select(ReviewQuery.id).where(ReviewQuery.return_id.in_(return_ids))
    _update(QueryMessage, QueryMessage.query_id.in_(query_ids), body="")
    _update(AuditReturn, AuditReturn.id.in_(return_ids), countersigned_name=None)
    for event in ReturnEvent.query.filter(ReturnEvent.return_id.in_(return_ids)):
        event.reason = None
        if any(key in (event.detail or {}) for key in PERSONAL_DETAIL_KEYS):
            event.detail = {key: value for key, value in event.detail.items()
                            if key not in PERSONAL_DETAIL_KEYS}
    for submission in Submission.query.filter(Submission.id.in_(submission_ids)):
        content = anonymised_content(submission.content)
        submission.content = content
        submission.content_sha256 = content_sha256(content)


def purge_cycle(cycle: Cycle, *, dry_run: bool) -> CyclePurge:
    """Purge one cycle (or, with ``dry_run``, only count what would go)."""
    return_ids = [row[0] for row in
                  db.session.execute(sa.select(AuditReturn.id).where(
                      AuditReturn.cycle_id == cycle.id))]
    result = CyclePurge(cycle=cycle, returns=len(return_ids))
    evidence = Evidence.query.filter(Evidence.return_id.in_(return_ids)).all()
    for item in evidence:
        if item.kind == "file":
            result.evidence_files += 1
            if item.stored_name:
                result.files.append(stored_path(item))
        else:
            result.evidence_references += 1
    submission_ids = [row[0] for row in db.session.execute(
        sa.select(Submission.id).where(Submission.return_id.in_(return_ids)))]
    result.submissions = len(submission_ids)
    if dry_run:
        return result
    db.session.execute(sa.delete(Evidence).where(Evidence.return_id.in_(return_ids))
                       .execution_options(synchronize_session=False))
    _remove_personal_data(return_ids, submission_ids)
    record("retention.purged", cycle, partnership=cycle.partnership,
           detail={"name": cycle.name, "returns": result.returns,
                   "evidence_files": result.evidence_files,
                   "evidence_references": result.evidence_references,
                   "submissions": result.submissions})
    return result


def purge(partnership, years: int, now: datetime, *, dry_run: bool) -> list[CyclePurge]:
    """Purge every cycle of the partnership closed more than ``years`` years before
    ``now``. The caller commits (unless ``dry_run``), then calls ``delete_files``."""
    results = [purge_cycle(cycle, dry_run=dry_run)
               for cycle in cycles_due(partnership, years_before(now, years))]
    if not dry_run:
        db.session.flush()
    return results


def delete_files(paths) -> list[str]:
    """Delete evidence files after the commit; returns the paths that could not be deleted
    (a file already gone is not a problem)."""
    failed = []
    for path in paths:
        try:
            os.remove(path)
        except FileNotFoundError:
            continue
        except OSError:
            failed.append(path)
    return failed
