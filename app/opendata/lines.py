"""On PostgreSQL, each row's CSV line and JSON object written by the database itself.

The generic path (app/opendata/files.py write_files) turns every cell into Python objects and back
into text: at a few hundred thousand rows that is most of a build's time. Here the dataset's query
is rewritten to select two texts per row, its CSV line and its JSON object, each cell formatted in
SQL exactly as csv_value/json_value and csv.writer/json.dumps would (tests/opendata/test_files.py
compares the bytes of both paths over hostile text), so Python only joins strings.

Only columns whose formatting is certain are done in SQL: integers, text and enums (stored as their
values), booleans, dates, UTC moments and coordinates (Numeric(p <= 15) read as float). A dataset
with any other column (JSON documents, whose key order and escapes Python re-writes) keeps the
generic path: `statement(dataset)` says None.
"""
import json

import sqlalchemy as sa
from sqlalchemy.types import TypeDecorator

from app.core.db import UTCDateTime
from app.opendata.schema import FORMULA_START, NUMBER_PATTERN, Dataset

# What makes csv.writer (QUOTE_MINIMAL, "\r\n" lines) put a cell in quotes.
_NEEDS_QUOTES = (",", '"', "\r", "\n")
# Code points that start a formula (ascii() of a text is its first character's).
_FORMULA_CODES = tuple(ord(c) for c in FORMULA_START)
# PostgreSQL takes at most 100 arguments in a call (FUNC_MAX_ARGS): longer lists are nested.
_MAX_ARGS = 90


def _kind(type_) -> str | None:
    """How a column of this SQLAlchemy type is formatted in SQL; None when it must be done in Python."""
    if isinstance(type_, UTCDateTime):
        return "moment"
    if isinstance(type_, TypeDecorator):
        return None  # its process_result_value may change the value
    if isinstance(type_, sa.Boolean):
        return "boolean"
    if isinstance(type_, sa.Integer):
        return "integer"
    if isinstance(type_, sa.Enum) and type_.enum_class is not None \
            and list(type_.enums) != [member.value for member in type_.enum_class]:
        return None  # stored by name: json_value gives the value
    if isinstance(type_, sa.String):  # Text and Enum (stored as the member's value, see enum_column) too
        return "text"
    if isinstance(type_, sa.DateTime):
        return None  # naive times: none in the datasets
    if isinstance(type_, sa.Date):
        return "date"
    if isinstance(type_, sa.Numeric) and not isinstance(type_, sa.Float) and not type_.asdecimal \
            and type_.precision is not None and type_.precision <= 15:
        # float(value): PostgreSQL's float8 text is Python's repr below 1e15, but for the ".0" that
        # Python adds to whole numbers.
        return "float"
    return None


def _float_text(value):
    text = sa.cast(sa.cast(value, sa.Float(precision=53)), sa.Text)
    return sa.case((text.regexp_match("[.en]"), text), else_=text + ".0")


def _moment_text(value):
    """json_value of a moment: ISO 8601 in UTC, with microseconds only when there are some."""
    utc = sa.func.timezone("UTC", value)
    return sa.func.replace(sa.func.to_char(utc, 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"', type_=sa.Text), ".000000Z", "Z", type_=sa.Text)


def _csv_text(value):
    """csv_value of a text, then csv.writer's quotes when it needs them.

    strpos and ascii, not regular expressions: PostgreSQL converts the whole text to wide
    characters before it runs a pattern, which costs more than the rest of the line.
    """
    number = "^(?:" + NUMBER_PATTERN + ")$"
    guarded = sa.case(
        (sa.func.ascii(value).in_(_FORMULA_CODES),
         sa.case((value.regexp_match(number), value), else_="'" + value)),
        else_=value,
    )
    needs_quotes = sa.or_(*(sa.func.strpos(value, char) > 0 for char in _NEEDS_QUOTES))
    return sa.case((needs_quotes, '"' + sa.func.replace(guarded, '"', '""', type_=sa.Text) + '"'),
                   else_=guarded)


def _cells(kind: str, value):
    """(CSV cell, JSON value) texts of one column; never NULL."""
    if kind == "integer":
        text = sa.cast(value, sa.Text)
        return sa.func.coalesce(text, ""), sa.func.coalesce(text, "null")
    if kind == "boolean":
        return (sa.case((value.is_(True), "true"), (value.is_(False), "false"), else_=""),
                sa.case((value.is_(True), "true"), (value.is_(False), "false"), else_="null"))
    if kind == "float":
        text = _float_text(value)
        return sa.func.coalesce(text, ""), sa.func.coalesce(text, "null")
    if kind == "date":
        text = sa.func.to_char(value, "YYYY-MM-DD", type_=sa.Text)
        return sa.func.coalesce(text, ""), sa.func.coalesce('"' + text + '"', "null")
    if kind == "moment":
        text = _moment_text(value)
        return sa.func.coalesce(text, ""), sa.func.coalesce('"' + text + '"', "null")
    value = sa.type_coerce(value, sa.Text)  # an Enum compares with its members, not with patterns
    return (sa.func.coalesce(_csv_text(value), ""),
            sa.func.coalesce(sa.cast(sa.func.to_json(value), sa.Text), "null"))


def _concat(parts):
    """concat() of the parts: one copy of each, where a chain of || copies the line once per part."""
    while len(parts) > _MAX_ARGS:
        parts = [sa.func.concat(*parts[i:i + _MAX_ARGS], type_=sa.Text) for i in range(0, len(parts), _MAX_ARGS)]
    return sa.func.concat(*parts, type_=sa.Text)


def statement(dataset: Dataset) -> sa.Select | None:
    """SELECT csv_line, json_object ... in the dataset's order, or None when a column needs Python."""
    stmt = dataset.query()
    by_name = dict(zip(stmt.selected_columns.keys(), stmt.selected_columns, strict=True))
    csv_parts, json_parts = [], []
    for n, name in enumerate(dataset.column_names):
        column = by_name[name]
        kind = _kind(column.type)
        if kind is None:
            return None
        value = column.element if isinstance(column, sa.Label) else column
        csv_cell, json_cell = _cells(kind, value)
        csv_parts += [csv_cell] if n == 0 else [sa.literal(","), csv_cell]
        key = json.dumps(name, ensure_ascii=False) + ": "
        json_parts += [sa.literal(("{" if n == 0 else ", ") + key), json_cell]
    csv_parts.append(sa.literal("\r\n"))
    json_parts.append(sa.literal("}"))
    return (stmt.with_only_columns(_concat(csv_parts).label("csv_line"), _concat(json_parts).label("json_row"),
                                   maintain_column_froms=True)
            .order_by(*dataset.key))
