"""The home page, a person's own panel and a committee's page (endpoints of the plans blueprint;
see app/home)."""
from flask import render_template
from flask_login import current_user, login_required

from app.announcements.queries import latest as latest_announcements
from app.commitments.queries import for_committee
from app.consultations.queries import effective_close
from app.core.clock import now, today
from app.core.i18n import local_when
from app.core.views import load_or_404
from app.extensions import db
from app.home import archive, queries  # noqa: F401 (archive: /plans/ and /plans/<slug>/)
from app.meetings.queries import agreement_counts, sessions_of
from app.plans import bp
from app.plans.models import MemberKind
from app.plans.queries import committee_by_slug, current_plan, plan_by_slug
from app.progress.lights import lights_for
from app.progress.path import reach_of_committee
from app.proposals.models import PROPOSAL_STATE_LABELS

COMMITTEE_COMMITMENTS = 50  # commitments listed on a committee's page

# What the home page and the panel show their items with.
HELPERS = {"days_left": queries.days_left, "effective_close": effective_close,
           "state_labels": PROPOSAL_STATE_LABELS, "local_when": local_when}


@bp.get("/")
def home():
    plan = current_plan()
    committees = queries.committees_with_counts(plan) if plan else []
    user = current_user if current_user.is_authenticated else None
    return render_template("plans/home.html", plan=plan, committees=committees, today=today(),
                           announcements=latest_announcements(plan),
                           open_now=queries.open_now(plan, user) if plan else None, moment=now(),
                           **HELPERS)


@bp.get("/panel/")
@login_required
def panel():
    """The signed-in person's own things: what they proposed and commented and what they got back,
    what their organisation can still do, the tables they signed up for, their latest notices."""
    return render_template("home/panel.html", panel=queries.panel_for(current_user), today=today(),
                           **HELPERS)


SESSIONS_SHOWN = 3  # the committee's latest sessions on its page; the rest on its sessions' page


@bp.get("/committees/<slug>")
def committee(slug: str):
    """A committee of the current plan."""
    return _committee_page(load_or_404(current_plan()), slug)


@bp.get("/plans/<plan_slug>/committees/<slug>/")
def plan_committee(plan_slug: str, slug: str):
    """A committee of any plan the visitor may see (a past one too), at an address that does not
    change when another plan becomes the current one."""
    return _committee_page(load_or_404(plan_by_slug(plan_slug, current_user)), slug)


def _committee_page(plan, slug: str):
    committee = load_or_404(committee_by_slug(plan, slug))
    current = [m for m in committee.members if m.is_current]
    history = [m for m in committee.members if not m.is_current]
    groups = [(kind, [m for m in current if m.kind == kind]) for kind in MemberKind]
    # The first ones by number; the rest on the commitments list, filtered by the committee and
    # paged (the page once read every one: a thousand cards for a big committee).
    commitments = db.session.scalars(for_committee(committee.id).limit(COMMITTEE_COMMITMENTS + 1)).all()
    more_commitments = len(commitments) > COMMITTEE_COMMITMENTS
    commitments = commitments[:COMMITTEE_COMMITMENTS]
    return render_template(
        "plans/committee.html",
        plan=plan,
        committee=committee,
        groups=groups,
        history=history,
        commitments=commitments,
        more_commitments=more_commitments,
        lights=lights_for([c.id for c in commitments], today()),
        sessions=sessions_of(committee)[:SESSIONS_SHOWN],
        agreements=agreement_counts(today(), committee_id=committee.id),
        reach=reach_of_committee(committee.id),
    )
