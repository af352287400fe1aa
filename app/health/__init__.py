"""Health check for load balancers and monitoring: the database and, when configured, Redis."""
import sqlalchemy as sa
from flask import Blueprint, current_app, jsonify

from app.core.alarms import DependencyAlarm
from app.extensions import db, limiter

bp = Blueprint("health", __name__)

# A load balancer's probe must get an answer quickly, even when Redis hangs.
REDIS_TIMEOUT_SECONDS = 1.0


def _redis_client():
    """One client per app (its connection pool is reused across probes).

    Thread-safe: redis-py clients and their connection pools are documented as safe to share
    between threads; a race in setdefault below can only build a second, equivalent client.
    """
    import redis

    clients = current_app.extensions.setdefault("cocrea_health_redis", {})
    url = current_app.config["REDIS_URL"]
    if url not in clients:
        clients[url] = redis.Redis.from_url(
            url,
            socket_connect_timeout=REDIS_TIMEOUT_SECONDS,
            socket_timeout=REDIS_TIMEOUT_SECONDS,
        )
    return clients[url]


@bp.record_once
def _create_alarm(state) -> None:
    # A load balancer probes every few seconds: a Redis that is down is logged once, not per probe.
    state.app.extensions["cocrea_health_redis_alarm"] = DependencyAlarm(
        "Redis (health check)", "/healthz answers 503")


def _redis_answers() -> bool:
    alarm = current_app.extensions["cocrea_health_redis_alarm"]
    try:
        answered = bool(_redis_client().ping())
    except Exception as exc:  # any failure (refused, timeout, auth, bad URL) means unhealthy
        alarm.failed(exc)
        return False
    alarm.recovered()
    return answered


@bp.get("/healthz")
@limiter.exempt
def healthz():
    status = {"status": "ok", "database": "ok"}
    code = 200
    try:
        db.session.execute(sa.text("SELECT 1"))
    except Exception:
        db.session.rollback()
        status.update(status="error", database="unreachable")
        code = 503
    if current_app.config.get("REDIS_URL"):
        status["redis"] = "ok"
        if not _redis_answers():
            status.update(status="error", redis="unreachable")
            code = 503
    return jsonify(status), code
