"""Every change to elections: set-up, nominations, the vote, the close, results and agreements.

Exactly one ballot per organisation is the database's answer, not a read: casting is ONE
transaction that first flips the organisation's roll entry with a conditional UPDATE (`voted`
from false to true; no row changed means it already voted), then takes the election's lock
(`SELECT ... FOR UPDATE` on PostgreSQL; on SQLite the UPDATE already holds the database's
write lock, and the head is read after it) to append to the hash chain, and commits once. The
close takes the same lock, so a ballot is either in the box before the close entry or refused.
"""
import io
import logging
from datetime import UTC, date, datetime
from zoneinfo import ZoneInfo

import sqlalchemy as sa
from flask import current_app
from flask_babel import format_datetime
from flask_babel import gettext as _
from sqlalchemy.exc import IntegrityError, OperationalError

from app.accounts.models import Role
from app.accounts.passwords import verify_password
from app.accounts.services import find_by_email
from app.core.audit import record
from app.core.db import utcnow
from app.core.errors import InvalidTransition, NotFound, PermissionDenied, ValidationError
from app.core.mail import queue_mail
from app.core.permissions import require
from app.core.text import fold
from app.elections import chain, queries, tally, verify
from app.elections import permissions as _permissions  # noqa: F401  (registers the rules)
from app.elections.models import (
    SEAT_KINDS,
    Ballot,
    Candidate,
    CandidateState,
    Election,
    ElectionResult,
    ElectionState,
    RollEntry,
    SelfSelectionAgreement,
    can_move,
)
from app.extensions import db
from app.plans.models import Committee, CommitteeMember, MemberKind

log = logging.getLogger(__name__)

NAME_MAX, BIO_MAX, STATEMENT_MAX, REASON_MAX = 200, 2_000, 6_000, 2_000
RECORD_TYPES = frozenset({
    "application/pdf", "image/png", "image/jpeg",
    "application/vnd.oasis.opendocument.text",
    "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
})


# ---------------------------------------------------------------- helpers


def local_zone() -> ZoneInfo:
    return ZoneInfo(current_app.config["BABEL_DEFAULT_TIMEZONE"])


def local_to_utc(value) -> datetime | None:
    """A naive date-time is local time of Durango (America/Monterrey), as the forms give it."""
    if value is None or value == "":
        return None
    if not isinstance(value, datetime):
        raise ValueError("not a date and time")
    if value.tzinfo is None:
        value = value.replace(tzinfo=local_zone())
    return value.astimezone(UTC)


def utc_to_local(value: datetime | None) -> datetime | None:
    if value is None:
        return None
    return value.astimezone(local_zone()).replace(tzinfo=None)


def today_local() -> date:
    return utcnow().astimezone(local_zone()).date()


def iso(value: datetime) -> str:
    """The form every timestamp takes inside the hash chain: UTC to the second, with a Z."""
    return value.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def when(value: datetime | None) -> str:
    return format_datetime(value, "medium") if value else ""


def clean_text(value, limit: int | None = None) -> str:
    if not isinstance(value, str):
        return ""
    text = "".join(ch for ch in value.replace("\r\n", "\n").replace("\r", "\n")
                   if ch in "\n\t" or ord(ch) >= 32 and ord(ch) != 127).strip()
    return text[:limit] if limit else text


def _one_line(value, limit: int) -> str:
    return " ".join(clean_text(value).split())[:limit]


def _lock(election: Election) -> Election:
    """The election's row, locked for this transaction and read afresh.

    A SELECT takes no lock on SQLite (and FOR UPDATE is ignored there), so a no-op UPDATE of
    the row comes first: it takes SQLite's write lock (or waits for it), which is held until the
    commit, and on PostgreSQL it locks the row like FOR UPDATE. Only then is the head read.
    """
    db.session.execute(
        sa.update(Election).where(Election.id == election.id)
        .values(ballot_count=Election.ballot_count),
        execution_options={"synchronize_session": False},
    )
    return db.session.scalar(
        sa.select(Election).where(Election.id == election.id)
        .with_for_update()
        .execution_options(populate_existing=True)
    )


def _move(election: Election, target: ElectionState) -> None:
    if not can_move(election.state, target):
        raise InvalidTransition(_("This is not possible while the election is in the state “%(state)s”.",
                                  state=election.state_label))
    election.state = target


