"""A serving process's long-lived objects kept out of the garbage collector's full passes.

A full (generation 2) collection walks every object the collector tracks; in a worker that has
served each page once that is about 260,000 objects (the app's modules, SQLAlchemy's mappers and
compiled statements, Jinja's templates, the kept facts and fragments), and a pass holds the GIL
for 60–130 ms on the 2-core machine: every thread of the worker waits, and the requests caught in
it make the p99. Nearly all of those objects live as long as the process, so the serving entry
point (wsgi.py) moves them to the permanent generation with gc.freeze() (Python's documentation:
the frozen objects are ignored by all future collections): once when the app is built, and once
more after the process's first requests have compiled its templates and statements. Later
collections walk only what was created since. Measured over 3,000 mixed requests on the 1× plan
(bench/pagecost.py's database): the longest pass 122 ms → 2.4 ms, the collector's time 580 →
265 ms, CPU per request −6 %.

A frozen object is still freed when its last reference goes (reference counting); only a
frozen cycle that becomes garbage stays. So the second freeze waits for a warm process, whose
objects are the ones it keeps anyway, and collects first. Thread-safe: the count of served requests and the once-only
freeze are guarded by a lock (gc.freeze itself holds the GIL).
"""
import gc
import threading

from flask import Flask


def freeze_long_lived(app: Flask, after_requests: int) -> None:
    """Freeze what building the app made now, and again after `after_requests` requests of this
    process (0: only now)."""
    gc.collect()
    gc.freeze()
    if after_requests <= 0:
        return
    lock = threading.Lock()
    state = {"served": 0, "frozen": False}

    @app.teardown_request
    def _count(_exc=None) -> None:
        if state["frozen"]:
            return
        with lock:
            if state["frozen"]:
                return
            state["served"] += 1
            if state["served"] < after_requests:
                return
            state["frozen"] = True
        gc.collect()
        gc.freeze()
