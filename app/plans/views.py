"""Public pages of the plan: home, committees, and what Open Government is."""
from flask import abort, current_app, redirect, render_template, request, session, url_for
from flask_login import current_user

from app.accounts.services import set_locale
from app.commitments.queries import for_committee
from app.core.db import utcnow
from app.core.urls import safe_next
from app.extensions import csrf, db
from app.plans import bp, queries
from app.plans.models import MemberKind


def _today():
    from zoneinfo import ZoneInfo

    return utcnow().astimezone(ZoneInfo(current_app.config["BABEL_DEFAULT_TIMEZONE"])).date()


@bp.get("/")
def home():
    plan = queries.current_plan()
    committees = queries.committees_with_counts(plan) if plan else []
    return render_template("plans/home.html", plan=plan, committees=committees, today=_today())


@bp.get("/committees/<slug>")
def committee(slug: str):
    plan = queries.current_plan() or abort(404)
    committee = queries.committee_by_slug(plan, slug) or abort(404)
    current = [m for m in committee.members if m.is_current]
    history = [m for m in committee.members if not m.is_current]
    groups = [(kind, [m for m in current if m.kind == kind]) for kind in MemberKind]
    commitments = db.session.scalars(for_committee(committee.id)).all()
    return render_template(
        "plans/committee.html",
        plan=plan,
        committee=committee,
        groups=groups,
        history=history,
        commitments=commitments,
    )


@bp.get("/open-government")
def open_government():
    return render_template("plans/open_government.html")


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
