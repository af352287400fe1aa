"""Keeping the search index in step with the content, inside the transaction that changes it.

Why session events rather than the areas' hooks: content changes in two ways here, through the
ORM (a new proposal, an edited commitment, a milestone removed with its commitment's edit) and
through conditional UPDATE statements that services use to win races (hiding by moderation, a
comment's correction or deletion, a proposal's new text). A hook in each service would have to be
remembered in every one of them, now and in every service written later; two listeners on the
Session see every change whoever makes it:
- `after_flush` notes the indexed instances that were added, deleted, or changed in a column
  search reads;
- `do_orm_execute` notes, before an UPDATE or DELETE statement on an indexed model runs, the ids
  of the rows it will touch (the same WHERE clause, read first), when the statement sets a column
  search reads.
The noted items are re-indexed (their rows deleted and written again, or only deleted when the
item is no longer public) in the same transaction: just before it commits, and before any search
reads the index, so a search never sees the index behind the data. A host's visibility is its
comments' visibility, so re-indexing a proposal or a commitment re-indexes its comments too.
`flask search reindex` (rebuild) writes the whole index again from the data.
"""
import functools
import re
from collections.abc import Iterable

import sqlalchemy as sa
from flask import current_app
from sqlalchemy.orm import Session
from sqlalchemy.sql import operators
from sqlalchemy.sql.elements import BinaryExpression, BindParameter, BooleanClauseList

from app.comments.models import Comment
from app.commitments.models import TEMPLATE_FIELDS, Commitment, CommitmentState, Milestone
from app.core.db import listen_once
from app.dialogues.models import DialogueTable
from app.documents.models import Document
from app.extensions import db
from app.fulltext import matching
from app.fulltext.analyser import analyse
from app.fulltext.models import SearchEntry
from app.plans.models import Committee
from app.proposals.models import Proposal, ProposalState

# Key in Session.info: {kind: set of ids} waiting to be re-indexed.
PENDING = "search_pending"
# Key in Session.info: {kind: set of ids} of those added since the last re-indexing (no rows yet).
FRESH = "search_fresh"
BATCH = 500
EXCERPT_CHARS = 5000

# For each indexed model: its kind, and the columns whose change changes what search finds.
# (A model absent here, or a column absent from its set, changes nothing search shows.)
WATCHED: dict[type, tuple[str, frozenset[str]]] = {
    Proposal: ("proposal", frozenset({"title", "body", "place", "municipality", "reference",
                                      "state", "hidden_at", "plan_id"})),
    Commitment: ("commitment", frozenset({*TEMPLATE_FIELDS, "state", "plan_id"})),
    Milestone: ("milestone", frozenset({"description", "deliverable", "commitment_id"})),
    DialogueTable: ("table", frozenset({"title", "objective", "place", "committee_id"})),
    Comment: ("comment", frozenset({"body", "hidden_at", "deleted_at", "proposal_id",
                                    "commitment_id"})),
    Document: ("document", frozenset({"title", "description", "plan_id"})),
}
_WATCHED_TABLES = {model.__table__.name: (model, kind, columns)
                   for model, (kind, columns) in WATCHED.items()}

# Markdown's marks, links' targets and runs of spaces: not part of the words a snippet shows.
_MARKS = re.compile(r"\]\([^)]*\)|[#>*_`~\[\]|]+")
_SPACES = re.compile(r"\s+")


def plain(*parts: str | None) -> str:
    text = " ".join(p for p in parts if p)
    return _SPACES.sub(" ", _MARKS.sub(" ", text)).strip()


def _path(endpoint: str, anchor: str | None = None, **values) -> str:
    # Built without a request: indexing also runs from commands and services.
    url = current_app.url_map.bind("localhost").build(endpoint, values)
    return f"{url}#{anchor}" if anchor else url


def _entry(kind, item_id, plan_id, url, title, title_text, body_text, excerpt) -> dict:
    return {
        "kind": kind, "item_id": item_id, "plan_id": plan_id, "url": url[:500],
        "title": (title or "")[:300],
        "title_tokens": " ".join(analyse(title_text)),
        "body_tokens": " ".join(analyse(body_text)),
        "excerpt": plain(excerpt)[:EXCERPT_CHARS],
    }


