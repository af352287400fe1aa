"""Health check for load balancers and monitoring."""
import sqlalchemy as sa
from flask import Blueprint, jsonify

from app.extensions import db, limiter

bp = Blueprint("health", __name__)


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
    return jsonify(status), code
