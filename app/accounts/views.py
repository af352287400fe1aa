"""Pages of the accounts area: thin views over accounts.services."""
import json

from flask import Response, current_app, flash, redirect, render_template, request, session, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required

from app.accounts import bp, forms, services, sessions
from app.core.i18n import end_sentence
from app.core.urls import safe_next
from app.core.views import form_status, redirect_with, run_form
from app.extensions import limiter


def _limit(key):
    return lambda: current_app.config[key]


def _page(template: str, form, status: int | None = None, **context):
    return render_template(template, form=form, **context), status or form_status(form)


@bp.route("/register")
def register():
    return render_template("accounts/register_choice.html")


@bp.route("/register/citizen", methods=["GET", "POST"])
@limiter.limit(_limit("RATELIMIT_REGISTER"), methods=["POST"])
def register_citizen():
    form = forms.CitizenRegistrationForm()
    return run_form(
        form,
        # The page is the same whether the address was free or taken: it reveals no account.
        action=lambda: services.register_citizen(form.data),
        success=lambda _user: redirect(url_for("accounts.check_email")),
        render=lambda: render_template("accounts/register_citizen.html", form=form),
    )


@bp.route("/register/organisation", methods=["GET", "POST"])
@limiter.limit(_limit("RATELIMIT_REGISTER"), methods=["POST"])
def register_organisation():
    form = forms.OrganisationRegistrationForm()
    return run_form(
        form,
        action=lambda: services.register_organisation(form.data),
        success=lambda _user: redirect(url_for("accounts.check_email")),
        render=lambda: render_template("accounts/register_organisation.html", form=form),
    )


@bp.get("/check-email")
def check_email():
    return render_template("accounts/check_email.html")


@bp.get("/confirm/<token>")
def confirm(token):
    # Confirming only sets a flag once; the link is safe to follow twice.
    user = services.confirm_email(token)
    if user is None:
        return redirect_with(
            _("The confirmation link is not valid or has expired. Ask for a new one below."),
            url_for("accounts.resend_confirmation"), "error")
    return redirect_with(
        _("Your email address is confirmed. You can now take part."),
        url_for("accounts.login") if not current_user.is_authenticated else url_for("plans.home"))


@bp.route("/confirm", methods=["GET", "POST"])
@limiter.limit(_limit("RATELIMIT_RESET"), methods=["POST"])
def resend_confirmation():
    form = forms.EmailOnlyForm()
    return run_form(
        form,
        action=lambda: services.resend_confirmation(form.email.data),
        success=lambda _none: redirect(url_for("accounts.check_email")),
        render=lambda: render_template("accounts/resend_confirmation.html", form=form),
    )


@bp.route("/login", methods=["GET", "POST"])
@limiter.limit(_limit("RATELIMIT_LOGIN"), methods=["POST"])
def login():
    if current_user.is_authenticated:
        return redirect(url_for("plans.home"))
    form = forms.LoginForm()

    def signed_in(user):
        if user is None:
            # One answer for a wrong email, a wrong password and a locked account.
            flash(_("The email or password is not correct, or the account is temporarily locked "
                    "after repeated failed attempts. Try again in a few minutes or reset your "
                    "password."), "error")
            return _page("accounts/login.html", form, 400)
        next_url = safe_next(request.args.get("next"))
        if user.two_factor_enabled:
            sessions.start_half_login(user, bool(form.remember.data), next_url)
            return redirect(url_for("accounts.login_two_factor"))
        sessions.start_session(user, remember=bool(form.remember.data))
        return redirect_with(_("Welcome, %(name)s.", name=end_sentence(user.name)), next_url or url_for("plans.home"))

    return run_form(
        form,
        action=lambda: services.authenticate(form.email.data, form.password.data),
        success=signed_in,
        render=lambda: render_template("accounts/login.html", form=form),
    )


@bp.post("/logout")
def logout():
    sessions.end_session(_("You have logged out."))
    return redirect(url_for("plans.home"))


