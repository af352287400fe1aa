"""Permission rules of dialogue tables: facilitators run them, confirmed users attend them.

Each rule carries the reason of its refusal: who asks (deny, 403), or the state the table is in
(not_now, 409). Taking part at all is the "participate" rule's, with its own reasons."""
from flask_babel import gettext as _

from app.accounts.permissions import facilitates
from app.core.permissions import can, check, deny, not_now, rule
from app.dialogues.models import RegistrationStatus, TableState


def _committee_id(target) -> int | None:
    """A table, a committee, or a committee id: the committee the act is about."""
    if target is None:
        return None
    if isinstance(target, int):
        return target
    return getattr(target, "committee_id", None) or getattr(target, "id", None)


def _not_facilitator():
    return deny(_("Only the committee's facilitators and the guarantor body run its dialogue tables."))


@rule("dialogues.create")
def _create(actor, committee=None):
    """With a committee: facilitator of it (or admin). Without: facilitator of any committee."""
    if committee is None:
        facilitator = actor is not None and actor.is_confirmed and (actor.is_admin or bool(actor.committee_ids))
        return facilitator or _not_facilitator()
    return facilitates(actor, _committee_id(committee)) or _not_facilitator()


@rule("dialogues.facilitate")
def _facilitate(actor, table):
    """See what only the table's facilitators see (who registered, the online link), in any state."""
    return table is not None and (facilitates(actor, table.committee_id) or _not_facilitator())


for _name in ("dialogues.agenda", "dialogues.attendance"):
    # Their pages show the agenda and the attendance in any state; the acts check the state.
    rule(_name)(_facilitate)


def _facilitating(actor, table, refusal: str | None = None):
    """The table's facilitator (or refused as not one); then `refusal`, if the table's state
    gives one, refuses the act for now (409)."""
    facilitator = check(actor, "dialogues.facilitate", table)
    if not facilitator or refusal is None:
        return facilitator
    return not_now(refusal)


@rule("dialogues.edit")
def _edit(actor, table):
    scheduled = table is None or table.state == TableState.scheduled
    return _facilitating(actor, table, None if scheduled else _("Only a scheduled table can be edited."))


@rule("dialogues.cancel")
def _cancel(actor, table):
    scheduled = table is None or table.state == TableState.scheduled
    return _facilitating(actor, table, None if scheduled else _("Only a scheduled table can be cancelled."))


@rule("dialogues.minutes")
def _minutes(actor, table):
    cancelled = table is not None and table.state == TableState.cancelled
    return _facilitating(actor, table, _("This dialogue table was cancelled.") if cancelled else None)


@rule("dialogues.register")
def _register(actor, table=None):
    return check(actor, "participate")


@rule("dialogues.unregister")
def _unregister(actor, table=None):
    """Give up one's own place: any signed-in account, a blocked one too."""
    return actor is not None


def sees_online_link(actor, table, registration) -> bool:
    """The online link goes only to confirmed attendees and to the table's facilitators."""
    if can(actor, "dialogues.facilitate", table):
        return True
    return (
        registration is not None
        and actor is not None
        and registration.user_id == getattr(actor, "id", None)
        and registration.status == RegistrationStatus.confirmed
    )
