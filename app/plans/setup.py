"""The set-up checklist of a plan, shown on /admin/: a small registry of steps.

    register_step(40, _l("Territory"), lambda plan: ..., "places.index")

Each area registers its own step when it is imported; steps are shown by `order` (this module
uses 10, 20, 30, 50, 60 and 80: 40 is the territory's and 70 the call's). The link of a step is
`url_for(endpoint, plan_id=plan.id)` (an endpoint without `plan_id` gets it as a query string).
"""
from collections.abc import Callable
from dataclasses import dataclass

import sqlalchemy as sa
from flask import url_for
from flask_babel import lazy_gettext as _l

from app.accounts.models import ModeratorScope
from app.extensions import db
from app.plans.models import ActionPlan, Committee


@dataclass(frozen=True)
class Step:
    order: int
    label: object  # a lazy string: shown in the reader's language
    is_done: Callable[[ActionPlan], bool]
    endpoint: str
    anchor: str | None = None


@dataclass(frozen=True)
class StepState:
    label: str
    done: bool
    url: str


# Thread-safe: filled only while modules are imported (before the first request); read-only after.
_STEPS: dict[int, Step] = {}


def register_step(order: int, label, is_done: Callable[[ActionPlan], bool], endpoint: str,
                  anchor: str | None = None) -> None:
    if order in _STEPS:
        raise RuntimeError(f"set-up step {order} registered twice")
    _STEPS[order] = Step(order, label, is_done, endpoint, anchor)


# Steps from this order on come after the plan is published (the call needs a published plan).
AFTER_PUBLISHING = 70


def missing_before_publishing(plan: ActionPlan) -> list[str]:
    """The labels of the steps that should be done before the plan is published and are not."""
    return [str(step.label) for order, step in sorted(_STEPS.items())
            if order < AFTER_PUBLISHING and not step.is_done(plan)]


def checklist(plan: ActionPlan) -> list[StepState]:
    return [
        StepState(str(step.label), bool(step.is_done(plan)),
                  url_for(step.endpoint, plan_id=plan.id, _anchor=step.anchor))
        for _order, step in sorted(_STEPS.items())
    ]


def checklist_before_any_plan() -> list[StepState]:
    """An empty installation: every step still missing, each leading to the new plan's form."""
    url = url_for("plans_admin.new_plan")
    return [StepState(str(step.label), False, url) for _order, step in sorted(_STEPS.items())]


def _plan_data_done(plan: ActionPlan) -> bool:
    return all((plan.name, plan.jurisdiction, plan.period, plan.reference_prefix, plan.guarantor_name,
                plan.guarantor_email))


def _facilitators_done(plan: ActionPlan) -> bool:
    """Every committee has at least one facilitator."""
    without = db.session.scalar(
        sa.select(sa.func.count(Committee.id)).where(
            Committee.plan_id == plan.id,
            ~sa.exists().where(ModeratorScope.committee_id == Committee.id),
        )
    )
    return bool(plan.committees) and without == 0


register_step(10, _l("Plan data and guarantor body"), _plan_data_done, "plans_admin.edit_plan")
register_step(20, _l("Phases, one of them receiving proposals"),
              lambda plan: any(p.accepts_proposals for p in plan.phases), "plans_admin.setup", "phases")
register_step(30, _l("Committees"), lambda plan: bool(plan.committees), "plans_admin.setup", "committees")
register_step(50, _l("Themes"), lambda plan: bool(plan.themes), "plans_admin.setup", "themes")
register_step(60, _l("Facilitators of every committee"), _facilitators_done, "plans_admin.setup",
              "committees")
register_step(80, _l("Publish the plan"), lambda plan: plan.is_published, "plans_admin.setup", "publish")
