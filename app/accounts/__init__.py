"""Accounts: registration, confirmation, login, roles, profiles and personal data."""
from flask import Blueprint

bp = Blueprint("accounts", __name__, url_prefix="/account")

from app.accounts import permissions, views, views_security  # noqa: E402,F401
