"""The plans' structure (ActionPlan, Phase, Committee, CommitteeMember, Theme): the ONE place of
the demo that writes these rows itself, until app/plans/services.py (create_plan, add_phase,
create_committee, add_member, create_theme) exists; then `build_plan` calls those services and
this note goes. Idempotent: a plan already there (by slug) is returned as it is."""
import sqlalchemy as sa

from app.extensions import db
from app.plans.models import (
    ActionPlan,
    Committee,
    CommitteeMember,
    MemberKind,
    Phase,
    PhaseKind,
    Theme,
)


def build_plan(actor, spec: dict) -> ActionPlan:
    """The plan `spec` describes: "plan" (its fields), "current" (bool), "phases" [(kind, starts,
    ends, description, accepts_proposals)], "themes" [(slug, name)], "committees" [{slug, name,
    scope, members: [(name, title, kind)]}], "term_start" (the members' first day)."""
    plan = db.session.scalar(sa.select(ActionPlan).where(ActionPlan.slug == spec["plan"]["slug"]))
    if plan is not None:
        return plan
    if spec.get("current"):
        for other in db.session.scalars(sa.select(ActionPlan).where(ActionPlan.is_current)):
            other.is_current = False
    plan = ActionPlan(**spec["plan"], is_current=bool(spec.get("current")))
    db.session.add(plan)
    db.session.flush()
    for position, (kind, starts, ends, description, _accepts) in enumerate(spec["phases"]):
        db.session.add(Phase(plan_id=plan.id, kind=PhaseKind(kind), position=position,
                             starts_on=starts, ends_on=ends, description=description))
    for slug, name in spec["themes"]:
        db.session.add(Theme(plan_id=plan.id, slug=slug, name=name))
    for c_pos, committee_spec in enumerate(spec["committees"]):
        committee = Committee(plan_id=plan.id, slug=committee_spec["slug"], position=c_pos,
                              name=committee_spec["name"], scope=committee_spec["scope"])
        db.session.add(committee)
        db.session.flush()
        for m_pos, (name, title, kind) in enumerate(committee_spec["members"]):
            db.session.add(CommitteeMember(committee_id=committee.id, name=name,
                                           position_title=title, kind=MemberKind(kind),
                                           position=m_pos, term_start=spec.get("term_start")))
    db.session.flush()
    return plan
