"""Dialogue tables and people: seats released when an account goes; registrations and minutes in
the person's data export."""
import sqlalchemy as sa
from flask import current_app
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l

from app.accounts.export import iso, rows
from app.accounts.lifecycle import export_section, on_account_deleted
from app.dialogues.models import DialogueTable, MinutesVersion, TableRegistration
from app.dialogues.services import release_registrations_of
from app.follows import targets as follow_targets

# A deleted account attends nothing: its seats at tables to come go to those waiting.
on_account_deleted(release_registrations_of)


@export_section
def _tables(user_id: int) -> dict:
    registrations = [
        {
            "table_id": r.table_id, "table": title, "starts_at": iso(starts_at),
            "status": r.status.value, "created_at": iso(r.created_at),
            "queued_at": iso(r.queued_at), "cancelled_at": iso(r.cancelled_at),
            "attended": r.attended,
        }
        for r, title, starts_at in rows(
            sa.select(TableRegistration, DialogueTable.title, DialogueTable.starts_at)
            .join(DialogueTable, DialogueTable.id == TableRegistration.table_id)
            .where(TableRegistration.user_id == user_id)
            .order_by(TableRegistration.id)
        )
    ]
    minutes = [
        {
            "table_id": m.table_id, "table": title, "version": m.number, "summary": m.summary,
            "agreements": m.agreements, "correction_reason": m.correction_reason,
            "published_at": iso(m.published_at),
        }
        for m, title in rows(
            sa.select(MinutesVersion, DialogueTable.title)
            .join(DialogueTable, DialogueTable.id == MinutesVersion.table_id)
            .where(MinutesVersion.author_id == user_id)
            .order_by(MinutesVersion.id)
        )
    ]
    return {"table_registrations": registrations, "table_minutes": minutes}


# --- Following (app/follows/targets.py) ----------------------------------------------------------

def _table_path(table: DialogueTable) -> str:
    return current_app.url_map.bind("localhost").build("dialogues.show", {"table_id": table.id})


follow_targets.register(follow_targets.Target(
    kind="table",
    label=_l("Dialogue tables"),
    model=DialogueTable,
    visible=lambda actor, table: True,
    title=lambda table: table.title,
    path=_table_path,
    sources=lambda: [
        follow_targets.Source(_("Updated"), DialogueTable.id, DialogueTable.updated_at),
        follow_targets.Source(_("Minutes published"), MinutesVersion.table_id,
                              MinutesVersion.published_at),
    ],
))
