"""Whole-dataset downloads, streamed row by row so memory stays flat however large the dataset."""
import csv
import io
import json
from collections.abc import Iterator

from app.extensions import db
from app.opendata.schema import Dataset, csv_value, row_dict

# Rows fetched from the database at a time; PostgreSQL streams them through a server-side cursor.
BATCH = 1000
# A spreadsheet program reads the file as UTF-8 (accents and ñ intact) when it starts with this.
BOM = "\ufeff"


def _rows(dataset: Dataset):
    stmt = dataset.query().order_by(*dataset.key).execution_options(yield_per=BATCH)
    return db.session.execute(stmt)


def csv_chunks(dataset: Dataset) -> Iterator[str]:
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    names = dataset.column_names
    buffer.write(BOM)
    writer.writerow(names)
    for n, row in enumerate(_rows(dataset), 1):
        mapping = row._mapping
        writer.writerow([csv_value(mapping[name]) for name in names])
        if n % BATCH == 0:
            yield buffer.getvalue()
            buffer.seek(0)
            buffer.truncate()
    yield buffer.getvalue()


def json_chunks(dataset: Dataset, header: dict) -> Iterator[str]:
    """{"...header...", "rows": [...]}, written one row at a time."""
    opening = json.dumps({**header, "rows": []}, ensure_ascii=False)
    yield opening[:-2]  # everything up to the empty list's closing "]}"
    parts = []
    for n, row in enumerate(_rows(dataset)):
        parts.append(("," if n else "") + json.dumps(row_dict(dataset, row), ensure_ascii=False))
        if len(parts) == BATCH:
            yield "".join(parts)
            parts.clear()
    parts.append("]}")
    yield "".join(parts)
