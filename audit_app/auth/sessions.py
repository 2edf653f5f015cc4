"""Server-side sessions. The signed cookie holds only a random session token; the record
(hash of the token) decides whether the person is signed in, so that signing out, a
password change or deactivation ends sessions everywhere."""
import hashlib
import secrets
from datetime import timedelta

from flask import Flask, current_app, g, redirect, request, session, url_for
from sqlalchemy.orm import joinedload

from ..extensions import db, login_manager
from ..timeutil import utcnow
from . import policy
from .models import User, UserSession

SESSION_KEY = "sid"
EXPIRY_NOTICE_KEY = "signed_out_by_timeout"
# Writing last_seen on every request would serialise SQLite writers for nothing.
TOUCH_INTERVAL = timedelta(seconds=60)


def _hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def start_session(user: User, second_factor: bool = False) -> str:
    """Create a session record for ``user`` and return its token (the caller puts it in
    the cookie through ``sign_in_browser`` or a test helper). ``second_factor``: the
    person has already passed the second factor (only tests start sessions that way)."""
    token = secrets.token_urlsafe(32)
    record = UserSession(
        token_hash=_hash(token), user_id=user.id,
        second_factor_at=utcnow() if second_factor else None,
        ip_address=request.remote_addr if request else None,
        user_agent=(request.user_agent.string[:300] if request else None))
    db.session.add(record)
    user.last_sign_in_at = utcnow()
    return token


def sign_in_browser(user: User) -> UserSession:
    """A fresh cookie session (no fixation) bound to a new server-side record."""
    session.clear()
    token = start_session(user)
    session[SESSION_KEY] = token
    db.session.flush()
    return UserSession.query.filter_by(token_hash=_hash(token)).one()


def current_session_record() -> UserSession | None:
    return g.get("user_session")


def mark_second_factor(record: UserSession) -> None:
    """The session has passed the second factor. It gets a new token: whatever knew the
    token of the half-signed-in session cannot ride on the fully signed-in one."""
    token = secrets.token_urlsafe(32)
    record.token_hash = _hash(token)
    record.second_factor_at = utcnow()
    session[SESSION_KEY] = token
    g.pop("second_factor_step", None)


def second_factor_step() -> str | None:
    """"verify" or "enrol" while the current session still needs its second factor."""
    return g.get("second_factor_step")


def end_current_session(reason: str = "signed_out") -> None:
    record = current_session_record()
    if record is not None and record.ended_at is None:
        record.ended_at = utcnow()
        record.ended_reason = reason
    session.clear()


def end_user_sessions(user: User, reason: str, keep: UserSession | None = None) -> int:
    """End every open session of ``user`` except ``keep``; returns how many ended."""
    query = UserSession.query.filter_by(user_id=user.id, ended_at=None)
    if keep is not None:
        query = query.filter(UserSession.id != keep.id)
    ended = 0
    for record in query:
        record.ended_at = utcnow()
        record.ended_reason = reason
        ended += 1
    return ended


def _expiry_reason(record: UserSession, now) -> str | None:
    config = current_app.config
    if now - record.last_seen_at > timedelta(minutes=config["SESSION_IDLE_MINUTES"]):
        return "idle_timeout"
    if now - record.created_at > timedelta(hours=config["SESSION_ABSOLUTE_HOURS"]):
        return "absolute_timeout"
    return None


def _load_user_from_session(_request):
    token = session.get(SESSION_KEY)
    if not token:
        return None
    # The person comes with their session record: every signed-in request reads both.
    record = UserSession.query.filter_by(token_hash=_hash(token)).options(
        joinedload(UserSession.user)).one_or_none()
    if record is None or record.ended_at is not None:
        session.pop(SESSION_KEY, None)
        return None
    now = utcnow()
    reason = _expiry_reason(record, now)
    user = record.user
    if reason is None and not user.active:
        reason = "deactivated"
    if reason is not None:
        record.ended_at = now
        record.ended_reason = reason
        db.session.commit()
        session.pop(SESSION_KEY, None)
        g.session_expired = reason in ("idle_timeout", "absolute_timeout")
        if g.session_expired:
            # The request that finds the session expired may be an autosave or a page the
            # person never sees: the cookie keeps the notice for the sign-in page.
            session[EXPIRY_NOTICE_KEY] = True
        return None
    if now - record.last_seen_at > TOUCH_INTERVAL and not _is_passive_request():
        record.last_seen_at = now
        db.session.commit()
    step = policy.second_factor_step(user, record)
    if step is not None:
        g.second_factor_step = step
        # Until the second factor is passed the session is signed in only for the pages
        # that complete it; everywhere else it is nobody, and is sent to those pages.
        if request.endpoint not in SECOND_FACTOR_ENDPOINTS[step]:
            return None
    g.user_session = record
    return user


def _is_passive_request() -> bool:
    """Static files and health checks must not keep a session alive."""
    return request.endpoint in ("static", "site.healthz")


# Per-request identity kept on ``g``. An application context can outlive one request (a
# worker or script that pushes one around several), so each request starts without them.
REQUEST_IDENTITY_KEYS = ("_login_user", "user_session", "partnership", "_grant_cache",
                         "session_expired", "second_factor_step")

# The pages a session may reach while it still needs its second factor.
SECOND_FACTOR_ENDPOINTS = {
    "verify": {"two_factor.verify", "two_factor.recovery", "auth.sign_out"},
    "enrol": {"two_factor.set_up", "two_factor.start", "auth.sign_out"},
}
SECOND_FACTOR_PAGES = {"verify": "two_factor.verify", "enrol": "two_factor.set_up"}


def _forget_previous_identity() -> None:
    for key in REQUEST_IDENTITY_KEYS:
        g.pop(key, None)


def take_expiry_notice() -> bool:
    """Whether the person was signed out by a timeout since they last saw the sign-in page
    (said once)."""
    return bool(session.pop(EXPIRY_NOTICE_KEY, False)) or bool(g.get("session_expired"))


def _send_to_sign_in():
    """Where a signed-out person goes: sign in, then back to the page they asked for."""
    values = {"next": request.full_path if request.query_string else request.path}
    step = g.get("second_factor_step")
    if step is not None:
        return redirect(url_for(SECOND_FACTOR_PAGES[step], **values))
    if g.get("session_expired") or session.get(EXPIRY_NOTICE_KEY):
        # The sign-in page says it (and forgets it); a request that never shows the page,
        # such as an autosave, leaves the notice in the cookie.
        values["expired"] = "1"
    return redirect(url_for("auth.sign_in", **values))


def init_app(app: Flask) -> None:
    app.before_request(_forget_previous_identity)
    login_manager.unauthorized_handler(_send_to_sign_in)
    login_manager.request_loader(_load_user_from_session)
    login_manager.login_view = "auth.sign_in"
    login_manager.login_message = "Sign in to continue"
    login_manager.login_message_category = "info"
    login_manager.session_protection = None
