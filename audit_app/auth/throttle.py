"""Throttling of failed sign-ins, two-factor codes and password reset requests.

Counters are kept by Flask-Limiter's storage (memory, or Redis when
``RATELIMIT_STORAGE_URI`` names it) and counted by hand: only failures count, and the
account key is the email address as typed, so an unknown address is throttled exactly like
a known one and the answer never tells them apart."""
import hashlib
import math
from dataclasses import dataclass

from flask import Flask, current_app, request
from limits import parse

from ..audit_log.services import record
from ..extensions import limiter
from .services import normalise_email

EXTENSION_KEY = "audit_throttle"
SIGN_IN_MESSAGE = "Too many failed attempts. Wait {minutes}, then try again."
RESET_MESSAGE = "Too many requests to reset a password. Wait {minutes}, then try again."


class Throttled(Exception):
    """Too many attempts: the message says how long to wait."""


def init_app(app: Flask) -> None:
    limiter.init_app(app)
    # One Limiter holds one storage, and a later init_app (another application in the same
    # process: scripts, tests) replaces it; each application keeps the strategy it was given.
    app.extensions[EXTENSION_KEY] = limiter.limiter


def _strategy():
    return current_app.extensions[EXTENSION_KEY]


def _hashed(value: str) -> str:
    """Storage keys carry no email addresses, and have a bounded length."""
    return hashlib.sha256(value.encode()).hexdigest()[:32]


@dataclass(frozen=True)
class Counter:
    setting: str  # the configuration key holding the limit, e.g. "5 per 15 minutes"
    scope: str
    key: str

    @property
    def item(self):
        return parse(current_app.config[self.setting])

    @property
    def identifiers(self) -> tuple[str, ...]:
        return (current_app.config["RATELIMIT_KEY_PREFIX"], self.scope, self.key)


class Guard:
    """The counters one kind of attempt is checked against and counted in."""

    def __init__(self, action: str, message: str, counters: list[Counter], detail: dict):
        self.action = action
        self.message = message
        self.counters = counters
        self.detail = detail

    def _storage_call(self, method: str, counter: Counter):
        strategy = _strategy()
        try:
            return getattr(strategy, method)(counter.item, *counter.identifiers)
        except strategy.storage.base_exceptions:
            # An unreachable Redis must not lock everyone out: sign-in stays slow (argon2)
            # and the failure is logged for the operators.
            current_app.logger.exception("throttle storage unavailable")
            return True

    def check(self) -> None:
        """Raise ``Throttled`` (and audit it) if any counter is exhausted."""
        exhausted = [c for c in self.counters if not self._storage_call("test", c)]
        if not exhausted:
            return
        record(f"{self.action}_throttled",
               detail={**self.detail, "limits": [c.scope for c in exhausted]})
        # The longest window that is full: after that long every failure has expired.
        minutes = max(math.ceil(c.item.get_expiry() / 60) for c in exhausted)
        raise Throttled(self.message.format(
            minutes=f"{minutes} minute{'' if minutes == 1 else 's'}"))

    def count(self) -> None:
        for counter in self.counters:
            self._storage_call("hit", counter)

    def clear(self, scope: str) -> None:
        for counter in self.counters:
            if counter.scope == scope:
                self._storage_call("clear", counter)


def _address() -> str:
    return request.remote_addr or "unknown"


def sign_in_guard(email: str) -> Guard:
    email = normalise_email(email)[:254]
    return Guard("auth.sign_in", SIGN_IN_MESSAGE, [
        Counter("SIGN_IN_ACCOUNT_LIMIT", "sign-in-account", _hashed(email)),
        Counter("SIGN_IN_ADDRESS_LIMIT", "sign-in-address", _address()),
    ], {"email": email})


def two_factor_guard(user) -> Guard:
    return Guard("auth.second_factor", SIGN_IN_MESSAGE, [
        Counter("TWO_FACTOR_LIMIT", "two-factor-account", str(user.id)),
        Counter("SIGN_IN_ADDRESS_LIMIT", "two-factor-address", _address()),
    ], {"user_id": user.id})


def password_reset_guard(email: str) -> Guard:
    email = normalise_email(email)[:254]
    return Guard("auth.reset", RESET_MESSAGE, [
        Counter("PASSWORD_RESET_LIMIT", "reset-account", _hashed(email)),
        Counter("SIGN_IN_ADDRESS_LIMIT", "reset-address", _address()),
    ], {"email": email})
