"""What plans add to a person's data export: the seats they held on coordinating committees; and
committees as things people follow (app/follows)."""
import sqlalchemy as sa
from flask import current_app
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l

from app.accounts.export import iso, rows
from app.accounts.lifecycle import export_section
from app.core.audit import AuditEntry
from app.follows import targets as follow_targets
from app.plans.models import Committee, CommitteeMember


@export_section
def _memberships(user_id: int) -> dict:
    memberships = [
        {
            "committee": committee_name, "name": m.name, "position_title": m.position_title,
            "institution": m.institution,
            "kind": m.kind.value, "term_start": iso(m.term_start), "term_end": iso(m.term_end),
        }
        for m, committee_name in rows(
            sa.select(CommitteeMember, Committee.name)
            .join(Committee, Committee.id == CommitteeMember.committee_id)
            .where(CommitteeMember.user_id == user_id)
            .order_by(CommitteeMember.id)
        )
    ]
    return {"committee_memberships": memberships}


# --- Following (app/follows/targets.py): a committee's public record dates its changes ----------

def _committee_path(committee: Committee) -> str:
    return current_app.url_map.bind("localhost").build("plans.committee", {"slug": committee.slug})


follow_targets.register(follow_targets.Target(
    kind="committee",
    label=_l("Committees"),
    model=Committee,
    visible=lambda actor, committee: True,
    title=lambda committee: committee.name,
    path=_committee_path,
    sources=lambda: [
        follow_targets.Source(_("New public activity"), AuditEntry.committee_id, AuditEntry.created_at,
                              where=(AuditEntry.public.is_(True),)),
    ],
))
