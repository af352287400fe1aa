"""Counting the SQL statements a block sends: pages and API calls must not grow with the data."""
import gc
from contextlib import contextmanager

from sqlalchemy import event

from app.extensions import db


@contextmanager
def count_queries():
    """The statements sent inside the block. The test's app context shares its session with the
    requests it makes, and the session's identity map holds rows weakly: rows in reference cycles
    (a plan and its committees) live until the cyclic collector runs, whenever that is, and a row
    collected is loaded again. So the collector runs first and is paused inside the block: two
    counts of the same page see the same identity map, not the collector's timing."""
    statements: list[str] = []
    gc.collect()
    was_enabled = gc.isenabled()
    gc.disable()

    def _count(conn, cursor, statement, parameters, context, executemany):
        statements.append(statement)

    event.listen(db.engine, "before_cursor_execute", _count)
    try:
        yield statements
    finally:
        event.remove(db.engine, "before_cursor_execute", _count)
        if was_enabled:
            gc.enable()
