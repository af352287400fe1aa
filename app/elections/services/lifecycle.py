"""An election's life, state by state (models.TRANSITIONS): created as a draft with its windows,
nominations opened, voting opened (roll frozen, seed committed, chain started), voting closed
(the close entry written under the ballots' lock). Results and agreements: results.py and
agreements.py."""
import logging
from datetime import datetime

import sqlalchemy as sa
from flask_babel import gettext as _

from app.calls.queries import call_covers
from app.core.clock import local_to_utc, now
from app.core.errors import InvalidTransition, ValidationError
from app.core.permissions import require
from app.core.text import clean_line, clean_text
from app.core.uow import savepoint
from app.elections import chain, queries
from app.elections.models import SEAT_KINDS, Election, ElectionState, RollEntry
from app.elections.services.common import audit, iso, lock, move, require_not_started
from app.elections.services.setup import freeze_roll
from app.elections.windows import when, when_at_end
from app.extensions import db
from app.plans.models import Committee, MemberKind

log = logging.getLogger(__name__)

REASON_MAX = 2_000
WINDOWS = ("nominations_open_at", "nominations_close_at", "voting_opens_at", "voting_closes_at")


# ---------------------------------------------------------------- the set-up's values


def _seats(value) -> list[str]:
    if value in (None, "", "both"):
        return [MemberKind.cs_titular.value, MemberKind.cs_suplente.value]
    if value == "titular":
        return [MemberKind.cs_titular.value]
    if isinstance(value, list | tuple) and value and len(set(value)) == len(value) \
            and all(v in SEAT_KINDS for v in value):
        return list(value)
    raise ValidationError(_("Choose the seats to fill."), field="seats")


def _utc(value) -> datetime | None:
    """A form's date and time (naive: the plan's local time) in UTC; None if it is not one."""
    return local_to_utc(value) if isinstance(value, datetime) else None


def _windows(data: dict, current: Election | None = None) -> dict:
    values = {}
    for name in WINDOWS:
        if name in data:
            values[name] = _utc(data.get(name))
            if values[name] is None:
                raise ValidationError(_("Give a date and time."), field=name)
        elif current is not None:
            values[name] = getattr(current, name)
        else:
            raise ValidationError(_("Give a date and time."), field=name)
    if values["nominations_close_at"] <= values["nominations_open_at"]:
        raise ValidationError(_("Nominations must close after they open."),
                              field="nominations_close_at")
    if values["voting_opens_at"] < values["nominations_close_at"]:
        raise ValidationError(_("Voting can open only once nominations have closed."),
                              field="voting_opens_at")
    if values["voting_closes_at"] <= values["voting_opens_at"]:
        raise ValidationError(_("Voting must close after it opens."), field="voting_closes_at")
    return values


def _min_participants(value) -> int:
    try:
        number = int(value)
    except (TypeError, ValueError):
        raise ValidationError(_("Give a whole number."), field="min_participants") from None
    if not 0 <= number <= 10_000:
        raise ValidationError(_("Give a number between 0 and 10000."), field="min_participants")
    return number


def _call_id(committee: Committee, value) -> int:
    """The call the election belongs to: the one chosen, which must include the committee; by
    default the latest call that includes it and has no election for it yet."""
    try:
        chosen = int(value) if value not in (None, "", 0, "0") else None
    except (TypeError, ValueError):
        chosen = -1
    if chosen is None:
        found = queries.default_call_id(committee.id)
        if found is not None:
            return found
        if queries.elections_of_committee(committee.id):
            raise ValidationError(_("Every published call that includes this committee already has "
                                    "an election: publish a new call for it, or choose the call."),
                                  field="call_id")
        raise ValidationError(_("No published call includes this committee: publish a call for "
                                "it first."), field="call_id")
    if not call_covers(chosen, committee.id):
        raise ValidationError(_("This call does not include the committee «%(committee)s»: choose "
                                "a call that does.", committee=committee.name), field="call_id")
    return chosen


def _same_minute(a: datetime, b: datetime) -> bool:
    """The forms give minutes: a window sent back unchanged is not a change."""
    return abs((a - b).total_seconds()) < 60


# ---------------------------------------------------------------- draft


