"""The page for developers: the read-only API explained for people, in plain words. (The API
itself, /api/v1/, answers JSON for programs; its OpenAPI document describes it for them.)"""
from flask import Blueprint

bp = Blueprint("developers", __name__, url_prefix="/developers")

from app.developers import views  # noqa: E402,F401
