"""Where a respondent stands: the task list of one return, and their home page (the returns
of every organisation they respond for, across cycles, with open and overdue actions)."""
from dataclasses import dataclass, field
from datetime import date

import sqlalchemy as sa
from sqlalchemy.orm import contains_eager

from ..auth.policy import organisation_ids_for
from ..cycles.deadlines import final_deadline
from ..cycles.models import AuditReturn, Cycle
from ..extensions import db
from ..organisations.models import Organisation
from ..timeutil import today_london
from .drafts import (ReturnContext, action_keys, answer_problems, evidence_keys,
                     section_states, stored_answers)
from .models import ActionItem

SECTION_STATUS_WORDS = {"not_started": "Not started", "in_progress": "In progress",
                        "completed": "Completed"}
RETURN_STATUS_TAGS = {
    "not_started": ("Not started", "govuk-tag--grey"),
    "in_progress": ("In progress", "govuk-tag--light-blue"),
    "submitted": ("Submitted", "govuk-tag--blue"),
    "returned": ("Returned for changes", "govuk-tag--orange"),
    "accepted": ("Accepted", "govuk-tag--green"),
    "withdrawn": ("Withdrawn", "govuk-tag--grey"),
}
OPEN_ACTION_STATUSES = ("open", "in_progress")
ACTION_STATUS_WORDS = {"open": "Open", "in_progress": "In progress", "done": "Done",
                       "dropped": "Dropped"}


def return_status_tag(status: str) -> dict:
    text, classes = RETURN_STATUS_TAGS[status]
    return {"text": text, "classes": classes}


# The task list ----------------------------------------------------------------------------

@dataclass
class SectionProgress:
    section: object
    status: str

    @property
    def words(self) -> str:
        return SECTION_STATUS_WORDS[self.status]


@dataclass
class TaskList:
    context: ReturnContext
    sections: list

    @property
    def completed(self) -> int:
        return sum(1 for item in self.sections if item.status == "completed")

    @property
    def total(self) -> int:
        return len(self.sections)

    @property
    def summary(self) -> str:
        return f"{self.completed} of {self.total} sections completed"


def task_list(audit_return: AuditReturn) -> TaskList:
    """The sections that apply, each Not started, In progress or Completed. A section marked
    completed that no longer meets its rules (a later answer revealed a question, evidence
    was removed) shows as in progress. Five queries, whatever the number of sections."""
    context = ReturnContext.of(audit_return)
    stored = stored_answers(audit_return.id)
    states = section_states(audit_return.id)
    values = stored.values
    problems = answer_problems(context, values, stored.comments,
                               evidence_keys(audit_return.id), action_keys(audit_return.id))
    unfinished = {context.definition.question(problem.question_id).section.id
                  for problem in problems}
    sections = []
    for section in context.definition.visible_sections(context.org, values):
        state = states.get(section.id)
        status = state.status if state is not None else "not_started"
        if status == "completed" and section.id in unfinished:
            status = "in_progress"
        sections.append(SectionProgress(section, status))
    return TaskList(context, sections)


# The respondent's home -------------------------------------------------------------------

@dataclass
class ReturnSummary:
    audit_return: AuditReturn
    due_date: date
    deadline: date | None
    today: date

    @property
    def tag(self) -> dict:
        return return_status_tag(self.audit_return.status)

    @property
    def timing(self) -> str:
        """'12 days left', 'Due today', '3 days overdue'; what happened once it is in."""
        status = self.audit_return.status
        if status in ("submitted", "accepted"):
            return "Submitted"
        if status == "withdrawn":
            return "Withdrawn"
        days = (self.due_date - self.today).days
        if days == 0:
            return "Due today"
        if days > 0:
            return f"{days} day{'s' if days != 1 else ''} left"
        return f"{-days} day{'s' if days != -1 else ''} overdue"


@dataclass
class ActionSummary:
    action: ActionItem
    audit_return: AuditReturn
    today: date

    @property
    def overdue(self) -> bool:
        return self.action.target_date < self.today

    @property
    def status_words(self) -> str:
        return ACTION_STATUS_WORDS[self.action.status]


@dataclass
class RespondentHome:
    returns: list = field(default_factory=list)
    actions: list = field(default_factory=list)

    @property
    def overdue_sentence(self) -> str | None:
        overdue = sum(1 for item in self.actions if item.overdue)
        if not overdue:
            return None
        if overdue == 1:
            return "1 of your open actions is past its target date."
        return f"{overdue} of your open actions are past their target date."


def respondent_home(user, partnership, today: date | None = None) -> RespondentHome:
    """The returns of the organisations ``user`` responds for in ``partnership`` (cycles
    that have opened, newest due date first) and their open action plan items (soonest
    target first). Two queries."""
    today = today or today_london()
    organisation_ids = organisation_ids_for(user, partnership) if partnership else set()
    if not organisation_ids:
        return RespondentHome()
    returns = (AuditReturn.query
               .join(AuditReturn.cycle).join(AuditReturn.organisation)
               .options(contains_eager(AuditReturn.cycle),
                        contains_eager(AuditReturn.organisation))
               .filter(Cycle.partnership_id == partnership.id,
                       Cycle.status.in_(("open", "closed")),
                       AuditReturn.organisation_id.in_(organisation_ids))
               .order_by(Cycle.due_date.desc(), Organisation.name, AuditReturn.id)
               .all())
    by_id = {audit_return.id: audit_return for audit_return in returns}
    actions = (db.session.scalars(
        sa.select(ActionItem)
        .where(ActionItem.return_id.in_(by_id), ActionItem.status.in_(OPEN_ACTION_STATUSES))
        .order_by(ActionItem.target_date, ActionItem.id)).all() if by_id else [])
    return RespondentHome(
        returns=[ReturnSummary(item, item.extension_until or item.cycle.due_date,
                               final_deadline(item), today) for item in returns],
        actions=[ActionSummary(action, by_id[action.return_id], today) for action in actions])
