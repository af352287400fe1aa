"""Commitments of a plan: drafts, consultation, formal commitments and their milestones."""
from flask import Blueprint

bp = Blueprint("commitments", __name__, url_prefix="/commitments")

# The views are imported by create_app (app/__init__.py), after every model: importing them
# here would make `app.commitments.models` pull in the proposals, dialogues and plans packages,
# whose views import app.commitments.queries back (an import cycle).
