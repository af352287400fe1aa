"""Rate limits while their Redis is away: counted by each worker on its own, reported by an alarm.

Without a fallback, Flask-Limiter raises on every rate-limited request when its storage fails:
logins, registrations, the API and the downloads would all answer 500. With
RATELIMIT_IN_MEMORY_FALLBACK_ENABLED (app/config.py) it switches to per-process counters, checks
Redis again after 1 to 32 seconds, and logs each switch once. Those two records are turned into
the app's alarm lines here, and every rate-limited request in between is counted, so that a Redis
outage reads the same way for every part of the site.
"""
import logging
import sys

from flask import Flask, current_app, g, has_app_context, has_request_context

from app.core.alarms import DependencyAlarm
from app.extensions import limiter

# Flask-Limiter's own records for the two switches (flask_limiter/_extension.py).
LIMITER_LOGGER = "flask-limiter"
FELL_BACK = "Rate limit storage unreachable"
RECOVERED = "Rate limit storage recovered"
ALARM = "cocrea_rate_limit_alarm"
COUNTED = "cocrea_rate_limit_failure_counted"


class _ReportThroughAlarm(logging.Filter):
    """Replaces Flask-Limiter's switch records by the current app's alarm lines."""

    def filter(self, record: logging.LogRecord) -> bool:
        message = record.getMessage()
        alarm = current_app.extensions.get(ALARM) if has_app_context() else None
        if alarm is None:
            return True
        if message.startswith(FELL_BACK):
            # Logged inside Flask-Limiter's `except` block: the storage's exception is the current one.
            alarm.failed(sys.exc_info()[1] or ConnectionError(message))
            if has_request_context():
                g.setdefault(COUNTED, True)
            return False
        if message.startswith(RECOVERED):
            alarm.recovered()
            return False
        return True


def report_rate_limit_storage(app: Flask) -> None:
    alarm = app.extensions[ALARM] = DependencyAlarm(
        "rate limits (Redis)", "each worker counts the limits on its own")
    limiter_log = logging.getLogger(LIMITER_LOGGER)
    if not any(isinstance(f, _ReportThroughAlarm) for f in limiter_log.filters):
        limiter_log.addFilter(_ReportThroughAlarm())  # once per process, for every app
    # The recovery record is INFO: it must reach the filter whatever LOG_LEVEL says.
    limiter_log.setLevel(logging.INFO)

    @app.after_request
    def _count_requests_limited_per_worker(response):
        if alarm.failing and limiter.current_limit is not None and not g.get(COUNTED):
            alarm.failed()
        return response
