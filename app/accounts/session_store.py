"""Signed-in sessions kept on the server: opened at login, ended at logout, listed to their owner.

Choice and cost (docs/deploy.md): the rows live in the database every worker already reads, so
ending a session holds at once in every process, and no other service is needed. A signed-in
request costs one indexed lookup (token hash → session, user, moderator scopes and the figures
areas register, such as the bell's unread count, in one statement, replacing the user lookup it
needed anyway) and, at most once a minute, one small UPDATE of its last-seen time.
Like every service, these change and flush; the request's unit of work commits (app/core/uow.py).
"""
import hashlib
import ipaddress
import secrets
from datetime import timedelta

import sqlalchemy as sa
from flask import current_app, g, has_request_context
from sqlalchemy.orm import joinedload

from app.accounts.models import User, UserSession
from app.core.audit import record
from app.core.db import utcnow
from app.core.uow import note_bookkeeping, on_data_changed
from app.extensions import db

TOKEN_BYTES = 32
USER_AGENT_LENGTH = 300
# The last-seen time is written at most this often (it only feeds the idle limit and the list).
TOUCH_EVERY = timedelta(seconds=60)


def token_hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def network_of(address: str | None) -> str | None:
    """The network an address belongs to (IPv4 /24, IPv6 /48): approximate, never the address."""
    try:
        ip = ipaddress.ip_address((address or "").strip())
    except ValueError:
        return None
    prefix = 24 if ip.version == 4 else 48
    return str(ipaddress.ip_network(f"{ip}/{prefix}", strict=False))


def lifetime(remember: bool) -> timedelta:
    key = "REMEMBER_ABSOLUTE_SESSION_SECONDS" if remember else "ABSOLUTE_SESSION_SECONDS"
    return timedelta(seconds=int(current_app.config[key]))


def open_session(user: User, remember: bool, user_agent: str | None, address: str | None,
                 expires_at=None) -> str:
    """A new session row for `user`; returns the token the browser keeps (only its hash is stored).

    `expires_at` keeps an earlier absolute limit when a session only changes identity."""
    token = secrets.token_urlsafe(TOKEN_BYTES)
    now = utcnow()
    db.session.add(UserSession(
        user_id=user.id,
        token_hash=token_hash(token),
        remember=bool(remember),
        created_at=now,
        last_seen_at=now,
        expires_at=expires_at or now + lifetime(remember),
        user_agent=(user_agent or "")[:USER_AGENT_LENGTH] or None,
        network=network_of(address),
    ))
    db.session.flush()
    return token


# Per-person figures that every signed-in page shows (the unread notifications of the bell), read
# in the session's own statement: {name: function(user_id column) -> correlated scalar subquery}.
# Areas register theirs with `read_with_session` when their hooks are imported.
# Thread-safe: filled only while modules are imported (before the first request); read-only after.
_FIGURES: dict = {}
FIGURES = "cocrea_session_figures"  # in `g`: {name: value} read with this request's session


def read_with_session(name: str):
    """Register `column(user_id)` (a decorator): a scalar subquery read with the signed-in session,
    whose value `session_figure(name)` gives for the rest of the request (until data changes)."""
    def register(column):
        _FIGURES[name] = column
        return column
    return register


def session_figure(name: str):
    """The figure read with this request's session; None when it was not (anonymous, or data
    changed since: the caller reads it afresh)."""
    figures = g.get(FIGURES) if has_request_context() else None
    return figures.get(name) if figures else None


@on_data_changed
def _forget_figures() -> None:
    # A flush or rollback (a notification marked read) may change them: read afresh when shown.
    if has_request_context():
        g.pop(FIGURES, None)


# The statement of every signed-in request, built once per process (its construction and
# SQLAlchemy's cache key for it cost more than running it): (figure names, statement).
# Thread-safe: SQLAlchemy statements are immutable; the list is only ever given one whole entry
# per set of figures (two threads building it at once build the same thing).
_STATEMENT: list = []


def _session_statement() -> tuple:
    names = tuple(_FIGURES)
    built = _STATEMENT[0] if _STATEMENT else None
    if built is None or built[0] != names:
        built = (names, sa.select(UserSession, *(_FIGURES[name](UserSession.user_id) for name in names))
                 .where(UserSession.token_hash == sa.bindparam("token_hash"))
                 .options(joinedload(UserSession.user, innerjoin=True).joinedload(User.moderator_scopes)))
        _STATEMENT[:] = [built]
    return built


