"""Sign in and out, set and reset passwords."""
from urllib.parse import urlsplit

from flask import Blueprint, abort, flash, g, redirect, render_template, request, session, url_for
from flask_login import current_user

from ..extensions import db
from .forms import ChangePasswordForm, ConfirmForm, ForgotPasswordForm, NewPasswordForm, SignInForm
from .passwords import verify_password
from .policy import access, current_partnership, partnerships_of, second_factor_step
from .services import PeopleError, authenticate, request_password_reset, set_password
from .sessions import (SECOND_FACTOR_PAGES, current_session_record, end_current_session,
                       sign_in_browser, take_expiry_notice)
from .throttle import Throttled, password_reset_guard, sign_in_guard
from .tokens import TokenError, consume_token, find_token

bp = Blueprint("auth", __name__)

SIGN_IN_FAILED = "Enter a correct email address and password"


def safe_next(target: str | None) -> str:
    """Only a path on this site: never another host, never a scheme-relative URL."""
    if not target:
        return url_for("site.dashboard")
    parts = urlsplit(target)
    if parts.scheme or parts.netloc or not target.startswith("/") or target.startswith("//") \
            or "\\" in target:
        return url_for("site.dashboard")
    return target


@bp.route("/sign-in", methods=["GET", "POST"])
@access("public")
def sign_in():
    if current_user.is_authenticated:
        return redirect(url_for("site.dashboard"))
    form = SignInForm()
    if form.validate_on_submit():
        guard = sign_in_guard(form.email.data)
        try:
            # Before the password is even looked at: known and unknown emails alike.
            guard.check()
        except Throttled as error:
            db.session.commit()
            form.email.errors.append(str(error))
            return render_template("auth/sign_in.html", form=form, expired=False), 429
        user = authenticate(form.email.data, form.password.data)
        if user is None:
            guard.count()
            db.session.commit()
            form.email.errors.append(SIGN_IN_FAILED)
            return render_template("auth/sign_in.html", form=form,
                                   expired=False), 200
        destination = safe_next(request.args.get("next"))
        record = sign_in_browser(user)
        db.session.commit()
        step = second_factor_step(user, record)
        if step is not None:
            return redirect(url_for(SECOND_FACTOR_PAGES[step], next=destination))
        return redirect(destination)
    expired = take_expiry_notice() or request.args.get("expired") == "1"
    return render_template("auth/sign_in.html", form=form, expired=expired)


@bp.route("/sign-out", methods=["POST"])
@access("public")
def sign_out():
    form = ConfirmForm()
    if form.validate_on_submit() and current_user.is_authenticated:
        from ..audit_log.services import record

        record("auth.sign_out", obj=current_user._get_current_object())
        end_current_session("signed_out")
        db.session.commit()
    flash("You have signed out", "success")
    return redirect(url_for("auth.sign_in"))


def _token_page(purpose: str, token: str, template: str):
    """GET shows the form; only the POST (the button) uses the token up."""
    try:
        record = find_token(token, purpose)
    except TokenError as error:
        return render_template("auth/token_problem.html", message=str(error)), 410
    form = NewPasswordForm()
    if form.validate_on_submit():
        try:
            user = consume_token(token, purpose)
            set_password(user, form.password.data,
                         reason="password_set" if purpose == "invite" else "password_reset")
        except (PeopleError, TokenError) as error:
            db.session.rollback()
            form.password.errors.append(str(error))
            return render_template(template, form=form, user=record.user)
        sign_in_browser(user)
        db.session.commit()
        flash("Your password has been saved", "success")
        return redirect(url_for("site.dashboard"))
    return render_template(template, form=form, user=record.user)


@bp.route("/set-password/<token>", methods=["GET", "POST"], endpoint="set_password")
@access("public")
def set_password_link(token):
    return _token_page("invite", token, "auth/set_password.html")


@bp.route("/reset-password", methods=["GET", "POST"])
@access("public")
def forgot_password():
    form = ForgotPasswordForm()
    if form.validate_on_submit():
        guard = password_reset_guard(form.email.data)
        try:
            guard.check()
        except Throttled as error:
            db.session.commit()
            form.email.errors.append(str(error))
            return render_template("auth/forgot_password.html", form=form), 429
        guard.count()
        request_password_reset(form.email.data)
        db.session.commit()
        return render_template("auth/reset_sent.html", email=form.email.data)
    return render_template("auth/forgot_password.html", form=form)


@bp.route("/reset-password/<token>", methods=["GET", "POST"])
@access("public")
def reset_password(token):
    return _token_page("reset", token, "auth/reset_password.html")


@bp.route("/account/password", methods=["GET", "POST"])
@access("signed_in")
def change_password():
    form = ChangePasswordForm()
    if form.validate_on_submit():
        user = current_user._get_current_object()
        if not verify_password(user.password_hash, form.current_password.data):
            form.current_password.errors.append("Your current password is not correct")
        else:
            try:
                set_password(user, form.password.data, keep_session=current_session_record(),
                             reason="password_changed")
            except PeopleError as error:
                form.password.errors.append(str(error))
            else:
                db.session.commit()
                flash("Your password has been changed. You have been signed out on other "
                      "devices", "success")
                return redirect(url_for("site.dashboard"))
    return render_template("auth/change_password.html", form=form)


@bp.route("/account/partnership", methods=["POST"])
@access("signed_in")
def choose_partnership():
    form = ConfirmForm()
    if not form.validate_on_submit():
        abort(400)
    wanted = request.form.get("partnership_id", type=int)
    if wanted not in {p.id for p in partnerships_of(current_user)}:
        abort(404)
    session["partnership_id"] = wanted
    g.pop("partnership", None)
    flash(f"You are now working in {current_partnership().name}", "success")
    return redirect(url_for("site.dashboard"))

