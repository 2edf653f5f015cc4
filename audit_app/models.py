"""Imports every domain's models so that metadata (and Alembic) sees the whole schema."""
from .audit_log.models import AuditEvent  # noqa: F401
from .auth.models import Grant, User, UserSession, UserToken  # noqa: F401
from .cycles.models import AuditReturn, Cycle, ReturnEvent  # noqa: F401
from .mail.models import OutboxMessage  # noqa: F401
from .organisations.models import Membership, Organisation, Partnership  # noqa: F401
from .questionnaires.models import QuestionnaireVersion  # noqa: F401
from .returns.models import (  # noqa: F401
    ActionItem, Answer, Approval, Evidence, SectionState, Submission, SubmissionAnswer)
from .review.models import (  # noqa: F401
    Moderation, QueryMessage, ReviewQuery, SpotCheckSample)
