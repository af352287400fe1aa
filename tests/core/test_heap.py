"""The serving process freezes its long-lived objects at start and once after its first requests
(app/core/heap.py). Database-independent: runs once (tests/README.md)."""
import gc

import pytest
from flask import Flask

from app.core.heap import freeze_long_lived

pytestmark = pytest.mark.single_backend


def _collected(obj) -> bool:
    """Whether the collector still walks `obj` (frozen objects are in no generation)."""
    return any(o is obj for o in gc.get_objects())


def test_objects_are_frozen_at_start_and_once_after_the_first_requests():
    app = Flask(__name__)
    app.add_url_rule("/", "page", lambda: "ok")
    client = app.test_client()
    built = [{"at": "start"}]
    freeze_long_lived(app, after_requests=3)
    assert not _collected(built)
    warm = [{"at": "warm-up"}]
    client.get("/")
    client.get("/")
    assert _collected(warm)  # not yet
    client.get("/")
    assert not _collected(warm)
    later = [{"at": "later"}]
    for _ in range(3):
        client.get("/")
    assert _collected(later)  # once only


def test_only_the_start_is_frozen_when_told_so():
    app = Flask(__name__)
    app.add_url_rule("/", "page", lambda: "ok")
    freeze_long_lived(app, after_requests=0)
    later = [{"at": "later"}]
    for _ in range(5):
        app.test_client().get("/")
    assert _collected(later)