def _audit(actor, action: str, election: Election, reason: str | None = None, **data) -> None:
    record(actor, f"election.{action}", election, reason=reason, public=True,
           committee_id=election.committee_id, **data)


def _path(endpoint: str, **values) -> str:
    return current_app.url_map.bind("localhost").build(endpoint, values)


def _absolute(path: str) -> str:
    return current_app.config["BASE_URL"].rstrip("/") + path


def _require_not_started(election: Election) -> None:
    """Nothing about candidates, roll or windows changes once voting opened."""
    if election.state not in (ElectionState.draft, ElectionState.nominating):
        raise InvalidTransition(_("Voting has opened: the candidates, the roll and the windows "
                                  "can no longer change."))


# ---------------------------------------------------------------- set-up


def _seats(value) -> list[str]:
    if value in (None, "", "both"):
        return [MemberKind.cs_titular.value, MemberKind.cs_suplente.value]
    if value == "titular":
        return [MemberKind.cs_titular.value]
    if isinstance(value, list | tuple) and value and len(set(value)) == len(value) \
            and all(v in SEAT_KINDS for v in value):
        return list(value)
    raise ValidationError(_("Choose the seats to fill."), field="seats")


def _windows(data: dict, current: Election | None = None) -> dict:
    names = ("nominations_open_at", "nominations_close_at", "voting_opens_at", "voting_closes_at")
    values = {}
    for name in names:
        if name in data:
            try:
                values[name] = local_to_utc(data.get(name))
            except ValueError:
                values[name] = None
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


def create_election(actor, committee: Committee, data: dict) -> Election:
    require(actor, "elections.manage", committee)
    windows = _windows(data)
    if windows["voting_closes_at"] <= utcnow():
        raise ValidationError(_("The voting window must end in the future."), field="voting_closes_at")
    title = _one_line(data.get("title"), 300) or _("Election of the civil-society representatives "
                                                   "of %(committee)s", committee=committee.name)[:300]
    election = Election(
        committee_id=committee.id,
        title=title,
        seats=_seats(data.get("seats")),
        min_participants=_min_participants(data.get("min_participants", 3)),
        state=ElectionState.draft,
        created_by_id=actor.id,
        **windows,
    )
    db.session.add(election)
    db.session.flush()
    _audit(actor, "created", election, title=title, seats=election.seats,
           min_participants=election.min_participants,
           **{k: iso(v) for k, v in windows.items()})
    db.session.commit()
    return election


def _same_minute(a: datetime, b: datetime) -> bool:
    """The forms give minutes: a window sent back unchanged is not a change."""
    return abs((a - b).total_seconds()) < 60


def update_election(actor, election: Election, data: dict) -> Election:
    """Title, seats, minimum and windows; each window only while it has not opened."""
    require(actor, "elections.manage", election)
    election = _lock(election)
    _require_not_started(election)
    now = utcnow()
    for name in ("nominations_open_at", "nominations_close_at", "voting_opens_at", "voting_closes_at"):
        try:
            asked = local_to_utc(data.get(name)) if name in data else None
        except ValueError:
            asked = None
        opened = election.nominations_open_at if name.startswith("nominations") else election.voting_opens_at
        if asked is not None and not _same_minute(asked, getattr(election, name)) and opened <= now:
            raise ValidationError(_("This window has already opened and can no longer change."),
                                  field=name)
    windows = _windows(data, election)
    changes = {}
    for name, value in windows.items():
        old = getattr(election, name)
        if _same_minute(value, old):
            continue
        if value <= now:
            raise ValidationError(_("A window can only be moved to the future."), field=name)
        changes[name] = [iso(old), iso(value)]
        setattr(election, name, value)
    if "title" in data:
        title = _one_line(data.get("title"), 300)
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
        _audit(actor, "edited", election, changes=changes)
    db.session.commit()
    return election


def open_nominations(actor, election: Election) -> Election:
    require(actor, "elections.manage", election)
    election = _lock(election)
    if election.state == ElectionState.draft and election.nominations_close_at <= utcnow():
        raise InvalidTransition(_("The nomination window has already ended: edit the windows first."))
    _move(election, ElectionState.nominating)
    _audit(actor, "nominations_opened", election)
    db.session.commit()
    return election


# ---------------------------------------------------------------- nominations


