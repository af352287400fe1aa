"""Publishing a call and changing it: everything before registration opens, then only a later
closing date, then nothing. Times are typed in the plan's zone and stored in UTC."""
from datetime import datetime
from types import SimpleNamespace

import sqlalchemy as sa
from flask_babel import gettext as _
from sqlalchemy.exc import IntegrityError

from app.calls import permissions as _permissions  # noqa: F401  (registers the rules)
from app.calls import queries
from app.calls.models import Call
from app.calls.services.common import ids_of, raise_field_errors
from app.calls.windows import local_time
from app.core.audit import record
from app.core.clock import local_to_utc, now, utc_to_local
from app.core.errors import InvalidTransition, ValidationError
from app.core.permissions import require
from app.core.text import clean_line, clean_text
from app.core.uow import savepoint
from app.extensions import db
from app.plans.models import ActionPlan

TITLE_MAX = 300
TEXT_MAX = 50_000
DECLARATION_MAX = 500
DECLARATIONS_MAX = 20
CALL_FIELDS = ("title", "body", "requirements", "declarations", "committee_ids", "opens_at",
               "closes_at")


def declaration_lines(value) -> list[str]:
    """The declarations of a call: one per non-empty line (or a list), repeats dropped."""
    lines = value.splitlines() if isinstance(value, str) else list(value or [])
    found: list[str] = []
    for line in lines:
        text = clean_line(line)
        if text and text not in found:
            found.append(text)
    return found


def _validated_call(plan: ActionPlan, data: dict, moment: datetime) -> dict:
    """The call's fields, clean; raises ValidationError with every field's messages."""
    errors: dict[str, list[str]] = {name: [] for name in CALL_FIELDS}
    title = clean_line(data.get("title"))
    if not title:
        errors["title"].append(_("Give the call a title."))
    elif len(title) > TITLE_MAX:
        errors["title"].append(_("The title can have at most %(max)d characters.", max=TITLE_MAX))
    body = clean_text(data.get("body"))
    if not body:
        errors["body"].append(_("Write the text of the call."))
    elif len(body) > TEXT_MAX:
        errors["body"].append(_("The text can have at most %(max)d characters.", max=TEXT_MAX))
    requirements = clean_text(data.get("requirements"))
    if len(requirements) > TEXT_MAX:
        errors["requirements"].append(
            _("The requirements can have at most %(max)d characters.", max=TEXT_MAX))
    declarations = declaration_lines(data.get("declarations"))
    if not declarations:
        errors["declarations"].append(
            _("Write at least one declaration that organisations must make, one per line."))
    elif len(declarations) > DECLARATIONS_MAX:
        errors["declarations"].append(
            _("A call can ask for at most %(max)d declarations.", max=DECLARATIONS_MAX))
    elif any(len(line) > DECLARATION_MAX for line in declarations):
        errors["declarations"].append(
            _("Each declaration can have at most %(max)d characters.", max=DECLARATION_MAX))
    wanted = ids_of(data.get("committee_ids"))
    by_id = {c.id: c for c in plan.committees}
    committees = [by_id[i] for i in wanted if i in by_id]
    if not wanted:
        errors["committee_ids"].append(_("Choose at least one committee."))
    elif len(committees) != len(wanted):
        errors["committee_ids"].append(_("Choose only committees of this plan."))
    opens_at, closes_at = data.get("opens_at"), data.get("closes_at")
    if not isinstance(opens_at, datetime):
        errors["opens_at"].append(_("Give the date and time registration opens."))
    if not isinstance(closes_at, datetime):
        errors["closes_at"].append(_("Give the date and time registration closes."))
    if isinstance(opens_at, datetime) and isinstance(closes_at, datetime):
        opens_at, closes_at = local_to_utc(opens_at), local_to_utc(closes_at)
        if closes_at <= opens_at:
            errors["closes_at"].append(_("Registration must close after it opens."))
        elif closes_at <= moment:
            errors["closes_at"].append(_("The closing date has already passed."))
    raise_field_errors(errors)
    committees.sort(key=lambda c: (c.position, c.id))
    return {"title": title, "body": body, "requirements": requirements,
            "declarations": declarations, "committees": committees,
            "opens_at": opens_at, "closes_at": closes_at}


def _window_audit(fields: dict) -> dict:
    return {"opens_at": fields["opens_at"].isoformat(), "closes_at": fields["closes_at"].isoformat()}


def preview_call(actor, plan: ActionPlan, data: dict) -> SimpleNamespace:
    """The call `publish_call` would publish with `data`, checked as it would check it, and
    nothing written: what the guarantor body confirms before publishing (title, body,
    requirements, declarations, committees, opens_at and closes_at in UTC)."""
    require(actor, "calls.manage", plan)
    return SimpleNamespace(**_validated_call(plan, data, now()))


def _twin(plan: ActionPlan, fields: dict) -> Call | None:
    return db.session.scalar(sa.select(Call).where(
        Call.plan_id == plan.id, Call.title == fields["title"],
        Call.opens_at == fields["opens_at"], Call.closes_at == fields["closes_at"],
    ).limit(1))


