"""Failures of a service the site can run without for a while, logged once instead of per request.

When Redis stops, every request that reaches for it fails the same way; a traceback per request
buries the one line an operator needs. A `DependencyAlarm` logs the first failure (ERROR, with the
exception's one-line summary and what the site does meanwhile), then at most one reminder per
`interval` while failures go on (WARNING, with the number of requests affected since the last
line), and one line when the service works again (WARNING, so it shows at any log level that
showed the failure).

Call `failed(exc)` once per affected request (`failed()` when a fallback already knows the service
is down) and `recovered()` after each success (it costs one attribute read while nothing fails). `settle` seconds without a failure must pass before a
success counts as recovery: a PostgreSQL failover drops every pooled connection at once, and the
requests retried in between must not make it look like several outages.
"""
import logging
import threading
import time
from collections.abc import Callable

log = logging.getLogger(__name__)

SUMMARY_LENGTH = 200


def summarise(exc: BaseException) -> str:
    """`Type: first line of the message`, short; a SQLAlchemy error is summarised by its driver's."""
    exc = getattr(exc, "orig", None) or exc  # DBAPIError wraps the driver's error and adds the SQL
    text = str(exc).strip().splitlines()[0] if str(exc).strip() else ""
    summary = f"{type(exc).__name__}: {text}" if text else type(exc).__name__
    return summary if len(summary) <= SUMMARY_LENGTH else summary[: SUMMARY_LENGTH - 1] + "…"


class DependencyAlarm:
    """The failure state of one dependency as this worker process sees it.

    Thread-safe: one lock guards the state, since gunicorn's threads report into the same alarm.
    """

    def __init__(self, name: str, effect: str, *, interval: float = 60.0, settle: float = 0.0,
                 clock: Callable[[], float] = time.monotonic, logger: logging.Logger = log):
        self.name = name
        self.effect = effect
        self.interval = interval
        self.settle = settle
        self.clock = clock
        self.logger = logger
        self._lock = threading.Lock()
        self.failing = False
        self._first_failure = self._last_failure = self._last_line = 0.0
        self._affected = 0  # requests affected since the last line
        self._last_error = ""

    def failed(self, exc: BaseException | None = None) -> None:
        with self._lock:
            now = self.clock()
            summary = self._last_error = summarise(exc) if exc is not None else self._last_error
            self._last_failure = now
            if not self.failing:
                self.failing = True
                self._first_failure = self._last_line = now
                self._affected = 0
                line = (logging.ERROR, "%s unavailable (%s): %s", (self.name, self.effect, summary))
            else:
                self._affected += 1
                if now - self._last_line < self.interval:
                    return
                line = (logging.WARNING, "%s still unavailable: %d requests affected in the last %.0f s; "
                        "last error: %s", (self.name, self._affected, now - self._last_line, summary))
                self._last_line = now
                self._affected = 0
        level, message, args = line
        self.logger.log(level, message, *args)  # outside the lock: a slow handler must not queue threads

    def recovered(self) -> None:
        if not self.failing:  # the common case, without taking the lock
            return
        with self._lock:
            now = self.clock()
            if not self.failing or now - self._last_failure < self.settle:
                return
            self.failing = False
            args = (self.name, self._last_failure - self._first_failure, self._affected)
        self.logger.warning("%s available again (failures lasted %.1f s); %d more requests affected "
                            "since the last line", *args)
