"""Supports: one per person and proposal, the counter kept by the same unit of work.

A double click or two tabs race by nature: the support and its count are one savepoint, which the
unique constraint undoes for the second (nothing else in the unit of work is lost); the counter
moves by a conditional UPDATE that also refuses a proposal closed meanwhile."""
import sqlalchemy as sa
from flask_babel import gettext as _
from sqlalchemy.exc import IntegrityError

from app.accounts.models import User
from app.core.errors import InvalidTransition
from app.core.permissions import require
from app.core.uow import savepoint
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
    try:
        with savepoint():
            db.session.add(Support(proposal_id=proposal.id, user_id=actor.id))
            db.session.flush()
            if not _counter(proposal.id, +1, Proposal.state.in_(OPEN_STATES), Proposal.hidden_at.is_(None)):
                raise InvalidTransition(_("This proposal no longer accepts supports."))
    except IntegrityError:
        return False  # it was there already
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
