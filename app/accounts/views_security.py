"""Pages of two-factor authentication and of session security: thin views over the services."""
from flask import current_app, flash, make_response, redirect, render_template, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required

from app.accounts import bp, forms, services, session_store, sessions, twofactor
from app.core.i18n import end_sentence
from app.core.views import redirect_with, run_form
from app.extensions import limiter


def _limit(key):
    return lambda: current_app.config[key]


def _show_recovery_codes(codes: list[str]):
    """The codes are in this response only: nothing may keep a copy of it."""
    response = make_response(render_template("accounts/recovery_codes.html", codes=codes))
    response.headers["Cache-Control"] = "no-store"
    return response


def _manage_page(code_form=None, disable_form=None, status=200):
    user = current_user._get_current_object()
    context = {"required": twofactor.is_required(user)}
    if user.two_factor_enabled:
        context.update(
            regenerate_form=code_form or forms.TwoFactorCodeForm(prefix="regenerate"),
            disable_form=disable_form or forms.DisableTwoFactorForm(prefix="disable"),
            remaining=twofactor.unused_recovery_codes(user),
        )
    else:
        secret = twofactor.pending_secret(user, sessions.enrolment_nonce())
        context.update(
            enable_form=code_form or forms.TwoFactorCodeForm(),
            secret=" ".join(secret[i:i + 4] for i in range(0, len(secret), 4)),
            qr_svg=twofactor.qr_svg(user, secret),
        )
    response = make_response(render_template("accounts/two_factor.html", **context), status)
    response.headers["Cache-Control"] = "no-store"  # the page shows the secret while enrolling
    return response


@bp.get("/two-factor")
@login_required
def two_factor():
    return _manage_page()


@bp.post("/two-factor/enable")
@login_required
@limiter.limit(_limit("RATELIMIT_TWO_FACTOR"))
def two_factor_enable():
    user = current_user._get_current_object()
    if user.two_factor_enabled:
        return redirect(url_for("accounts.two_factor"))
    form = forms.TwoFactorCodeForm()

    def enabled(codes):
        flash(_("Two-factor authentication is on. Other sessions have been closed."), "success")
        return _show_recovery_codes(codes)

    return run_form(
        form,
        action=lambda: twofactor.confirm_enrolment(
            user, twofactor.pending_secret(user, sessions.enrolment_nonce()), form.code.data,
            keep=sessions.current_session()),
        success=enabled,
        render=lambda: _manage_page(code_form=form, status=400),
    )


@bp.post("/two-factor/recovery-codes")
@login_required
@limiter.limit(_limit("RATELIMIT_TWO_FACTOR"))
def two_factor_recovery_codes():
    user = current_user._get_current_object()
    if not user.two_factor_enabled:
        return redirect(url_for("accounts.two_factor"))
    form = forms.TwoFactorCodeForm(prefix="regenerate")

    def made(codes):
        flash(_("New recovery codes have been made. The old ones no longer work."), "success")
        return _show_recovery_codes(codes)

    return run_form(
        form,
        action=lambda: twofactor.regenerate_recovery_codes(user, form.code.data),
        success=made,
        render=lambda: _manage_page(code_form=form, status=400),
    )


@bp.post("/two-factor/disable")
@login_required
@limiter.limit(_limit("RATELIMIT_TWO_FACTOR"))
def two_factor_disable():
    user = current_user._get_current_object()
    if not user.two_factor_enabled:
        return redirect(url_for("accounts.two_factor"))
    form = forms.DisableTwoFactorForm(prefix="disable")
    return run_form(
        form,
        action=lambda: twofactor.disable_two_factor(user, form.current_password.data, form.code.data),
        success=lambda _none: redirect_with(_("Two-factor authentication is off."),
                                            url_for("accounts.two_factor"), "info"),
        render=lambda: _manage_page(disable_form=form, status=400),
    )


@bp.route("/login/two-factor", methods=["GET", "POST"])
@limiter.limit(_limit("RATELIMIT_TWO_FACTOR"), methods=["POST"])
def login_two_factor():
    if current_user.is_authenticated:
        return redirect(url_for("plans.home"))
    pending = sessions.pending_login()
    if pending is None:
        flash(_("Your login was not completed in time. Please enter your password again."), "info")
        return redirect(url_for("accounts.login"))
    user, state = pending
    form = forms.TwoFactorLoginForm()
    if form.validate_on_submit():
        if twofactor.complete_login(user, form.code.data):
            sessions.start_session(user, remember=bool(state.get("remember")))
            flash(_("Welcome, %(name)s.", name=end_sentence(user.name)), "success")
            return redirect(state.get("next") or url_for("plans.home"))
        if not sessions.count_code_attempt(state) or services.is_locked(user):
            sessions.forget_half_login()
            flash(_("Too many wrong codes. Please log in again, or wait a few minutes if your "
                    "account has been locked."), "error")
            return redirect(url_for("accounts.login"))
        form.code.errors = [*form.code.errors, _("The code is not correct, or it was already used.")]
    return render_template("accounts/login_two_factor.html", form=form), 400 if form.errors else 200


@bp.get("/sessions")
@login_required
def signed_in_sessions():
    """Where you are signed in: every open session, this one marked, each with its own end."""
    user = current_user._get_current_object()
    response = make_response(render_template(
        "accounts/sessions.html",
        rows=session_store.active_sessions(user),
        this_session=sessions.current_session(),
        form=forms.EndSessionForm(),
    ))
    response.headers["Cache-Control"] = "no-store"
    return response


@bp.post("/sessions/<int:session_id>/end")
@login_required
def end_one_session(session_id: int):
    user = current_user._get_current_object()
    form = forms.EndSessionForm()
    if not form.validate_on_submit():
        return redirect(url_for("accounts.signed_in_sessions"))
    this_session = sessions.current_session()
    if this_session is not None and this_session.id == session_id:
        sessions.end_session(_("You have logged out."))
        return redirect(url_for("plans.home"))
    if session_store.end_own_session(user, session_id):
        flash(_("That session has ended: whoever used it must log in again."), "success")
    else:
        flash(_("That session had already ended."), "info")
    return redirect(url_for("accounts.signed_in_sessions"))


@bp.post("/sessions/end-others")
@login_required
def end_other_sessions():
    user = current_user._get_current_object()
    session_store.end_other_sessions(user, keep=sessions.current_session())
    flash(_("You have been logged out of every other session."), "success")
    return redirect(url_for("accounts.signed_in_sessions"))
