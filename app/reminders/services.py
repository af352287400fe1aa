"""Reminders by email, each sent once: `send_reminders()` finds what is due and queues the mails.

Run every hour by cron (`flask reminders send`, one unit of work). For each reminder and person,
a `reminders_sent` row is inserted FIRST (INSERT … ON CONFLICT DO NOTHING) and the mail is queued
in the outbox in the same transaction: a second run, or one running at the same moment, meets the
row and skips. Rows are written in a fixed order (reminder, thing, person id), so two runs wait on
each other instead of deadlocking. Each person's reminder preference (app/notifications) is
respected, and every mail carries a signed link that turns its kind off without logging in.
"""
from collections.abc import Iterable
from datetime import datetime, time, timedelta

import sqlalchemy as sa
from flask import current_app
from flask_babel import gettext as _
from sqlalchemy.orm import lazyload

from app.accounts.models import ModeratorScope, Organisation, Role, User, Verification
from app.accounts.tokens import make_token, read_token
from app.calls.models import Call
from app.comments.models import Comment
from app.commitments.models import Commitment, CommitmentState, Milestone, MilestoneStatus
from app.commitments.services import commitment_path
from app.consultations.models import Consultation
from app.core import clock, uow
from app.core.db import utcnow
from app.core.errors import NotFound
from app.core.mail import queue_mail
from app.dialogues.models import DialogueTable, RegistrationStatus, TableState
from app.dialogues.queries import active_registrations
from app.elections.models import Election, ElectionState, RollEntry
from app.extensions import db
from app.follows.queries import follower_ids
from app.notifications.kinds import REMINDER_LABELS
from app.notifications.models import Channel
from app.notifications.services import channels_for, save_preferences
from app.reminders.models import ReminderSent

# Each reminder and the preference (app/notifications/kinds.py REMINDER_LABELS) that turns it off.
PREFERENCE = {
    "call_opens": "reminder_call",
    "call_closes": "reminder_call",
    "voting_opens": "reminder_voting",
    "voting_closes": "reminder_voting",
    "consultation_closes": "reminder_consultation",
    "table_tomorrow": "reminder_table",
    "milestone_overdue": "reminder_milestone",
}
CLOSING_SOON = timedelta(days=3)
VOTING_CLOSING_SOON = timedelta(hours=24)
# A reminder of an opening is sent during the day after it; later, it is no longer news.
OPENED_RECENTLY = timedelta(days=1)
# An overdue milestone is reminded on the day after its date, then once a week while it stays
# overdue (days 1, 8, 15… late), at most OVERDUE_REMINDERS times: after about a quarter the
# commitment's page and progress reports carry it, and mail would only be noise. Each
# occurrence is its own reminder (its week in the key), sent once per person. A milestone
# overdue for longer than that when reminders first run gets none.
OVERDUE_EVERY = timedelta(days=7)
OVERDUE_REMINDERS = 12
UNSUBSCRIBE_PURPOSE = "reminders.unsubscribe"
UNSUBSCRIBE_MAX_AGE = 400 * 24 * 3600  # a link in an old mail still works for a year


# ---------------------------------------------------------------- unsubscribe links

def unsubscribe_token(user_id: int, preference: str) -> str:
    return make_token(UNSUBSCRIBE_PURPOSE, {"u": user_id, "k": preference})


def read_unsubscribe(token: str) -> tuple[User, str]:
    """(the person, the reminder preference) a link names; NotFound for a forged, expired or
    malformed link, or an account that is gone."""
    payload = read_token(UNSUBSCRIBE_PURPOSE, token or "", UNSUBSCRIBE_MAX_AGE) or {}
    user_id, preference = payload.get("u"), payload.get("k")
    user = db.session.get(User, user_id) if isinstance(user_id, int) else None
    if user is None or not user.is_active or preference not in REMINDER_LABELS:
        raise NotFound(_("This link to stop reminders does not work: it is incomplete, altered or "
                         "too old. You can turn reminders off in your notification preferences "
                         "after logging in."))
    return user, preference


def unsubscribe(token: str) -> tuple[User, str]:
    """Turn the link's reminder kind off for its person (twice is harmless); the signed link stands
    for the person, who needs no login."""
    user, preference = read_unsubscribe(token)
    save_preferences(user, user, {preference: Channel.none})
    return user, preference


