"""Acts on a committee's sessions: record a session with its attendance, add its agreements,
mark an agreement done, publish the minutes. Each checks the permission by name, validates
(every mistake named on its field), changes with a conditional statement where a double click
could act twice, writes the public audit entry and flushes (the request commits)."""
from datetime import date

import sqlalchemy as sa
from flask_babel import gettext as _

from app.core.audit import record
from app.core.clock import today
from app.core.db import utcnow
from app.core.errors import InvalidTransition
from app.core.permissions import require
from app.core.text import clean_text
from app.extensions import db
from app.ledger import services as ledger
from app.meetings import permissions as _permissions  # noqa: F401  (registers the rules)
from app.meetings import queries, records
from app.meetings.models import CommitteeSession, SessionAgreement, SessionAttendance
from app.plans.models import Committee, MemberKind
from app.plans.services._input import Errors  # field errors raised together, as in the plans' forms

AGENDA_MAX = 20_000
TEXT_MAX = 5_000
LINE_MAX = 300


def _text(data: dict, key: str, limit: int, errors: Errors, required: str | None = None) -> str:
    value = clean_text(data.get(key) or "").strip()
    if required and not value:
        errors.add(key, required)
    elif len(value) > limit:
        errors.add(key, _("Use at most %(max)d characters.", max=limit))
    return value


def _day(data: dict, key: str, errors: Errors, required: str) -> date | None:
    value = data.get(key)
    if not isinstance(value, date):
        errors.add(key, required)
        return None
    return value


def record_session(actor, committee: Committee, data: dict) -> CommitteeSession:
    """A session held on `held_on` with its agenda and who attended: `present` (ids of current
    members), and `stand_in` (the suplente, present, stood in for the absent titular)."""
    require(actor, "meetings.manage", committee)
    errors = Errors()
    held_on = _day(data, "held_on", errors, _("Give the date of the session, such as 2026-03-31."))
    if held_on and held_on > today():
        errors.add("held_on", _("Record a session once it has been held: the date cannot be in the future."))
    place = _text(data, "place", LINE_MAX, errors)
    agenda = _text(data, "agenda", AGENDA_MAX, errors, _("Write the agenda of the session."))
    members = queries.current_members(committee)
    by_id = {m.id: m for m in members}
    try:
        present = {int(i) for i in data.get("present") or []}
    except (TypeError, ValueError):
        present = set()
        errors.add("present", _("Choose the members who attended among the committee's members."))
    if present - set(by_id):
        errors.add("present", _("Choose the members who attended among the committee's members."))
    titular = next((m for m in members if m.kind == MemberKind.cs_titular), None)
    suplente = next((m for m in members if m.kind == MemberKind.cs_suplente), None)
    stand_in = bool(data.get("stand_in"))
    if stand_in and not (suplente and suplente.id in present and titular and titular.id not in present):
        errors.add("stand_in", _("A suplente stands in only when present and the titular is absent."))
    errors.raise_any()

    seats = sum(1 for m in members if m.kind in queries.COUNTING)
    filled = sum(1 for m in members if m.kind in queries.COUNTING and m.id in present) + (1 if stand_in else 0)
    session = CommitteeSession(
        committee_id=committee.id, held_on=held_on, place=place, agenda=agenda, seats=seats,
        present=filled, quorum=queries.quorum_of(committee, seats), recorded_by_id=actor.id)
    for member in members:
        if member.kind == MemberKind.facilitator:
            continue
        session.attendance.append(SessionAttendance(
            member_id=member.id, name=member.name, kind=member.kind.value, present=member.id in present,
            stood_in_for=titular.name if stand_in and member is suplente else None))
    db.session.add(session)
    db.session.flush()
    record(actor, "meetings.session_recorded", session, public=True, committee_id=committee.id,
           held_on=held_on.isoformat(), present=filled, quorum=session.quorum, seats=seats,
           stand_in=stand_in)
    db.session.flush()
    return session


def add_agreement(actor, session: CommitteeSession, data: dict) -> SessionAgreement:
    require(actor, "meetings.manage", session)
    errors = Errors()
    text = _text(data, "text", TEXT_MAX, errors, _("Write what was agreed."))
    owner = _text(data, "owner", LINE_MAX, errors, _("Say who is responsible for it."))
    due_on = _day(data, "due_on", errors, _("Give the date it is due, such as 2026-03-31."))
    if due_on and due_on < session.held_on:
        errors.add("due_on", _("It cannot be due before the session was held."))
    errors.raise_any()
    position = (db.session.scalar(sa.select(sa.func.max(SessionAgreement.position)).where(
        SessionAgreement.session_id == session.id)) or 0) + 1
    agreement = SessionAgreement(session_id=session.id, position=position, text=text, owner=owner,
                                 due_on=due_on)
    db.session.add(agreement)
    db.session.flush()
    ledger.append(session.committee.plan_id, "session_agreement", f"session_agreement:{agreement.id}",
                  records.agreement_content(agreement))
    record(actor, "meetings.agreement_added", agreement, public=True, committee_id=session.committee_id,
           session_id=session.id, owner=owner, due_on=due_on.isoformat())
    db.session.flush()
    db.session.expire(session, ["agreements"])
    return agreement


def complete_agreement(actor, agreement: SessionAgreement, data: dict) -> None:
    """The agreement is done on `done_on`, with an optional note; once."""
    session = agreement.session
    require(actor, "meetings.manage", session)
    errors = Errors()
    done_on = _day(data, "done_on", errors, _("Give the date it was done, such as 2026-03-31."))
    if done_on and done_on > today():
        errors.add("done_on", _("The date cannot be in the future."))
    elif done_on and done_on < session.held_on:
        errors.add("done_on", _("It cannot be done before the session was held."))
    note = _text(data, "note", TEXT_MAX, errors)
    errors.raise_any()
    done = db.session.execute(
        sa.update(SessionAgreement)
        .where(SessionAgreement.id == agreement.id, SessionAgreement.done_on.is_(None))
        .values(done_on=done_on, done_note=note or None, done_by_id=actor.id)
        .execution_options(synchronize_session=False)
    ).rowcount
    if done != 1:
        raise InvalidTransition(_("This agreement is already marked done."))
    db.session.refresh(agreement)
    ledger.append(session.committee.plan_id, "agreement_done", f"session_agreement:{agreement.id}",
                  records.agreement_done_content(agreement))
    record(actor, "meetings.agreement_done", agreement, public=True, committee_id=session.committee_id,
           session_id=session.id, done_on=done_on.isoformat())
    db.session.flush()


def publish_minutes(actor, session: CommitteeSession, minutes: str) -> None:
    """The session's minutes, published once (they are the public record of the session)."""
    require(actor, "meetings.manage", session)
    errors = Errors()
    text = _text({"minutes": minutes}, "minutes", AGENDA_MAX, errors, _("Write the minutes."))
    errors.raise_any()
    done = db.session.execute(
        sa.update(CommitteeSession)
        .where(CommitteeSession.id == session.id, CommitteeSession.minutes_published_at.is_(None))
        .values(minutes=text, minutes_published_at=utcnow())
        .execution_options(synchronize_session=False)
    ).rowcount
    if done != 1:
        raise InvalidTransition(_("The minutes of this session are already published."))
    db.session.refresh(session)
    ledger.append(session.committee.plan_id, "session_minutes", f"committee_session:{session.id}",
                  records.minutes_content(session))
    record(actor, "meetings.minutes_published", session, public=True, committee_id=session.committee_id)
    db.session.flush()