def _require_nomination_window(election: Election) -> None:
    now = utcnow()
    if election.state != ElectionState.nominating:
        raise InvalidTransition(_("Nominations are not open for this election."))
    if now < election.nominations_open_at:
        raise InvalidTransition(_("Nominations open on %(when)s.", when=when(election.nominations_open_at)))
    if now >= election.nominations_close_at:
        raise InvalidTransition(_("Nominations closed on %(when)s.", when=when(election.nominations_close_at)))


def _unique_code(election_id: int) -> str:
    taken = set(db.session.scalars(
        sa.select(Candidate.public_code).where(Candidate.election_id == election_id)
    ))
    while True:
        code = chain.new_candidate_code()
        if code not in taken:
            return code


def nominate_candidate(actor, election: Election, data: dict) -> Candidate:
    """An approved organisation nominates its one candidate, or replaces it before validation."""
    require(actor, "elections.nominate", election,
            message=_("Only verified organisations approved for this committee can nominate."))
    _require_nomination_window(election)
    if not queries.is_approved(election.committee_id, actor.id):
        raise PermissionDenied(_("Your organisation is not approved for this committee in the "
                                 "call, so it cannot nominate a candidate."))
    name = _one_line(data.get("name"), NAME_MAX + 1)
    if not name:
        raise ValidationError(_("Give the candidate's name."), field="name")
    if len(name) > NAME_MAX:
        raise ValidationError(_("The name has at most %(n)d characters.", n=NAME_MAX), field="name")
    bio = clean_text(data.get("bio"))
    if not bio:
        raise ValidationError(_("Write a short biography."), field="bio")
    if len(bio) > BIO_MAX:
        raise ValidationError(_("The biography has at most %(n)d characters.", n=BIO_MAX), field="bio")
    statement = clean_text(data.get("statement"))
    if not statement:
        raise ValidationError(_("Write the candidate's statement."), field="statement")
    if len(statement) > STATEMENT_MAX:
        raise ValidationError(_("The statement has at most %(n)d characters.", n=STATEMENT_MAX),
                              field="statement")
    person = find_by_email(data.get("email") or "")
    if person is None or not person.is_confirmed:
        raise ValidationError(_("There is no confirmed account with that email address. The "
                                "candidate must first create an account and confirm it."), field="email")
    if person.role in (Role.organisation, Role.admin):
        raise ValidationError(_("A candidate is a person: nominate a personal account, not an "
                                "organisation's or the guarantor body's."), field="email")

    candidate = queries.nomination_of(election.id, actor.id)
    if candidate is not None and candidate.state == CandidateState.validated:
        raise InvalidTransition(_("Your candidate is already validated and can no longer change."))
    other = db.session.scalar(sa.select(Candidate.id).where(
        Candidate.election_id == election.id, Candidate.user_id == person.id,
        Candidate.organisation_id != actor.id))
    if other is not None:
        raise ValidationError(_("This person is already nominated by another organisation."),
                              field="email")
    if candidate is None:
        candidate = Candidate(election_id=election.id, organisation_id=actor.id,
                              public_code=_unique_code(election.id))
        db.session.add(candidate)
    candidate.user_id = person.id
    candidate.name = name
    candidate.bio = bio
    candidate.statement = statement
    candidate.state = CandidateState.pending
    candidate.reason = None
    candidate.answered_at = None
    candidate.decided_at = None
    candidate.decided_by_id = None
    candidate.nominated_at = utcnow()
    try:
        db.session.flush()
    except IntegrityError:
        db.session.rollback()
        raise ValidationError(_("This nomination changed at the same time in another window. "
                                "Reload the page and try again."), field="email") from None
    record(actor, "election.nominated", election, committee_id=election.committee_id,
           candidate_id=candidate.id)
    if person.email:
        queue_mail(person.email, "election_nomination", locale=person.locale, person=person,
                   candidate=candidate, organisation=queries.organisation_name(actor),
                   election=election, url=_absolute(_path("elections.my_nominations")))
    db.session.commit()
    return candidate


def _answerable(actor, candidate: Candidate) -> None:
    require(actor, "elections.answer_nomination", candidate,
            message=_("Only the person nominated can answer this nomination."))
    if candidate.election.state != ElectionState.nominating:
        raise InvalidTransition(_("The nominations of this election are over."))