def session_for_token(token: str | None) -> UserSession | None:
    """The session this token opens, with its user, if it has not ended; None otherwise.

    One statement: the session, its user, the user's moderator scopes (the header's menu reads
    them) and the registered per-person figures. Expiry is left to the request guard
    (app/accounts/sessions.py), which tells the person why."""
    if not token or not isinstance(token, str) or len(token) > 100:
        return None
    names, statement = _session_statement()
    found = db.session.execute(statement, {"token_hash": token_hash(token)}).unique().first()
    row = found[0] if found is not None else None
    if (row is None or row.ended_at is not None or row.user.deleted_at is not None
            or row.user.is_access_blocked):
        return None
    if has_request_context():
        g.setdefault(FIGURES, {}).update(zip(names, found[1:], strict=True))
    return row


def end_session(row: UserSession, reason: str) -> None:
    """This session stops working now, in every worker (an UPDATE that only an open row takes)."""
    db.session.execute(
        sa.update(UserSession)
        .where(UserSession.id == row.id, UserSession.ended_at.is_(None))
        .values(ended_at=utcnow(), end_reason=reason)
        .execution_options(synchronize_session=False)
    )
    row.ended_at = row.ended_at or utcnow()


def end_sessions_of(user: User, reason: str, keep: UserSession | None = None) -> int:
    """Every open session of `user` but `keep` ends."""
    result = db.session.execute(
        sa.update(UserSession)
        .where(UserSession.user_id == user.id, UserSession.ended_at.is_(None),
               UserSession.id != (keep.id if keep is not None else -1))
        .values(ended_at=utcnow(), end_reason=reason)
        .execution_options(synchronize_session=False)
    )
    return result.rowcount


def end_other_sessions(user: User, keep: UserSession | None) -> None:
    """"End all others": every session of `user` except this one."""
    ended = end_sessions_of(user, "ended_by_owner", keep=keep)
    record(user, "account.sessions_ended", user, sessions=ended)
    db.session.flush()


def end_own_session(user: User, session_id: int) -> bool:
    """"End this session" on the list: only one of the person's own open sessions."""
    row = db.session.get(UserSession, session_id)
    if row is None or row.user_id != user.id or row.ended_at is not None:
        return False
    end_session(row, "ended_by_owner")
    return True


def touch(row: UserSession, now=None) -> None:
    """Note that the session is in use, at most once a minute.

    A last-seen time is bookkeeping, not a change of the plan's data: it is written on the unit's
    connection below the ORM, so that it does not count as a write (the page cache of anonymous
    readers would otherwise be emptied every minute by every signed-in person), and committed
    with the request as bookkeeping."""
    now = now or utcnow()
    if now - row.last_seen_at < TOUCH_EVERY:
        return
    table = UserSession.__table__
    db.session.connection().execute(
        sa.update(table).where(table.c.id == row.id).values(last_seen_at=now))
    note_bookkeeping()


def active_sessions(user: User) -> list[UserSession]:
    now = utcnow()
    return db.session.scalars(
        sa.select(UserSession)
        .where(UserSession.user_id == user.id, UserSession.ended_at.is_(None),
               UserSession.expires_at > now)
        .order_by(UserSession.last_seen_at.desc(), UserSession.id.desc())
    ).all()


# Browser and system names, looked for in this order in the User-Agent (the first match wins):
# enough to tell one's phone from one's office computer, which is all the list needs.
_BROWSERS = (("Edg", "Edge"), ("OPR/", "Opera"), ("SamsungBrowser", "Samsung Internet"),
             ("Firefox/", "Firefox"), ("FxiOS", "Firefox"), ("CriOS", "Chrome"),
             ("Chrome/", "Chrome"), ("Safari/", "Safari"))
_SYSTEMS = (("Android", "Android"), ("iPhone", "iOS"), ("iPad", "iPadOS"), ("Windows", "Windows"),
            ("Mac OS X", "macOS"), ("CrOS", "ChromeOS"), ("Linux", "Linux"))


def describe_device(user_agent: str | None) -> tuple[str | None, str | None]:
    """(browser, system) named from a User-Agent string, each None when not recognised."""
    text = user_agent or ""
    browser = next((name for mark, name in _BROWSERS if mark in text), None)
    system = next((name for mark, name in _SYSTEMS if mark in text), None)
    return browser, system
