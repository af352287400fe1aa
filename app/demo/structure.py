"""The demo plans' structure, built through the plans services as the guarantor body builds it
from /admin/plans: the plan, its phases, committees, government members and themes, then
published (and made current). Idempotent: a plan already there (by slug) is returned as it is.
The civil-society seats come from elections and agreements (app/demo/elections.py) and the
facilitators from their scopes (app/demo/loader.py)."""
import sqlalchemy as sa

from app.extensions import db
from app.plans.models import ActionPlan
from app.plans.services import (
    add_member,
    add_phase,
    create_committee,
    create_plan,
    create_theme,
    make_current,
    publish_plan,
)


def build_plan(actor, spec: dict) -> ActionPlan:
    """The plan `spec` describes: "plan" (create_plan's data), "current" (bool), "phases"
    [(kind, starts, ends, description, accepts_proposals)], "themes" [(slug, name)],
    "committees" [{slug, name, scope, members: [(name, position title, institution)]}],
    "term_start" (the government members' first day)."""
    plan = db.session.scalar(sa.select(ActionPlan).where(ActionPlan.slug == spec["plan"]["slug"]))
    if plan is not None:
        return plan
    plan = create_plan(actor, spec["plan"])
    for kind, starts, ends, description, accepts in spec["phases"]:
        add_phase(actor, plan, {"kind": kind, "starts_on": starts, "ends_on": ends,
                                "description": description, "accepts_proposals": accepts})
    for slug, name in spec["themes"]:
        create_theme(actor, plan, {"slug": slug, "name": name})
    for committee_spec in spec["committees"]:
        committee = create_committee(actor, plan, {key: committee_spec[key]
                                                   for key in ("slug", "name", "scope")})
        for name, title, institution in committee_spec["members"]:
            add_member(actor, committee, {"name": name, "position_title": title,
                                          "institution": institution,
                                          "term_start": spec["term_start"]})
    publish_plan(actor, plan)
    if spec.get("current"):
        make_current(actor, plan)
    return plan
