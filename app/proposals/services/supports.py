"""Supports: one per person and proposal, the counter kept by the same unit of work.

A double click or two tabs race by nature: the INSERT ignores the conflict and says whether the
row is new; the counter moves only then, by a conditional UPDATE that also refuses a proposal
closed meanwhile (the savepoint undoes the support with it)."""
import sqlalchemy as sa
from flask_babel import gettext as _

from app.accounts.models import User
from app.core.errors import InvalidTransition
from app.core.permissions import require
from app.core.uow import insert_ignoring_conflict, savepoint
from app.extensions import db
from app.proposals.models import OPEN_STATES, Proposal, Support


def _counter(proposal_id: int, delta: int, *where) -> int:
    return db.session.execute(
        sa.update(Proposal)
        .where(Proposal.id == proposal_id, *where)
        .values(support_count=Proposal.support_count + delta)
        .execution_options(synchronize_session=False)
    ).rowcount


def support_proposal(actor: User, proposal: Proposal) -> bool:
    """Add the actor's support. False when it was already there (a double click, two tabs)."""
    require(actor, "proposals.support", proposal)
    with savepoint():
        if not insert_ignoring_conflict(Support, proposal_id=proposal.id, user_id=actor.id):
            return False
        if not _counter(proposal.id, +1, Proposal.state.in_(OPEN_STATES), Proposal.hidden_at.is_(None)):
            raise InvalidTransition(_("This proposal no longer accepts supports."))
    db.session.expire(proposal, ["support_count"])
    return True


def withdraw_support(actor: User, proposal: Proposal) -> bool:
    """Remove the actor's support; removing one that is not there changes nothing."""
    require(actor, "proposals.unsupport", proposal)
    deleted = db.session.execute(
        sa.delete(Support)
        .where(Support.proposal_id == proposal.id, Support.user_id == actor.id)
        .execution_options(synchronize_session=False)
    ).rowcount
    if deleted != 1:
        return False
    _counter(proposal.id, -1)
    db.session.expire(proposal, ["support_count"])
    return True
