"""The API's reads: one page of a dataset, or one item, through the dataset's own public query."""
import sqlalchemy as sa

from app.extensions import db
from app.opendata.schema import Dataset, row_dict


def page(dataset: Dataset, filters: dict, after: list | None, limit: int) -> tuple[list[dict], list | None]:
    """(rows, key of the last row if there are more): one statement, limit + 1 rows."""
    stmt = dataset.query()
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
    return [row_dict(dataset, row) for row in rows], last


def item(dataset: Dataset, lookup_value) -> dict | None:
    stmt = dataset.query()
    column = stmt.selected_columns[dataset.lookup]
    row = db.session.execute(stmt.where(column == lookup_value).limit(1)).first()
    return row_dict(dataset, row) if row is not None else None


def count(dataset: Dataset) -> int:
    return db.session.scalar(sa.select(sa.func.count()).select_from(dataset.query().subquery())) or 0