def accept_nomination(actor, candidate: Candidate) -> Candidate:
    _answerable(actor, candidate)
    if candidate.state != CandidateState.pending:
        raise InvalidTransition(_("This nomination is not waiting for your answer."))
    candidate.state = CandidateState.accepted
    candidate.answered_at = utcnow()
    record(actor, "election.nomination_accepted", candidate.election,
           committee_id=candidate.election.committee_id, candidate_id=candidate.id)
    db.session.commit()
    return candidate


def decline_nomination(actor, candidate: Candidate) -> Candidate:
    _answerable(actor, candidate)
    if candidate.state not in (CandidateState.pending, CandidateState.accepted):
        raise InvalidTransition(_("This nomination can no longer be declined."))
    candidate.state = CandidateState.declined
    candidate.answered_at = utcnow()
    record(actor, "election.nomination_declined", candidate.election,
           committee_id=candidate.election.committee_id, candidate_id=candidate.id)
    db.session.commit()
    return candidate


def validate_candidate(actor, candidate: Candidate) -> Candidate:
    require(actor, "elections.manage", candidate.election)
    _lock(candidate.election)
    _require_not_started(candidate.election)
    if candidate.state != CandidateState.accepted:
        raise InvalidTransition(_("Only a nomination that the candidate accepted can be validated."))
    candidate.state = CandidateState.validated
    candidate.decided_at = utcnow()
    candidate.decided_by_id = actor.id
    _audit(actor, "candidate_validated", candidate.election, candidate_id=candidate.id,
           candidate=candidate.name, code=candidate.public_code)
    db.session.commit()
    return candidate


def reject_candidate(actor, candidate: Candidate, reason: str) -> Candidate:
    require(actor, "elections.manage", candidate.election)
    _lock(candidate.election)
    _require_not_started(candidate.election)
    reason = clean_text(reason, REASON_MAX)
    if not reason:
        raise ValidationError(_("Give the reason for rejecting the candidate."), field="reason")
    if candidate.state not in (CandidateState.pending, CandidateState.accepted, CandidateState.validated):
        raise InvalidTransition(_("This nomination can no longer be rejected."))
    candidate.state = CandidateState.rejected
    candidate.reason = reason
    candidate.decided_at = utcnow()
    candidate.decided_by_id = actor.id
    _audit(actor, "candidate_rejected", candidate.election, reason=reason,
           candidate_id=candidate.id, candidate=candidate.name)
    db.session.commit()
    return candidate


# ---------------------------------------------------------------- opening the vote


def open_voting(actor, election: Election) -> Election:
    """Freeze and publish the roll, commit to the secret seed and start the chain."""
    require(actor, "elections.manage", election)
    election = _lock(election)
    now = utcnow()
    if election.state != ElectionState.nominating:
        _move(election, ElectionState.voting)  # raises with the state's name
    if now < election.nominations_close_at:
        raise InvalidTransition(_("Voting can open once the nomination window has ended (%(when)s).",
                                  when=when(election.nominations_close_at)))
    if now >= election.voting_closes_at:
        raise InvalidTransition(_("The voting window has already ended: edit the windows first."))
    candidates = queries.validated_candidates(election.id)
    if not candidates:
        raise InvalidTransition(_("There is no validated candidate: nobody could be voted for."))
    organisations = queries.electorate(election.committee_id)
    if not organisations:
        raise InvalidTransition(_("No organisation is approved for this committee: the roll would "
                                  "be empty."))

    listed = sorted(((queries.organisation_name(user), user.id) for user in organisations),
                    key=lambda pair: (fold(pair[0]), pair[0], pair[1]))
    for position, (name, organisation_id) in enumerate(listed, start=1):
        db.session.add(RollEntry(election_id=election.id, organisation_id=organisation_id,
                                 name=name[:300], position=position, voted=False))
    roll_hash = chain.roll_hash([{"id": oid, "name": name[:300]} for name, oid in listed])
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
    election.voting_opened_at = now
    _move(election, ElectionState.voting)
    _audit(actor, "voting_opened", election, roll_size=len(listed), roll_hash=roll_hash,
           seed_commitment=election.seed_commitment, genesis_hash=election.genesis_hash,
           candidates=[c.public_code for c in candidates])
    db.session.commit()
    return election


# ---------------------------------------------------------------- casting a ballot


