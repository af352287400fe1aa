"""Every record a plan has published, so that those published before the ledger existed (an
installation upgraded past revision 3d54bf8dbcf8) can be appended to it: `flask ledger backfill`.

The ledger imports no area: each area that appends to it registers a source of its published
records, in its own `records.py`, next to the function that builds each record's content (the
same function its services hash when they publish, so that a backfilled record's hash is the one
the live act would have written):

    @published_records
    def _minutes(plan_id: int | None) -> Iterable[Record]: ...

`backfill` appends, plan by plan and in the order they were published, the records whose item
has no entry of their kind yet; run twice, the second run appends nothing. The entry's time is
the time of the backfill (the ledger says when it learnt of a record, not when the record was
made); corrections made before the ledger existed (`document_details`) are history that no row
keeps, so the current details are what a backfilled document version carries.
"""
from collections import Counter, defaultdict
from collections.abc import Callable, Iterable
from datetime import datetime
from typing import NamedTuple

import sqlalchemy as sa

from app.core.audit import record
from app.extensions import db
from app.ledger import services
from app.ledger.models import LedgerEntry
from app.plans.models import ActionPlan


class Record(NamedTuple):
    """One published record: when it was published, its plan, ledger kind, item and content."""

    when: datetime
    plan_id: int
    kind: str
    item: str
    content: dict


# Thread-safe: filled only while modules are imported (before the first request or command);
# read-only afterwards.
_SOURCES: list[Callable[[int | None], Iterable[Record]]] = []
# Kinds no source can rebuild: a correction of a document's details before the ledger is kept by
# no row (the version's content carries the current details instead).
NOT_REBUILT = ("document_details",)


def published_records(source: Callable[[int | None], Iterable[Record]]):
    """Register a source: called with a plan id (or None for every plan), it yields the area's
    published records."""
    if source not in _SOURCES:
        _SOURCES.append(source)
    return source


def sources() -> list[Callable[[int | None], Iterable[Record]]]:
    return list(_SOURCES)


def _chained(plan_id: int | None) -> set[tuple[int, str, str]]:
    query = sa.select(LedgerEntry.plan_id, LedgerEntry.kind, LedgerEntry.item)
    if plan_id is not None:
        query = query.where(LedgerEntry.plan_id == plan_id)
    return {tuple(row) for row in db.session.execute(query)}


def missing(plan_id: int | None = None) -> list[Record]:
    """The published records whose item has no entry of their kind yet, per plan in the order
    they were published (a document's versions in their order)."""
    chained = _chained(plan_id)
    order = {kind: index for index, kind in enumerate(services.KINDS)}
    pending = [record_ for source in _SOURCES for record_ in source(plan_id)
               if (record_.plan_id, record_.kind, record_.item) not in chained]
    return sorted(pending, key=lambda r: (r.plan_id, r.when, order[r.kind], r.item))


def backfill(plan_id: int | None = None) -> dict[int, Counter]:
    """Append the missing records (see `missing`); per plan, how many of each kind. The audit log
    says, per plan, that the ledger was completed and with how many records."""
    appended: dict[int, Counter] = defaultdict(Counter)
    for found in missing(plan_id):
        services.append(found.plan_id, found.kind, found.item, found.content)
        appended[found.plan_id][found.kind] += 1
    for plan_key, counts in appended.items():
        record(None, "ledger.backfilled", db.session.get(ActionPlan, plan_key),
               records=sum(counts.values()), kinds=dict(sorted(counts.items())))
    return dict(appended)
