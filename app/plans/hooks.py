"""What plans add to a person's data export: the seats they held on coordinating committees."""
import sqlalchemy as sa

from app.accounts.export import iso, rows
from app.accounts.lifecycle import export_section
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