def _path(endpoint: str, **values) -> str:
    """A local path, built without a request (this runs from cron)."""
    return current_app.url_map.bind("localhost").build(endpoint, values)


# ---------------------------------------------------------------- sending one reminder

def remind(kind: str, target_key: str, users: Iterable[User], url: str, **context) -> int:
    """Queue reminder `kind` about `target_key` to each person not told yet; how many were queued.

    Skips deleted and unconfirmed accounts and those who turned the kind off.
    """
    preference = PREFERENCE[kind]
    people = {u.id: u for u in users if u is not None and u.is_confirmed and u.email}
    if not people:
        return 0
    channels = channels_for(list(people), preference)
    queued = 0
    for user_id in sorted(people):
        if channels[user_id] == Channel.none:
            continue
        # Insert first: a conflict means this person was reminded already (or is being, by a
        # run at the same moment, which then queues the mail).
        if not uow.insert_ignoring_conflict(ReminderSent, kind=kind, target_key=target_key,
                                            recipient_id=user_id, sent_at=utcnow()):
            continue
        user = people[user_id]
        unsubscribe_path = _path("reminders.unsubscribe", token=unsubscribe_token(user_id, preference))
        unsubscribe_url = current_app.config["BASE_URL"].rstrip("/") + unsubscribe_path
        queue_mail(user.email, "reminder", locale=user.locale, user=user, kind=kind, url=url,
                   unsubscribe_path=unsubscribe_path, preference=preference, **context,
                   headers={"List-Unsubscribe": f"<{unsubscribe_url}>",
                            "List-Unsubscribe-Post": "List-Unsubscribe=One-Click"})
        queued += 1
    return queued


def _users(ids: Iterable[int]) -> list[User]:
    ids = sorted(set(ids))
    if not ids:
        return []
    return list(db.session.scalars(
        sa.select(User).where(User.id.in_(ids), User.deleted_at.is_(None))
        .options(lazyload(User.moderator_scopes)).order_by(User.id)
    ))


# ---------------------------------------------------------------- what is due

def _verified_organisations() -> list[User]:
    return list(db.session.scalars(
        sa.select(User).join(Organisation, Organisation.user_id == User.id)
        .where(User.role == Role.organisation, User.deleted_at.is_(None),
               Organisation.verification == Verification.verified)
        .options(lazyload(User.moderator_scopes)).order_by(User.id)
    ))


def _calls(now: datetime) -> int:
    calls = list(db.session.scalars(
        sa.select(Call).where(Call.published_at.is_not(None), Call.opens_at <= now, Call.closes_at > now)
        .order_by(Call.id)
    ))
    if not calls:
        return 0
    organisations = _verified_organisations()
    queued = 0
    for call in calls:
        url = _path("calls.show", call_id=call.id)
        if call.opens_at > now - OPENED_RECENTLY:
            queued += remind("call_opens", f"call:{call.id}:opens", organisations, url,
                             title=call.title, closes_at=call.closes_at)
        if call.closes_at <= now + CLOSING_SOON:
            queued += remind("call_closes", f"call:{call.id}:closes", organisations, url,
                             title=call.title, closes_at=call.closes_at)
    return queued


def _elections(now: datetime) -> int:
    queued = 0
    for election in db.session.scalars(
        sa.select(Election).where(Election.state == ElectionState.voting,
                                  Election.voting_closes_at > now).order_by(Election.id)
    ):
        voters = _users(db.session.scalars(
            sa.select(RollEntry.organisation_id)
            .where(RollEntry.election_id == election.id, RollEntry.voted.is_(False))
        ))
        url = _path("elections.show", election_id=election.id)
        opened = election.voting_opened_at or election.voting_opens_at
        if opened > now - OPENED_RECENTLY:
            queued += remind("voting_opens", f"election:{election.id}:opens", voters, url,
                             title=election.title, closes_at=election.voting_closes_at)
        if election.voting_closes_at <= now + VOTING_CLOSING_SOON:
            queued += remind("voting_closes", f"election:{election.id}:closes", voters, url,
                             title=election.title, closes_at=election.voting_closes_at)
    return queued


