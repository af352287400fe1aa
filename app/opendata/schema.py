"""What a dataset is: its columns (name, type, meaning), its public query and its filters.

One definition drives the CSV and JSON downloads, the data dictionary, the API and its OpenAPI
schema, so the four cannot disagree about what is public or what a column means.
"""
import datetime as dt
import enum
import json
import re
from collections.abc import Callable
from dataclasses import dataclass, field

import sqlalchemy as sa
from flask_babel import lazy_gettext as _l

# The column types of the data dictionary, and their JSON Schema.
TYPES = {
    "integer": {"type": "integer"},
    "number": {"type": "number"},
    "string": {"type": "string"},
    "boolean": {"type": "boolean"},
    "date": {"type": "string", "format": "date"},
    "datetime": {"type": "string", "format": "date-time"},
    "json": {},
}
TYPE_LABELS = {
    "integer": _l("integer"),
    "number": _l("number"),
    "string": _l("text"),
    "boolean": _l("true/false"),
    "date": _l("date (YYYY-MM-DD)"),
    "datetime": _l("date and time, UTC (ISO 8601)"),
    "json": _l("JSON value"),
}


@dataclass(frozen=True)
class Column:
    name: str
    type: str
    meaning: object  # a lazy string
    nullable: bool = False

    def json_schema(self) -> dict:
        schema = dict(TYPES[self.type])
        if self.nullable and "type" in schema:
            schema["type"] = [schema["type"], "null"]
        return schema


@dataclass(frozen=True)
class Filter:
    """An equality filter of the API (and the HTML list it mirrors): ?name=value."""

    name: str
    type: str  # "integer", "string" or "enum"
    meaning: object
    apply: Callable  # (statement, parsed value) -> statement
    choices: tuple[str, ...] = ()


@dataclass(frozen=True)
class Dataset:
    slug: str
    title: object
    description: object
    columns: tuple[Column, ...]
    # () -> a Select of labelled columns, named as `columns`, already limited to public rows.
    query: Callable[[], sa.Select]
    # The order of rows and the cursor of the API: one or more columns, unique together.
    key: tuple
    filters: tuple[Filter, ...] = field(default=())
    # The column an item is looked up by in /api/v1/<slug>/<key> (defaults to the key).
    lookup: str = "id"

    @property
    def column_names(self) -> list[str]:
        return [c.name for c in self.columns]

    @property
    def lookup_column(self) -> Column:
        return next(c for c in self.columns if c.name == self.lookup)

    def filter(self, name: str) -> Filter | None:
        return next((f for f in self.filters if f.name == name), None)


def json_value(value):
    """A database value as JSON: enums by value, times in ISO 8601 (UTC for moments)."""
    if isinstance(value, enum.Enum):
        return value.value
    if isinstance(value, dt.datetime):
        if value.tzinfo is None:
            value = value.replace(tzinfo=dt.UTC)
        return value.astimezone(dt.UTC).isoformat().replace("+00:00", "Z")
    if isinstance(value, dt.date):
        return value.isoformat()
    return value


# Cells that a spreadsheet would run as a formula start with one of these (CSV injection)...
FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
# ...unless they are a plain number (ASCII digits, as a spreadsheet reads them: "-12", "+1.5e3").
# The same pattern runs in PostgreSQL when the database writes the lines (app/opendata/lines.py).
NUMBER_PATTERN = r"[+-]?(?:[0-9]+(?:\.[0-9]*)?|\.[0-9]+)(?:[eE][+-]?[0-9]+)?"
# Thread-safe: a compiled pattern is immutable (re module documentation).
_NUMBER = re.compile(NUMBER_PATTERN)


def csv_value(value) -> str:
    value = json_value(value)
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, (dict, list)):
        return json.dumps(value, ensure_ascii=False, sort_keys=True)
    text = str(value)
    if text.startswith(FORMULA_START) and not _NUMBER.fullmatch(text):
        return "'" + text
    return text


def row_dict(dataset: Dataset, row) -> dict:
    mapping = row._mapping
    return {name: json_value(mapping[name]) for name in dataset.column_names}


# Columns that many datasets share, with one meaning each.
def id_column(what) -> Column:
    return Column("id", "integer", _l("Unique number of the %(what)s on the platform.", what=what))


def location_columns() -> tuple[Column, Column]:
    """The point on the map (WGS 84 degrees), both or neither."""
    return (
        Column("latitude", "number", _l("Latitude of its location (WGS 84 degrees); empty when it has none."),
               nullable=True),
        Column("longitude", "number", _l("Longitude of its location (WGS 84 degrees); empty when it has none."),
               nullable=True),
    )


def created_column() -> Column:
    return Column("created_at", "datetime", _l("When it was recorded."))


def committee_columns() -> tuple[Column, Column]:
    return (
        Column("committee_id", "integer", _l("Number of the coordinating committee (see the committees dataset).")),
        Column("committee", "string", _l("Short name (slug) of the coordinating committee.")),
    )


class Equals:
    """An equality filter's `apply`: the statement's rows whose column equals the value (or a
    bound parameter, which lets the API keep one statement per set of filters: app/api/queries.py)."""

    def __init__(self, column):
        self.column = column

    def __call__(self, stmt: sa.Select, value) -> sa.Select:
        return stmt.where(self.column == value)


def eq(column) -> Equals:
    return Equals(column)


def enum_filter(name: str, column, enum_type, meaning) -> Filter:
    return Filter(name, "enum", meaning, eq(column), tuple(member.value for member in enum_type))
