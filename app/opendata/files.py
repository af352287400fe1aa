"""Pre-built download files: each dataset's CSV and JSON, written in one pass over its rows.

A build reads the dataset's rows through a server-side cursor (yield_per) and writes both files at
once to temporary files next to their final names, then renames them: a reader gets the old file or
the new one, never half of one. Memory stays flat whatever the number of rows: one batch of rows
and the file buffers. The files are named after the build's token, which the database keeps
(open_data_builds), so files that do not belong to the database (restored, emptied) are never
served. The directory (OPEN_DATA_DIR) must be shared by every app server, like UPLOAD_DIR.

Which builds are due is in open_data_changes (app/opendata/tracking.py): the builder reads the
marks first, then the data, and deletes only the marks it read, so a change committed meanwhile
keeps its dataset stale for the next build.
"""
import csv
import datetime as dt
import json
import os
import re
import time
import uuid
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path

import sqlalchemy as sa
from flask import current_app, has_request_context
from flask_babel import force_locale

from app.core import uow
from app.core.db import utcnow
from app.extensions import db
from app.opendata import lines
from app.opendata.export import BATCH, BOM
from app.opendata.models import OpenDataBuild, OpenDataChange
from app.opendata.schema import FORMULA_START, Dataset, csv_value, json_value

FORMATS = ("csv", "json")
# Rows a batch on the database-written path: two texts each, a few hundred KiB a batch.
LINES_BATCH = 2000
# Files of other tokens older than this are left over from builds that lost a race: removed.
LEFTOVER_SECONDS = 600


@dataclass(frozen=True)
class FileState:
    token: str | None
    generated_at: object
    seconds: float
    stale: bool
    purge: bool

    @property
    def missing(self) -> bool:
        return self.token is None


def directory() -> Path:
    path = Path(current_app.config.get("OPEN_DATA_DIR") or Path(current_app.instance_path) / "open-data")
    path.mkdir(parents=True, exist_ok=True)
    return path


def path_of(slug: str, token: str, fmt: str) -> Path:
    return directory() / f"{slug}-{token}.{fmt}"


def state(slug: str) -> FileState:
    """One statement: the last build and whether changes came since (and of which kind)."""
    changes = sa.select(OpenDataChange.id).where(OpenDataChange.slug == slug)
    row = db.session.execute(
        sa.select(
            sa.select(OpenDataBuild.token).where(OpenDataBuild.slug == slug).scalar_subquery().label("token"),
            sa.select(OpenDataBuild.generated_at).where(OpenDataBuild.slug == slug).scalar_subquery()
            .label("generated_at"),
            sa.select(OpenDataBuild.seconds).where(OpenDataBuild.slug == slug).scalar_subquery().label("seconds"),
            sa.exists(changes).label("stale"),
            sa.exists(changes.where(OpenDataChange.purge.is_(True))).label("purge"),
        )
    ).one()
    generated_at = row.generated_at
    if generated_at is not None and generated_at.tzinfo is None:  # SQLite through a scalar subquery
        import datetime as dt

        generated_at = generated_at.replace(tzinfo=dt.UTC)
    return FileState(row.token, generated_at, row.seconds or 0.0, bool(row.stale), bool(row.purge))


# Values that both formats take as they come from the database (csv writes None as "" and ints
# as their digits, like csv_value); anything else goes through json_value/csv_value.
_PLAIN = frozenset({str, int, type(None)})


def _moment(value):
    """json_value of a datetime, with the UTC ones the database gives (UTCDateTime) done directly."""
    if value.__class__ is dt.datetime and value.tzinfo is dt.UTC:
        text = value.isoformat()
        return text[:-6] + "Z"  # "+00:00"
    return json_value(value)


def _json_values(row) -> list:
    """json_value of each cell, without a call for the common types."""
    return [v if v.__class__ in _PLAIN else _moment(v) if v.__class__ is dt.datetime else json_value(v)
            for v in row]


def _csv_cells(values: list) -> list:
    """csv_value of each cell (given its json_value), calling it only where it may change something."""
    return [v if (v.__class__ is str and not v.startswith(FORMULA_START)) or v.__class__ is int or v is None
            else csv_value(v) for v in values]


def _json_header(dataset: Dataset, generated_at) -> dict:
    from app.opendata import catalogue

    with force_locale(current_app.config.get("BABEL_DEFAULT_LOCALE", "es_MX")):
        if has_request_context():
            return catalogue.json_header(dataset, generated_at)
        with current_app.test_request_context(base_url=current_app.config.get("BASE_URL")):
            return catalogue.json_header(dataset, generated_at)


