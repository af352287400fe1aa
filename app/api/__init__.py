"""The read-only JSON API (/api/v1/): the open datasets, filtered and paginated, with an OpenAPI document."""
from flask import Blueprint

bp = Blueprint("api", __name__, url_prefix="/api/v1")
