"""Creating notifications and delivering them by the channel each user chose.

Other areas call, inside their own service (the request's unit of work commits it all at once):

    notify(recipients, kind, url, *, actor=None, **params)

- `recipients`: users (any iterable, duplicates and None allowed); the actor and deleted accounts
  are skipped. Each remaining user gets one in-app row. Mail goes out only to confirmed accounts,
  by the channel they chose for the kind: immediately (rendered in THEIR language), in the daily
  digest (`flask notifications send-digest`), or never.
- `url`: a local path such as url_for("proposals.show", ...) (never an external address).
- `params`: plain values (names, titles, references, a state's value), never translated text: the
  message is rendered later in the reader's own language. A missing param never raises; the text
  then falls back to "You have a new notification."

Kinds and their params:

    proposal_answered   reference, title, state        an answer or change of state on a proposal
                                                        the recipient wrote or supports; `state`
                                                        is a ProposalState value ("accepted")
    proposal_merged     reference, title,              a proposal the recipient wrote or supports
                        into_reference, into_title     was merged into another
    comment_reply       author, title                  a reply to the recipient's comment on the
                                                        proposal titled `title`
    table_changed       title                          a dialogue table the recipient registered
                                                        for changed (date, place, cancellation)
    table_minutes       title                          its minutes were published
    table_seat          title                          a seat was freed for the recipient
"""
from collections.abc import Iterable
from datetime import datetime
from itertools import groupby
from typing import NamedTuple

import sqlalchemy as sa
from flask import current_app
from flask_babel import force_locale
from sqlalchemy.dialects import postgresql, sqlite

from app.accounts.models import User
from app.core.db import utcnow
from app.core.mail import queue_mail
from app.core.permissions import require
from app.core.uow import savepoint
from app.core.urls import safe_next
from app.extensions import db
from app.notifications.kinds import KIND_LABELS, REMINDER_LABELS
from app.notifications.models import Channel, Notification, NotificationPreference
from app.notifications.queries import hidden_now, masked, without_hidden_titles

PREFERENCES_PATH = "/notifications/preferences"


class DigestItem(NamedTuple):
    kind: str
    params: dict
    url: str
    created_at: datetime


class DigestUser(NamedTuple):
    name: str


def channels_for(user_ids: list[int], kind: str) -> dict[int, Channel]:
    """Each user's chosen channel for `kind` (immediate email when they never chose)."""
    rows = db.session.execute(
        sa.select(NotificationPreference.user_id, NotificationPreference.channel).where(
            NotificationPreference.user_id.in_(user_ids), NotificationPreference.kind == kind
        )
    ).all()
    chosen = {user_id: channel for user_id, channel in rows}
    return {uid: chosen.get(uid, Channel.immediate) for uid in user_ids}


def preferences_of(user) -> dict[str, Channel]:
    """The channel of every kind for `user`, defaults included."""
    rows = db.session.execute(
        sa.select(NotificationPreference.kind, NotificationPreference.channel).where(
            NotificationPreference.user_id == user.id
        )
    ).all()
    chosen = dict(rows)
    return {kind: chosen.get(kind, Channel.immediate) for kind in KIND_LABELS}


def reminder_preferences_of(user) -> dict[str, Channel]:
    """Whether each kind of reminder is on (immediate, the default) or off (none) for `user`."""
    rows = db.session.execute(
        sa.select(NotificationPreference.kind, NotificationPreference.channel).where(
            NotificationPreference.user_id == user.id,
            NotificationPreference.kind.in_(list(REMINDER_LABELS)),
        )
    ).all()
    chosen = dict(rows)
    return {kind: chosen.get(kind, Channel.immediate) for kind in REMINDER_LABELS}


def _plain(value):
    """JSON-safe params; enums and other objects are stored as their text."""
    if value is None or isinstance(value, bool | int | float):
        return value
    return str(value)


def notify(recipients: Iterable, kind: str, url: str, *, actor=None, **params) -> int:
    """Notify each recipient once (never the actor); adds rows and mail to the unit of work.

    Returns the number of users notified. Raises ValueError only for a programming mistake
    (an unknown kind or a URL that is not a local path).
    """
    if kind not in KIND_LABELS:
        raise ValueError(f"unknown notification kind {kind!r}")
    if safe_next(url) != url:
        raise ValueError(f"notification url must be a local path, not {url!r}")
    params = {key: _plain(value) for key, value in params.items()}
    actor_id = getattr(actor, "id", None)
    users = {}
    for user in recipients:
        if user is None or user.id is None or user.id == actor_id or user.deleted_at is not None:
            continue
        users[user.id] = user
    if not users:
        return 0
    channels = channels_for(list(users), kind)
    # Mail must not carry the title of content hidden by moderation (its page does not).
    hidden = hidden_now([(params, url)])
    now = utcnow()
    for user_id, user in users.items():
        # An unconfirmed account is told in the app only, now and in any later digest.
        channel = channels[user_id] if user.is_confirmed and user.email else Channel.none
        notification = Notification(
            user_id=user_id, kind=kind, params=params, url=url, channel=channel, created_at=now
        )
        if channel == Channel.immediate:
            locale = user.locale or current_app.config["BABEL_DEFAULT_LOCALE"]
            with force_locale(locale):
                shown = masked(params, url, hidden) if hidden else params
            queue_mail(user.email, "notification", locale=user.locale, user=user,
                       kind=kind, params=shown, url=url, preferences_url=PREFERENCES_PATH)
            notification.emailed_at = now
        db.session.add(notification)
    return len(users)


