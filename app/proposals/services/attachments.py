"""Images and PDFs of proposals. Files chosen in the form are read, checked (type from content,
size, pixels), images resized and stripped of metadata, and kept at once as the uploader's pending
files, so that neither a preview nor a form re-shown with an error asks for them again; publishing
(or saving an edit) attaches them. Every image needs a text alternative before it is published."""
import hashlib
from dataclasses import dataclass, field
from datetime import timedelta

import sqlalchemy as sa
from flask import current_app
from flask_babel import gettext as _

from app.accounts.models import User
from app.core import images, storage
from app.core.audit import record
from app.core.db import utcnow
from app.core.errors import ValidationError
from app.core.permissions import require
from app.core.text import clean_line
from app.extensions import db
from app.plans.models import ActionPlan
from app.proposals.models import AttachmentKind, Proposal, ProposalAttachment

DEFAULT_MAX_ATTACHMENTS = 5
ALT_MAX = 300
# Types a proposal accepts, by extension (their content is checked by app/core/storage.py).
EXTENSIONS = ("jpg", "jpeg", "png", "webp", "pdf")
ACCEPT = ",".join(["." + ext for ext in EXTENSIONS] + ["image/jpeg", "image/png", "image/webp",
                                                       "application/pdf"])
# Pending files nobody published are swept when their owner uploads again after this long.
PENDING_KEPT = timedelta(days=2)
# A PDF that is also an HTML page (a "polyglot") is refused: some viewers would run it.
_MARKUP = (b"<html", b"<script", b"<!doctype html", b"<body", b"<svg")


def max_attachments() -> int:
    return int(current_app.config.get("PROPOSAL_MAX_ATTACHMENTS") or DEFAULT_MAX_ATTACHMENTS)


@dataclass
class Draft:
    """What the form says about files: the pending ones it lists (with their text alternatives and
    those to drop) and the files newly chosen, each with the alternative typed beside it."""

    pending_ids: list[int] = field(default_factory=list)
    alts: dict[int, str] = field(default_factory=dict)
    dropped: set[int] = field(default_factory=set)
    new: list[tuple[object, str]] = field(default_factory=list)


@dataclass
class Stashed:
    pending: list[ProposalAttachment]
    file_errors: list[str]
    alt_errors: dict[int, str]

    @property
    def ok(self) -> bool:
        return not self.file_errors and not self.alt_errors


def _read(file) -> tuple[storage.Upload, images.Resized | None]:
    """One chosen file checked; an image comes back resized, without metadata."""
    name = storage.clean_filename(getattr(file, "filename", None))
    if storage.extension_of(name) not in EXTENSIONS:
        raise storage.Refused(_("«%(name)s»: attach images (JPEG, PNG or WebP) or PDF documents.",
                                name=name))
    upload = storage.inspect(file)
    if upload.content_type == "application/pdf":
        if any(marker in upload.data[:4096].lower() for marker in _MARKUP):
            raise storage.Refused(_("«%(name)s» contains a web page, not only a PDF document. "
                                    "Export it again as PDF.", name=name))
        return upload, None
    resized = images.resize(upload.data, upload.content_type, name)
    return upload, resized


def _write(owner: User, upload: storage.Upload, resized: images.Resized | None, alt: str,
           written: list[str]) -> ProposalAttachment:
    data = resized.data if resized else upload.data
    main = storage.Upload(upload.original_name, upload.content_type, data,
                          hashlib.sha256(data).hexdigest())
    stored = storage.write(main)
    written.append(stored)
    thumb = None
    if resized is not None:
        thumb = storage.write(storage.Upload(upload.original_name, upload.content_type,
                                             resized.thumbnail, ""))
        written.append(thumb)
    attachment = ProposalAttachment(
        owner_id=owner.id, kind=AttachmentKind.image if resized else AttachmentKind.pdf,
        original_name=upload.original_name, stored_name=stored, thumb_stored_name=thumb,
        content_type=upload.content_type, size_bytes=len(data), sha256=main.sha256,
        width=resized.width if resized else None, height=resized.height if resized else None,
        alt_text=alt or None,
    )
    db.session.add(attachment)
    return attachment


def pending_of(owner: User, ids) -> list[ProposalAttachment]:
    """The owner's pending files among `ids`, oldest first; anything else named is ignored."""
    ids = [i for i in ids if isinstance(i, int)]
    if not ids or owner is None:
        return []
    return list(db.session.scalars(
        sa.select(ProposalAttachment)
        .where(ProposalAttachment.id.in_(ids), ProposalAttachment.owner_id == owner.id,
               ProposalAttachment.proposal_id.is_(None))
        .order_by(ProposalAttachment.id)
    ))