def create_election(actor, committee: Committee, data: dict) -> Election:
    """A draft election of the committee. `data`: call_id (a published call that includes the
    committee; empty = the latest such call without an election for the committee), title,
    seats, the four windows (naive = the plan's local time), min_participants."""
    require(actor, "elections.manage", committee)
    call_id = _call_id(committee, data.get("call_id"))
    windows = _windows(data)
    if windows["voting_closes_at"] <= now():
        raise ValidationError(_("The voting window must end in the future."), field="voting_closes_at")
    title = clean_line(data.get("title"), 300) or _("Election of the civil-society representatives "
                                                    "of %(committee)s", committee=committee.name)[:300]
    election = Election(
        committee_id=committee.id,
        call_id=call_id,
        title=title,
        seats=_seats(data.get("seats")),
        min_participants=_min_participants(data.get("min_participants", 3)),
        state=ElectionState.draft,
        created_by_id=actor.id,
        **windows,
    )
    db.session.add(election)
    db.session.flush()
    audit(actor, "created", election, title=title, call_id=call_id, seats=election.seats,
          min_participants=election.min_participants, **{k: iso(v) for k, v in windows.items()})
    db.session.flush()
    return election


def update_election(actor, election: Election, data: dict) -> Election:
    """Call, title, seats, minimum and windows (keys of `data` as create_election's; those left
    out keep their value); each window only while it has not opened."""
    require(actor, "elections.manage", election)
    election = lock(election)
    require_not_started(election)
    moment = now()
    for name in WINDOWS:
        asked = _utc(data.get(name)) if name in data else None
        opened = election.nominations_open_at if name.startswith("nominations") else election.voting_opens_at
        if asked is not None and not _same_minute(asked, getattr(election, name)) and opened <= moment:
            raise ValidationError(_("This window has already opened and can no longer change."),
                                  field=name)
    windows = _windows(data, election)
    changes = {}
    for name, value in windows.items():
        old = getattr(election, name)
        if _same_minute(value, old):
            continue
        if value <= moment:
            raise ValidationError(_("A window can only be moved to the future."), field=name)
        changes[name] = [iso(old), iso(value)]
        setattr(election, name, value)
    if "call_id" in data:
        call_id = _call_id(election.committee, data.get("call_id") or election.call_id)
        if call_id != election.call_id and election.state != ElectionState.draft:
            raise ValidationError(_("The call can change only before nominations open."),
                                  field="call_id")
        if call_id != election.call_id:
            changes["call_id"] = [election.call_id, call_id]
            election.call_id = call_id
    if "title" in data:
        title = clean_line(data.get("title"), 300)
        if not title:
            raise ValidationError(_("Give the election a title."), field="title")
        if title != election.title:
            changes["title"] = [election.title, title]
            election.title = title
    if "seats" in data:
        seats = _seats(data.get("seats"))
        if seats != election.seats:
            changes["seats"] = [election.seats, seats]
            election.seats = seats
    if "min_participants" in data:
        number = _min_participants(data.get("min_participants"))
        if number != election.min_participants:
            changes["min_participants"] = [election.min_participants, number]
            election.min_participants = number
    if changes:
        audit(actor, "edited", election, changes=changes)
    db.session.flush()
    return election


# ---------------------------------------------------------------- nominating, voting


def open_nominations(actor, election: Election) -> Election:
    require(actor, "elections.manage", election)
    election = lock(election)
    if election.state == ElectionState.draft and election.nominations_close_at <= now():
        raise InvalidTransition(_("The nomination window has already ended: edit the windows first."))
    move(election, ElectionState.nominating)
    audit(actor, "nominations_opened", election)
    db.session.flush()
    return election


def open_voting(actor, election: Election) -> Election:
    """Freeze and publish the roll, commit to the secret seed and start the chain."""
    require(actor, "elections.manage", election)
    election = lock(election)
    moment = now()
    if election.state != ElectionState.nominating:
        move(election, ElectionState.voting)  # raises with the state's name
    if moment < election.nominations_close_at:
        raise InvalidTransition(_("Voting can open once the nomination window has ended (%(when)s).",
                                  when=when(election.nominations_close_at)))
    if moment >= election.voting_closes_at:
        raise InvalidTransition(_("The voting window has already ended: edit the windows first."))
    candidates = queries.validated_candidates(election.id)
    if not candidates:
        raise InvalidTransition(_("There is no validated candidate: nobody could be voted for."))
    roll_size, roll_hash = freeze_roll(election)
    seed = chain.new_seed()
    header = chain.box_header(
        election_id=election.id,
        title=election.title,
        committee=election.committee.name,
        seats=election.seats,
        candidates=[{"code": c.public_code, "name": c.name, "organisation": c.organisation_name}
                    for c in candidates],
        roll_hash_=roll_hash,
        commitment=chain.seed_commitment(seed),
        voting_opens_at=iso(election.voting_opens_at),
        voting_closes_at=iso(election.voting_closes_at),
    )
    election.seed = seed
    election.seed_commitment = header["seed_commitment"]
    election.roll_hash = roll_hash
    election.box_header = header
    election.genesis_hash = chain.genesis_hash(header)
    election.head_hash = election.genesis_hash
    election.ballot_count = 0
    election.voting_opened_at = moment
    move(election, ElectionState.voting)
    audit(actor, "voting_opened", election, roll_size=roll_size, roll_hash=roll_hash,
          seed_commitment=election.seed_commitment, genesis_hash=election.genesis_hash,
          candidates=[c.public_code for c in candidates])
    db.session.flush()
    return election


