"""Small helpers shared by the dialogue tables tests."""

import sqlalchemy as sa

from app.core.audit import AuditEntry
from app.dialogues.models import DialogueTable, RegistrationStatus, TableRegistration
from app.extensions import db
from app.notifications.models import Notification
from tests.querycount import count_queries  # noqa: F401 - shared counter, re-exported


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