def publish_call(actor, plan: ActionPlan, data: dict) -> Call:
    """Publish a call for the plan. `data`: title, body and requirements (Markdown),
    declarations (one per line, or a list), committee_ids (committees of the plan), opens_at and
    closes_at (naive = the plan's local time, or aware). Sending the same call twice (same
    title and window) returns the first one."""
    require(actor, "calls.manage", plan)
    moment = now()
    fields = _validated_call(plan, data, moment)
    # A double click publishes once: the same title and window for the plan is the same call
    # (a unique constraint; a request that loses the race returns the winner's call).
    twin = _twin(plan, fields)
    if twin is not None:
        return twin
    call = Call(plan_id=plan.id, created_by_id=actor.id, published_at=moment, created_at=moment,
                **fields)
    try:
        with savepoint():
            db.session.add(call)
            db.session.flush()
    except IntegrityError:
        twin = _twin(plan, fields)
        if twin is None:
            raise
        return twin
    record(actor, "calls.publish", call, public=True, plan_id=plan.id, title=call.title,
           committees=[c.id for c in fields["committees"]], **_window_audit(fields))
    db.session.flush()
    return call


def call_data(call: Call) -> dict:
    """The call's current values, as `update_call` takes them (times in local time)."""
    return {
        "title": call.title, "body": call.body, "requirements": call.requirements,
        "declarations": list(call.declarations or []),
        "committee_ids": [c.id for c in call.committees],
        "opens_at": utc_to_local(call.opens_at), "closes_at": utc_to_local(call.closes_at),
    }


def _comparable(call: Call) -> dict:
    return {
        "title": call.title, "body": call.body, "requirements": call.requirements,
        "declarations": list(call.declarations or []),
        "committees": [c.id for c in call.committees],
        "opens_at": call.opens_at, "closes_at": call.closes_at,
    }


def changeable_window(call: Call, moment: datetime | None = None) -> str:
    """The window's state when the call may still change: "upcoming" (everything may) or "open"
    (only a later closing date); refused once registration has closed."""
    state = queries.window_state(call, moment)
    if state == queries.CLOSED:
        raise InvalidTransition(_("Registration closed on %(closes)s; the call can no longer "
                                  "change.", closes=local_time(call.closes_at)))
    return state


def update_call(actor, call: Call, data: dict) -> bool:
    """Change a call; False if nothing changed. Before registration opens everything can change
    (keys left out of `data` keep their value); once it is open only a later closing date is
    accepted; once it has closed nothing changes."""
    require(actor, "calls.manage", call)
    moment = now()
    if changeable_window(call, moment) == queries.OPEN:
        return _extend_call(actor, call, data, moment)

    fields = _validated_call(call.plan, {**call_data(call), **data}, moment)
    before = _comparable(call)
    after = {**fields, "committees": [c.id for c in fields["committees"]]}
    changed = [name for name in before if before[name] != after[name]]
    if not changed:
        return False
    twin = _twin(call.plan, fields)
    if twin is not None and twin.id != call.id:
        raise ValidationError(_("Another call of this plan has the same title and registration "
                                "window: change the title."), field="title")
    for name, value in fields.items():
        setattr(call, name, value)
    record(actor, "calls.update", call, public=True, changed=changed, **_window_audit(fields))
    db.session.flush()
    return True


def _extend_call(actor, call: Call, data: dict, moment: datetime) -> bool:
    current = call_data(call)
    others = [name for name in data if name != "closes_at" and name in current
              and _differs(name, current[name], data[name])]
    if others:
        raise ValidationError(
            _("Registration is open: only the closing date can be extended now."), field=others[0])
    closes_at = data.get("closes_at")
    if not isinstance(closes_at, datetime):
        raise ValidationError(_("Give the date and time registration closes."), field="closes_at")
    closes_at = local_to_utc(closes_at)
    if closes_at == call.closes_at:
        return False
    if closes_at < call.closes_at:
        raise ValidationError(
            _("Registration is open: the closing date can only move later than %(closes)s.",
              closes=local_time(call.closes_at)), field="closes_at")
    previous = call.closes_at
    # Conditional, so that two admins extending at once cannot shorten each other's extension.
    moved = db.session.execute(
        sa.update(Call)
        .where(Call.id == call.id, Call.closes_at < closes_at, Call.closes_at > moment)
        .values(closes_at=closes_at)
        .execution_options(synchronize_session=False)
    ).rowcount
    if not moved:
        raise InvalidTransition(_("The call changed meanwhile; reload the page and try again."))
    record(actor, "calls.extend", call, public=True, previous_closes_at=previous.isoformat(),
           closes_at=closes_at.isoformat())
    db.session.flush()
    db.session.refresh(call)
    return True


def _differs(name: str, current, given) -> bool:
    if name == "declarations":
        return declaration_lines(current) != declaration_lines(given)
    if name == "committee_ids":
        return sorted(ids_of(current)) != sorted(ids_of(given))
    if name == "opens_at":
        return not isinstance(given, datetime) or local_to_utc(given) != local_to_utc(current)
    if name in ("body", "requirements"):
        return clean_text(current) != clean_text(given)
    return clean_line(current) != clean_line(given)
