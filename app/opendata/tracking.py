"""Which datasets a writing transaction changed: marked stale in the same transaction.

Each dataset's query names the columns it shows and the columns that decide what is public (its
WHERE, its joins, CASE rules such as "no name once the account is deleted"). A flush or a write
statement that touches a shown column makes the dataset's files stale: they are still served, with
their date, until the next build. One that touches a deciding column, or deletes a row, may have
taken something out of the public data: the old files are not served any more (the download is
streamed from the database) until they are built again. Inserts only add rows: stale.

The marks are plain INSERTs into open_data_changes, in the writer's own transaction, just before
its commit: no row is updated, so writers never wait on each other for them.
"""
import sqlalchemy as sa
from sqlalchemy.sql import visitors

from app.core.db import listen_once

# Keys in Session.info: {slug: purge} of the unit so far.
CHANGED = "cocrea_open_data_changed"
# Tables whose rows are the builder's own bookkeeping.
OWN_TABLES = frozenset({"open_data_changes", "open_data_builds"})

# Thread-safe: computed once (idempotently; two threads computing it at once build equal maps) and
# only read afterwards. table name -> [(slug, shown column names, deciding column names)]
_DEPENDENCIES: dict | None = None


def _table_of(column):
    table = getattr(column, "table", None)
    while table is not None and not isinstance(table, sa.Table):
        table = getattr(table, "element", None)
    return table


def _columns(expression):
    if expression is None:
        return
    for node in visitors.iterate(expression):
        if isinstance(node, sa.ColumnClause):
            table = _table_of(node)
            if table is not None:
                yield table.name, node.name


def _onclauses(from_):
    if isinstance(from_, sa.Join):
        yield from_.onclause
        yield from _onclauses(from_.left)
        yield from _onclauses(from_.right)


def _analyse(dataset) -> tuple[set, set, set]:
    """(tables, shown columns, deciding columns) of a dataset's query."""
    stmt = dataset.query()
    shown, deciding = set(), set()
    for column in stmt.selected_columns:
        inner = column.element if isinstance(column, sa.Label) else column
        if isinstance(inner, sa.ColumnClause) and _table_of(inner) is not None:
            shown.add((_table_of(inner).name, inner.name))
        else:
            deciding.update(_columns(inner))
    deciding.update(_columns(stmt.whereclause))
    for from_ in stmt.get_final_froms():
        for onclause in _onclauses(from_):
            deciding.update(_columns(onclause))
    tables = {table for table, _ in shown | deciding}
    for from_ in stmt.get_final_froms():
        for node in visitors.iterate(from_):
            if isinstance(node, sa.Table):
                tables.add(node.name)
    return tables, shown - deciding, deciding


def dependencies() -> dict:
    global _DEPENDENCIES
    if _DEPENDENCIES is None:
        from app.opendata import all_datasets

        mapping: dict = {}
        for dataset in all_datasets():
            tables, shown, deciding = _analyse(dataset)
            for table in tables:
                mapping.setdefault(table, []).append((
                    dataset.slug,
                    frozenset(c for t, c in shown if t == table),
                    frozenset(c for t, c in deciding if t == table),
                ))
        _DEPENDENCIES = mapping
    return _DEPENDENCIES


def _note(session, table: str, columns, kind: str) -> None:
    """kind: "insert", "update" (with the changed column names; None for unknown) or "delete"."""
    if table in OWN_TABLES:
        return
    entries = dependencies().get(table)
    if not entries:
        return
    changed = session.info.setdefault(CHANGED, {})
    for slug, shown, deciding in entries:
        if kind == "insert":
            purge = False
        elif kind == "delete":
            purge = True
        elif columns is None:
            purge = True
        elif columns & deciding:
            purge = True
        elif columns & shown:
            purge = False
        else:
            continue
        changed[slug] = changed.get(slug, False) or purge


def _after_flush(session, _flush_context) -> None:
    for obj in session.new:
        _note(session, sa.inspect(obj).mapper.local_table.name, None, "insert")
    for obj in session.deleted:
        _note(session, sa.inspect(obj).mapper.local_table.name, None, "delete")
    for obj in session.dirty:
        state = sa.inspect(obj)
        columns = set()
        for attr in state.mapper.column_attrs:
            if state.attrs[attr.key].history.has_changes():
                columns.update(column.name for column in attr.columns)
        if columns:
            _note(session, state.mapper.local_table.name, columns, "update")


def _statement(orm_execute_state) -> None:
    if not (orm_execute_state.is_insert or orm_execute_state.is_update or orm_execute_state.is_delete):
        return
    statement = orm_execute_state.statement
    table = getattr(statement, "table", None)
    table = _table_of_dml(table)
    if table is None:
        return
    if orm_execute_state.is_insert:
        _note(orm_execute_state.session, table.name, None, "insert")
    elif orm_execute_state.is_delete:
        _note(orm_execute_state.session, table.name, None, "delete")
    else:
        values = getattr(statement, "_values", None) or {}
        columns = {getattr(key, "name", key) for key in values} or None
        _note(orm_execute_state.session, table.name, columns, "update")


def _table_of_dml(table):
    while table is not None and not isinstance(table, sa.Table):
        table = getattr(table, "element", None) or getattr(table, "local_table", None)
    return table


def _before_commit(session) -> None:
    if session.in_nested_transaction():
        return
    if session.new or session.dirty or session.deleted:
        session.flush()  # the commit's own flush comes after this event
    changed = session.info.pop(CHANGED, None)
    if not changed:
        return
    from app.core.db import utcnow
    from app.opendata.models import OpenDataChange

    now = utcnow()
    # Core: the change rows have no ORM state to keep, and the ORM's bulk insert asks their ids back.
    session.execute(sa.insert(OpenDataChange.__table__), [
        {"slug": slug, "purge": purge, "created_at": now} for slug, purge in sorted(changed.items())])


def _after_rollback(session, previous_transaction) -> None:
    if previous_transaction.parent is None:
        session.info.pop(CHANGED, None)


def listen_for_changes() -> None:
    """Once per process (tests build several apps)."""
    listen_once("open_data", {"after_flush": _after_flush, "do_orm_execute": _statement,
                              "before_commit": _before_commit, "after_soft_rollback": _after_rollback})
