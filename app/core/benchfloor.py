"""The benchmark's floor: a page of a given size served through the whole request stack (session,
rate limits, security headers, logging) but without the database or a template. Each page's
throughput is reported as a share of this one's, measured in the same run. Registered only when
COCREA_BENCH_FLOOR=1; production never has it."""
from flask import Blueprint, Response

bp = Blueprint("benchfloor", __name__, url_prefix="/_bench")
MAX_BYTES = 16 * 1024 * 1024
# Thread-safe enough by design: a race can only build the same immutable bytes twice, and a dict
# assignment is atomic in CPython.
_PAGES: dict[int, bytes] = {}


@bp.get("/floor/<int:size>")
def floor(size: int):
    size = min(size, MAX_BYTES)
    body = _PAGES.get(size)
    if body is None:
        head = b"<!doctype html><html lang=\"es-MX\"><title>floor</title><p>"
        body = _PAGES[size] = (head + b"x" * max(0, size - len(head)))[:size] if size >= len(head) else b"x" * size
    return Response(body, mimetype="text/html")
