"""Single-use, expiring link tokens for invitations and password resets. Opening a link
only shows a page; the button on that page consumes the token (mail scanners open links)."""
import hashlib
import secrets
from datetime import timedelta

from flask import current_app

from ..extensions import db
from ..timeutil import utcnow
from .models import User, UserToken


class TokenError(Exception):
    """The link cannot be used; the message says why, in words for the person."""


def _hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def _lifetime(purpose: str) -> timedelta:
    if purpose == "invite":
        return timedelta(days=current_app.config["INVITE_TOKEN_DAYS"])
    return timedelta(hours=current_app.config["RESET_TOKEN_HOURS"])


def issue_token(user: User, purpose: str) -> str:
    """A new token; earlier unused tokens of the same purpose stop working."""
    now = utcnow()
    for earlier in UserToken.query.filter_by(user_id=user.id, purpose=purpose, used_at=None):
        earlier.used_at = now
    raw = secrets.token_urlsafe(32)
    db.session.add(UserToken(token_hash=_hash(raw), user_id=user.id, purpose=purpose,
                             expires_at=now + _lifetime(purpose)))
    return raw


def find_token(raw: str, purpose: str) -> UserToken:
    """The usable token for ``raw``, without using it up."""
    record = UserToken.query.filter_by(token_hash=_hash(raw or ""), purpose=purpose).one_or_none()
    if record is None:
        raise TokenError("This link is not valid. Check you copied the whole link from the "
                         "email, or ask for a new one.")
    if record.used_at is not None:
        raise TokenError("This link has already been used. Ask for a new one if you still "
                         "need to set your password.")
    if record.expires_at < utcnow():
        raise TokenError("This link has expired. Ask for a new one.")
    if not record.user.active:
        raise TokenError("This account has been deactivated. Contact your partnership's "
                         "business unit.")
    return record


def consume_token(raw: str, purpose: str) -> User:
    record = find_token(raw, purpose)
    record.used_at = utcnow()
    return record.user
