"""Seats: counted by one conditional UPDATE on dialogue_tables.confirmed_count, in the same unit of
work as the registration rows, so that capacity holds under any number of parallel requests."""
import sqlalchemy as sa

from app.dialogues import queries
from app.dialogues.models import DialogueTable, RegistrationStatus, TableRegistration
from app.dialogues.services.common import rowcount
from app.extensions import db


def take_seat(table_id: int) -> bool:
    """One atomic statement: a seat if one is free."""
    return bool(
        rowcount(
            sa.update(DialogueTable)
            .where(
                DialogueTable.id == table_id,
                DialogueTable.confirmed_count < DialogueTable.capacity,
            )
            .values(confirmed_count=DialogueTable.confirmed_count + 1)
        )
    )


def release_seat(table_id: int) -> None:
    rowcount(
        sa.update(DialogueTable)
        .where(DialogueTable.id == table_id, DialogueTable.confirmed_count > 0)
        .values(confirmed_count=DialogueTable.confirmed_count - 1)
    )


def fill_free_seats(table: DialogueTable) -> list[TableRegistration]:
    """Give free seats to the waiting list in its order; returns those promoted."""
    promoted: list[TableRegistration] = []
    skipped: set[int] = set()
    while True:
        candidate = queries.first_waiting(table.id, skip=skipped)
        if candidate is None:
            break
        if not take_seat(table.id):
            break
        moved = rowcount(
            sa.update(TableRegistration)
            .where(
                TableRegistration.id == candidate.id,
                TableRegistration.status == RegistrationStatus.waiting,
            )
            .values(status=RegistrationStatus.confirmed)
        )
        if not moved:  # left the list meanwhile: give the seat back and look again
            release_seat(table.id)
            skipped.add(candidate.id)
            continue
        db.session.refresh(candidate)
        promoted.append(candidate)
    db.session.expire(table, ["confirmed_count"])
    return promoted
