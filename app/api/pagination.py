"""Keyset pagination: a page is 'the next N rows after this key', stable however the data grows."""
import re

from flask_babel import gettext as _

from app.core.errors import ValidationError

DEFAULT_LIMIT = 20
MAX_LIMIT = 100
MAX_ID = 2**31 - 1
# A cursor is the key of the last row of the previous page, written out: "42", or "3.17" for a
# two-part key. Each part has at most 9 digits, so every string the pattern admits is a cursor
# the server accepts (the OpenAPI document declares exactly this pattern, per key width).
_PART = r"(0|[1-9][0-9]{0,8})"


def cursor_pattern(width: int) -> str:
    return "^" + r"\.".join([_PART] * width) + "$"


def whole_number(raw: str, maximum: int) -> int | None:
    """A positive whole number written in ASCII digits (not '１', not '1e3'), at most `maximum`."""
    if not raw.isascii() or not raw.isdigit() or len(raw) > 12:
        return None
    value = int(raw)
    return value if 1 <= value <= maximum else None


def parse_limit(raw: str | None) -> int:
    if raw is None:
        return DEFAULT_LIMIT
    if whole_number(raw, MAX_LIMIT) is None:
        raise ValidationError(_("limit must be a whole number from 1 to %(max)d.", max=MAX_LIMIT), field="limit")
    return int(raw)


def encode_cursor(values) -> str:
    return ".".join(str(int(value)) for value in values)


def decode_cursor(raw: str | None, width: int) -> list | None:
    """The key values after which the page starts; None for the first page."""
    if raw is None:
        return None
    if not re.fullmatch(cursor_pattern(width), raw):
        raise ValidationError(_("cursor is not valid: use the one given in links.next of the previous page."),
                              field="cursor")
    return [int(part) for part in raw.split(".")]


def parse_filter_value(filter_, raw: str):
    """A query-string value for a filter, checked against its type: a clear 400 otherwise."""
    if filter_.type == "integer":
        if whole_number(raw, MAX_ID) is None:
            raise ValidationError(_("%(name)s must be a whole number from 1 to %(max)d.", name=filter_.name,
                                    max=MAX_ID), field=filter_.name)
        return int(raw)
    if filter_.type == "enum":
        if raw not in filter_.choices:
            raise ValidationError(_("%(name)s must be one of: %(choices)s.", name=filter_.name,
                                    choices=", ".join(filter_.choices)), field=filter_.name)
        return raw
    if len(raw) > 200:
        raise ValidationError(_("%(name)s must be at most 200 characters long.", name=filter_.name),
                              field=filter_.name)
    return raw.strip()
