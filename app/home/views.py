"""The home page and a committee's page (endpoints of the plans blueprint; see app/home)."""
from flask import render_template

from app.announcements.queries import latest as latest_announcements
from app.commitments.queries import for_committee
from app.core.clock import today
from app.core.views import load_or_404
from app.extensions import db
from app.home import archive, queries  # noqa: F401 (archive: /plans/ and /plans/<slug>/)
from app.plans import bp
from app.plans.models import MemberKind
from app.plans.queries import committee_by_slug, current_plan


@bp.get("/")
def home():
    plan = current_plan()
    committees = queries.committees_with_counts(plan) if plan else []
    return render_template("plans/home.html", plan=plan, committees=committees, today=today(),
                           announcements=latest_announcements(plan))


@bp.get("/committees/<slug>")
def committee(slug: str):
    plan = load_or_404(current_plan())
    committee = load_or_404(committee_by_slug(plan, slug))
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