def voting_problem(election: Election, now: datetime | None = None) -> str | None:
    """Why a ballot cannot be cast now, or None."""
    now = now or utcnow()
    if election.state in (ElectionState.draft, ElectionState.nominating):
        return _("Voting has not opened yet.")
    if election.state != ElectionState.voting:
        return _("Voting is closed: no more ballots are accepted.")
    if now < election.voting_opens_at:
        return _("Voting opens on %(when)s.", when=when(election.voting_opens_at))
    if now >= election.voting_closes_at:
        return _("Voting closed on %(when)s: no more ballots are accepted.",
                 when=when(election.voting_closes_at))
    return None


def ballot_options(election: Election) -> dict[str, dict]:
    """The frozen candidates of the ballot, by public code."""
    header = election.box_header or {}
    return {c["code"]: c for c in header.get("candidates", [])}


def check_voter(actor, election: Election) -> RollEntry:
    """The actor's roll entry if it may vote now; raises with a clear message otherwise."""
    require(actor, "elections.vote", election,
            message=_("Only organisations approved for this committee vote. Citizens and other "
                      "accounts can follow the election and check its ballot box."))
    problem = voting_problem(election)
    if problem:
        raise InvalidTransition(problem)
    entry = queries.roll_entry_of(election.id, actor.id)
    if entry is None:
        raise PermissionDenied(_("Your organisation is not on this election's roll: only the "
                                 "organisations approved for this committee when voting opened "
                                 "can vote."))
    if entry.voted:
        raise ValidationError(_("Your organisation has already voted in this election. A ballot "
                                "cannot be changed once cast."))
    return entry


def already_voted_message() -> str:
    return _("Your organisation has already voted in this election. A ballot cannot be changed "
             "once cast.")


def _ballot_choice(election: Election, choice) -> str | None:
    """A candidate's code, or None for a blank ballot, exactly as given: refused, never repaired."""
    if choice is not None and not isinstance(choice, str):
        raise ValidationError(_("The ballot arrived with more than one choice, so nothing was cast. "
                                "Choose one option and send it again."), field="choice")
    if choice and chain.has_hidden_characters(choice):
        raise ValidationError(_("The choice arrived with invisible or control characters, so "
                                "nothing was cast. Choose one option and send it again."),
                              field="choice")
    choice = choice or None
    if choice is not None and choice not in ballot_options(election):
        raise ValidationError(_("Choose one of the candidates or a blank ballot."), field="choice")
    return choice


def cast_ballot(actor, election: Election, choice: str | None, password: str) -> str:
    """Cast the organisation's one ballot; returns the receipt code (shown once, never stored)."""
    check_voter(actor, election)
    choice = _ballot_choice(election, choice)
    # The slow password check comes before any lock is taken.
    if not verify_password(actor.password_hash, password or ""):
        raise ValidationError(_("The password is not correct."), field="password")

    code = chain.new_receipt()
    digest = chain.receipt_digest(code)
    try:
        marked = db.session.execute(
            sa.update(RollEntry)
            .where(RollEntry.election_id == election.id, RollEntry.organisation_id == actor.id,
                   RollEntry.voted.is_(False))
            .values(voted=True),
            execution_options={"synchronize_session": False},
        ).rowcount
        if marked != 1:
            db.session.rollback()
            raise ValidationError(already_voted_message())
        # The head is read only now, under the lock (on SQLite the UPDATE above took the write lock).
        locked = _lock(election)
        problem = voting_problem(locked)
        if problem:
            db.session.rollback()
            raise InvalidTransition(problem)
        position = locked.ballot_count + 1
        entry = chain.ballot_entry(locked.id, position, locked.head_hash, digest, choice)
        db.session.add(Ballot(election_id=locked.id, position=position, receipt_digest=digest,
                              choice=choice, prev_hash=entry["prev_hash"],
                              entry_hash=entry["entry_hash"]))
        locked.ballot_count = position
        locked.head_hash = entry["entry_hash"]
        db.session.commit()
    except IntegrityError:
        db.session.rollback()
        log.warning("a ballot could not be appended (integrity error); nothing was cast")
        raise ValidationError(_("Your ballot could not be recorded and nothing was cast. Please try "
                                "again.")) from None
    except OperationalError:
        db.session.rollback()
        log.warning("a ballot could not be appended (database busy); nothing was cast")
        raise ValidationError(_("The ballot box is very busy and your ballot was not cast. Please "
                                "try again in a moment.")) from None
    return chain.format_receipt(code)


# ---------------------------------------------------------------- closing and the result