# ------------------------------------------------------------------ what each kind shows


def _proposals(ids) -> list[dict]:
    rows = db.session.execute(
        sa.select(Proposal.id, Proposal.plan_id, Proposal.reference, Proposal.title,
                  Proposal.body, Proposal.place, Proposal.municipality)
        .where(Proposal.id.in_(ids), Proposal.hidden_at.is_(None),
               # Withdrawn proposals keep their page but leave every public list.
               Proposal.state != ProposalState.withdrawn)
    ).all()
    return [
        _entry("proposal", r.id, r.plan_id, _path("proposals.show", reference=r.reference),
               r.title, r.title, " ".join(filter(None, (r.reference, r.body, r.place,
                                                        r.municipality))), r.body)
        for r in rows
    ]


_COMMITMENT_TEXT = [f for f in TEMPLATE_FIELDS if f != "title"]
SEARCHABLE_COMMITMENT_STATES = (CommitmentState.consultation, CommitmentState.published)


def _commitments(ids) -> list[dict]:
    # Found: in consultation or formal. Withdrawn commitments keep their page and their place on
    # the public list (filtered by state), as withdrawn proposals do, but leave what search finds.
    commitments = db.session.execute(
        sa.select(Commitment.id, Commitment.plan_id, Commitment.title,
                  *[getattr(Commitment, f) for f in _COMMITMENT_TEXT])
        .where(Commitment.id.in_(ids), Commitment.state.in_(SEARCHABLE_COMMITMENT_STATES))
    ).all()
    milestones: dict[int, list[str]] = {}
    for m in db.session.execute(
        sa.select(Milestone.commitment_id, Milestone.description, Milestone.deliverable)
        .where(Milestone.commitment_id.in_([c.id for c in commitments]))
        .order_by(Milestone.commitment_id, Milestone.position, Milestone.id)
    ):
        milestones.setdefault(m.commitment_id, []).extend((m.description, m.deliverable))
    entries = []
    for c in commitments:
        texts = [getattr(c, f) for f in _COMMITMENT_TEXT] + milestones.get(c.id, [])
        entries.append(_entry(
            "commitment", c.id, c.plan_id, _path("commitments.show", commitment_id=c.id),
            c.title, c.title, " ".join(filter(None, texts)),
            " ".join(filter(None, (c.objective, c.problem, c.description,
                                   *milestones.get(c.id, [])))),
        ))
    return entries


def _tables(ids) -> list[dict]:
    # Every table is public, cancelled ones too (the public list shows them, with the reason).
    rows = db.session.execute(
        sa.select(DialogueTable.id, Committee.plan_id, DialogueTable.title,
                  DialogueTable.objective, DialogueTable.place)
        .join(Committee, Committee.id == DialogueTable.committee_id)
        .where(DialogueTable.id.in_(ids))
    ).all()
    return [
        _entry("table", r.id, r.plan_id, _path("dialogues.show", table_id=r.id), r.title,
               r.title, " ".join(filter(None, (r.objective, r.place))), r.objective)
        for r in rows
    ]


@functools.cache
def _comments_statement() -> sa.Select:
    """Found: neither hidden nor deleted, on a proposal or a commitment that search finds; one
    statement for both hosts, built once per process with the ids as an expanding parameter (a
    new comment is indexed on every post: building the statement cost more than running it).
    Thread-safe: a statement is immutable."""
    on_proposal = sa.and_(Proposal.id == Comment.proposal_id, Proposal.hidden_at.is_(None),
                          Proposal.state != ProposalState.withdrawn)
    on_commitment = sa.and_(Commitment.id == Comment.commitment_id,
                            Commitment.state.in_(SEARCHABLE_COMMITMENT_STATES))
    return (
        sa.select(Comment.id, Comment.body, Comment.commitment_id, Proposal.reference,
                  sa.func.coalesce(Proposal.plan_id, Commitment.plan_id).label("plan_id"),
                  sa.func.coalesce(Proposal.title, Commitment.title).label("title"))
        .outerjoin(Proposal, on_proposal)
        .outerjoin(Commitment, on_commitment)
        .where(Comment.id.in_(sa.bindparam("ids", expanding=True)), Comment.hidden_at.is_(None),
               Comment.deleted_at.is_(None), sa.or_(Proposal.id.is_not(None), Commitment.id.is_not(None)))
    )