def attachments_of(proposal: Proposal | None) -> list[ProposalAttachment]:
    if proposal is None or proposal.id is None:
        return []
    return list(db.session.scalars(
        sa.select(ProposalAttachment).where(ProposalAttachment.proposal_id == proposal.id)
        .order_by(ProposalAttachment.id)
    ))


def _delete_rows(rows: list[ProposalAttachment]) -> None:
    names = [name for row in rows for name in row.stored_names]
    for row in rows:
        db.session.delete(row)
    storage.delete_when_committed(names)


def _sweep_stale(owner: User) -> None:
    _delete_rows(list(db.session.scalars(
        sa.select(ProposalAttachment).where(
            ProposalAttachment.owner_id == owner.id, ProposalAttachment.proposal_id.is_(None),
            ProposalAttachment.created_at < utcnow() - PENDING_KEPT)
    )))


def alt_errors(pending: list[ProposalAttachment]) -> dict[int, str]:
    return {
        a.id: _("Describe the image «%(name)s» in a few words, for people who cannot see it.",
                name=a.original_name)
        for a in pending if a.is_image and not a.alt_text
    }


def stash_attachments(actor: User, plan: ActionPlan, proposal: Proposal | None,
                      draft: Draft) -> Stashed:
    """Keep the draft's files as the actor's pending ones: texts updated, dropped ones deleted,
    new ones checked and written. Refusals are returned, not raised: what was good is kept even
    when the rest of the form has to be shown again."""
    if proposal is None:
        require(actor, "proposals.create", plan)
    else:
        require(actor, "proposals.edit", proposal)
    pending = pending_of(actor, draft.pending_ids)
    dropped = [a for a in pending if a.id in draft.dropped]
    _delete_rows(dropped)
    pending = [a for a in pending if a.id not in draft.dropped]
    for attachment in pending:
        if attachment.id in draft.alts:
            attachment.alt_text = clean_line(draft.alts[attachment.id], ALT_MAX) or None
    file_errors: list[str] = []
    chosen = [(f, alt) for f, alt in draft.new if f is not None and getattr(f, "filename", None)]
    room = max_attachments() - len(attachments_of(proposal)) - len(pending)
    if chosen:
        _sweep_stale(actor)
    if len(chosen) > room:
        file_errors.append(_("A proposal can have at most %(max)d files; there is room for "
                             "%(room)d more.", max=max_attachments(), room=max(room, 0)))
        chosen = []
    written: list[str] = []
    try:
        for file, alt in chosen:
            try:
                upload, resized = _read(file)
            except storage.Refused as refused:
                file_errors.append(refused.message)
                continue
            pending.append(_write(actor, upload, resized, clean_line(alt, ALT_MAX), written))
        db.session.flush()
    except BaseException:
        storage.delete(written)
        raise
    storage.delete_if_rolled_back(written)
    return Stashed(pending, file_errors, alt_errors(pending))


def check_ready(actor: User, proposal: Proposal | None, ids) -> list[ProposalAttachment]:
    """The pending files to attach on publishing; refused while an image lacks its text or there
    are too many."""
    pending = pending_of(actor, ids)
    missing = alt_errors(pending)
    if missing:
        raise ValidationError(next(iter(missing.values())), field="attachments")
    if len(pending) + len(attachments_of(proposal)) > max_attachments():
        raise ValidationError(_("A proposal can have at most %(max)d files.", max=max_attachments()),
                              field="attachments")
    return pending


def attach(actor: User, proposal: Proposal, pending: list[ProposalAttachment]) -> int:
    """The pending files become the proposal's; only those still pending and the actor's."""
    if not pending:
        return 0
    return db.session.execute(
        sa.update(ProposalAttachment)
        .where(ProposalAttachment.id.in_([a.id for a in pending]),
               ProposalAttachment.owner_id == actor.id, ProposalAttachment.proposal_id.is_(None))
        .values(proposal_id=proposal.id)
        .execution_options(synchronize_session=False)
    ).rowcount


def remove_attachment(actor: User, attachment: ProposalAttachment) -> None:
    """The author takes a file off the proposal while it can still be edited."""
    proposal = attachment.proposal
    require(actor, "proposals.edit", proposal)
    record(actor, "proposal.attachment_removed", proposal, committee_id=proposal.committee_id,
           name=attachment.original_name)
    _delete_rows([attachment])
    db.session.flush()


def delete_attachments_of(user: User) -> None:
    """An account that goes takes its files with it, pending or published."""
    _delete_rows(list(db.session.scalars(
        sa.select(ProposalAttachment).where(ProposalAttachment.owner_id == user.id))))
