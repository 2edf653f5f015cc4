"""Two-factor pages: the code after the password, recovery codes, setting up an app, and
the person's own two-factor settings."""
from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask_login import current_user

from ..extensions import db
from .forms import CodeForm, ConfirmForm, RecoveryCodeForm, TurnOffTwoFactorForm
from .passwords import verify_password
from .policy import access
from .routes import safe_next
from .sessions import current_session_record, mark_second_factor, second_factor_step
from .throttle import Throttled, two_factor_guard
from .two_factor import (CodeFormatError, TwoFactorError, confirm_enrolment, formatted_secret, is_staff,
                         issue_recovery_codes, qr_code_data_uri, recovery_codes_left,
                         remove_two_factor, start_enrolment, use_recovery_code,
                         verify_sign_in_code)

bp = Blueprint("two_factor", __name__)


def _next_url() -> str:
    return safe_next(request.args.get("next"))


def _with_next(endpoint: str) -> str:
    nxt = request.args.get("next")
    return url_for(endpoint, next=nxt) if nxt else url_for(endpoint)


def _second_factor_page(template: str, check):
    """The code and recovery code pages: throttled, audited, then the session is marked."""
    if second_factor_step() is None:
        return redirect(_next_url())
    user = current_user._get_current_object()
    form = CodeForm() if template == "auth/two_factor.html" else RecoveryCodeForm()
    if form.validate_on_submit():
        guard = two_factor_guard(user)
        try:
            guard.check()
            left = check(user, form.code.data)
        except Throttled as error:
            db.session.commit()
            form.code.errors.append(str(error))
            return render_template(template, form=form), 429
        except TwoFactorError as error:
            if not isinstance(error, CodeFormatError):
                guard.count()
            db.session.commit()
            form.code.errors.append(str(error))
            return render_template(template, form=form)
        mark_second_factor(current_session_record())
        db.session.commit()
        if left is not None:
            flash(f"You have {left} recovery code{'' if left == 1 else 's'} left. You can get "
                  "new ones from your two-factor settings", "success")
        return redirect(_next_url())
    return render_template(template, form=form)


@bp.route("/sign-in/two-factor", methods=["GET", "POST"])
@access("signed_in")
def verify():
    return _second_factor_page("auth/two_factor.html",
                               lambda user, code: verify_sign_in_code(user, code))


@bp.route("/sign-in/recovery-code", methods=["GET", "POST"])
@access("signed_in")
def recovery():
    return _second_factor_page("auth/recovery_code.html", use_recovery_code)


@bp.route("/account/two-factor/set-up", methods=["GET", "POST"])
@access("signed_in")
def set_up():
    user = current_user._get_current_object()
    if user.two_factor_enrolled:
        return redirect(url_for("two_factor.manage"))
    if not user.totp_secret:
        return render_template("auth/two_factor_start.html", form=ConfirmForm(),
                               required=second_factor_step() == "enrol",
                               action=_with_next("two_factor.start"))
    form = CodeForm()
    if form.validate_on_submit():
        try:
            codes = confirm_enrolment(user, form.code.data)
        except TwoFactorError as error:
            db.session.rollback()
            form.code.errors.append(str(error))
        else:
            mark_second_factor(current_session_record())
            db.session.commit()
            return render_template("auth/recovery_codes.html", codes=codes,
                                   continue_url=_next_url(), new=True)
    return render_template("auth/two_factor_set_up.html", form=form,
                           qr_code=qr_code_data_uri(user),
                           secret=formatted_secret(user.totp_secret))


@bp.route("/account/two-factor/set-up/start", methods=["POST"])
@access("signed_in")
def start():
    user = current_user._get_current_object()
    if ConfirmForm().validate_on_submit() and not user.two_factor_enrolled:
        start_enrolment(user)
        db.session.commit()
    return redirect(_with_next("two_factor.set_up"))


@bp.route("/account/two-factor")
@access("signed_in")
def manage():
    user = current_user._get_current_object()
    return render_template("auth/two_factor_manage.html", button=ConfirmForm(),
                           left=recovery_codes_left(user) if user.two_factor_enrolled else 0,
                           required=is_staff(user))


@bp.route("/account/two-factor/recovery-codes", methods=["POST"])
@access("signed_in")
def new_recovery_codes():
    user = current_user._get_current_object()
    if not ConfirmForm().validate_on_submit() or not user.two_factor_enrolled:
        return redirect(url_for("two_factor.manage"))
    codes = issue_recovery_codes(user)
    db.session.commit()
    return render_template("auth/recovery_codes.html", codes=codes,
                           continue_url=url_for("two_factor.manage"), new=False)


@bp.route("/account/two-factor/turn-off", methods=["GET", "POST"])
@access("signed_in")
def turn_off():
    user = current_user._get_current_object()
    if not user.two_factor_enrolled or is_staff(user):
        # Staff must keep it; an admin can reset it for someone who has lost their phone.
        return redirect(url_for("two_factor.manage"))
    form = TurnOffTwoFactorForm()
    if form.validate_on_submit():
        if not verify_password(user.password_hash, form.password.data):
            form.password.errors.append("Your password is not correct")
        else:
            remove_two_factor(user, reason="two_factor_turned_off",
                              keep=current_session_record())
            db.session.commit()
            flash("Two-factor sign-in has been turned off", "success")
            return redirect(url_for("two_factor.manage"))
    return render_template("auth/two_factor_turn_off.html", form=form)