def write_files(dataset: Dataset, header: dict, csv_file, json_file, *, in_database: bool = True) -> int:
    """Both files' contents, in one pass over the dataset's rows; returns the number of rows.

    On PostgreSQL the database writes each row's lines (app/opendata/lines.py) where it can;
    in_database=False forces the generic path (the tests compare the two).
    """
    names = dataset.column_names
    csv_file.write(BOM)
    writer = csv.writer(csv_file, lineterminator="\r\n")
    writer.writerow(names)
    opening = json.dumps({**header, "rows": []}, ensure_ascii=False)
    json_file.write(opening[:-2])
    stmt = lines.statement(dataset) if in_database and db.session.get_bind().dialect.name == "postgresql" else None
    if stmt is not None:
        rows = _write_lines(stmt, csv_file, json_file)
    else:
        rows = _write_values(dataset, writer, json_file)
    json_file.write("]}")
    return rows


# The planner settings of a build's statements (SET LOCAL: a transaction's only; a rollback
# undoes them too): no JIT, whose compiling of the long expressions costs more than it saves on
# one pass (a fifth of the database's time at 200,000 rows), and a plan for reading every row
# (cursor_tuple_fraction 1): hash joins and one sort instead of the nested loops that return the
# first rows soonest, half the database's time at 2,000,000 comments.
_PLANNER = "set_config('jit', 'off', true), set_config('cursor_tuple_fraction', '1', true)"
# What pg_export_snapshot() answers (e.g. 00000003-0000001B-1): checked before it is put in SET.
_SNAPSHOT = re.compile(r"^[0-9A-F]+-[0-9A-F]+-[0-9]+$")


def _write_lines(stmt, csv_file, json_file) -> int:
    """Rows that are already their CSV line and JSON object: joined a batch at a time.

    With OPEN_DATA_BUILD_CONNECTIONS of 2 (the default) the database writes the CSV lines and the
    JSON objects at once, on two connections of their own reading one snapshot (_two_halves);
    with 1, both on the session's connection in one statement (the suite's default: its tests
    write inside a transaction that other connections cannot see).
    """
    if current_app.config.get("OPEN_DATA_BUILD_CONNECTIONS", 2) >= 2:
        return _two_halves(stmt, csv_file, json_file)
    rows = 0
    separator = ""
    before = db.session.execute(sa.text(
        "SELECT current_setting('jit'), current_setting('cursor_tuple_fraction'), " + _PLANNER)).one()
    result = db.session.execute(stmt.execution_options(yield_per=LINES_BATCH))
    for partition in result.partitions():
        csv_file.write("".join([row[0] for row in partition]))
        json_file.write(separator + ",".join([row[1] for row in partition]))
        separator = ","
        rows += len(partition)
    db.session.execute(sa.text("SELECT set_config('jit', :jit, true), set_config('cursor_tuple_fraction', :ctf, true)"),
                       {"jit": before[0], "ctf": before[1]})
    return rows


def _half(connection, stmt, write, separator: str) -> int:
    rows = 0
    first = True
    for partition in connection.execute(stmt, execution_options={"yield_per": LINES_BATCH}).partitions():
        text = separator.join([row[0] for row in partition])
        write(text if first else separator + text)
        first = False
        rows += len(partition)
    return rows


def _two_halves(stmt, csv_file, json_file) -> int:
    """The CSV lines on one connection and the JSON objects on another, at the same time: each
    half of the formatting on a core of its own, where one statement keeps one core busy and
    the other idle (PostgreSQL runs no parallel workers for a cursor). Both read one snapshot,
    exported by the first transaction and imported by the second (as pg_dump's workers do), so
    the files hold the same rows. Each thread has its own connection and its own file; the
    connections come from the engine's pool (thread-safe) and go back to it rolled back."""
    csv_stmt = stmt.with_only_columns(stmt.selected_columns[0], maintain_column_froms=True)
    json_stmt = stmt.with_only_columns(stmt.selected_columns[1], maintain_column_froms=True)
    engine = db.engine
    with engine.connect() as csv_connection, engine.connect() as json_connection:
        csv_connection = csv_connection.execution_options(isolation_level="REPEATABLE READ")
        json_connection = json_connection.execution_options(isolation_level="REPEATABLE READ")
        with csv_connection.begin(), json_connection.begin():
            snapshot = csv_connection.execute(sa.text("SELECT pg_export_snapshot()")).scalar_one()
            if not _SNAPSHOT.match(snapshot):
                raise RuntimeError(f"unexpected snapshot id {snapshot!r}")
            json_connection.execute(sa.text(f"SET TRANSACTION SNAPSHOT '{snapshot}'"))
            for connection in (csv_connection, json_connection):
                connection.execute(sa.text("SELECT " + _PLANNER))
            with ThreadPoolExecutor(max_workers=1) as pool:
                csv_rows = pool.submit(_half, csv_connection, csv_stmt, csv_file.write, "")
                json_rows = _half(json_connection, json_stmt, json_file.write, ",")
                csv_rows = csv_rows.result()
    if csv_rows != json_rows:  # one snapshot: never, unless the statement is not deterministic
        raise RuntimeError(f"open data: {csv_rows} CSV lines but {json_rows} JSON objects")
    return csv_rows


