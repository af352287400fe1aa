"""What the acts on dialogue tables share: how a moment reads, the table's page, the lock of the
table's row, the check that it is still scheduled, and telling the registered."""

import sqlalchemy as sa
from flask import current_app
from flask_babel import gettext as _

from app.core.errors import InvalidTransition
from app.dialogues import queries
from app.dialogues.models import DialogueTable, TableState
from app.extensions import db
from app.notifications.services import notify


def table_path(table: DialogueTable) -> str:
    """The table page's path, also outside a request (notifications from the CLI or the demo)."""
    return current_app.url_map.bind("localhost").build("dialogues.show", {"table_id": table.id})


def rowcount(stmt) -> int:
    return db.session.execute(stmt, execution_options={"synchronize_session": False}).rowcount


def lock_table(table: DialogueTable) -> DialogueTable:
    """Lock the table's row for this unit of work (PostgreSQL) and read it again."""
    return db.session.scalar(
        sa.select(DialogueTable)
        .where(DialogueTable.id == table.id)
        .with_for_update()
        .execution_options(populate_existing=True)
    )


def require_scheduled(table: DialogueTable) -> None:
    if table.state == TableState.cancelled:
        raise InvalidTransition(_("This dialogue table was cancelled."))
    if table.state == TableState.minutes_published:
        raise InvalidTransition(_("This dialogue table already took place and its minutes are published."))


def notify_registered(table: DialogueTable, kind: str, actor, **params) -> None:
    users = queries.registered_users(table.id)
    notify(users, kind, table_path(table), actor=actor, title=table.title, **params)
