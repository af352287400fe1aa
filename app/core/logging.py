"""Logs for operations: one line per record (JSON or text), each carrying the request's id.

Every request gets an id: the incoming `X-Request-ID` when it is a sane token (so that the id
set by nginx or a load balancer follows the request through), or a new uuid4. It is kept in
`g.request_id`, returned in the `X-Request-ID` response header, and added to every log record
written while the request is handled. One access line per request says method, path, status
and duration. Records hold no personal data: no email, no client address, no query string
and no token from a path (they may carry credentials); client addresses stay in the reverse
proxy's access log.
"""
import json
import logging
import re
import sys
import time
import uuid
from datetime import UTC, datetime

from flask import Flask, g, has_request_context, request

REQUEST_ID_HEADER = "X-Request-ID"
SANE_REQUEST_ID = re.compile(r"[A-Za-z0-9._-]{1,64}")
ACCESS_LOGGER = "cocrea.access"
LOG_FORMATS = ("json", "text")
# Record attributes that the access line adds through `extra=`.
ACCESS_FIELDS = ("status", "duration_ms")


def request_id_from(header_value: str | None) -> str:
    """The caller's id when it is a sane token, else a new one (never echo arbitrary input)."""
    if header_value and SANE_REQUEST_ID.fullmatch(header_value):
        return header_value
    return uuid.uuid4().hex


def loggable_path() -> str:
    """The request's path, with the route's pattern instead when it carries a token.

    Confirmation and password-reset links hold signed tokens (the email confirmation one even
    encodes the address): in a log they would be a credential and personal data.
    """
    rule = request.url_rule
    if rule is not None and any("token" in name for name in rule.arguments):
        return rule.rule
    return request.path


class RequestContextFilter(logging.Filter):
    """Adds request_id, method and path to every record (None outside a request)."""

    def filter(self, record: logging.LogRecord) -> bool:
        if has_request_context():
            record.request_id = g.get("request_id")
            record.method = request.method
            record.path = loggable_path()
        else:
            record.request_id = record.method = record.path = None
        return True


class JsonFormatter(logging.Formatter):
    """One JSON object per line, so that log shippers need no parsing rules."""

    def format(self, record: logging.LogRecord) -> str:
        entry = {
            "time": datetime.fromtimestamp(record.created, UTC).isoformat(timespec="milliseconds"),
            "level": record.levelname,
            "logger": record.name,
            "message": record.getMessage(),
            "request_id": getattr(record, "request_id", None),
            "method": getattr(record, "method", None),
            "path": getattr(record, "path", None),
        }
        for name in ACCESS_FIELDS:
            if hasattr(record, name):
                entry[name] = getattr(record, name)
        if record.exc_info:
            entry["exception"] = self.formatException(record.exc_info)
        elif record.exc_text:
            entry["exception"] = record.exc_text
        if record.stack_info:
            entry["stack"] = self.formatStack(record.stack_info)
        return json.dumps(entry, ensure_ascii=False, default=str)


class TextFormatter(logging.Formatter):
    """Readable lines for a developer's terminal, with the request id when there is one."""

    def __init__(self):
        super().__init__("%(asctime)s %(levelname)s %(name)s%(rid)s: %(message)s")

    def formatTime(self, record, datefmt=None):  # noqa: N802 - logging's name
        return datetime.fromtimestamp(record.created, UTC).isoformat(timespec="seconds")

    def format(self, record: logging.LogRecord) -> str:
        rid = getattr(record, "request_id", None)
        record.rid = f" [{rid}]" if rid else ""
        return super().format(record)


class _StderrHandler(logging.StreamHandler):
    """Writes to whatever sys.stderr is now (test runners swap it), not to the one at start."""

    def __init__(self):
        super().__init__()

    @property
    def stream(self):
        return sys.stderr

    @stream.setter
    def stream(self, _value):
        pass


def configure_logging(app: Flask) -> None:
    """Install one handler on the root logger and the request-id hooks on `app`."""
    fmt = app.config.get("LOG_FORMAT") or "text"
    if fmt not in LOG_FORMATS:
        fmt = "text"  # `flask check` reports the bad value; logging must still work
    root = logging.getLogger()
    # create_app may run many times in one process (tests): replace our handler, keep others.
    for handler in [h for h in root.handlers if getattr(h, "_cocrea", False)]:
        root.removeHandler(handler)
    handler = _StderrHandler()
    handler._cocrea = True
    handler.addFilter(RequestContextFilter())
    handler.setFormatter(JsonFormatter() if fmt == "json" else TextFormatter())
    root.addHandler(handler)
    level = str(app.config.get("LOG_LEVEL") or "INFO").upper()
    root.setLevel(logging.getLevelNamesMapping().get(level, logging.INFO))

    from flask.logging import default_handler

    # Flask's own handler on app.logger would print every error a second time, unformatted.
    logging.getLogger(app.name).removeHandler(default_handler)
    _register_request_id_hooks(app)


def _register_request_id_hooks(app: Flask) -> None:
    access = logging.getLogger(ACCESS_LOGGER)

    @app.before_request
    def _start_request_log():
        # Kept in the WSGI environ: a read dispatched again after a lost database connection
        # (app/core/reconnect.py) keeps its id and its start time.
        environ = request.environ
        if "cocrea.request_id" not in environ:
            environ["cocrea.request_id"] = request_id_from(request.headers.get(REQUEST_ID_HEADER))
            environ["cocrea.request_started"] = time.perf_counter()
        g.request_id = environ["cocrea.request_id"]
        g.request_started = environ["cocrea.request_started"]

    @app.after_request
    def _finish_request_log(response):
        request_id = g.get("request_id") or request_id_from(None)
        response.headers[REQUEST_ID_HEADER] = request_id
        started = g.get("request_started")
        duration = round((time.perf_counter() - started) * 1000, 1) if started else None
        access.info(
            "%s %s %s", request.method, loggable_path(), response.status_code,
            extra={"status": response.status_code, "duration_ms": duration},
        )
        return response