def close_election(actor, election: Election, reason: str | None = None) -> Election:
    """Write the close entry under the ballots' lock; early only with a recorded reason."""
    require(actor, "elections.manage", election)
    reason = clean_text(reason, REASON_MAX) or None
    election = _lock(election)
    if election.state != ElectionState.voting:
        _move(election, ElectionState.closed)  # raises with the state's name
    now = utcnow().replace(microsecond=0)
    early = now < election.voting_closes_at
    if early and not reason:
        raise ValidationError(_("Voting is open until %(when)s. To close it early, give the reason.",
                                when=when(election.voting_closes_at)), field="reason")
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
                              voted_hash, iso(now), early_reason)
    election.close_prev_hash = election.head_hash
    election.head_hash = entry["entry_hash"]
    election.voted_hash = voted_hash
    election.closed_at = now
    election.closed_early_reason = early_reason
    _move(election, ElectionState.closed)
    _audit(actor, "closed", election, reason=early_reason, early=early,
           ballots=election.ballot_count, roll_size=len(roll), roll_hash_at_close=roll_hash,
           head_hash=election.head_hash, seed=election.seed)
    db.session.commit()
    _rewrite_roll(election.id)
    return election


def _rewrite_roll(election_id: int) -> None:
    """Write the roll again, in name order, in one transaction after the close.

    While voting, each roll row was updated in the same transaction as its ballot was inserted,
    which PostgreSQL records in the rows (the same `xmin` transaction id, the rows' physical
    order). Rewriting the roll gives every row the same transaction and the name order, so a
    later copy of the live tables no longer pairs roll rows with ballots. Old row versions stay
    in the files until vacuumed and in the write-ahead log: see docs/elections.md.
    """
    try:
        rows = db.session.execute(
            sa.select(RollEntry.id, RollEntry.election_id, RollEntry.organisation_id,
                      RollEntry.name, RollEntry.position, RollEntry.voted)
            .where(RollEntry.election_id == election_id).order_by(RollEntry.position)
        ).mappings().all()
        db.session.execute(sa.delete(RollEntry).where(RollEntry.election_id == election_id),
                           execution_options={"synchronize_session": False})
        if rows:
            db.session.execute(sa.insert(RollEntry), [dict(row) for row in rows])
        db.session.commit()
    except Exception:  # noqa: BLE001 - the close is committed; this is only hygiene
        db.session.rollback()
        log.exception("election %s: the roll could not be rewritten after the close", election_id)
    db.session.expire_all()


def box_document(election: Election) -> dict:
    """The whole ballot box as published after the close (the verifier's input)."""
    if election.state not in (ElectionState.closed, ElectionState.published):
        raise InvalidTransition(_("The ballot box is published when voting closes."))
    entries = [
        {"position": row.position, "kind": "ballot", "receipt_digest": row.receipt_digest,
         "choice": row.choice, "prev_hash": row.prev_hash, "entry_hash": row.entry_hash}
        for row in queries.ballot_rows(election.id)
    ]
    entries.append(chain.close_entry(election.id, election.ballot_count + 1,
                                     election.close_prev_hash, election.voted_hash,
                                     iso(election.closed_at), election.closed_early_reason))
    roll = [{"id": e.organisation_id, "name": e.name, "voted": bool(e.voted)}
            for e in queries.roll(election.id)]
    result = election.result_data if election.state == ElectionState.published else None
    return chain.box_document(election.box_header, roll, election.seed, entries, result,
                              genesis=election.genesis_hash)


def compute_tally(election: Election) -> tally.Tally:
    """The count, once closed (the rule elections.see_counts holds for nobody before)."""
    if election.state not in (ElectionState.closed, ElectionState.published):
        raise InvalidTransition(_("Nobody can see counts before voting closes."))
    codes = list(ballot_options(election))
    return tally.tally(queries.choices(election), codes, election.seats, seed=election.seed,
                       head_hash=election.head_hash, roll_size=queries.roll_size(election.id))


def _term_start(value) -> date:
    if value in (None, ""):
        return today_local()
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    try:
        return date.fromisoformat(str(value))
    except ValueError:
        raise ValidationError(_("Give a date."), field="term_start") from None


