"""Two-factor sign-in with an authenticator app (TOTP, RFC 6238) and recovery codes.

Required for staff (anyone holding an admin, reviewer or qa grant), optional for
respondents. A code is accepted once: the time-step it belongs to is claimed with one
conditional update, so the same code fails a second time in any session."""
import hashlib
import hmac
import re
import secrets

import pyotp
import segno
import sqlalchemy as sa
from flask import current_app

from ..audit_log.services import record
from ..extensions import db
from ..timeutil import utcnow
from .models import Grant, RecoveryCode, User
from .policy import STAFF_ROLES
from .sessions import end_user_sessions

RECOVERY_CODE_COUNT = 10
# No 0/o, 1/l/i: codes are copied from paper. 16 characters of 31 carry 79 bits.
RECOVERY_ALPHABET = "abcdefghjkmnpqrstuvwxyz23456789"
RECOVERY_LENGTH = 16
# One step either side allows for a phone clock that is slightly out.
CLOCK_DRIFT_STEPS = 1

ENTER_CODE = "Enter the 6-digit code from your authenticator app"
CODE_FORMAT = "The code must be 6 numbers"
CODE_WRONG = ("The code is not correct or has already been used. Enter the latest code "
              "from your authenticator app")
ENTER_RECOVERY = "Enter one of your recovery codes"
RECOVERY_WRONG = "The recovery code is not correct or has already been used"


class TwoFactorError(ValueError):
    """A code that is refused; the message says what to do."""


class CodeFormatError(TwoFactorError):
    """Nothing that could be a code was entered: not counted as a failed attempt."""


def is_staff(user: User) -> bool:
    return db.session.query(Grant.id).filter(
        Grant.user_id == user.id, Grant.role.in_(STAFF_ROLES)).first() is not None


def formatted_secret(secret: str) -> str:
    """The secret in groups of four, for typing into an app by hand."""
    return " ".join(secret[i:i + 4] for i in range(0, len(secret), 4))


def provisioning_uri(user: User) -> str:
    return pyotp.TOTP(user.totp_secret).provisioning_uri(
        name=user.email, issuer_name=current_app.config["SERVICE_NAME"])


def qr_code_data_uri(user: User) -> str:
    """The enrolment QR code as an SVG data URI, drawn here: the secret never leaves the
    service, and the page's content security policy allows data: images only."""
    return segno.make(provisioning_uri(user), error="m").svg_data_uri(
        scale=5, border=4, dark="#0b0c0c", light="#ffffff")


def _matching_step(secret: str, code: str) -> int | None:
    totp = pyotp.TOTP(secret)
    now = totp.timecode(utcnow())
    for step in range(now - CLOCK_DRIFT_STEPS, now + CLOCK_DRIFT_STEPS + 1):
        if hmac.compare_digest(totp.generate_otp(step), code):
            return step
    return None


def _claim_step(user: User, step: int) -> bool:
    """Record ``step`` as used unless it (or a later one) already was: one statement, so
    that two requests with the same code cannot both succeed."""
    result = db.session.execute(
        sa.update(User)
        .where(User.id == user.id,
               sa.or_(User.totp_last_counter.is_(None), User.totp_last_counter < step))
        .values(totp_last_counter=step)
        .execution_options(synchronize_session=False))
    if result.rowcount != 1:
        return False
    user.totp_last_counter = step
    return True


def check_code(user: User, raw: str | None) -> None:
    """Accept the current code from the person's app, once; else raise TwoFactorError."""
    code = re.sub(r"[\s-]", "", raw or "")
    if not code:
        raise CodeFormatError(ENTER_CODE)
    if not re.fullmatch(r"\d{6}", code):
        raise CodeFormatError(CODE_FORMAT)
    step = _matching_step(user.totp_secret, code) if user.totp_secret else None
    if step is None or not _claim_step(user, step):
        raise TwoFactorError(CODE_WRONG)


