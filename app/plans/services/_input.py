"""Reading a service's `data` dict: cleaned text, dates and slugs, errors gathered by field."""
import re
from collections.abc import Callable
from datetime import date

import sqlalchemy as sa
from flask_babel import gettext as _

from app.core.errors import ValidationError
from app.core.text import clean_line, clean_text, fold
from app.core.uow import savepoint
from app.extensions import db

SLUG = re.compile(r"^[a-z0-9]+(?:-[a-z0-9]+)*$")
EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")


class Errors:
    """Field errors of one call, raised together so that a form shows them all at once."""

    def __init__(self):
        self.by_field: dict[str, list[str]] = {}

    def add(self, field: str, message: str) -> None:
        self.by_field.setdefault(field, []).append(message)

    def raise_any(self) -> None:
        if self.by_field:
            field, messages = next(iter(self.by_field.items()))
            raise ValidationError(messages[0], field=field, errors=self.by_field)


def line(data: dict, key: str, limit: int, errors: Errors, *, required: bool = False) -> str:
    value = clean_line(data.get(key))
    if required and not value:
        errors.add(key, _("This field is required."))
    elif len(value) > limit:
        errors.add(key, _("Write at most %(limit)d characters.", limit=limit))
    return value


def text(data: dict, key: str, limit: int, errors: Errors) -> str:
    value = clean_text(data.get(key))
    if len(value) > limit:
        errors.add(key, _("Write at most %(limit)d characters.", limit=limit))
    return value


def email(data: dict, key: str, errors: Errors) -> str:
    value = clean_line(data.get(key)).lower()
    if value and (len(value) > 254 or not EMAIL.match(value)):
        errors.add(key, _("Write a valid email address."))
    return value


def day(data: dict, key: str, errors: Errors, *, required: bool = False) -> date | None:
    value = data.get(key)
    if isinstance(value, str) and value.strip():
        try:
            value = date.fromisoformat(value.strip())
        except ValueError:
            errors.add(key, _("Write a date as YYYY-MM-DD."))
            return None
    if not isinstance(value, date):
        if required:
            errors.add(key, _("This field is required."))
        return None
    return value


def slug_from(name: str) -> str:
    return re.sub(r"[^a-z0-9]+", "-", fold(name)).strip("-")[:60] or "x"


def free_slug(model, name: str, given, errors: Errors, *, scope=None, current=None) -> str:
    """The slug typed (checked), or one made from the name; refused when taken, so that a form
    sent twice (a double click) makes one row. The unique constraint decides a race (the service
    turns its refusal into the same field error)."""
    def taken(slug):
        query = sa.select(model.id).where(model.slug == slug)
        if scope is not None:
            query = query.where(scope)
        if current is not None:
            query = query.where(model.id != current.id)
        return db.session.scalar(query.limit(1)) is not None

    given = clean_line(given).lower()
    if given:
        if len(given) > 80 or not SLUG.match(given):
            errors.add("slug", _("Use lower-case letters, digits and hyphens only (at most 80)."))
        elif taken(given):
            errors.add("slug", _("That address is already used."))
        return given
    slug = slug_from(name)
    if name and taken(slug):
        errors.add("slug", _("One with this name already exists: change the name or write another "
                             "address."))
    return slug


def flag(data: dict, key: str) -> bool:
    value = data.get(key)
    if isinstance(value, str):
        return value.strip().lower() in ("1", "true", "on", "yes", "y")
    return bool(value)


def validated(read: Callable[[dict, Errors], dict], data: dict) -> dict:
    """The values `read` takes from `data`, or a ValidationError naming every wrong field."""
    errors = Errors()
    values = read(data, errors)
    errors.raise_any()
    return values


def assign(row, values: dict) -> None:
    for key, value in values.items():
        setattr(row, key, value)


def next_position(column, *where) -> int:
    """One past the highest position among the rows `where` selects (0 for the first)."""
    return db.session.scalar(sa.select(sa.func.coalesce(sa.func.max(column) + 1, 0)).where(*where))


def flush_unique(field: str, message: str) -> None:
    """Flush; a unique constraint's refusal (a form sent twice, two admins at once) becomes a
    ValidationError on `field`, and only this flush is undone."""
    try:
        with savepoint():
            db.session.flush()
    except sa.exc.IntegrityError:
        raise ValidationError(message, field=field) from None


def flush_slug() -> None:
    """Flush a new row whose slug another request may have taken meanwhile."""
    flush_unique("slug", _("That address is already used."))
