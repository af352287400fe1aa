"""The browser's side of signing in: the session cookie, and the rules checked on every request.

A signed-in browser holds one random token (session_store.py keeps its hash on the server) in
Flask-Login's `_user_id`; with "keep me logged in" the remember-me cookie holds the same token.
Every request checks the server's row: ended (logout, "end this session", a password change),
past its absolute limit, or idle too long, and the token opens nothing any more, in any worker.
"""
import secrets
import time

from flask import Flask, current_app, flash, g, redirect, request, session, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_user, logout_user

from app.accounts import session_store, twofactor
from app.core.db import utcnow

# What a facilitator or admin who has not enrolled yet may still reach.
ENROLMENT_ENDPOINTS = {
    "static",
    "health.healthz",
    "accounts.two_factor",
    "accounts.two_factor_enable",
    "accounts.logout",
    "plans.set_language",
}
UNGUARDED_ENDPOINTS = ("static", "health.healthz")


def load_user(token: str):
    """Flask-Login's loader, for the session cookie and the remember-me cookie alike."""
    row = session_store.session_for_token(token)
    if row is None:
        return None
    g.user_session = row
    return row.user


def current_session():
    """The server's row of the signed-in session of this request (None when anonymous)."""
    return g.get("user_session") if current_user.is_authenticated else None


def _keep_language(new_state: dict | None = None, lang: str | None = None) -> None:
    lang = lang or session.get("lang")
    forget_cookie = session.get("_remember")
    session.clear()
    if forget_cookie:
        # logout_user() asked (in the session) for the remember-me cookie to be deleted: that
        # request must survive the clear, or the cookie would log the person straight back in.
        session["_remember"] = forget_cookie
    if lang:
        session["lang"] = lang
    session.update(new_state or {})


def end_session(message: str | None = None, reason: str = "logout") -> None:
    """Log out: the server's row ends (so a copied cookie opens nothing), the cookies go, and an
    empty session keeps only the language being read."""
    row = g.pop("user_session", None)
    lang = session.get("lang") or getattr(current_user, "locale", None)
    if row is not None:
        session_store.end_session(row, reason)
    logout_user()
    _keep_language(lang=lang)
    if message:
        flash(message, "info")


def start_session(user, remember: bool, expires_at=None) -> None:
    """A fresh session for `user` (no fixation), keeping only the chosen language."""
    lang = session.get("lang")
    session.clear()
    if lang:
        session["lang"] = lang
    token = session_store.open_session(user, remember, request.user_agent.string,
                                       request.remote_addr, expires_at=expires_at)
    login_user(user, remember=remember)
    # Flask-Login keeps user.get_id() here, and puts the same value in the remember-me cookie:
    # the session's token instead, so that both cookies stand for this server-side session only.
    session["_user_id"] = token
    g.user_session = session_store.session_for_token(token)


def register_session_guards(app: Flask) -> None:
    @app.before_request
    def _session_limits():
        if request.endpoint in UNGUARDED_ENDPOINTS or not current_user.is_authenticated:
            return None
        row = g.get("user_session")
        if row is None:
            return None
        now = utcnow()
        if row.expires_at <= now:
            end_session(_("Your session has reached its maximum length. Please log in again."),
                        reason="expired")
            g.session_expired = True
            return None
        idle = now - row.last_seen_at
        if not row.remember and idle.total_seconds() > current_app.config["IDLE_TIMEOUT_SECONDS"]:
            end_session(_("Your session ended after a period of inactivity. Please log in again."),
                        reason="idle")
            g.session_expired = True
            return None
        session_store.touch(row, now)
        return None

    @app.before_request
    def _require_two_factor_enrolment():
        if request.endpoint in ENROLMENT_ENDPOINTS or not current_user.is_authenticated:
            return None
        if twofactor.must_enrol(current_user):
            # The enrolment page itself says why the person was brought there.
            return redirect(url_for("accounts.two_factor"))
        return None


def enrolment_nonce() -> str:
    """The random nonce from which the secret offered during enrolment is derived."""
    nonce = session.get("two_factor_enrolment")
    if not isinstance(nonce, str) or len(nonce) != 22:
        nonce = session["two_factor_enrolment"] = secrets.token_urlsafe(16)
    return nonce


# --- the half-logged-in state between the password and the second factor ------------------------

PENDING_KEY = "two_factor_login"
MAX_CODE_ATTEMPTS = 5


def start_half_login(user, remember: bool, next_url: str | None) -> None:
    """The password was right; the session remembers who, until the code is given or time runs out."""
    _keep_language({PENDING_KEY: {
        "uid": user.id,
        "version": user.session_version,
        "remember": bool(remember),
        "next": next_url,
        "expires": int(time.time()) + int(current_app.config["TWO_FACTOR_PENDING_SECONDS"]),
        "attempts": 0,
    }})


def pending_login():
    """(user, state) of a half-login still valid; None (and the state forgotten) otherwise."""
    from app.accounts.models import User
    from app.extensions import db

    state = session.get(PENDING_KEY)
    if not isinstance(state, dict):
        return None
    user = None
    try:
        if int(state["expires"]) >= time.time():
            user = db.session.get(User, int(state["uid"]))
            if user is not None and (user.session_version != int(state["version"])
                                     or user.deleted_at is not None):
                user = None
    except (KeyError, TypeError, ValueError, OverflowError):
        user = None
    if user is None or not user.two_factor_enabled:
        session.pop(PENDING_KEY, None)
        return None
    return user, state


def count_code_attempt(state: dict) -> bool:
    """One more wrong code in this half-login; False once the limit is reached (state forgotten)."""
    attempts = int(state.get("attempts", 0)) + 1
    if attempts >= MAX_CODE_ATTEMPTS:
        session.pop(PENDING_KEY, None)
        return False
    session[PENDING_KEY] = {**state, "attempts": attempts}
    return True


def forget_half_login() -> None:
    session.pop(PENDING_KEY, None)
