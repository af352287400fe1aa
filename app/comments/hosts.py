"""The things people comment on ("hosts"), described by their own areas: comments imports none.

A host area registers its model once, in its hooks.py (imported by create_app):

    register(Host(
        kind="proposal", model=Proposal, column="proposal_id",
        accepts=lambda target: ...,          # takes new comments now? a Decision (with the reason)
        path=lambda comment, anchor: ...,    # the page where the comment is read
        counter="comment_count",             # the host's column counting visible comments, if any
        still_open=lambda: ...,              # SQL condition under which the counter may move
        reference=Proposal.reference,        # how exports name the host
    ))

`comments` finds the host of a target by its model and the host of a comment by the column that
is set (`Comment.proposal_id`, `Comment.commitment_id`).
"""
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from flask_babel import gettext as _

from app.core.errors import NotFound
from app.core.permissions import Decision

# Thread-safe: filled only while modules are imported (before the first request); read-only after.
_HOSTS: dict[str, "Host"] = {}


@dataclass(frozen=True)
class Host:
    kind: str
    model: type
    column: str
    accepts: Callable[[Any], Decision | bool]
    path: Callable[[Any, str | None], str]
    counter: str | None = None
    still_open: Callable[[], Any] | None = None
    reference: Any = None


def register(host: Host) -> Host:
    existing = _HOSTS.get(host.kind)
    if existing is not None and existing != host:
        raise RuntimeError(f"comment host {host.kind!r} registered twice")
    _HOSTS[host.kind] = host
    return host


def hosts() -> list[Host]:
    return list(_HOSTS.values())


def by_kind(kind: str) -> Host:
    host = _HOSTS.get(kind)
    if host is None:
        raise NotFound(_("Comments are not possible here."))
    return host


def host_of(target) -> Host:
    """The host a target (a proposal, a commitment, …) is; NotFound for anything else."""
    for host in _HOSTS.values():
        if isinstance(target, host.model):
            return host
    raise NotFound(_("Comments are not possible here."))


def host_of_comment(comment) -> tuple[Host, int]:
    """The comment's host and the id of its target."""
    for host in _HOSTS.values():
        target_id = getattr(comment, host.column)
        if target_id is not None:
            return host, target_id
    raise NotFound(_("Comments are not possible here."))