# ---------------------------------------------------------------- the close


def close_election(actor, election: Election, reason: str | None = None) -> Election:
    """Write the close entry under the ballots' lock; early only with a recorded reason."""
    require(actor, "elections.manage", election)
    reason = clean_text(reason, REASON_MAX) or None
    election = lock(election)
    if election.state != ElectionState.voting:
        move(election, ElectionState.closed)  # raises with the state's name
    moment = now().replace(microsecond=0)
    early = moment < election.voting_closes_at
    if early and not reason:
        raise ValidationError(_("Voting is open until %(when)s. To close it early, give the reason.",
                                when=when_at_end(election.voting_closes_at)), field="reason")
    early_reason = reason if early else None
    roll = queries.roll(election.id)
    roll_hash = chain.roll_hash([{"id": e.organisation_id, "name": e.name} for e in roll])
    if roll_hash != election.roll_hash:
        log.error("election %s: the roll changed since it was published", election.id)
        raise InvalidTransition(_("The roll no longer matches the hash published when voting "
                                  "opened. The election was not closed; contact the technical team."))
    voted = sorted(e.organisation_id for e in roll if e.voted)
    if len(voted) != election.ballot_count:
        log.error("election %s: %s ballots but %s organisations marked as voted",
                  election.id, election.ballot_count, len(voted))
        raise InvalidTransition(_("The number of ballots does not match the roll. The election was "
                                  "not closed; contact the technical team."))
    voted_hash = chain.voted_hash(voted)
    entry = chain.close_entry(election.id, election.ballot_count + 1, election.head_hash,
                              voted_hash, iso(moment), early_reason)
    election.close_prev_hash = election.head_hash
    election.head_hash = entry["entry_hash"]
    election.voted_hash = voted_hash
    election.closed_at = moment
    election.closed_early_reason = early_reason
    move(election, ElectionState.closed)
    audit(actor, "closed", election, reason=early_reason, early=early,
          ballots=election.ballot_count, roll_size=len(roll), roll_hash_at_close=roll_hash,
          head_hash=election.head_hash, seed=election.seed)
    db.session.flush()
    _rewrite_roll(election.id)
    return election


def _rewrite_roll(election_id: int) -> None:
    """Write the roll again, in name order, in the close's transaction.

    While voting, each roll row was updated in the same transaction as its ballot was inserted,
    which PostgreSQL records in the rows (the same `xmin` transaction id, the rows' physical
    order). Rewriting the roll gives every row the close's transaction and the name order, so a
    later copy of the live tables no longer pairs roll rows with ballots. Old row versions stay
    in the files until vacuumed and in the write-ahead log: see docs/elections.md. The close holds
    the election's lock, which a cast takes before it touches the roll, so no cast holds a roll
    row meanwhile. A savepoint: if the rewrite fails, the close stands and only it is undone.
    """
    try:
        with savepoint():
            rows = db.session.execute(
                sa.select(RollEntry.id, RollEntry.election_id, RollEntry.organisation_id,
                          RollEntry.name, RollEntry.position, RollEntry.voted)
                .where(RollEntry.election_id == election_id).order_by(RollEntry.position)
            ).mappings().all()
            db.session.execute(sa.delete(RollEntry).where(RollEntry.election_id == election_id),
                               execution_options={"synchronize_session": False})
            if rows:
                db.session.execute(sa.insert(RollEntry), [dict(row) for row in rows])
    except Exception:  # noqa: BLE001 - the close stands; the rewrite is only hygiene
        log.exception("election %s: the roll could not be rewritten after the close", election_id)
    # The roll rows the session holds were written again behind its back: read them afresh.
    for entry in [o for o in db.session.identity_map.values() if isinstance(o, RollEntry)]:
        db.session.expire(entry)