@bp.route("/forgot-password", methods=["GET", "POST"])
@limiter.limit(_limit("RATELIMIT_RESET"), methods=["POST"])
def forgot_password():
    form = forms.EmailOnlyForm()
    return run_form(
        form,
        action=lambda: services.request_password_reset(form.email.data),
        success=lambda _none: redirect_with(
            _("If an account uses that address, we have sent it a link to choose a new password. "
              "The link works once and expires in one hour."), url_for("accounts.login"), "info"),
        render=lambda: render_template("accounts/forgot_password.html", form=form),
    )


@bp.route("/reset-password/<token>", methods=["GET", "POST"])
@limiter.limit(_limit("RATELIMIT_RESET"), methods=["POST"])
def reset_password(token):
    user = services.user_for_reset_token(token)
    if user is None:
        return redirect_with(
            _("The link to reset your password is not valid, was already used or has expired."),
            url_for("accounts.forgot_password"), "error")
    form = forms.ResetPasswordForm(user=user)
    return run_form(
        form,
        action=lambda: services.reset_password(token, form.password.data),
        success=lambda _user: redirect_with(
            _("Your password has been changed. You can log in with it now."), url_for("accounts.login")),
        render=lambda: render_template("accounts/reset_password.html", form=form),
    )


@bp.route("/profile", methods=["GET", "POST"])
@login_required
def profile():
    user = current_user._get_current_object()
    form_cls = forms.OrganisationProfileForm if user.organisation else forms.ProfileForm
    form = form_cls(obj=user)
    if request.method == "GET" and user.organisation:
        form.contact_person.data = user.organisation.contact_person
        form.website.data = user.organisation.website
        form.description.data = user.organisation.description

    def saved(_none):
        session.pop("lang", None)  # the profile's language now decides
        return redirect_with(_("Your profile has been saved."), url_for("accounts.profile"))

    return run_form(
        form,
        action=lambda: services.update_profile(user, form.data),
        success=saved,
        render=lambda: render_template("accounts/profile.html", form=form),
    )


@bp.route("/email", methods=["GET", "POST"])
@login_required
def change_email():
    form = forms.ChangeEmailForm()
    return run_form(
        form,
        action=lambda: services.request_email_change(current_user, form.new_email.data,
                                                     form.current_password.data),
        success=lambda _none: redirect_with(
            _("We have sent a link to the new address. Your email changes when you follow it."),
            url_for("accounts.profile"), "info"),
        render=lambda: render_template("accounts/change_email.html", form=form),
    )


@bp.get("/email/confirm/<token>")
def confirm_email_change(token):
    user = services.confirm_email_change(token)
    back = url_for("accounts.profile") if current_user.is_authenticated else url_for("accounts.login")
    if user is None:
        return redirect_with(_("The link to confirm your new email is not valid or has expired."),
                             back, "error")
    return redirect_with(_("Your email address has been changed."), back)


@bp.route("/password", methods=["GET", "POST"])
@login_required
def change_password():
    user = current_user._get_current_object()
    form = forms.ChangePasswordForm(user=user)
    return run_form(
        form,
        action=lambda: services.change_password(user, form.current_password.data, form.password.data,
                                                keep=sessions.current_session()),
        success=lambda _none: redirect_with(
            _("Your password has been changed. Other sessions have been closed."),
            url_for("accounts.profile")),
        render=lambda: render_template("accounts/change_password.html", form=form),
    )


@bp.get("/my-data.json")
@login_required
def export_data():
    payload = json.dumps(services.export_user_data(current_user), ensure_ascii=False, indent=2)
    return Response(
        payload,
        mimetype="application/json",
        headers={"Content-Disposition": 'attachment; filename="cocrea-mis-datos.json"'},
    )


@bp.route("/delete", methods=["GET", "POST"])
@login_required
def delete_account():
    form = forms.DeleteAccountForm()

    def deleted(_none):
        sessions.end_session()
        return redirect_with(_("Your account has been deleted. Your public contributions remain, "
                               "without your name."), url_for("plans.home"), "info")

    return run_form(
        form,
        action=lambda: services.delete_account(current_user, form.current_password.data),
        success=deleted,
        render=lambda: render_template("accounts/delete_account.html", form=form),
    )