def verify_sign_in_code(user: User, raw: str | None) -> None:
    try:
        check_code(user, raw)
    except CodeFormatError:
        raise
    except TwoFactorError:
        record("auth.second_factor_failed", obj=user, actor=user, detail={"method": "code"})
        raise
    record("auth.second_factor", obj=user, actor=user, detail={"method": "code"})


def _hash_recovery(code: str) -> str:
    return hashlib.sha256(code.encode()).hexdigest()


def _normalise_recovery(raw: str | None) -> str:
    return re.sub(r"[\s-]", "", raw or "").lower()


def use_recovery_code(user: User, raw: str | None) -> int:
    """Spend one recovery code; returns how many are left. Raises TwoFactorError."""
    code = _normalise_recovery(raw)
    if not code:
        raise CodeFormatError(ENTER_RECOVERY)
    result = db.session.execute(
        sa.update(RecoveryCode)
        .where(RecoveryCode.user_id == user.id, RecoveryCode.code_hash == _hash_recovery(code),
               RecoveryCode.used_at.is_(None))
        .values(used_at=utcnow())
        .execution_options(synchronize_session=False))
    if result.rowcount != 1:
        record("auth.second_factor_failed", obj=user, actor=user,
               detail={"method": "recovery_code"})
        raise TwoFactorError(RECOVERY_WRONG)
    left = recovery_codes_left(user)
    record("auth.second_factor", obj=user, actor=user,
           detail={"method": "recovery_code", "left": left})
    return left


def recovery_codes_left(user: User) -> int:
    return RecoveryCode.query.filter_by(user_id=user.id, used_at=None).count()


def issue_recovery_codes(user: User) -> list[str]:
    """Replace the person's recovery codes with new ones, returned in clear this once."""
    RecoveryCode.query.filter_by(user_id=user.id).delete(synchronize_session=False)
    codes = ["".join(secrets.choice(RECOVERY_ALPHABET) for _ in range(RECOVERY_LENGTH))
             for _ in range(RECOVERY_CODE_COUNT)]
    for code in codes:
        db.session.add(RecoveryCode(user_id=user.id, code_hash=_hash_recovery(code)))
    record("auth.recovery_codes_issued", obj=user, actor=user)
    return ["-".join(code[i:i + 4] for i in range(0, RECOVERY_LENGTH, 4)) for code in codes]


def start_enrolment(user: User) -> None:
    """Give the person a new secret to add to their app; it counts once confirmed."""
    if user.two_factor_enrolled:
        raise TwoFactorError("Two-factor sign-in is already set up")
    user.totp_secret = pyotp.random_base32()
    user.totp_last_counter = None


def confirm_enrolment(user: User, raw: str | None) -> list[str]:
    """Check a code from the newly set-up app; returns the recovery codes to show."""
    if user.two_factor_enrolled or not user.totp_secret:
        raise TwoFactorError("Start setting up two-factor sign-in again")
    check_code(user, raw)
    user.totp_enrolled_at = utcnow()
    record("auth.two_factor_enrolled", obj=user, actor=user)
    return issue_recovery_codes(user)


def enrol_with_secret(user: User, secret: str) -> None:
    """Enrol without a confirming code (the demo seed, whose secrets are printed)."""
    user.totp_secret = secret
    user.totp_enrolled_at = user.totp_enrolled_at or utcnow()


def remove_two_factor(user: User, *, by=None, reason: str = "two_factor_reset",
                      keep=None) -> None:
    """Forget the person's app and recovery codes and end their sessions (but ``keep``):
    staff set it up again at their next sign-in."""
    user.totp_secret = None
    user.totp_enrolled_at = None
    user.totp_last_counter = None
    RecoveryCode.query.filter_by(user_id=user.id).delete(synchronize_session=False)
    end_user_sessions(user, reason, keep=keep)
    action = "people.two_factor_reset" if reason == "two_factor_reset" \
        else "auth.two_factor_turned_off"
    record(action, obj=user, actor=by or user)
