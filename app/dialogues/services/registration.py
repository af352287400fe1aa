"""Registration: a seat while there is one, else the waiting list; giving a place up frees it
for the first waiting. Every act that moves seats first locks the table's row (a no-op on SQLite,
where writers are serialised anyway)."""
import sqlalchemy as sa
from flask_babel import gettext as _
from sqlalchemy.exc import IntegrityError

from app.core.db import utcnow
from app.core.errors import InvalidTransition
from app.core.i18n import end_sentence, local_when
from app.core.permissions import require
from app.core.uow import savepoint
from app.dialogues import queries
from app.dialogues.models import DialogueTable, RegistrationStatus, TableRegistration, TableState
from app.dialogues.services.common import (
    lock_table,
    require_scheduled,
    rowcount,
    table_path,
)
from app.dialogues.services.seats import fill_free_seats, release_seat, take_seat
from app.extensions import db
from app.notifications.services import notify


def _seat_or_queue(table: DialogueTable, actor, existing: TableRegistration | None) -> bool:
    """Give the actor a seat if one is free, else a place at the end of the waiting list (a step
    undone whole if it fails); False when a second tab registered them meanwhile."""
    now = utcnow()
    status = RegistrationStatus.confirmed if take_seat(table.id) else RegistrationStatus.waiting
    if existing is None:
        db.session.add(TableRegistration(
            table_id=table.id, user_id=actor.id, status=status, created_at=now, queued_at=now
        ))
        db.session.flush()
        return True
    # Coming back after cancelling: the same row, at the end of the queue.
    return bool(rowcount(
        sa.update(TableRegistration)
        .where(
            TableRegistration.id == existing.id,
            TableRegistration.status == RegistrationStatus.cancelled,
        )
        .values(status=status, queued_at=now, cancelled_at=None, attended=None)
    ))


class _RegisteredMeanwhile(Exception):
    """A second tab or a double click registered the same person first."""


def register(actor, table: DialogueTable) -> TableRegistration:
    """Register the actor: a seat while there is one, else the waiting list. Registering again (a
    double click, a second tab) changes nothing and returns the registration there is."""
    require(actor, "dialogues.register", table)
    table = lock_table(table)
    require_scheduled(table)
    if utcnow() >= table.registration_deadline:
        raise InvalidTransition(
            _("Registration for this table closed on %(deadline)s.",
              deadline=end_sentence(local_when(table.registration_deadline)))
        )
    existing = queries.registration_of(table.id, actor.id)
    if existing is None or existing.status == RegistrationStatus.cancelled:
        try:
            with savepoint():
                if not _seat_or_queue(table, actor, existing):
                    raise _RegisteredMeanwhile
        except (IntegrityError, _RegisteredMeanwhile):
            pass  # the registration the other request made is the one returned below
    db.session.flush()
    registration = queries.registration_of(table.id, actor.id)
    db.session.refresh(registration)
    return registration


def _give_up(table: DialogueTable, registration: TableRegistration) -> None:
    """Cancel the registration unless it is cancelled already; a seat freed goes to the first
    waiting, who is told. The table's row is locked by the caller."""
    previous = registration.status
    moved = rowcount(
        sa.update(TableRegistration)
        .where(TableRegistration.id == registration.id, TableRegistration.status == previous,
               TableRegistration.status != RegistrationStatus.cancelled)
        .values(status=RegistrationStatus.cancelled, cancelled_at=utcnow())
    )
    if moved and previous == RegistrationStatus.confirmed:
        release_seat(table.id)
        for promoted in fill_free_seats(table):
            notify([promoted.user], "table_seat", table_path(table), title=table.title)


def cancel_registration(actor, table: DialogueTable) -> TableRegistration:
    """Give up a seat or a place on the waiting list; a freed seat goes to the first waiting.
    Cancelling again (a second tab) changes nothing."""
    require(actor, "dialogues.unregister", table)
    table = lock_table(table)
    require_scheduled(table)
    if utcnow() >= table.starts_at:
        raise InvalidTransition(_("The table has already started."))
    registration = queries.registration_of(table.id, actor.id)
    if registration is None:
        raise InvalidTransition(_("You are not registered for this table."))
    _give_up(table, registration)
    db.session.flush()
    db.session.refresh(registration)
    return registration


def release_registrations_of(user) -> int:
    """For account deletion: give up the user's seats and waiting places at tables still to come.

    Freed seats go to the first waiting, who are told."""
    registrations = list(db.session.scalars(
        sa.select(TableRegistration)
        .join(DialogueTable, DialogueTable.id == TableRegistration.table_id)
        .where(
            TableRegistration.user_id == user.id,
            TableRegistration.status.in_(queries.ACTIVE),
            DialogueTable.state == TableState.scheduled,
            DialogueTable.starts_at > utcnow(),
        )
        .order_by(TableRegistration.id)
    ))
    for registration in registrations:
        _give_up(lock_table(registration.table), registration)
    db.session.flush()
    return len(registrations)
