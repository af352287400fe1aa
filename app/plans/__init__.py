"""The plan's structure: action plans, their phases, committees, members and themes."""
from flask import Blueprint

bp = Blueprint("plans", __name__)

from app.plans import permissions, queries, views  # noqa: E402,F401

# {{ guarantor().name }} in any template (the footer, mail): the current plan's guarantor body.
bp.add_app_template_global(queries.guarantor, "guarantor")
# {{ committee_path(committee) }}: a committee's page in its own plan (items link there).
bp.add_app_template_global(queries.committee_path, "committee_path")
