"""The kinds of content people can report and facilitators can hide, described by their own areas:
moderation imports none of them.

An area whose model is `Moderatable` registers it once, in its hooks.py (imported by create_app):

    register(ContentKind(
        kind="comment",                     # a ReportTarget value: how reports and URLs name it
        model=Comment,
        url=comment_url,                    # the page where the item is read
        queue_label=lambda item: ...,       # its heading in a committee's queue
        log_label=lambda item: ...,         # how the public log names it (None: by its number)
        load=lambda: [joinedload(...)],     # what url and the labels read, loaded with the item
        visibility_changed=...,             # the item was hidden (-1) or shown again (+1)
    ))

Pages that list items (the queue, the log) pass `load()` to their one query per kind, so that they
issue a fixed number of statements whatever the number of items.

The public log also shows a public fact an area keeps in an entry's data (the state a proposal
moved to): the area registers how to word it, `describe_action("proposal.merged", lambda data: ...)`.
"""
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from flask_babel import gettext as _

from app.core.errors import NotFound
from app.moderation.models import ReportTarget

# Thread-safe: filled only while modules are imported (before the first request); read-only after.
_KINDS: dict[str, "ContentKind"] = {}
_DETAILS: dict[str, Callable[[dict], str | None]] = {}


@dataclass(frozen=True)
class ContentKind:
    kind: str
    model: type
    url: Callable[[Any], str]
    queue_label: Callable[[Any], str]
    log_label: Callable[[Any], str | None]
    load: Callable[[], list] = list
    visibility_changed: Callable[[Any, int], None] | None = None


def register(content: ContentKind) -> ContentKind:
    ReportTarget(content.kind)  # reports store the kind: it must be one the table knows
    existing = _KINDS.get(content.kind)
    if existing is not None and existing != content:
        raise RuntimeError(f"moderatable content {content.kind!r} registered twice")
    _KINDS[content.kind] = content
    return content


def kinds() -> list[ContentKind]:
    """Every registered kind, in the order of ReportTarget (a stable order for the pages)."""
    return [_KINDS[target.value] for target in ReportTarget if target.value in _KINDS]


def by_kind(kind) -> ContentKind:
    content = _KINDS.get(str(kind)) if kind is not None else None
    if content is None:
        raise NotFound(_("That content does not exist."))
    return content


def by_type_name(name: str | None) -> ContentKind | None:
    """The kind whose model is named `name` (the audit log names targets by their class)."""
    for content in _KINDS.values():
        if content.model.__name__ == name:
            return content
    return None


def kind_of(item) -> ContentKind:
    for content in _KINDS.values():
        if isinstance(item, content.model):
            return content
    raise NotFound(_("That content cannot be moderated."))


def visibility_changed(item, delta: int) -> None:
    """Tell the item's area that it was hidden (-1) or shown again (+1)."""
    changed = kind_of(item).visibility_changed
    if changed is not None:
        changed(item, delta)


def describe_action(action: str, detail: Callable[[dict], str | None]) -> None:
    """How the public log words the public fact kept in the data of `action`'s entries."""
    if _DETAILS.get(action, detail) is not detail:
        raise RuntimeError(f"the detail of {action!r} is registered twice")
    _DETAILS[action] = detail


def action_detail(action: str, data: dict) -> str | None:
    detail = _DETAILS.get(action)
    return detail(data) if detail is not None else None