def _comments(ids) -> list[dict]:
    return [
        _entry("comment", r.id, r.plan_id,
               _path("proposals.show", f"comment-{r.id}", reference=r.reference) if r.reference is not None
               else _path("consultations.show", f"comment-{r.id}", commitment_id=r.commitment_id),
               r.title, "", r.body, r.body)
        for r in db.session.execute(_comments_statement(), {"ids": list(ids)})
    ]


def _documents(ids) -> list[dict]:
    # Every document is public once published (there are no drafts).
    rows = db.session.execute(
        sa.select(Document.id, Document.plan_id, Document.title, Document.description)
        .where(Document.id.in_(ids))
    ).all()
    return [
        _entry("document", r.id, r.plan_id, _path("documents.show", document_id=r.id), r.title,
               r.title, r.description, r.description)
        for r in rows
    ]


BUILDERS = {
    "proposal": (Proposal, _proposals),
    "commitment": (Commitment, _commitments),
    "table": (DialogueTable, _tables),
    "comment": (Comment, _comments),
    "document": (Document, _documents),
}


# ------------------------------------------------------------------ writing the index


# Built once per process (thread-safe: immutable); Core statements on the index's table: the
# index has no ORM state to keep, and the ORM's bulk insert would ask every new row's id back.
_ENTRIES = SearchEntry.__table__
_DELETE = sa.delete(_ENTRIES).where(_ENTRIES.c.kind == sa.bindparam("kind"),
                                    _ENTRIES.c.item_id.in_(sa.bindparam("ids", expanding=True)))
_INSERT = sa.insert(_ENTRIES)


def reindex(kind: str, ids: Iterable[int], fresh: Iterable[int] = ()) -> None:
    """Write the rows of these items again: public ones indexed, the others out of the index.
    `fresh`: items added in this transaction and not indexed yet, which have no rows to delete."""
    ids = sorted(set(ids))
    fresh = set(fresh)
    _model, build = BUILDERS[kind]
    for start in range(0, len(ids), BATCH):
        batch = ids[start:start + BATCH]
        indexed_before = [item for item in batch if item not in fresh]
        if indexed_before:
            db.session.execute(_DELETE, {"kind": kind, "ids": indexed_before})
        entries = build(batch)
        if entries:
            db.session.execute(_INSERT, entries)


def rebuild() -> dict[str, int]:
    """The whole index written again from the data; {kind: rows indexed}."""
    db.session.execute(sa.delete(SearchEntry))
    counts = {}
    for kind, (model, _build) in BUILDERS.items():
        ids = db.session.scalars(sa.select(model.id).order_by(model.id)).all()
        reindex(kind, ids)
        counts[kind] = db.session.scalar(
            sa.select(sa.func.count()).where(SearchEntry.kind == kind)) or 0
    return counts


_HOST_COLUMNS = {"proposal": Comment.proposal_id, "commitment": Comment.commitment_id}


def _note(session: Session, kind: str, ids: Iterable[int], fresh: bool = False) -> None:
    """Items of `kind` to re-index; `fresh`: added by this flush (nothing of theirs indexed yet)."""
    ids = {i for i in ids if i is not None}
    session.info.setdefault(PENDING, {}).setdefault(kind, set()).update(ids)
    if fresh:
        session.info.setdefault(FRESH, {}).setdefault(kind, set()).update(ids)


def catch_up(session: Session | None = None) -> None:
    """Re-index what changed since the last time: before a search reads, and before a commit."""
    session = session or db.session()
    if session.info.get("search_catching_up"):
        return
    session.info["search_catching_up"] = True
    try:
        # Reading the index's sources may flush more changes: a few rounds settle them.
        for _round in range(5):
            pending = session.info.pop(PENDING, None)
            fresh = session.info.pop(FRESH, {})
            if not pending:
                return
            for kind in ("proposal", "commitment", "table", "document"):
                ids = pending.get(kind)
                if not ids:
                    continue
                reindex(kind, ids, fresh.get(kind, ()))
                host = _HOST_COLUMNS.get(kind)
                if host is not None:
                    # Whether a comment is public depends on its host: read it again with it.
                    ids = sorted(ids)
                    for start in range(0, len(ids), BATCH):
                        pending.setdefault("comment", set()).update(session.scalars(
                            sa.select(Comment.id).where(host.in_(ids[start:start + BATCH]))))
            if pending.get("comment"):
                reindex("comment", pending["comment"], fresh.get("comment", ()))
    finally:
        session.info.pop("search_catching_up", None)


