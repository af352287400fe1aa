"""Small facts that every page shows and that rarely change (the current plan's guarantor body),
kept per process between requests for as long as the data they come from has not changed.

A fact is stored with the *data stamp* read before it was computed, and used while the stamp is
the same. The stamp is (this process's change count, the shared data version):
- the change count goes up on every flush, write statement, writing commit and undoing of
  written changes in this process (app/core/uow.py `on_writes`), so a change made here shows on the very next request;
- the shared data version is the page cache's Redis counter (app/core/cache.py), bumped after
  every writing commit in any worker or command, read at most once per request. Without the page
  cache (or while Redis does not answer) it is a time bucket of FACTS_SECONDS (5 by default): a
  change made by another process shows within that time.
Reading the stamp before the data means a value read just before a change is stored under the
old stamp, and never served after it.
"""
import threading
import time

from flask import current_app, g, has_request_context

from app.core import uow

VERSION = "cocrea_data_version"  # in `g`: the shared data version read by this request
STORE = "cocrea_facts"  # in app.extensions: {name: (stamp, value)}

# Thread-safe: the counter only changes under `_lock`; readers take the int as it is.
_changes = 0
_lock = threading.Lock()


def note_change() -> None:
    global _changes
    with _lock:
        _changes += 1


uow.on_writes(note_change)


def shared_version():
    """The data version shared by every process (once per request), or a time bucket."""
    cache = current_app.extensions.get("page_cache")
    if cache is not None:
        version = g.get(VERSION) if has_request_context() else None
        if version is None:
            try:
                version = cache.version()
            except Exception as exc:  # Redis down: the time bucket below
                cache.alarm.failed(exc)
                version = None
            if version is not None and has_request_context():
                setattr(g, VERSION, version)
        if version is not None:
            return version
    return ("t", int(time.monotonic() // float(current_app.config.get("FACTS_SECONDS", 5))))


def cached(name: str, compute):
    """`compute()` (an immutable value), or the copy computed under the same data stamp.

    Thread-safe: the per-app store is a dict whose entries are replaced whole (one assignment)."""
    store = current_app.extensions.setdefault(STORE, {})
    stamp = (_changes, shared_version())
    entry = store.get(name)
    if entry is not None and entry[0] == stamp:
        return entry[1]
    value = compute()
    store[name] = (stamp, value)
    return value


def forget_all() -> None:
    """Every fact is read again (tests that replace the data beneath the app)."""
    note_change()
