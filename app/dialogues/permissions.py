"""Permission rules of dialogue tables: facilitators run them, confirmed users attend them."""
from app.accounts.permissions import facilitates
from app.core.permissions import can, rule
from app.dialogues.models import RegistrationStatus


def _committee_id(target) -> int | None:
    """A table, a committee, or a committee id: the committee the act is about."""
    if target is None:
        return None
    if isinstance(target, int):
        return target
    return getattr(target, "committee_id", None) or getattr(target, "id", None)


@rule("dialogues.create")
def _create(actor, committee=None):
    """With a committee: facilitator of it (or admin). Without: facilitator of any committee."""
    if committee is None:
        return actor is not None and actor.is_confirmed and (actor.is_admin or bool(actor.committee_ids))
    return facilitates(actor, _committee_id(committee))


def _facilitator_of_table(actor, table) -> bool:
    return table is not None and facilitates(actor, table.committee_id)


for _name in (
    "dialogues.edit",
    "dialogues.cancel",
    "dialogues.agenda",
    "dialogues.attendance",
    "dialogues.minutes",
):
    rule(_name)(_facilitator_of_table)


@rule("dialogues.register")
def _register(actor, table=None):
    return can(actor, "participate")


def sees_online_link(actor, table, registration) -> bool:
    """The online link goes only to confirmed attendees and to the table's facilitators."""
    if can(actor, "dialogues.edit", table):
        return True
    return (
        registration is not None
        and actor is not None
        and registration.user_id == getattr(actor, "id", None)
        and registration.status == RegistrationStatus.confirmed
    )
