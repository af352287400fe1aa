"""The things people follow, described by their own areas: follows imports none of them.

An area registers each kind once, in its hooks.py (imported by create_app):

    register(Target(
        kind="proposal", label=_l("Proposals"),
        model=Proposal,                     # the mapped class; follows loads rows by id itself
        visible=lambda actor, item: ...,    # whether the actor may read the item's page
        title=lambda item: ..., path=lambda item: ...,
        sources=lambda: [Source(...), ...], # where its changes are dated (see latest_changes)
    ))
"""
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

import sqlalchemy as sa
from flask_babel import gettext as _

from app.core.errors import NotFound
from app.extensions import db
from app.follows.models import TARGET_TYPES


@dataclass(frozen=True)
class Source:
    """One kind of change of a followed thing: `id_column` names the thing, `time_column` dates
    the change, `label` says what it was ("New comment"); `where` and `join` narrow the rows."""

    label: Any
    id_column: Any
    time_column: Any
    where: tuple = ()
    join: tuple = ()


@dataclass(frozen=True)
class Target:
    kind: str
    label: Any
    model: Any  # the mapped class of the followed things (an `id` primary key)
    visible: Callable[[Any, Any], bool]
    title: Callable[[Any], str]
    path: Callable[[Any], str]
    sources: Callable[[], list[Source]] = field(default=lambda: [])

    def load(self, ids: Iterable[int]) -> dict[int, Any]:
        """{id: item} for the ids that exist, one statement."""
        ids = list(ids)
        if not ids:
            return {}
        return {item.id: item for item in db.session.scalars(
            sa.select(self.model).where(self.model.id.in_(ids)))}


# Thread-safe: filled only while modules are imported (before the first request); read-only after.
_TARGETS: dict[str, Target] = {}


def register(target: Target) -> Target:
    if target.kind not in TARGET_TYPES:
        raise RuntimeError(f"follows: unknown kind {target.kind!r}")
    existing = _TARGETS.get(target.kind)
    if existing is not None and existing != target:
        raise RuntimeError(f"follows: kind {target.kind!r} registered twice")
    _TARGETS[target.kind] = target
    return target


def targets() -> list[Target]:
    """The registered kinds, in the order of TARGET_TYPES (the order of the Following page)."""
    return [_TARGETS[kind] for kind in TARGET_TYPES if kind in _TARGETS]


def by_kind(kind: str) -> Target:
    target = _TARGETS.get(kind)
    if target is None:
        raise NotFound(_("This cannot be followed."))
    return target


@dataclass(frozen=True)
class Change:
    at: datetime
    label: str


def latest_changes(target: Target, ids: Iterable[int]) -> dict[int, Change]:
    """{id: its latest dated change}, one statement per source of the kind."""
    ids = sorted(set(ids))
    found: dict[int, Change] = {}
    if not ids:
        return found
    for source in target.sources():
        statement = sa.select(source.id_column, sa.func.max(source.time_column))
        if source.join:
            statement = statement.select_from(source.join[0]).join(*source.join[1:])
        rows = db.session.execute(
            statement.where(source.id_column.in_(ids), source.time_column.is_not(None), *source.where)
            .group_by(source.id_column)
        ).all()
        for target_id, at in rows:
            if at is not None and (target_id not in found or at > found[target_id].at):
                found[target_id] = Change(at, str(source.label))
    return found
