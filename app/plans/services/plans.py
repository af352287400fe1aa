"""A plan's life: created as a draft, edited, published, made the current one; and its phases."""
import re

import sqlalchemy as sa
from flask_babel import gettext as _

from app.core.audit import record
from app.core.db import utcnow
from app.core.errors import InvalidTransition
from app.core.permissions import require
from app.core.text import clean_line
from app.core.uow import savepoint
from app.extensions import db
from app.plans.models import ActionPlan, Phase, PhaseKind
from app.plans.services import _input
from app.plans.services._input import Errors

PREFIX = re.compile(r"^[A-Z0-9]{2,10}$")
PLAN_FIELDS = ("name", "jurisdiction", "period", "reference_prefix", "description", "guarantor_name",
               "guarantor_email", "guarantor_address", "data_licence")


def _plan_values(data: dict, errors: Errors, plan: ActionPlan | None = None) -> dict:
    values = {
        "name": _input.line(data, "name", 200, errors, required=True),
        "jurisdiction": _input.line(data, "jurisdiction", 200, errors, required=True),
        "period": _input.line(data, "period", 40, errors, required=True),
        "description": _input.text(data, "description", 20000, errors),
        "guarantor_name": _input.line(data, "guarantor_name", 300, errors),
        "guarantor_email": _input.email(data, "guarantor_email", errors),
        "guarantor_address": _input.line(data, "guarantor_address", 300, errors),
        "data_licence": _input.line(data, "data_licence", 80, errors) or "CC BY 4.0",
    }
    prefix = _input.line(data, "reference_prefix", 10, errors, required=True).upper()
    if prefix and not PREFIX.match(prefix):
        errors.add("reference_prefix", _("Use 2 to 10 capital letters or digits, e.g. ABC."))
    elif prefix:
        # Checked here, not by a constraint: plans that share a prefix would only share the count
        # of their references (see proposals' _next_sequence), so a race does no harm.
        query = sa.select(ActionPlan.id).where(ActionPlan.reference_prefix == prefix)
        if plan is not None:
            query = query.where(ActionPlan.id != plan.id)
        if db.session.scalar(query.limit(1)) is not None:
            errors.add("reference_prefix", _("Another plan already uses that prefix."))
    values["reference_prefix"] = prefix
    return values


def create_plan(actor, data: dict) -> ActionPlan:
    """A new plan, as a draft that only the guarantor body sees until it is published."""
    require(actor, "plans.manage")
    errors = Errors()
    values = _plan_values(data, errors)
    slug = _input.free_slug(ActionPlan, values["name"], data.get("slug"), errors)
    errors.raise_any()
    plan = ActionPlan(slug=slug, is_current=False, **values)
    db.session.add(plan)
    _input.flush_slug()
    record(actor, "plan.created", plan, public=True, name=plan.name)
    db.session.flush()
    return plan


def update_plan(actor, plan: ActionPlan, data: dict) -> None:
    """New data for the plan. Its address (slug) changes only while it is a draft: a published
    plan's URL is stable."""
    require(actor, "plans.manage", plan)
    errors = Errors()
    values = _plan_values(data, errors, plan)
    slug = plan.slug
    if not plan.is_published and clean_line(data.get("slug")):
        slug = _input.free_slug(ActionPlan, values["name"], data.get("slug"), errors, current=plan)
    errors.raise_any()
    for key, value in values.items():
        setattr(plan, key, value)
    plan.slug = slug
    _input.flush_slug()
    record(actor, "plan.updated", plan, public=True)
    db.session.flush()


def publish_plan(actor, plan: ActionPlan) -> None:
    """The plan becomes public; the first one published becomes the current plan."""
    require(actor, "plans.manage", plan)
    done = db.session.execute(
        sa.update(ActionPlan).where(ActionPlan.id == plan.id, ActionPlan.published_at.is_(None))
        .values(published_at=utcnow()).execution_options(synchronize_session=False)
    ).rowcount
    if done != 1:
        raise InvalidTransition(_("This plan is already published."))
    db.session.refresh(plan, ["published_at"])
    record(actor, "plan.published", plan, public=True)
    if db.session.scalar(sa.select(ActionPlan.id).where(ActionPlan.is_current).limit(1)) is None:
        _set_current(plan)
    db.session.flush()


