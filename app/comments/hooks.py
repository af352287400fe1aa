"""What comments add to a person's data export: every comment they wrote, on any host."""
import sqlalchemy as sa

from app.accounts.export import iso, rows
from app.accounts.lifecycle import export_section
from app.comments import hosts
from app.comments.models import Comment


def _host_key(host: hosts.Host) -> str:
    """How the export names a comment's host: "proposal" (its reference) or "commitment_id"."""
    reference = host.reference
    return f"{host.kind}_id" if reference is None or reference.key == "id" else host.kind


@export_section
def _comments(user_id: int) -> dict:
    # Comments on proposals and consultation comments on draft commitments alike: each host's
    # name for itself comes from the same query, through an outer join per host.
    registered = [host for host in hosts.hosts() if host.reference is not None]
    stmt = sa.select(Comment, *[host.reference for host in registered])
    for host in registered:
        stmt = stmt.outerjoin(host.model, getattr(Comment, host.column) == host.model.id)
    comments = []
    for comment, *names in rows(stmt.where(Comment.author_id == user_id).order_by(Comment.id)):
        entry = {"id": comment.id}
        entry.update({_host_key(host): name for host, name in zip(registered, names, strict=True)})
        entry.update({
            "section": comment.section, "reply_to": comment.parent_id, "body": comment.body,
            "created_at": iso(comment.created_at), "edited_at": iso(comment.edited_at),
            "deleted_at": iso(comment.deleted_at), "hidden_at": iso(comment.hidden_at),
            "hidden_reason": comment.hidden_reason,
        })
        comments.append(entry)
    return {"comments": comments}
