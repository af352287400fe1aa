"""What comments plug into other areas: they are moderatable content (app/moderation/content.py),
and every comment a person wrote, on any host, is in their data export."""
import sqlalchemy as sa
from flask_babel import gettext as _
from sqlalchemy.orm import joinedload

from app.accounts.export import iso, rows
from app.accounts.lifecycle import export_section
from app.comments import hosts
from app.comments.models import Comment
from app.comments.queries import comment_url
from app.comments.services import change_visible_count
from app.moderation import content


def _visibility_changed(comment: Comment, delta: int) -> None:
    # A comment its author deleted is not counted, hidden or not.
    if not comment.is_deleted:
        change_visible_count(comment, delta)


def _queue_label(comment: Comment) -> str:
    if comment.proposal is not None:
        return _("A comment on %(reference)s", reference=comment.proposal.reference)
    return _("A comment in a public consultation")


def _log_label(comment: Comment) -> str | None:
    if comment.proposal is None:
        return None  # the log names it by its number
    return _("A comment on %(reference)s", reference=comment.proposal.reference)


content.register(content.ContentKind(
    kind="comment",
    model=Comment,
    url=comment_url,
    queue_label=_queue_label,
    log_label=_log_label,
    load=lambda: [joinedload(Comment.proposal)],
    visibility_changed=_visibility_changed,
))


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
