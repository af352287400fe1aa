"""Reads of notifications shared by the pages: the unread count and one page of the list."""
from dataclasses import dataclass

import sqlalchemy as sa

from app.extensions import db
from app.notifications.models import Notification

PROPOSAL_PATH = "/proposals/"

PER_PAGE = 20


def unread_count(user_id: int) -> int:
    """One COUNT on the (user_id, read_at) index."""
    return db.session.scalar(
        sa.select(sa.func.count(Notification.id)).where(
            Notification.user_id == user_id, Notification.read_at.is_(None)
        )
    ) or 0


@dataclass(frozen=True)
class Page:
    items: list[Notification]
    number: int
    pages: int
    total: int

    @property
    def has_previous(self) -> bool:
        return self.number > 1

    @property
    def has_next(self) -> bool:
        return self.number < self.pages


def page_for(user_id: int, number: int, per_page: int = PER_PAGE) -> Page:
    """A user's notifications, newest first; a page past the end shows the last one.

    Two statements whatever the number of notifications: a COUNT and one page of rows (the
    rows carry everything the page shows, so nothing loads lazily).
    """
    total = db.session.scalar(
        sa.select(sa.func.count(Notification.id)).where(Notification.user_id == user_id)
    ) or 0
    pages = max(1, -(-total // per_page))
    number = min(max(number, 1), pages)
    items = db.session.scalars(
        sa.select(Notification)
        .where(Notification.user_id == user_id)
        .order_by(Notification.created_at.desc(), Notification.id.desc())
        .limit(per_page)
        .offset((number - 1) * per_page)
    ).all()
    return Page(items=list(items), number=number, pages=pages, total=total)


def _proposal_reference(url: str | None) -> str | None:
    """DGO-2026-0001 from "/proposals/DGO-2026-0001#comment-3" (comment replies name no reference)."""
    if not url or not url.startswith(PROPOSAL_PATH):
        return None
    return url[len(PROPOSAL_PATH):].split("#", 1)[0].split("?", 1)[0].split("/", 1)[0] or None


def hidden_reasons(entries: list[tuple[dict, str]]) -> dict[str, str | None]:
    """{reference: hidden reason} of the proposals named by (params, url) entries that moderation
    has hidden; one query whatever the number of entries."""
    from app.proposals.models import Proposal

    wanted = set()
    for params, url in entries:
        params = params or {}
        wanted.update(ref for ref in (params.get("reference"), params.get("into_reference"),
                                      _proposal_reference(url)) if isinstance(ref, str))
    if not wanted:
        return {}
    return dict(db.session.execute(
        sa.select(Proposal.reference, Proposal.hidden_reason)
        .where(Proposal.reference.in_(wanted), Proposal.hidden_at.is_not(None))
    ).all())


def mask_hidden(params: dict, url: str, hidden: dict[str, str | None]) -> dict:
    """`params` with the titles of hidden proposals replaced by the notice, in the current language."""
    from flask_babel import gettext as _

    def notice(reference):
        reason = hidden[reference]
        # Automatic hides store this marker; pages translate it (moderation/_macros.html).
        reason = _("pending review") if reason == "pending review" else (reason or "")
        return _("Hidden by moderation: %(reason)s", reason=reason)

    params = dict(params or {})
    reference = params.get("reference") or _proposal_reference(url)
    if reference in hidden and "title" in params:
        params["title"] = notice(reference)
    if params.get("into_reference") in hidden and "into_title" in params:
        params["into_title"] = notice(params["into_reference"])
    return params


def without_hidden_titles(entries: list[tuple[dict, str]]) -> list[dict]:
    """Each (params, url) with the titles of proposals hidden by moderation replaced by the notice.

    A notification keeps the title it was sent with; once moderation hides the proposal, lists,
    mails and digests must stop showing it, as every other page does.
    """
    hidden = hidden_reasons(entries)
    return [mask_hidden(params, url, hidden) for params, url in entries]
