"""Pages of the accounts area: thin views over accounts.services."""
import json

from flask import (
    Response,
    current_app,
    flash,
    redirect,
    render_template,
    request,
    session,
    url_for,
)
from flask_babel import gettext as _
from flask_login import current_user, login_required

from app.accounts import bp, forms, services, sessions
from app.core.errors import ValidationError
from app.core.urls import safe_next
from app.extensions import limiter


def _limit(key):
    return lambda: current_app.config[key]


@bp.route("/register")
def register():
    return render_template("accounts/register_choice.html")


@bp.route("/register/citizen", methods=["GET", "POST"])
@limiter.limit(_limit("RATELIMIT_REGISTER"), methods=["POST"])
def register_citizen():
    form = forms.CitizenRegistrationForm()
    if form.validate_on_submit():
        services.register_citizen(form.data)
        return redirect(url_for("accounts.check_email"))
    return render_template("accounts/register_citizen.html", form=form), 400 if form.errors else 200


@bp.route("/register/organisation", methods=["GET", "POST"])
@limiter.limit(_limit("RATELIMIT_REGISTER"), methods=["POST"])
def register_organisation():
    form = forms.OrganisationRegistrationForm()
    if form.validate_on_submit():
        services.register_organisation(form.data)
        return redirect(url_for("accounts.check_email"))
    return render_template("accounts/register_organisation.html", form=form), (
        400 if form.errors else 200
    )


@bp.get("/check-email")
def check_email():
    return render_template("accounts/check_email.html")


@bp.get("/confirm/<token>")
def confirm(token):
    # Confirming only sets a flag once; the link is safe to follow twice.
    user = services.confirm_email(token)
    if user is None:
        flash(_("The confirmation link is not valid or has expired. Ask for a new one below."), "error")
        return redirect(url_for("accounts.resend_confirmation"))
    flash(_("Your email address is confirmed. You can now take part."), "success")
    return redirect(url_for("accounts.login") if not current_user.is_authenticated else url_for("plans.home"))


@bp.route("/confirm", methods=["GET", "POST"])
@limiter.limit(_limit("RATELIMIT_RESET"), methods=["POST"])
def resend_confirmation():
    form = forms.EmailOnlyForm()
    if form.validate_on_submit():
        services.resend_confirmation(form.email.data)
        return redirect(url_for("accounts.check_email"))
    return render_template("accounts/resend_confirmation.html", form=form), 400 if form.errors else 200


@bp.route("/login", methods=["GET", "POST"])
@limiter.limit(_limit("RATELIMIT_LOGIN"), methods=["POST"])
def login():
    if current_user.is_authenticated:
        return redirect(url_for("plans.home"))
    form = forms.LoginForm()
    status = 200
    if form.validate_on_submit():
        user = services.authenticate(form.email.data, form.password.data)
        if user is not None:
            next_url = safe_next(request.args.get("next"))
            if user.two_factor_enabled:
                sessions.start_half_login(user, bool(form.remember.data), next_url)
                return redirect(url_for("accounts.login_two_factor"))
            sessions.start_session(user, remember=bool(form.remember.data))
            flash(_("Welcome, %(name)s.", name=user.name), "success")
            return redirect(next_url or url_for("plans.home"))
        flash(
            _(
                "The email or password is not correct, or the account is temporarily locked "
                "after repeated failed attempts. Try again in a few minutes or reset your password."
            ),
            "error",
        )
        status = 400
    elif form.errors:
        status = 400
    return render_template("accounts/login.html", form=form), status


@bp.post("/logout")
def logout():
    sessions.end_session(_("You have logged out."))
    return redirect(url_for("plans.home"))


@bp.route("/forgot-password", methods=["GET", "POST"])
@limiter.limit(_limit("RATELIMIT_RESET"), methods=["POST"])
def forgot_password():
    form = forms.EmailOnlyForm()
    if form.validate_on_submit():
        services.request_password_reset(form.email.data)
        flash(
            _(
                "If an account uses that address, we have sent it a link to choose a new password. "
                "The link works once and expires in one hour."
            ),
            "info",
        )
        return redirect(url_for("accounts.login"))
    return render_template("accounts/forgot_password.html", form=form), 400 if form.errors else 200


@bp.route("/reset-password/<token>", methods=["GET", "POST"])
@limiter.limit(_limit("RATELIMIT_RESET"), methods=["POST"])
def reset_password(token):
    user = services.user_for_reset_token(token)
    if user is None:
        flash(_("The link to reset your password is not valid, was already used or has expired."), "error")
        return redirect(url_for("accounts.forgot_password"))
    form = forms.ResetPasswordForm(user=user)
    if form.validate_on_submit():
        services.reset_password(token, form.password.data)
        flash(_("Your password has been changed. You can log in with it now."), "success")
        return redirect(url_for("accounts.login"))
    return render_template("accounts/reset_password.html", form=form), 400 if form.errors else 200


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
    if form.validate_on_submit():
        services.update_profile(user, form.data)
        session.pop("lang", None)
        flash(_("Your profile has been saved."), "success")
        return redirect(url_for("accounts.profile"))
    return render_template("accounts/profile.html", form=form), 400 if form.errors else 200


@bp.route("/email", methods=["GET", "POST"])
@login_required
def change_email():
    form = forms.ChangeEmailForm()
    if form.validate_on_submit():
        try:
            services.request_email_change(current_user, form.new_email.data, form.current_password.data)
        except ValidationError as exc:
            getattr(form, exc.field).errors.append(exc.message)
        else:
            flash(_("We have sent a link to the new address. Your email changes when you follow it."), "info")
            return redirect(url_for("accounts.profile"))
    return render_template("accounts/change_email.html", form=form), 400 if form.errors else 200


@bp.get("/email/confirm/<token>")
def confirm_email_change(token):
    user = services.confirm_email_change(token)
    if user is None:
        flash(_("The link to confirm your new email is not valid or has expired."), "error")
    else:
        flash(_("Your email address has been changed."), "success")
    return redirect(url_for("accounts.profile") if current_user.is_authenticated else url_for("accounts.login"))


@bp.route("/password", methods=["GET", "POST"])
@login_required
def change_password():
    user = current_user._get_current_object()
    form = forms.ChangePasswordForm(user=user)
    if form.validate_on_submit():
        try:
            services.change_password(user, form.current_password.data, form.password.data,
                                     keep=sessions.current_session())
        except ValidationError as exc:
            getattr(form, exc.field).errors.append(exc.message)
        else:
            flash(_("Your password has been changed. Other sessions have been closed."), "success")
            return redirect(url_for("accounts.profile"))
    return render_template("accounts/change_password.html", form=form), 400 if form.errors else 200


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
    if form.validate_on_submit():
        try:
            services.delete_account(current_user, form.current_password.data)
        except ValidationError as exc:
            getattr(form, exc.field).errors.append(exc.message)
        else:
            sessions.end_session()
            flash(_("Your account has been deleted. Your public contributions remain, without your name."), "info")
            return redirect(url_for("plans.home"))
    return render_template("accounts/delete_account.html", form=form), 400 if form.errors else 200
