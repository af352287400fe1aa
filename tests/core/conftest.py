"""Fixtures of the core tests: the log records an app writes."""
import logging

import pytest


class Keep(logging.Handler):
    def __init__(self):
        super().__init__()
        self.records: list[logging.LogRecord] = []

    def emit(self, record):
        self.records.append(record)


@pytest.fixture
def log_records():
    """Every record from INFO up, as the root handler would receive it."""
    handler = Keep()
    root = logging.getLogger()
    # A migration run earlier in this process (alembic's fileConfig) may have disabled loggers
    # that existed then, and raised the root level.
    for name in ("app", "app.core.alarms", "flask-limiter", "cocrea.access"):
        logging.getLogger(name).disabled = False
    level = root.level
    root.setLevel(logging.INFO)
    root.addHandler(handler)
    yield handler.records
    root.removeHandler(handler)
    root.setLevel(level)
