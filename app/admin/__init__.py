"""The guarantor body's administration: verification of organisations and facilitators' scopes."""
from flask import Blueprint

bp = Blueprint("admin", __name__, url_prefix="/admin")

from app.admin import views, views_people  # noqa: E402,F401
