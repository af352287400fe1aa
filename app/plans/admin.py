"""The blueprint of the guarantor body's plan pages (/admin/plans): admins only. Its routes live
in admin_views.py (plans, phases, themes) and admin_committees.py (a committee's members and
facilitators); app/__init__.py imports both before registering it."""
from flask import Blueprint
from flask_login import current_user, login_required

from app.core.permissions import require

bp = Blueprint("plans_admin", __name__, url_prefix="/admin/plans")


@bp.before_request
@login_required
def _only_admins():
    require(current_user, "admin.access")
