"""Every change to dialogue tables, one module per responsibility: scheduling (scheduling.py),
registration and the waiting list (registration.py, seats.py), the agenda (agenda.py), attendance
and minutes (minutes.py).

Each act checks its permission by name, changes state with conditional statements, writes the
audit entry and notifications in the same unit of work, and flushes: the request commits."""
from app.dialogues import permissions as _permissions  # noqa: F401  (registers the rules)
from app.dialogues.services.agenda import add_to_agenda, agenda_answer, parse_references
from app.dialogues.services.common import table_path
from app.dialogues.services.minutes import correct_minutes, publish_minutes, record_attendance
from app.dialogues.services.registration import (
    cancel_registration,
    register,
    release_registrations_of,
)
from app.dialogues.services.scheduling import TABLE_FIELDS, cancel_table, create_table, update_table

__all__ = [
    "TABLE_FIELDS", "add_to_agenda", "agenda_answer", "cancel_registration", "cancel_table",
    "correct_minutes", "create_table", "parse_references", "publish_minutes",
    "record_attendance", "register", "release_registrations_of", "table_path", "update_table",
]
