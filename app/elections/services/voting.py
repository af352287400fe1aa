"""Casting a ballot: the voter checked once (the rule elections.vote), the choice once
(`ballot_choice`), then one ballot per organisation, chained under the election's lock.

Exactly one ballot per organisation is the database's answer, not a read. The cast takes the
election's lock (a no-op UPDATE of its row, then `SELECT ... FOR UPDATE`; on SQLite the UPDATE
takes the database's write lock), checks the window again under it, flips the organisation's
roll entry with a conditional UPDATE (`voted` from false to true; no row changed means another
tab or request voted first) and appends to the hash chain from the head it read under the lock.
All of it is one savepoint of the request's unit of work, which commits once. The close takes the
same lock first, so a ballot is either in the box before the close entry or refused; and no cast
holds a roll row while it waits for the lock, so the close can rewrite the roll under it.
"""
import logging

import sqlalchemy as sa
from flask_babel import gettext as _
from sqlalchemy.exc import IntegrityError, OperationalError

from app.accounts.passwords import verify_password
from app.core.errors import InvalidTransition, ValidationError
from app.core.permissions import require
from app.core.uow import savepoint
from app.elections import chain
from app.elections.models import Ballot, Election, RollEntry
from app.elections.permissions import already_voted_message
from app.elections.services.common import lock
from app.elections.windows import voting_problem
from app.extensions import db

log = logging.getLogger(__name__)


def ballot_options(election: Election) -> dict[str, dict]:
    """The frozen candidates of the ballot, by public code."""
    header = election.box_header or {}
    return {c["code"]: c for c in header.get("candidates", [])}


def ballot_choice(election: Election, sent) -> str | None:
    """A candidate's code, or None for a blank ballot (None or ""), exactly as sent: refused,
    never repaired. Several values (a list or a tuple), a hidden or control character, or a code
    that is not on the ballot are a ValidationError on `choice`."""
    if sent is not None and not isinstance(sent, str):
        raise ValidationError(_("The ballot arrived with more than one choice, so nothing was cast. "
                                "Choose one option and send it again."), field="choice")
    if sent and chain.has_hidden_characters(sent):
        raise ValidationError(_("The choice arrived with invisible or control characters, so "
                                "nothing was cast. Choose one option and send it again."),
                              field="choice")
    choice = sent or None
    if choice is not None and choice not in ballot_options(election):
        raise ValidationError(_("Choose one of the candidates or a blank ballot."), field="choice")
    return choice


def cast_ballot(actor, election: Election, choice, password: str) -> str:
    """Cast the organisation's one ballot; returns the receipt code (shown once, never stored).
    `choice`: as `ballot_choice` takes it."""
    require(actor, "elections.vote", election)
    choice = ballot_choice(election, choice)
    # The slow password check comes before any lock is taken.
    if not verify_password(actor.password_hash, password or ""):
        raise ValidationError(_("The password is not correct."), field="password")
    code = chain.new_receipt()
    try:
        with savepoint():
            _append(actor, election, chain.receipt_digest(code), choice)
    except IntegrityError:
        log.warning("a ballot could not be appended (integrity error); nothing was cast")
        raise ValidationError(_("Your ballot could not be recorded and nothing was cast. Please try "
                                "again.")) from None
    except OperationalError:
        log.warning("a ballot could not be appended (database busy); nothing was cast")
        raise ValidationError(_("The ballot box is very busy and your ballot was not cast. Please "
                                "try again in a moment.")) from None
    return chain.format_receipt(code)


def _append(actor, election: Election, digest: str, choice: str | None) -> None:
    # The head is read only under the lock (on SQLite the lock's UPDATE takes the write lock).
    locked = lock(election)
    problem = voting_problem(locked)
    if problem:
        raise InvalidTransition(problem)  # the close won the lock
    marked = db.session.execute(
        sa.update(RollEntry)
        .where(RollEntry.election_id == election.id, RollEntry.organisation_id == actor.id,
               RollEntry.voted.is_(False))
        .values(voted=True),
        execution_options={"synchronize_session": "evaluate"},
    ).rowcount
    if marked != 1:
        raise InvalidTransition(already_voted_message())  # another tab or request won
    position = locked.ballot_count + 1
    entry = chain.ballot_entry(locked.id, position, locked.head_hash, digest, choice)
    db.session.add(Ballot(election_id=locked.id, position=position, receipt_digest=digest,
                          choice=choice, prev_hash=entry["prev_hash"],
                          entry_hash=entry["entry_hash"]))
    locked.ballot_count = position
    locked.head_hash = entry["entry_hash"]