def _seat_holders(election: Election, holders: list[tuple[str, str | None, str, int | None]],
                  term_start: date) -> None:
    """New CommitteeMember rows for (kind, name, organisation, user id); previous holders keep
    their rows with term_end set: the committee's history."""
    current = list(db.session.scalars(
        sa.select(CommitteeMember).where(CommitteeMember.committee_id == election.committee_id,
                                         CommitteeMember.kind.in_([h[0] for h in holders if h[1]]),
                                         CommitteeMember.term_end.is_(None))
    ))
    for member in current:
        member.term_end = term_start
    last = db.session.scalar(sa.select(sa.func.max(CommitteeMember.position))
                             .where(CommitteeMember.committee_id == election.committee_id)) or 0
    for offset, (kind, name, organisation, user_id) in enumerate(holders, start=1):
        if not name:
            continue  # a vacant seat: nobody replaces the previous holder
        db.session.add(CommitteeMember(committee_id=election.committee_id, name=name[:200],
                                       position_title=organisation[:300], kind=MemberKind(kind),
                                       user_id=user_id, term_start=term_start,
                                       position=last + offset))


def publish_result(actor, election: Election, term_start=None) -> Election:
    """Count, check the box with the independent verifier, publish and seat the winners."""
    require(actor, "elections.manage", election)
    election = _lock(election)
    if election.state != ElectionState.closed:
        _move(election, ElectionState.published)
    start = _term_start(term_start)
    counted = compute_tally(election)
    result = {**counted.as_dict(), "head_hash": election.head_hash}
    election.result_data = result
    report = io.StringIO()
    box = box_document(election)
    box["result"] = result
    if not verify.verify(box, out=report):
        log.error("election %s: the box does not verify:\n%s", election.id, report.getvalue())
        raise InvalidTransition(_("The ballot box does not verify, so the result was not published. "
                                  "Contact the technical team."))
    candidates = {c.public_code: c for c in queries.all_candidates(election.id)}
    now = utcnow()
    holders = []
    for index, seat in enumerate(counted.seats):
        winner = candidates.get(seat.winner) if seat.winner else None
        draw = next((d for d in counted.draws if seat.kind in d.seats), None)
        db.session.add(ElectionResult(
            election_id=election.id, seat_index=index, seat_kind=seat.kind,
            winner_candidate_id=winner.id if winner else None, winner_code=seat.winner,
            winner_name=winner.name if winner else None,
            winner_organisation=winner.organisation_name if winner else None,
            winner_votes=seat.votes, votes=counted.counts, blank=counted.blank,
            ballots=counted.ballots, roll_size=counted.roll_size, head_hash=election.head_hash,
            tie_break={"votes": draw.votes, "order": draw.candidates, "keys": draw.keys,
                       "seats": draw.seats} if draw else None,
            self_selection=False, published_at=now,
        ))
        holders.append((seat.kind, winner.name if winner else None,
                        winner.organisation_name if winner else "", winner.user_id if winner else None))
    _seat_holders(election, holders, start)
    election.published_at = now
    election.term_start = start
    _move(election, ElectionState.published)
    _audit(actor, "result_published", election, head_hash=election.head_hash,
           term_start=start.isoformat(),
           seats={s.kind: s.winner for s in counted.seats}, draws=len(counted.draws))
    db.session.commit()
    return election


# ---------------------------------------------------------------- self-selection


def self_selection_allowed(election: Election) -> tuple[bool, int]:
    """(allowed, number of organisations approved for the committee now)."""
    approved = len(queries.electorate(election.committee_id))
    return approved < election.min_participants, approved


