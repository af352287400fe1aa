"""Small helpers shared by the dialogue tables tests."""
from contextlib import contextmanager

import sqlalchemy as sa
from sqlalchemy import event

from app.core.audit import AuditEntry
from app.dialogues.models import DialogueTable, RegistrationStatus, TableRegistration
from app.extensions import db
from app.notifications.models import Notification


@contextmanager
def count_queries():
    """Counts the SQL statements sent to the database inside the block."""
    statements: list[str] = []

    def _count(conn, cursor, statement, parameters, context, executemany):
        statements.append(statement)

    event.listen(db.engine, "before_cursor_execute", _count)
    try:
        yield statements
    finally:
        event.remove(db.engine, "before_cursor_execute", _count)


def notifications(kind: str, user=None) -> list[Notification]:
    stmt = sa.select(Notification).where(Notification.kind == kind)
    if user is not None:
        stmt = stmt.where(Notification.user_id == user.id)
    return list(db.session.scalars(stmt.order_by(Notification.id)))


def audit(action: str) -> list[AuditEntry]:
    return list(
        db.session.scalars(
            sa.select(AuditEntry).where(AuditEntry.action == action).order_by(AuditEntry.id)
        )
    )


def statuses(table) -> dict[int, RegistrationStatus]:
    """user_id -> status of every registration of the table."""
    rows = db.session.execute(
        sa.select(TableRegistration.user_id, TableRegistration.status).where(
            TableRegistration.table_id == table.id
        )
    ).all()
    return {user_id: status for user_id, status in rows}


def confirmed_count(table) -> int:
    return db.session.scalar(
        sa.select(DialogueTable.confirmed_count).where(DialogueTable.id == table.id)
    )


def count_status(table, status: RegistrationStatus) -> int:
    return db.session.scalar(
        sa.select(sa.func.count(TableRegistration.id)).where(
            TableRegistration.table_id == table.id, TableRegistration.status == status
        )
    )