# ------------------------------------------------------------------ the listeners


def _changed_columns(obj, columns: frozenset[str]) -> bool:
    state = sa.inspect(obj)
    return any(state.attrs[name].history.has_changes()
               for name in columns if name in state.attrs)


def _after_flush(session: Session, _flush_context) -> None:
    for obj in (*session.new, *session.deleted, *session.dirty):
        watched = WATCHED.get(type(obj))
        if watched is None:
            continue
        kind, columns = watched
        if obj in session.dirty and not _changed_columns(obj, columns):
            continue
        if kind == "milestone":
            _note(session, "commitment", [obj.commitment_id])
        else:
            _note(session, kind, [obj.id], fresh=obj in session.new)


def _statement_columns(statement) -> set[str] | None:
    values = getattr(statement, "_values", None)
    if not values:
        return None  # not knowable: treat every column as touched
    return {getattr(key, "key", None) or getattr(key, "name", None) or str(key) for key in values}


def _ids_named(whereclause, table) -> list[int] | None:
    """The ids a WHERE clause names with `id = x` or `id IN (...)` among its AND-ed conditions
    (the services' conditional updates all do), or None. Read from the statement, not the
    database: a SELECT before an UPDATE would make SQLite's transaction a reader that must then
    upgrade to a writer, which fails at once when another writer went first."""
    if whereclause is None:
        return None
    if isinstance(whereclause, BooleanClauseList) and whereclause.operator is operators.and_:
        conditions = list(whereclause.clauses)
    else:
        conditions = [whereclause]
    for condition in conditions:
        if not isinstance(condition, BinaryExpression):
            continue
        left, right = condition.left, condition.right
        if getattr(left, "key", None) != "id" or getattr(getattr(left, "table", None), "name", None) != table.name:
            continue
        if not isinstance(right, BindParameter):
            continue
        value = right.effective_value
        if condition.operator is operators.eq and isinstance(value, int):
            return [value]
        if condition.operator is operators.in_op and isinstance(value, list | tuple):
            return [v for v in value if isinstance(v, int)]
    return None


def _before_bulk_write(orm_execute_state) -> None:
    if not (orm_execute_state.is_update or orm_execute_state.is_delete):
        return
    statement = orm_execute_state.statement
    table = getattr(statement, "table", None)
    watched = _WATCHED_TABLES.get(getattr(table, "name", None))
    if watched is None:
        return
    model, kind, columns = watched
    if orm_execute_state.is_update:
        touched = _statement_columns(statement)
        if touched is not None and not touched & columns:
            return  # a counter, a lock, a timestamp: nothing search shows
    session = orm_execute_state.session
    ids = _ids_named(statement.whereclause, table)
    if ids is None:
        # Read before the statement runs: its WHERE clause may no longer hold afterwards.
        select = sa.select(table.c.id)
        if statement.whereclause is not None:
            select = select.where(statement.whereclause)
        ids = session.execute(select).scalars().all()
    if kind == "milestone":
        _note(session, "commitment", session.execute(
            sa.select(Milestone.commitment_id).where(Milestone.id.in_(ids))).scalars())
    else:
        _note(session, kind, ids)


def _before_commit(session: Session) -> None:
    session.flush()
    catch_up(session)


def _forget(session: Session, previous_transaction) -> None:
    if previous_transaction.parent is None:
        session.info.pop(PENDING, None)
        session.info.pop(FRESH, None)


def listen_for_changes() -> None:
    """Once per process (tests build several apps): every session keeps the index in step, and
    every read of the index (app/fulltext/matching.py) first re-indexes what changed."""
    matching.on_read(catch_up)
    listen_once("search", {"after_flush": _after_flush, "do_orm_execute": _before_bulk_write,
                           "before_commit": _before_commit, "after_soft_rollback": _forget})
