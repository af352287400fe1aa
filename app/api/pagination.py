"""Keyset pagination: a page is 'the next N rows after this key', stable however the data grows."""
import base64
import binascii
import json
import re

from flask_babel import gettext as _

from app.core.errors import ValidationError

DEFAULT_LIMIT = 20
MAX_LIMIT = 100
MAX_ID = 2**31 - 1
_CURSOR = re.compile(r"[A-Za-z0-9_-]{1,400}")


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
    raw = json.dumps(list(values), separators=(",", ":"))
    return base64.urlsafe_b64encode(raw.encode()).decode().rstrip("=")


def decode_cursor(raw: str | None, width: int) -> list | None:
    """The key values after which the page starts; None for the first page."""
    if raw is None:
        return None
    try:
        if not _CURSOR.fullmatch(raw):
            raise ValueError
        values = json.loads(base64.urlsafe_b64decode(raw + "=" * (-len(raw) % 4)))
        if not isinstance(values, list) or len(values) != width or not all(_key_part(v) for v in values):
            raise ValueError
    except (ValueError, binascii.Error, UnicodeError):
        raise ValidationError(_("cursor is not valid: use the one given in links.next of the previous page."),
                              field="cursor") from None
    return values


def _key_part(value) -> bool:
    if isinstance(value, bool):
        return False
    if isinstance(value, int):
        return 0 <= value <= MAX_ID
    return isinstance(value, str) and len(value) <= 100


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