def _set_current(plan: ActionPlan) -> None:
    # Two statements (PostgreSQL checks a unique index row by row); the partial unique index
    # refuses a second current plan when two admins choose different plans at once.
    try:
        with savepoint():
            db.session.execute(
                sa.update(ActionPlan).where(ActionPlan.is_current, ActionPlan.id != plan.id)
                .values(is_current=False).execution_options(synchronize_session=False)
            )
            db.session.execute(
                sa.update(ActionPlan).where(ActionPlan.id == plan.id)
                .values(is_current=True).execution_options(synchronize_session=False)
            )
    except sa.exc.IntegrityError:
        raise InvalidTransition(
            _("Another plan was made current at the same moment. Reload the page and try again.")
        ) from None
    db.session.expire_all()


def make_current(actor, plan: ActionPlan) -> None:
    """The plan the public pages show; the others stay browsable as past plans."""
    require(actor, "plans.manage", plan)
    if not plan.is_published:
        raise InvalidTransition(_("Publish the plan before making it the current one."))
    if plan.is_current:
        return
    _set_current(plan)
    record(actor, "plan.made_current", plan, public=True)
    db.session.flush()


def _phase_values(data: dict, errors: Errors) -> dict:
    kind = data.get("kind")
    try:
        kind = PhaseKind(kind)
    except ValueError:
        errors.add("kind", _("Choose the kind of phase."))
        kind = None
    starts_on = _input.day(data, "starts_on", errors, required=True)
    ends_on = _input.day(data, "ends_on", errors, required=True)
    if starts_on and ends_on and ends_on < starts_on:
        errors.add("ends_on", _("The end date cannot be before the start date."))
    return {
        "kind": kind,
        "name": _input.line(data, "name", 120, errors) or None,
        "starts_on": starts_on,
        "ends_on": ends_on,
        "description": _input.text(data, "description", 5000, errors),
        "accepts_proposals": _input.flag(data, "accepts_proposals"),
    }


def _flush_phase() -> None:
    # The same phase sent twice, or two of a kind starting on one day.
    _input.flush_unique("starts_on", _("The plan already has a phase of this kind starting that day."))


def _renumber(ordered: list[Phase]) -> None:
    for position, phase in enumerate(ordered):
        phase.position = position


def _phases_of(plan_id: int) -> list[Phase]:
    return list(db.session.scalars(
        sa.select(Phase).where(Phase.plan_id == plan_id).order_by(Phase.position, Phase.id)
    ))


def add_phase(actor, plan: ActionPlan, data: dict) -> Phase:
    """A phase at the end of the plan's timeline."""
    require(actor, "plans.manage", plan)
    values = _input.validated(_phase_values, data)
    position = _input.next_position(Phase.position, Phase.plan_id == plan.id)
    phase = Phase(plan_id=plan.id, position=position, **values)
    db.session.add(phase)
    _flush_phase()
    record(actor, "phase.added", phase, public=True, plan_id=plan.id, kind=phase.kind.value)
    db.session.flush()
    db.session.expire(plan, ["phases"])
    return phase


def update_phase(actor, phase: Phase, data: dict) -> None:
    require(actor, "plans.manage", phase.plan)
    _input.assign(phase, _input.validated(_phase_values, data))
    _flush_phase()
    record(actor, "phase.updated", phase, public=True, plan_id=phase.plan_id)
    db.session.flush()


def move_phase(actor, phase: Phase, offset: int) -> None:
    """One step up (-1) or down (+1) in the timeline; at either end it stays where it is."""
    require(actor, "plans.manage", phase.plan)
    ordered = _phases_of(phase.plan_id)
    index = ordered.index(phase)
    target = min(max(index + int(offset), 0), len(ordered) - 1)
    ordered.insert(target, ordered.pop(index))
    _renumber(ordered)
    record(actor, "phase.moved", phase, plan_id=phase.plan_id, position=target)
    db.session.flush()
    db.session.expire(phase.plan, ["phases"])


def remove_phase(actor, phase: Phase) -> None:
    require(actor, "plans.manage", phase.plan)
    plan = phase.plan
    record(actor, "phase.removed", phase, public=True, plan_id=plan.id, kind=phase.kind.value,
           name=phase.label)
    db.session.delete(phase)
    db.session.flush()
    _renumber(_phases_of(plan.id))
    db.session.flush()
    db.session.expire(plan, ["phases"])
