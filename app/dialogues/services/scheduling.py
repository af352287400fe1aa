"""Scheduling dialogue tables: create, edit (registered people are told) and cancel."""
from urllib.parse import urlsplit

import sqlalchemy as sa
from flask_babel import gettext as _

from app.core.audit import record
from app.core.clock import local_to_utc
from app.core.db import utcnow
from app.core.errors import InvalidTransition, ValidationError
from app.core.permissions import require
from app.core.text import clean_line, clean_text
from app.dialogues.models import MAX_CAPACITY, DialogueTable, TableRegistration, TableState
from app.dialogues.services.common import (
    lock_table,
    notify_registered,
    require_scheduled,
    rowcount,
    table_path,
)
from app.dialogues.services.seats import fill_free_seats
from app.extensions import db
from app.notifications.services import notify
from app.plans.models import Committee, Theme

TABLE_FIELDS = (
    "title", "objective", "theme_id", "starts_at", "ends_at", "place", "online_url", "capacity",
    "registration_deadline",
)


def _theme_id(data: dict, committee: Committee) -> int | None:
    theme_id = data.get("theme_id") or None
    if theme_id is None:
        return None
    try:
        theme = db.session.get(Theme, int(theme_id))
    except (TypeError, ValueError):
        theme = None
    if theme is None or theme.plan_id != committee.plan_id:
        raise ValidationError(_("Choose a theme of this plan."), field="theme_id")
    return theme.id


def _online_url(data: dict) -> str | None:
    online_url = clean_text(data.get("online_url")) or None
    if online_url:
        parts = urlsplit(online_url)
        if parts.scheme not in ("http", "https") or not parts.netloc or len(online_url) > 500:
            raise ValidationError(
                _("The online link must be a web address starting with https:// or http://."),
                field="online_url",
            )
    return online_url


def _capacity(data: dict) -> int:
    try:
        capacity = int(data.get("capacity"))
    except (TypeError, ValueError):
        capacity = 0
    if not 1 <= capacity <= MAX_CAPACITY:
        raise ValidationError(
            _("The capacity is a number between 1 and %(max)d.", max=MAX_CAPACITY), field="capacity"
        )
    return capacity


def _clean_table_data(data: dict, committee: Committee, *, creating: bool) -> dict:
    """The table's fields checked and normalised; raises ValidationError naming the field.
    Date-times without a zone are local time."""
    title = clean_line(data.get("title"))
    if not title:
        raise ValidationError(_("Give the table a title."), field="title")
    if len(title) > 200:
        raise ValidationError(_("The title has at most 200 characters."), field="title")
    objective = clean_text(data.get("objective"))
    if not objective:
        raise ValidationError(_("Describe the objective of the table."), field="objective")
    theme_id = _theme_id(data, committee)

    starts_at = local_to_utc(data.get("starts_at"))
    if starts_at is None:
        raise ValidationError(_("Give the date and time of the table."), field="starts_at")
    if creating and starts_at <= utcnow():
        raise ValidationError(_("The table must start in the future."), field="starts_at")
    ends_at = local_to_utc(data.get("ends_at"))
    if ends_at is not None and ends_at <= starts_at:
        raise ValidationError(_("The end must come after the start."), field="ends_at")

    place = clean_line(data.get("place")) or None
    if place and len(place) > 300:
        raise ValidationError(_("The place has at most 300 characters."), field="place")
    online_url = _online_url(data)
    if not place and not online_url:
        raise ValidationError(_("Give a place, an online link, or both."), field="place")
    capacity = _capacity(data)

    deadline = local_to_utc(data.get("registration_deadline"))
    if deadline is None:
        raise ValidationError(_("Give a registration deadline."), field="registration_deadline")
    if deadline > starts_at:
        raise ValidationError(
            _("Registration must close before the table starts."), field="registration_deadline"
        )
    return {
        "title": title,
        "objective": objective,
        "theme_id": theme_id,
        "starts_at": starts_at,
        "ends_at": ends_at,
        "place": place,
        "online_url": online_url,
        "capacity": capacity,
        "registration_deadline": deadline,
    }


def create_table(actor, committee: Committee, data: dict) -> DialogueTable:
    """Schedule a table for a committee."""
    require(actor, "dialogues.create", committee)
    clean = _clean_table_data(data, committee, creating=True)
    now = utcnow()
    table = DialogueTable(
        committee_id=committee.id,
        created_by_id=actor.id,
        state=TableState.scheduled,
        confirmed_count=0,
        revision=0,
        created_at=now,
        updated_at=now,
        **clean,
    )
    db.session.add(table)
    db.session.flush()
    record(actor, "dialogues.create", table, public=True, committee_id=committee.id,
           title=table.title, starts_at=table.starts_at.isoformat())
    db.session.flush()
    return table


def update_table(actor, table: DialogueTable, data: dict) -> list[str]:
    """Edit a scheduled table; registered people are told. Returns the names of changed fields."""
    require(actor, "dialogues.edit", table)
    table = lock_table(table)
    require_scheduled(table)
    clean = _clean_table_data(data, table.committee, creating=False)
    changed = [name for name in TABLE_FIELDS if getattr(table, name) != clean[name]]
    if not changed:
        return []

    promoted: list[TableRegistration] = []
    new_capacity = clean.pop("capacity")
    if "capacity" in changed:
        # Never below the seats already given: checked in the same statement that changes it.
        updated = rowcount(
            sa.update(DialogueTable)
            .where(DialogueTable.id == table.id, DialogueTable.confirmed_count <= new_capacity)
            .values(capacity=new_capacity)
        )
        if not updated:
            raise ValidationError(
                _("%(count)d people already have a seat; the capacity cannot be smaller.",
                  count=table.confirmed_count),
                field="capacity",
            )
        db.session.expire(table, ["capacity", "confirmed_count"])
    for name, value in clean.items():
        setattr(table, name, value)
    table.revision = DialogueTable.revision + 1
    table.updated_at = utcnow()
    db.session.flush()
    if "capacity" in changed:
        promoted = fill_free_seats(table)

    notify_registered(table, "table_changed", actor)
    for registration in promoted:
        notify([registration.user], "table_seat", table_path(table), actor=actor, title=table.title)
    record(actor, "dialogues.edit", table, public=True, committee_id=table.committee_id,
           changed=changed)
    db.session.flush()
    return changed


def cancel_table(actor, table: DialogueTable, reason: str) -> DialogueTable:
    """Cancel a scheduled table with a public reason; registered people are told."""
    require(actor, "dialogues.cancel", table)
    reason = clean_text(reason)
    if not reason:
        raise ValidationError(_("Say why the table is cancelled."), field="reason")
    now = utcnow()
    updated = rowcount(
        sa.update(DialogueTable)
        .where(DialogueTable.id == table.id, DialogueTable.state == TableState.scheduled)
        .values(
            state=TableState.cancelled,
            cancelled_at=now,
            cancellation_reason=reason,
            revision=DialogueTable.revision + 1,
            updated_at=now,
        )
    )
    if not updated:
        raise InvalidTransition(_("Only a scheduled table can be cancelled."))
    db.session.refresh(table)
    notify_registered(table, "table_changed", actor, reason=reason)
    record(actor, "dialogues.cancel", table, reason=reason, public=True,
           committee_id=table.committee_id, title=table.title)
    db.session.flush()
    return table
