"""Public pages of the plan: what Open Government is, and the language switch. (The home page and
a committee's page gather other areas' figures: they live in app/home.)"""
from flask import current_app, redirect, render_template, request, session, url_for
from flask_login import current_user

from app.accounts.services import set_locale
from app.core.urls import safe_next
from app.extensions import csrf
from app.plans import bp
from app.plans.queries import current_plan


@bp.get("/open-government")
def open_government():
    return render_template("plans/open_government.html", plan=current_plan())


@bp.post("/language")
@csrf.exempt
def set_language():
    # Anonymous pages carry no CSRF token (so they can be cached whole); a forged language change
    # is harmless for a visitor. A signed-in user's choice is stored on the account: checked then.
    if current_user.is_authenticated:
        csrf.protect()
    lang = request.form.get("lang")
    if lang in current_app.config["LANGUAGES"]:
        session["lang"] = lang
        if current_user.is_authenticated:
            set_locale(current_user, lang)
    return redirect(safe_next(request.form.get("next")) or url_for("plans.home"))
