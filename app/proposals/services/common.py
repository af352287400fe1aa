"""What the acts on proposals share: the limits of their texts, the proposal's page, its
supporters, the conditional change of state and the reasoned answer."""
import sqlalchemy as sa
from flask import current_app
from flask_babel import gettext as _

from app.accounts.models import User
from app.core.db import utcnow
from app.core.errors import InvalidTransition, ValidationError
from app.core.text import clean_text
from app.extensions import db
from app.notifications.services import notify
from app.proposals.models import Proposal, ProposalState, Support

TITLE_MIN, TITLE_MAX = 10, 150
BODY_MAX = 20_000
PLACE_MAX = 200
ANSWER_MIN, ANSWER_MAX = 10, 10_000
REASON_MIN, REASON_MAX = 10, 2_000


def proposal_path(proposal: Proposal, anchor: str | None = None) -> str:
    """The proposal's page, built without a request (services also run from the CLI and tests)."""
    url = current_app.url_map.bind("localhost").build("proposals.show", {"reference": proposal.reference})
    return f"{url}#{anchor}" if anchor else url


def supporters_of(proposal: Proposal) -> list[User]:
    return list(
        db.session.scalars(
            sa.select(User).join(Support, Support.user_id == User.id).where(
                Support.proposal_id == proposal.id
            )
        )
    )


def move_state(proposal: Proposal, expected: ProposalState, new_state: ProposalState, **values) -> None:
    """Change the state only if nobody changed it meanwhile (two tabs, two facilitators)."""
    result = db.session.execute(
        sa.update(Proposal)
        .where(Proposal.id == proposal.id, Proposal.state == expected)
        .values(state=new_state, updated_at=utcnow(), **values)
        .execution_options(synchronize_session=False)
    )
    if result.rowcount != 1:
        raise InvalidTransition(
            _("This proposal changed while you were looking at it. Reload the page and try again.")
        )
    db.session.expire(proposal)


def answer_text(answer) -> str:
    text = clean_text(answer)
    if len(text) < ANSWER_MIN:
        raise ValidationError(
            _("Give a reasoned answer of at least %(min)d characters.", min=ANSWER_MIN), field="answer"
        )
    if len(text) > ANSWER_MAX:
        raise ValidationError(
            _("The answer can have at most %(max)d characters.", max=ANSWER_MAX), field="answer"
        )
    return text


def tell_author_and_supporters(actor, proposal: Proposal, kind: str, **params) -> None:
    """The author and the supporters learn of what happened to the proposal (`kind`)."""
    notify([proposal.author, *supporters_of(proposal)], kind, proposal_path(proposal), actor=actor,
           reference=proposal.reference, title=proposal.title, **params)


def notify_answer(actor, proposal: Proposal, state: ProposalState) -> None:
    """An answer or a change of state."""
    tell_author_and_supporters(actor, proposal, "proposal_answered", state=state.value)