def mark_read(actor, notification: Notification) -> None:
    """Mark one of the actor's notifications read (reading it twice changes nothing)."""
    require(actor, "notifications.read", notification)
    db.session.execute(
        sa.update(Notification)
        .where(Notification.id == notification.id, Notification.read_at.is_(None))
        .values(read_at=utcnow())
    )
    db.session.flush()


def mark_all_read(actor) -> int:
    """Mark every unread notification of the actor read; returns how many were unread."""
    require(actor, "notifications.manage", actor)
    count = db.session.execute(
        sa.update(Notification)
        .where(Notification.user_id == actor.id, Notification.read_at.is_(None))
        .values(read_at=utcnow())
    ).rowcount
    db.session.flush()
    return count


def _upsert(user_id: int, kind: str, channel: Channel):
    """INSERT ... ON CONFLICT DO UPDATE: two tabs saving at once never collide."""
    dialect = db.session.get_bind().dialect.name
    insert = postgresql.insert if dialect == "postgresql" else sqlite.insert
    table = NotificationPreference.__table__
    statement = insert(table).values(user_id=user_id, kind=kind, channel=channel)
    return statement.on_conflict_do_update(
        index_elements=[table.c.user_id, table.c.kind], set_={"channel": channel}
    )


def save_preferences(actor, user, choices: dict[str, Channel]) -> None:
    """Store the channel chosen for each kind; unknown kinds are refused."""
    require(actor, "notifications.manage", user)
    unknown = set(choices) - set(KIND_LABELS) - set(REMINDER_LABELS)
    if unknown:
        raise ValueError(f"unknown notification kinds {sorted(unknown)!r}")
    for kind, channel in choices.items():
        channel = Channel(channel)
        if kind in REMINDER_LABELS and channel == Channel.digest:
            channel = Channel.immediate  # a reminder is on or off; it does not wait for a digest
        db.session.execute(_upsert(user.id, kind, channel))
        if channel == Channel.none:
            # "None" means no mail at all, including what waits for tomorrow's digest.
            db.session.execute(
                sa.update(Notification)
                .where(
                    Notification.user_id == user.id,
                    Notification.kind == kind,
                    Notification.channel == Channel.digest,
                    Notification.emailed_at.is_(None),
                )
                .values(channel=Channel.none)
            )
    db.session.flush()


def send_digests() -> int:
    """Queue one digest mail per user with notifications waiting for it; returns mails queued.

    Meant to run daily (`flask notifications send-digest`, one unit of work). Each user's batch
    is claimed with a conditional UPDATE in a savepoint of its own: a batch that another run took
    meanwhile (even in part) is left to it, and the others still go, so a second run, even a
    parallel one, sends nothing twice.
    """
    rows = db.session.execute(
        sa.select(
            Notification.id, Notification.kind, Notification.params, Notification.url,
            Notification.created_at, User.id, User.email, User.name, User.locale,
        )
        .join(User, User.id == Notification.user_id)
        .where(
            Notification.channel == Channel.digest,
            Notification.emailed_at.is_(None),
            User.deleted_at.is_(None),
            User.email_confirmed_at.is_not(None),
            User.email.is_not(None),
        )
        .order_by(User.id, Notification.created_at, Notification.id)
    ).all()
    queued = 0
    # Plain rows, not ORM objects: a batch given up rolls back to its savepoint, expiring objects.
    for (_user_id, email, name, locale), batch in groupby(rows, key=lambda row: tuple(row[5:])):
        batch = list(batch)
        ids = [row[0] for row in batch]
        with force_locale(locale or current_app.config["BABEL_DEFAULT_LOCALE"]):
            shown = without_hidden_titles([(row[2], row[3]) for row in batch])
        notifications = [DigestItem(row[1], params, row[3], row[4])
                         for row, params in zip(batch, shown, strict=True)]
        try:
            with savepoint():
                _claim(ids)
                queue_mail(email, "notification_digest", locale=locale, user=DigestUser(name=name),
                           notifications=notifications, preferences_url=PREFERENCES_PATH)
        except _TakenElsewhere:
            continue
        queued += 1
    db.session.flush()
    return queued


class _TakenElsewhere(Exception):
    """Another run claimed (part of) a user's batch first."""


def _claim(ids: list[int]) -> None:
    claimed = db.session.execute(
        sa.update(Notification)
        .where(Notification.id.in_(ids), Notification.emailed_at.is_(None))
        .values(emailed_at=utcnow())
        .execution_options(synchronize_session=False)
    ).rowcount
    if claimed != len(ids):
        raise _TakenElsewhere
