"""Counting the SQL statements a block sends: pages and API calls must not grow with the data."""
import gc
from contextlib import contextmanager

from flask import current_app
from sqlalchemy import event

from app.extensions import db


@contextmanager
def facts_read_afresh():
    """Inside a count, the facts pages show (app/core/facts.py: the current plan, the guarantor)
    are read on every request, so that a count never depends on whether an earlier request left
    one kept (the suite keeps them elsewhere, as production does). A test about kept facts says
    so (the `kept_facts` fixture, or FACTS_KEPT_IN_COUNTS) and counts with them kept."""
    config = current_app.config
    if config.get("FACTS_KEPT_IN_COUNTS"):
        yield
        return
    kept = config["FACTS_KEPT"]
    config["FACTS_KEPT"] = False
    try:
        yield
    finally:
        config["FACTS_KEPT"] = kept


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
        with facts_read_afresh():
            yield statements
    finally:
        event.remove(db.engine, "before_cursor_execute", _count)
        if was_enabled:
            gc.enable()