def _write_values(dataset: Dataset, writer, json_file) -> int:
    """Rows of database values: each cell formatted in Python (json_value, csv_value)."""
    names = dataset.column_names
    rows = 0
    stmt = dataset.query().order_by(*dataset.key)
    result = db.session.execute(stmt.execution_options(yield_per=BATCH))
    order = [list(result.keys()).index(name) for name in names]
    in_order = order == list(range(len(order)))
    encode = json.JSONEncoder(ensure_ascii=False).encode
    writerow = writer.writerow
    separator = ""
    for partition in result.partitions():
        parts = []
        for row in partition:
            values = _json_values(row if in_order else [row[i] for i in order])
            writerow(_csv_cells(values))
            parts.append(separator + encode(dict(zip(names, values, strict=True))))
            separator = ","
        json_file.write("".join(parts))
        rows += len(partition)
    return rows


def build(dataset: Dataset) -> dict:
    """Write the dataset's files and record the build; the caller's unit of work commits it."""
    started = time.perf_counter()
    session = db.session()
    wrote_before = session.info.get(uow.WROTE, False)
    consumed = list(db.session.scalars(sa.select(OpenDataChange.id).where(OpenDataChange.slug == dataset.slug)))
    generated_at = utcnow()
    token = uuid.uuid4().hex
    header = _json_header(dataset, generated_at)
    finals = {fmt: path_of(dataset.slug, token, fmt) for fmt in FORMATS}
    temps = {fmt: path.with_name(path.name + ".tmp") for fmt, path in finals.items()}
    try:
        with open(temps["csv"], "w", encoding="utf-8", newline="") as csv_file, \
                open(temps["json"], "w", encoding="utf-8") as json_file:
            rows = write_files(dataset, header, csv_file, json_file)
            csv_file.flush()
            os.fsync(csv_file.fileno())
            json_file.flush()
            os.fsync(json_file.fileno())
        for fmt in FORMATS:
            os.replace(temps[fmt], finals[fmt])
    finally:
        for temp in temps.values():
            temp.unlink(missing_ok=True)
    seconds = time.perf_counter() - started
    for start in range(0, len(consumed), 1000):
        db.session.execute(sa.delete(OpenDataChange).where(OpenDataChange.id.in_(consumed[start:start + 1000])))
    values = {"slug": dataset.slug, "token": token, "generated_at": generated_at, "rows": rows, "seconds": seconds}
    if db.session.get_bind().dialect.name == "postgresql":
        from sqlalchemy.dialects.postgresql import insert
    else:
        from sqlalchemy.dialects.sqlite import insert
    upsert = insert(OpenDataBuild).values(**values)
    db.session.execute(upsert.on_conflict_do_update(
        index_elements=[OpenDataBuild.slug],
        set_={key: upsert.excluded[key] for key in ("token", "generated_at", "rows", "seconds")}))
    # The files' bookkeeping is not a change of the plan's data: the page cache keeps its pages.
    if not wrote_before:
        session.info.pop(uow.WROTE, None)
    uow.note_bookkeeping()
    _remove_leftovers(dataset.slug, keep=token)
    return {"dataset": dataset.slug, "rows": rows, "seconds": round(seconds, 3),
            "rows_per_second": round(rows / seconds) if seconds else None, "token": token}


def _remove_leftovers(slug: str, keep: str) -> None:
    """Files of earlier builds: a download already reading one keeps its open file (POSIX)."""
    now = time.time()
    for path in directory().glob(f"{slug}-*.*"):
        token = path.name[len(slug) + 1:].split(".", 1)[0]
        if token == keep or len(token) != 32:
            continue
        try:
            if path.suffix == ".tmp" and now - path.stat().st_mtime < LEFTOVER_SECONDS:
                continue  # another build still writing
            path.unlink()
        except FileNotFoundError:
            pass
