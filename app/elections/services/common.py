"""What the acts on an election share: its lock, its state moves, its public record, and the form
timestamps take in the hash chain."""
from datetime import UTC, datetime

import sqlalchemy as sa
from flask_babel import gettext as _

from app.core.audit import record
from app.core.errors import InvalidTransition
from app.elections import permissions as _permissions  # noqa: F401  (registers the rules)
from app.elections.models import Election, ElectionState, can_move
from app.extensions import db


def iso(value: datetime) -> str:
    """The form every timestamp takes inside the hash chain: UTC to the second, with a Z."""
    return value.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def lock(election: Election) -> Election:
    """The election's row, locked until the unit of work ends, and read afresh.

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


def move(election: Election, target: ElectionState) -> None:
    """The state table (models.TRANSITIONS) allows the move, or the refusal names the state."""
    if not can_move(election.state, target):
        raise InvalidTransition(_("This is not possible while the election is in the state “%(state)s”.",
                                  state=election.state_label))
    election.state = target


def audit(actor, action: str, election: Election, reason: str | None = None, **data) -> None:
    """A public entry of the election's record (its page shows the trail)."""
    record(actor, f"election.{action}", election, reason=reason, public=True,
           committee_id=election.committee_id, **data)


def require_not_started(election: Election) -> None:
    """Nothing about candidates, roll or windows changes once voting opened."""
    if election.state not in (ElectionState.draft, ElectionState.nominating):
        raise InvalidTransition(_("Voting has opened: the candidates, the roll and the windows "
                                  "can no longer change."))