def _consultations(now: datetime) -> int:
    queued = 0
    for consultation in db.session.scalars(
        sa.select(Consultation).where(
            Consultation.closed_early_at.is_(None), Consultation.opens_at <= now,
            Consultation.closes_at > now, Consultation.closes_at <= now + CLOSING_SOON,
        ).order_by(Consultation.id)
    ):
        commitment = consultation.commitment
        commenters = db.session.scalars(
            sa.select(Comment.author_id).where(
                Comment.commitment_id == commitment.id, Comment.deleted_at.is_(None),
                Comment.created_at >= consultation.opens_at,
            ).distinct()
        )
        people = _users([*follower_ids("commitment", commitment.id), *commenters])
        queued += remind("consultation_closes", f"consultation:{consultation.id}:closes", people,
                         commitment_path(commitment), title=commitment.title,
                         closes_at=consultation.closes_at)
    return queued


def _tables(now: datetime) -> int:
    tomorrow = clock.today() + timedelta(days=1)
    start = clock.local_to_utc(datetime.combine(tomorrow, time.min))
    end = clock.local_to_utc(datetime.combine(tomorrow + timedelta(days=1), time.min))
    queued = 0
    for table in db.session.scalars(
        sa.select(DialogueTable).where(DialogueTable.state == TableState.scheduled,
                                       DialogueTable.starts_at >= start, DialogueTable.starts_at < end)
        .order_by(DialogueTable.id)
    ):
        registrations = active_registrations(table.id)  # seats, then the waiting list in order
        key, url = f"table:{table.id}:{tomorrow.isoformat()}", _path("dialogues.show", table_id=table.id)
        details = {"title": table.title, "starts_at": table.starts_at, "place": table.place or ""}
        seated = [r.user_id for r in registrations if r.status == RegistrationStatus.confirmed]
        queued += remind("table_tomorrow", key, _users(seated), url, **details)
        # Those waiting are told they have no seat yet, each with their place in the line; one
        # promoted later still gets the reminder of the seated (another key).
        waiting = [r.user for r in registrations if r.status == RegistrationStatus.waiting]
        for position, user in enumerate(waiting, start=1):
            if user.deleted_at is None:
                queued += remind("table_tomorrow", f"{key}:waiting", [user], url, waiting=True,
                                 position=position, **details)
    return queued


def _facilitator_ids(committee_id: int) -> list[int]:
    return list(db.session.scalars(
        sa.select(ModeratorScope.user_id).join(User, User.id == ModeratorScope.user_id)
        .where(ModeratorScope.committee_id == committee_id, User.role == Role.moderator)
    ))


def overdue_occurrence(ends_on, today) -> int | None:
    """Which weekly reminder of a milestone due `ends_on` is due `today` (0 from the day after
    its date, 1 a week later…), or None when it is not overdue or past the last one."""
    days_late = (today - ends_on).days
    if days_late < 1:
        return None
    occurrence = (days_late - 1) // OVERDUE_EVERY.days
    return occurrence if occurrence < OVERDUE_REMINDERS else None


def _milestones(now: datetime) -> int:
    today = clock.today()
    queued = 0
    for milestone, commitment in db.session.execute(
        sa.select(Milestone, Commitment).join(Commitment, Commitment.id == Milestone.commitment_id)
        .where(Commitment.state == CommitmentState.published,
               Milestone.status != MilestoneStatus.complete,
               Milestone.ends_on < today,
               Milestone.ends_on >= today - OVERDUE_EVERY * OVERDUE_REMINDERS)
        .order_by(Milestone.id)
    ):
        occurrence = overdue_occurrence(milestone.ends_on, today)
        if occurrence is None:
            continue
        people = _users([*follower_ids("commitment", commitment.id),
                         *_facilitator_ids(commitment.committee_id)])
        # The date in the key: a milestone moved to a new date starts its reminders again.
        queued += remind("milestone_overdue",
                         f"milestone:{milestone.id}:{milestone.ends_on.isoformat()}:{occurrence}",
                         people, commitment_path(commitment), title=commitment.title,
                         milestone=" ".join(milestone.description.split())[:200],
                         ends_on=milestone.ends_on, days_late=(today - milestone.ends_on).days,
                         last=occurrence == OVERDUE_REMINDERS - 1,
                         overdue_reminders=OVERDUE_REMINDERS)
    return queued


def send_reminders() -> dict[str, int]:
    """Queue every reminder due now that was not sent yet; {what: mails queued}. Flushes only."""
    now = utcnow()
    counts = {
        "calls": _calls(now),
        "elections": _elections(now),
        "consultations": _consultations(now),
        "tables": _tables(now),
        "milestones": _milestones(now),
    }
    db.session.flush()
    return counts
