"""What proposals plug into other areas: they are a comment host (app/comments/hosts.py) and
moderatable content (app/moderation/content.py); notifications word their states and keep the
titles of hidden ones out (app/notifications/); and a person's proposals, supports and answers
are in their data export."""
import sqlalchemy as sa
from flask import current_app
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l

from app.accounts.export import iso, rows
from app.accounts.lifecycle import export_section, on_account_deleted
from app.comments import hosts
from app.comments.models import Comment
from app.core.permissions import deny
from app.extensions import db
from app.follows import targets as follow_targets
from app.moderation import content
from app.notifications.kinds import word_values
from app.notifications.queries import TitleMask, register_mask
from app.places.usage import names_municipality
from app.proposals.models import (
    PROPOSAL_STATE_LABELS,
    Proposal,
    ProposalAnswer,
    ProposalAttachment,
    ProposalState,
    Support,
)
from app.proposals.queries import hidden_reasons
from app.proposals.services import proposal_path
from app.proposals.services.attachments import delete_attachments_of

# A merged or withdrawn proposal's conversation is closed; the page keeps what was said.
CLOSED_STATES = (ProposalState.merged, ProposalState.withdrawn)


def _accepts_comments(proposal: Proposal):
    if proposal.is_hidden or proposal.state in CLOSED_STATES:
        return deny(_("This conversation is closed to new comments."))
    return True


hosts.register(hosts.Host(
    kind="proposal",
    model=Proposal,
    column="proposal_id",
    accepts=_accepts_comments,
    path=lambda comment, anchor: proposal_path(comment.proposal, anchor),
    counter="comment_count",
    still_open=lambda: sa.and_(Proposal.state.not_in(CLOSED_STATES), Proposal.hidden_at.is_(None)),
    reference=Proposal.reference,
))


# --- Moderation ----------------------------------------------------------------------------------

def _log_label(proposal: Proposal) -> str:
    # The title of hidden content stays out of the log too.
    return proposal.reference if proposal.is_hidden else f"{proposal.reference} · {proposal.title}"


content.register(content.ContentKind(
    kind="proposal",
    model=Proposal,
    url=proposal_path,
    queue_label=lambda proposal: _("Proposal %(reference)s", reference=proposal.reference),
    log_label=_log_label,
))


def _state_words(value: str) -> str | None:
    """A proposal state ("accepted") in the reader's language; None for anything else."""
    try:
        return str(PROPOSAL_STATE_LABELS[ProposalState(value)])
    except ValueError:
        return None


# The public log says which state a proposal moved to, and into which one it was merged.
content.describe_action("proposal.state_changed", lambda data: _state_words(data.get("to_state") or ""))
content.describe_action("proposal.merged",
                        lambda data: str(data["into_reference"]) if data.get("into_reference") else None)


# --- Notifications -------------------------------------------------------------------------------

# Notifications about proposals store the state's value ("accepted").
word_values("state", _state_words)

PROPOSAL_PATH = "/proposals/"


def _reference_in(url: str | None) -> str | None:
    """ABC-2026-0001 from "/proposals/ABC-2026-0001#comment-3" (comment replies name no reference)."""
    if not url or not url.startswith(PROPOSAL_PATH):
        return None
    return url[len(PROPOSAL_PATH):].split("#", 1)[0].split("?", 1)[0].split("/", 1)[0] or None


def _hidden_among(entries: list[tuple[dict, str]]) -> dict[str, str | None]:
    """{reference: hidden reason} of the proposals the notifications name that moderation hid."""
    wanted = set()
    for params, url in entries:
        params = params or {}
        wanted.update(ref for ref in (params.get("reference"), params.get("into_reference"),
                                      _reference_in(url)) if isinstance(ref, str))
    return hidden_reasons(wanted)


def _mask(params: dict, url: str, hidden: dict[str, str | None]) -> dict:
    """`params` with the titles of hidden proposals replaced by the notice, in the current language."""

    def notice(reference):
        reason = hidden[reference]
        # Automatic hides store this marker; pages translate it (moderation/_macros.html).
        reason = _("pending review") if reason == "pending review" else (reason or "")
        return _("Hidden by moderation: %(reason)s", reason=reason)

    params = dict(params)
    reference = params.get("reference") or _reference_in(url)
    if reference in hidden and "title" in params:
        params["title"] = notice(reference)
    if params.get("into_reference") in hidden and "into_title" in params:
        params["into_title"] = notice(params["into_reference"])
    return params


