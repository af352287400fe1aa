"""The API's reads: one page of a dataset, or one item, through the dataset's own public query."""
import sqlalchemy as sa

from app.extensions import db
from app.opendata.schema import Dataset, Equals, json_value, row_dict

# Each dataset's public query, built once: building it (aliases, dozens of labelled columns) cost
# more than running it. Thread-safe: a plain dict filled idempotently under the GIL, holding
# SQLAlchemy SELECTs, which are immutable (every .where() makes a new one). The queries depend
# on nothing of the request or the clock (app/opendata: plain SELECTs of public rows).
_QUERIES: dict[str, sa.Select] = {}
# Cells JSON takes as they are; anything else (enums, times) goes through json_value.
_PLAIN = frozenset({int, str, float, bool, type(None)})


def base_query(dataset: Dataset) -> sa.Select:
    stmt = _QUERIES.get(dataset.slug)
    if stmt is None:
        stmt = _QUERIES.setdefault(dataset.slug, dataset.query())
    return stmt


def _row(names: tuple[str, ...], row) -> dict:
    """row_dict's values (app/opendata/schema.py), without a call per plain cell."""
    mapping = row._mapping
    return {name: value if type(value := mapping[name]) in _PLAIN else json_value(value) for name in names}


def _paged(dataset: Dataset, stmt: sa.Select, after, limit) -> sa.Select:
    """`stmt` from the row after the key `after` (None: from the first), `limit` rows in the key's
    order, with the key's columns labelled _key0, _key1, ... (values or bound parameters)."""
    if after is not None:
        stmt = stmt.where(sa.tuple_(*dataset.key) > sa.tuple_(*after))
    return stmt.order_by(*dataset.key).limit(limit).add_columns(
        *(column.label(f"_key{i}") for i, column in enumerate(dataset.key)))


# The page statements of the datasets, per set of equality filters and whether a cursor is given:
# built once, every value a bound parameter (the statement is large: building it and its cache
# key cost more than running it), but the limit, written into the SQL when it runs (as a
# parameter, PostgreSQL plans the kept statement again on every request). Thread-safe as _QUERIES: filled idempotently, immutable
# statements; bounded by the datasets' filters.
_PAGES: dict[tuple, sa.Select] = {}


def _page_statement(dataset: Dataset, filter_names: tuple[str, ...], after: bool) -> sa.Select:
    key = (dataset.slug, filter_names, after)
    stmt = _PAGES.get(key)
    if stmt is None:
        stmt = base_query(dataset)
        for name in filter_names:
            stmt = dataset.filter(name).apply(stmt, sa.bindparam(f"filter_{name}"))
        cursor = [sa.bindparam(f"after_{i}", type_=sa.Integer) for i in range(len(dataset.key))] if after else None
        stmt = _PAGES.setdefault(key, _paged(dataset, stmt, cursor, sa.bindparam("limit", type_=sa.Integer, literal_execute=True)))
    return stmt


def page(dataset: Dataset, filters: dict, after: list | None, limit: int) -> tuple[list[dict], list | None]:
    """(rows, key of the last row if there are more): one statement, limit + 1 rows."""
    if all(isinstance(dataset.filter(name).apply, Equals) for name in filters):
        names = tuple(sorted(filters))
        parameters = {"limit": limit + 1, **{f"filter_{name}": filters[name] for name in names},
                      **{f"after_{i}": value for i, value in enumerate(after or ())}}
        rows = db.session.execute(_page_statement(dataset, names, after is not None), parameters).all()
    else:  # a filter whose statement depends on its value (the words of `q`)
        stmt = base_query(dataset)
        for name, value in filters.items():
            stmt = dataset.filter(name).apply(stmt, value)
        rows = db.session.execute(_paged(dataset, stmt, after, limit + 1)).all()
    labels = [f"_key{i}" for i in range(len(dataset.key))]
    more = len(rows) > limit
    rows = rows[:limit]
    last = [getattr(rows[-1], label) for label in labels] if more and rows else None
    names = tuple(dataset.column_names)
    return [_row(names, row) for row in rows], last


def item(dataset: Dataset, lookup_value) -> dict | None:
    stmt = base_query(dataset)
    column = stmt.selected_columns[dataset.lookup]
    row = db.session.execute(stmt.where(column == lookup_value).limit(1)).first()
    return row_dict(dataset, row) if row is not None else None


def count(dataset: Dataset) -> int:
    return db.session.scalar(sa.select(sa.func.count()).select_from(dataset.query().subquery())) or 0
