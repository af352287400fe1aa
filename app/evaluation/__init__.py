"""The plan's evaluation: during its evaluation phase, each commitment's civil-society
representatives give their opinion and then the committee records the end-of-term
self-assessment in OGP's terms; and the evidence pack for the independent reviewer."""
from flask import Blueprint

bp = Blueprint("evaluation", __name__, url_prefix="/evaluation")

from app.evaluation import views  # noqa: E402,F401
