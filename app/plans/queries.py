"""Reads of the plan's structure shared by pages and the API."""
from datetime import date
from typing import NamedTuple

import sqlalchemy as sa
from flask import current_app, g
from flask_babel import gettext as _
from sqlalchemy.orm import selectinload

from app.core.i18n import local_date
from app.extensions import db
from app.plans.models import ActionPlan, Committee, CommitteeMember


def current_plan() -> ActionPlan | None:
    return db.session.scalar(
        sa.select(ActionPlan)
        .order_by(ActionPlan.is_current.desc(), ActionPlan.created_at.desc())
        .options(selectinload(ActionPlan.phases), selectinload(ActionPlan.themes))
        .limit(1)
    )


def committee_by_slug(plan: ActionPlan, slug: str) -> Committee | None:
    return db.session.scalar(
        sa.select(Committee)
        .where(Committee.plan_id == plan.id, Committee.slug == slug)
        .options(selectinload(Committee.members).joinedload(CommitteeMember.user))
    )


def proposals_refusal(plan: ActionPlan, on: date) -> str | None:
    """Why the plan receives no proposals on `on` (naming the dates of the phases that receive
    them), or None when a phase that accepts proposals covers that day."""
    receiving = [p for p in plan.phases if p.accepts_proposals]
    if any(p.starts_on <= on <= p.ends_on for p in receiving):
        return None
    upcoming = sorted((p for p in receiving if p.starts_on > on), key=lambda p: p.starts_on)
    if upcoming:
        phase = upcoming[0]
        return _("This plan receives proposals in its phase “%(phase)s”, from %(start)s to %(end)s.",
                 phase=phase.label, start=local_date(phase.starts_on), end=local_date(phase.ends_on))
    if receiving:
        phase = max(receiving, key=lambda p: p.ends_on)
        return _("This plan received proposals in its phase “%(phase)s”, from %(start)s to %(end)s; "
                 "that phase has ended.",
                 phase=phase.label, start=local_date(phase.starts_on), end=local_date(phase.ends_on))
    return _("This plan has no phase that receives proposals.")


class Guarantor(NamedTuple):
    name: str
    email: str
    address: str


def guarantor() -> Guarantor:
    """The guarantor body of the current plan (pages, mail, open data), read once per request;
    the settings' GUARANTOR_* (empty by default) stand in for what the plan leaves blank."""
    if "cocrea_guarantor" not in g:
        row = db.session.execute(
            sa.select(ActionPlan.guarantor_name, ActionPlan.guarantor_email, ActionPlan.guarantor_address)
            .where(ActionPlan.published_at.is_not(None))
            .order_by(ActionPlan.is_current.desc(), ActionPlan.created_at.desc()).limit(1)
        ).first()
        config = current_app.config
        name, email, address = row or ("", "", "")
        g.cocrea_guarantor = Guarantor(
            name or config.get("GUARANTOR_NAME") or "",
            email or config.get("GUARANTOR_EMAIL") or "",
            address or config.get("GUARANTOR_ADDRESS") or "",
        )
    return g.cocrea_guarantor