def record_agreement(actor, election: Election, data: dict, upload=None) -> SelfSelectionAgreement:
    """Record (or replace, until published) the self-selection agreement and its signed record.

    `upload` is an app.core.storage.Upload already inspected (type by extension and content).
    """
    from app.core import storage

    require(actor, "elections.manage", election)
    election = _lock(election)
    _require_not_started(election)
    allowed, approved = self_selection_allowed(election)
    if not allowed:
        raise InvalidTransition(_(
            "%(approved)d organisations are approved for this committee; self-selection is possible "
            "only with fewer than %(minimum)d. Hold the vote instead.",
            approved=approved, minimum=election.min_participants))
    electorate = {u.id: u for u in queries.electorate(election.committee_id)}
    try:
        ids = [int(i) for i in data.get("participants") or []]
    except (TypeError, ValueError):
        ids = []
    if not ids or any(i not in electorate for i in ids):
        raise ValidationError(_("Choose the participating organisations among those approved for "
                                "the committee."), field="participants")
    participants = [{"id": i, "name": queries.organisation_name(electorate[i])}
                    for i in sorted(set(ids))]
    names = {p["id"]: p["name"] for p in participants}

    def person(prefix: str, required: bool):
        name = _one_line(data.get(f"{prefix}_name"), NAME_MAX)
        org_id = data.get(f"{prefix}_organisation_id")
        try:
            org_id = int(org_id) if org_id not in (None, "") else None
        except (TypeError, ValueError):
            org_id = None
        if not name:
            if required:
                raise ValidationError(_("Give the name of the person chosen."), field=f"{prefix}_name")
            return None, None
        if org_id not in names:
            raise ValidationError(_("Choose the organisation among the participants."),
                                  field=f"{prefix}_organisation_id")
        return name, names[org_id]

    titular, titular_org = person("titular", True)
    suplente, suplente_org = person("suplente", MemberKind.cs_suplente.value in election.seats)
    agreed_on = data.get("agreed_on")
    if not isinstance(agreed_on, date):
        raise ValidationError(_("Give the date of the agreement."), field="agreed_on")
    if agreed_on > today_local():
        raise ValidationError(_("The agreement cannot be dated in the future."), field="agreed_on")

    agreement = queries.agreement_of(election.id)
    if agreement is not None and agreement.published:
        raise InvalidTransition(_("The agreement is already published."))
    if upload is None and agreement is None:
        raise ValidationError(_("Attach the signed record of the agreement."), field="record")
    if upload is not None and upload.content_type not in RECORD_TYPES:
        raise ValidationError(_("Send the signed record as PDF, PNG, JPEG, ODT or DOCX."),
                              field="record")
    old_file = None
    if agreement is None:
        agreement = SelfSelectionAgreement(election_id=election.id)
        db.session.add(agreement)
    stored = None
    if upload is not None:
        old_file = agreement.record_stored_name
        stored = storage.write(upload)
        agreement.record_name = upload.original_name
        agreement.record_stored_name = stored
        agreement.record_content_type = upload.content_type
        agreement.record_size = upload.size
        agreement.record_sha256 = upload.sha256
    agreement.participants = participants
    agreement.titular_name = titular
    agreement.titular_organisation = titular_org
    agreement.suplente_name = suplente
    agreement.suplente_organisation = suplente_org
    agreement.agreed_on = agreed_on
    agreement.notes = clean_text(data.get("notes"), 5_000)
    agreement.recorded_by_id = actor.id
    agreement.recorded_at = utcnow()
    _audit(actor, "agreement_recorded", election, participants=[p["id"] for p in participants],
           titular=titular, suplente=suplente, agreed_on=agreed_on.isoformat(),
           record_sha256=agreement.record_sha256)
    try:
        db.session.commit()
    except Exception:
        db.session.rollback()
        if stored:
            storage.delete([stored])
        raise
    if old_file:
        storage.delete([old_file])
    return agreement


def publish_agreement(actor, election: Election, term_start=None) -> SelfSelectionAgreement:
    require(actor, "elections.manage", election)
    election = _lock(election)
    agreement = queries.agreement_of(election.id)
    if agreement is None:
        raise NotFound(_("No self-selection agreement is recorded for this election."))
    if agreement.published:
        raise InvalidTransition(_("The agreement is already published."))
    _move(election, ElectionState.self_selected)
    start = _term_start(term_start)
    now = utcnow()
    chosen = {MemberKind.cs_titular.value: (agreement.titular_name, agreement.titular_organisation),
              MemberKind.cs_suplente.value: (agreement.suplente_name, agreement.suplente_organisation)}
    holders = []
    for index, kind in enumerate(election.seats):
        name, organisation = chosen.get(kind, (None, None))
        db.session.add(ElectionResult(
            election_id=election.id, seat_index=index, seat_kind=kind, winner_name=name,
            winner_organisation=organisation, self_selection=True, published_at=now,
            roll_size=len(agreement.participants),
        ))
        holders.append((kind, name, organisation or "", None))
    _seat_holders(election, holders, start)
    agreement.published_at = now
    election.published_at = now
    election.term_start = start
    _audit(actor, "agreement_published", election, term_start=start.isoformat(),
           titular=agreement.titular_name, suplente=agreement.suplente_name)
    db.session.commit()
    return agreement
