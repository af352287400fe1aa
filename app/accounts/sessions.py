"""Session rules checked on every request: the absolute timeout and compulsory two-factor enrolment."""
import secrets
import time

from flask import Flask, current_app, flash, g, redirect, request, session, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_user, logout_user, user_loaded_from_cookie

from app.accounts import twofactor

# What a facilitator or admin who has not enrolled yet may still reach.
ENROLMENT_ENDPOINTS = {
    "static",
    "health.healthz",
    "accounts.two_factor",
    "accounts.two_factor_enable",
    "accounts.logout",
    "plans.set_language",
}


def end_session(message: str | None = None) -> None:
    """Log out and start an empty session that keeps only the language being read.

    logout_user() asks (in the session) for the remember-me cookie to be deleted: that request
    must survive the clear, or the cookie would log the person straight back in.
    """
    lang = session.get("lang") or getattr(current_user, "locale", None)
    logout_user()
    forget_cookie = session.get("_remember")
    session.clear()
    if forget_cookie:
        session["_remember"] = forget_cookie
    if lang:
        session["lang"] = lang
    if message:
        flash(message, "info")


def register_session_guards(app: Flask) -> None:
    """Registered after the idle timeout, so an idle session has already ended when these run."""

    @user_loaded_from_cookie.connect_via(app)
    def _restored_from_cookie(sender, user):
        # The person chose "keep me logged in": the idle timeout does not apply, the 30 days do.
        now = int(time.time())
        session["remember"] = True
        session["login_at"] = now
        session["last_seen"] = now

    @app.before_request
    def _absolute_timeout():
        if request.endpoint in ("static", "health.healthz") or not current_user.is_authenticated:
            return None
        now = int(time.time())
        login_at = session.get("login_at")
        if not isinstance(login_at, int):
            # A session from before this rule, or one restored from a remember-me cookie.
            session["login_at"] = now
            return None
        key = "REMEMBER_ABSOLUTE_SESSION_SECONDS" if session.get("remember") else "ABSOLUTE_SESSION_SECONDS"
        if now - login_at > app.config[key]:
            end_session(_("Your session has reached its maximum length. Please log in again."))
            g.session_expired = True
        return None

    @app.before_request
    def _require_two_factor_enrolment():
        if request.endpoint in ENROLMENT_ENDPOINTS or not current_user.is_authenticated:
            return None
        if twofactor.must_enrol(current_user):
            # The enrolment page itself says why the person was brought there.
            return redirect(url_for("accounts.two_factor"))
        return None


def start_session(user, remember: bool, login_at: int | None = None) -> None:
    """A fresh session for `user` (no fixation), keeping only the chosen language.

    The idle clock starts now: a session left alone right after login must expire too. The
    absolute clock starts at `login_at` (now, unless the session only changes identity).
    """
    lang = session.get("lang")
    session.clear()
    if lang:
        session["lang"] = lang
    login_user(user, remember=remember)
    now = int(time.time())
    session["remember"] = remember
    session["last_seen"] = now
    session["login_at"] = login_at or now


def renew_identity(user) -> None:
    """After the session version changed: this session goes on, every other one has ended."""
    login_at = session.get("login_at")
    start_session(user, remember=bool(session.get("remember")),
                  login_at=login_at if isinstance(login_at, int) else None)


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
    lang = session.get("lang")
    session.clear()
    if lang:
        session["lang"] = lang
    session[PENDING_KEY] = {
        "uid": user.id,
        "version": user.session_version,
        "remember": bool(remember),
        "next": next_url,
        "expires": int(time.time()) + int(current_app.config["TWO_FACTOR_PENDING_SECONDS"]),
        "attempts": 0,
    }


def pending_login():
    """(user, state) of a half-login still valid; None (and the state forgotten) otherwise."""
    from app.accounts.services import load_user_from_session_id

    state = session.get(PENDING_KEY)
    if not isinstance(state, dict):
        return None
    user = None
    try:
        if int(state["expires"]) >= time.time():
            user = load_user_from_session_id(f"{int(state['uid'])}:{int(state['version'])}")
    except (KeyError, TypeError, ValueError):
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
