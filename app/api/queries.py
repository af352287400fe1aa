"""The API's reads: one page of a dataset, or one item, through the dataset's own public query."""
import sqlalchemy as sa

from app.extensions import db
from app.opendata.schema import Dataset, json_value, row_dict

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


def page(dataset: Dataset, filters: dict, after: list | None, limit: int) -> tuple[list[dict], list | None]:
    """(rows, key of the last row if there are more): one statement, limit + 1 rows."""
    stmt = base_query(dataset)
    for name, value in filters.items():
        stmt = dataset.filter(name).apply(stmt, value)
    if after is not None:
        stmt = stmt.where(sa.tuple_(*dataset.key) > sa.tuple_(*after))
    labels = [f"_key{i}" for i in range(len(dataset.key))]
    rows = db.session.execute(stmt.order_by(*dataset.key).limit(limit + 1).add_columns(
        *(column.label(label) for column, label in zip(dataset.key, labels, strict=True)))).all()
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
