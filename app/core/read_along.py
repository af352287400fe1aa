"""Values read alongside a page's version statement, for the parts of the page that would each
have sent a statement of their own (the thread's version, the follow box's state).

A page that reads its version in one statement (app/core/fragments.py side_by_side) can add the
statements of those parts as more columns of it, and `remember` what they read; each part asks
`recall` first and reads for itself only when the page did not. Kept in `g`: this request's only,
and forgotten on any flush, write or rollback (the data may have changed since).
"""
from flask import g, has_request_context

from app.core.uow import on_data_changed

_KEY = "cocrea_read_along"


def remember(kind: str, key: tuple, value) -> None:
    if has_request_context():
        g.setdefault(_KEY, {})[(kind, *key)] = value


def recall(kind: str, key: tuple):
    """What the page read for (kind, key), or None."""
    known = g.get(_KEY) if has_request_context() else None
    return known.get((kind, *key)) if known else None


def side_by_side(own: list, alongside: tuple) -> tuple:
    """(one statement of the columns of the page's `own` parts and of the statements `alongside`,
    the widths `split` cuts its row by: the own parts' together, then each statement alongside)."""
    from app.core.fragments import side_by_side as joined

    widths = [sum(len(part.selected_columns) for part in own),
              *(len(part.selected_columns) for part in alongside[:-1])]
    return joined([*own, *alongside]), widths


def split(row, widths: list[int]) -> list[tuple]:
    """The row of a side-by-side statement cut into the parts it was made of (their widths, from
    the first part on; the last part takes the rest)."""
    parts, start = [], 0
    for width in widths:
        parts.append(tuple(row[start:start + width]))
        start += width
    parts.append(tuple(row[start:]))
    return parts


@on_data_changed
def _forget() -> None:
    if has_request_context():
        g.pop(_KEY, None)