# A notification keeps the title it was sent with; once a proposal is hidden, it stops showing it.
register_mask(TitleMask(find=_hidden_among, apply=_mask))


# --- The data export -----------------------------------------------------------------------------


@export_section
def _proposals(user_id: int) -> dict:
    proposals = [
        {
            "reference": p.reference, "title": p.title, "body": p.body, "place": p.place,
            "state": p.state.value, "created_at": iso(p.created_at),
            "updated_at": iso(p.updated_at), "withdrawn_at": iso(p.withdrawn_at),
            "withdrawal_reason": p.withdrawal_reason, "hidden_at": iso(p.hidden_at),
            "hidden_reason": p.hidden_reason,
        }
        for p in db.session.scalars(
            sa.select(Proposal).where(Proposal.author_id == user_id).order_by(Proposal.id)
        )
    ]
    supports = [
        {"proposal": reference, "title": title, "created_at": iso(created_at)}
        for reference, title, created_at in rows(
            sa.select(Proposal.reference, Proposal.title, Support.created_at)
            .join(Proposal, Proposal.id == Support.proposal_id)
            .where(Support.user_id == user_id)
            .order_by(Support.id)
        )
    ]
    proposal_answers = [
        {
            "proposal": reference, "from_state": a.from_state.value, "to_state": a.to_state.value,
            "body": a.body, "created_at": iso(a.created_at),
        }
        for a, reference in rows(
            sa.select(ProposalAnswer, Proposal.reference)
            .join(Proposal, Proposal.id == ProposalAnswer.proposal_id)
            .where(ProposalAnswer.actor_id == user_id)
            .order_by(ProposalAnswer.id)
        )
    ]
    return {"proposals": proposals, "supports": supports, "proposal_answers": proposal_answers}


@export_section
def _proposal_attachments(user_id: int) -> dict:
    """The images and PDFs the person uploaded, published or still pending (their descriptions;
    the files themselves are on the proposals' pages)."""
    return {"proposal_attachments": [
        {
            "proposal": reference, "name": a.original_name, "kind": a.kind.value,
            "content_type": a.content_type, "size_bytes": a.size_bytes, "sha256": a.sha256,
            "description": a.alt_text, "created_at": iso(a.created_at),
            "url": proposal_path_for_file(a.id),
        }
        for a, reference in rows(
            sa.select(ProposalAttachment, Proposal.reference)
            .outerjoin(Proposal, Proposal.id == ProposalAttachment.proposal_id)
            .where(ProposalAttachment.owner_id == user_id)
            .order_by(ProposalAttachment.id)
        )
    ]}


def proposal_path_for_file(attachment_id: int) -> str:
    return current_app.url_map.bind("localhost").build("proposals.attachment",
                                                       {"attachment_id": attachment_id})


# An account that goes takes its uploaded files with it (the proposals' texts stay, as "deleted
# account"'s): a photograph may show the person or their home.
on_account_deleted(delete_attachments_of)


@names_municipality(_l("proposals"))
def _proposals_naming(plan, name: str) -> int:
    return db.session.scalar(sa.select(sa.func.count(Proposal.id)).where(
        Proposal.plan_id == plan.id, Proposal.municipality == name))


# --- Following (app/follows/targets.py) ----------------------------------------------------------

follow_targets.register(follow_targets.Target(
    kind="proposal",
    label=_l("Proposals"),
    model=Proposal,
    visible=lambda actor, proposal: not proposal.is_hidden,
    title=lambda proposal: f"{proposal.reference} · {proposal.title}",
    path=proposal_path,
    sources=lambda: [
        follow_targets.Source(_("Updated"), Proposal.id, Proposal.updated_at),
        follow_targets.Source(_("New answer"), ProposalAnswer.proposal_id, ProposalAnswer.created_at),
        follow_targets.Source(_("New comment"), Comment.proposal_id, Comment.created_at,
                              where=(Comment.deleted_at.is_(None), Comment.hidden_at.is_(None))),
    ],
))
