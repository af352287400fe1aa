"""Acts on proposals: propose, edit, withdraw, answer, change state, merge, support.

Each act checks its permission by name, changes the state with a conditional UPDATE (so that
two tabs or two facilitators cannot both act on the same state), writes the audit entry and
notifications in the same transaction, and commits once.
"""
import random
import re
import time
from zoneinfo import ZoneInfo

import sqlalchemy as sa
from flask import current_app
from flask_babel import gettext as _

from app.accounts.models import User
from app.accounts.permissions import facilitates
from app.core.audit import record
from app.core.db import utcnow
from app.core.errors import InvalidTransition, ValidationError
from app.core.permissions import require
from app.core.places import DURANGO_MUNICIPALITIES
from app.core.text import fold
from app.extensions import db
from app.notifications.services import notify
from app.plans.models import ActionPlan, Committee, Theme
from app.proposals.models import (
    FACILITATOR_TRANSITIONS,
    OPEN_STATES,
    Proposal,
    ProposalAnswer,
    ProposalState,
    ProposalVersion,
    Support,
)

TITLE_MIN, TITLE_MAX = 10, 150
BODY_MAX = 20_000
PLACE_MAX = 200
ANSWER_MIN, ANSWER_MAX = 10, 10_000
REASON_MIN, REASON_MAX = 10, 2_000
# Parallel proposals may pick the same next sequence; the unique constraint decides, we retry.
REFERENCE_ATTEMPTS = 30

_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")


# ---------------------------------------------------------------- helpers (no commit)

def clean_text(value) -> str:
    """Text without control characters (PostgreSQL refuses NUL), line ends normalised."""
    if value is None:
        return ""
    return _CONTROL.sub("", str(value).replace("\r\n", "\n").replace("\r", "\n"))


def clean_line(value) -> str:
    return " ".join(clean_text(value).split())


def proposal_path(proposal: Proposal, anchor: str | None = None) -> str:
    """The proposal's page, built without a request (services also run from the CLI and tests)."""
    url = current_app.url_map.bind("localhost").build("proposals.show", {"reference": proposal.reference})
    return f"{url}#{anchor}" if anchor else url


def local_year() -> int:
    return utcnow().astimezone(ZoneInfo(current_app.config["BABEL_DEFAULT_TIMEZONE"])).year


def municipality_for(committee: Committee, author: User) -> str | None:
    """A municipal committee's municipality ("Municipio de Lerdo"), else the author's own."""
    scope = fold(committee.scope or "").strip()
    prefix = "municipio de "
    if scope.startswith(prefix):
        wanted = scope[len(prefix):].strip()
        for name in DURANGO_MUNICIPALITIES:
            if fold(name) == wanted:
                return name
    return author.municipality or None


def search_text_for(proposal: Proposal) -> str:
    parts = [proposal.reference, proposal.title, proposal.body, proposal.place or ""]
    return fold(" ".join(parts))


def _validated_text(data: dict) -> tuple[str, str, str | None]:
    title = clean_line(data.get("title"))
    body = clean_text(data.get("body")).strip()
    place = clean_line(data.get("place")) or None
    if not TITLE_MIN <= len(title) <= TITLE_MAX:
        raise ValidationError(
            _("The title needs between %(min)d and %(max)d characters.", min=TITLE_MIN, max=TITLE_MAX),
            field="title",
        )
    if not body:
        raise ValidationError(_("Describe the problem."), field="body")
    if len(body) > BODY_MAX:
        raise ValidationError(
            _("The description can have at most %(max)d characters.", max=BODY_MAX), field="body"
        )
    if place and len(place) > PLACE_MAX:
        raise ValidationError(
            _("The place can have at most %(max)d characters.", max=PLACE_MAX), field="place"
        )
    return title, body, place


def _as_id(value) -> int | None:
    try:
        return int(value) if value not in (None, "") else None
    except (TypeError, ValueError):
        return None


def _theme_of(plan_id: int, data: dict, required: bool) -> Theme | None:
    theme_id = _as_id(data.get("theme_id"))
    if theme_id is None:
        if required:
            raise ValidationError(_("Choose a theme."), field="theme_id")
        return None
    theme = db.session.get(Theme, theme_id)
    if theme is None or theme.plan_id != plan_id:
        raise ValidationError(_("Choose one of the plan's themes."), field="theme_id")
    return theme


def _plan_has_themes(plan_id: int) -> bool:
    return db.session.scalar(sa.select(sa.exists().where(Theme.plan_id == plan_id)))


def _next_version_number(proposal_id: int) -> int:
    current = db.session.scalar(
        sa.select(sa.func.max(ProposalVersion.number)).where(
            ProposalVersion.proposal_id == proposal_id
        )
    )
    return (current or 0) + 1


def _next_sequence(prefix: str, year: int) -> int:
    """Next number of the plan's year; plans that share a prefix share the count, so that
    references stay unique (DGO-2026-0001 cannot belong to two plans)."""
    current = db.session.scalar(
        sa.select(sa.func.max(Proposal.sequence))
        .join(ActionPlan, ActionPlan.id == Proposal.plan_id)
        .where(ActionPlan.reference_prefix == prefix, Proposal.year == year)
    )
    return (current or 0) + 1


def supporters_of(proposal: Proposal) -> list[User]:
    return list(
        db.session.scalars(
            sa.select(User).join(Support, Support.user_id == User.id).where(
                Support.proposal_id == proposal.id
            )
        )
    )


def _move_state(proposal: Proposal, expected: ProposalState, new_state: ProposalState, *,
                rollback: bool = True, **values):
    """Change the state only if nobody changed it meanwhile (two tabs, two facilitators).

    rollback=False leaves the transaction to a calling service that has work of its own in it.
    """
    result = db.session.execute(
        sa.update(Proposal)
        .where(Proposal.id == proposal.id, Proposal.state == expected)
        .values(state=new_state, updated_at=utcnow(), **values)
        .execution_options(synchronize_session=False)
    )
    if result.rowcount != 1:
        if rollback:
            db.session.rollback()
        raise InvalidTransition(
            _("This proposal changed while you were looking at it. Reload the page and try again.")
        )
    db.session.expire(proposal)


def _answer_text(answer) -> str:
    text = clean_text(answer).strip()
    if len(text) < ANSWER_MIN:
        raise ValidationError(
            _("Give a reasoned answer of at least %(min)d characters.", min=ANSWER_MIN), field="answer"
        )
    if len(text) > ANSWER_MAX:
        raise ValidationError(
            _("The answer can have at most %(max)d characters.", max=ANSWER_MAX), field="answer"
        )
    return text


def _notify_answer(actor, proposal: Proposal, state: ProposalState) -> None:
    recipients = [proposal.author, *supporters_of(proposal)]
    notify(
        recipients,
        "proposal_answered",
        proposal_path(proposal),
        actor=actor,
        reference=proposal.reference,
        title=proposal.title,
        state=state.value,
    )


# ---------------------------------------------------------------- proposing and editing

def create_proposal(actor: User, plan: ActionPlan, data: dict) -> Proposal:
    """A new proposal with its public reference and its first version."""
    require(actor, "proposals.create", plan)
    title, body, place = _validated_text(data)
    committee_id = _as_id(data.get("committee_id"))
    committee = db.session.get(Committee, committee_id) if committee_id else None
    if committee is None or committee.plan_id != plan.id:
        raise ValidationError(_("Choose one of the plan's committees."), field="committee_id")
    theme = _theme_of(plan.id, data, required=_plan_has_themes(plan.id))

    values = {
        "plan_id": plan.id,
        "committee_id": committee.id,
        "theme_id": theme.id if theme else None,
        "author_id": actor.id,
        "title": title,
        "body": body,
        "place": place,
        "municipality": municipality_for(committee, actor),
    }
    prefix, actor_id = plan.reference_prefix, actor.id
    year = local_year()
    for attempt in range(REFERENCE_ATTEMPTS):
        sequence = _next_sequence(prefix, year)
        proposal = Proposal(
            **values, year=year, sequence=sequence, reference=f"{prefix}-{year}-{sequence:04d}"
        )
        proposal.search_text = search_text_for(proposal)
        db.session.add(proposal)
        try:
            db.session.flush()
        except sa.exc.IntegrityError:
            # Someone else took this sequence first; count again.
            db.session.rollback()
            time.sleep(random.uniform(0, 0.02 * (attempt + 1)))
            continue
        db.session.add(
            ProposalVersion(
                proposal_id=proposal.id, number=1, title=title, body=body, place=place,
                theme_id=values["theme_id"], editor_id=actor_id,
            )
        )
        record(actor, "proposal.created", proposal, committee_id=values["committee_id"],
               reference=proposal.reference)
        db.session.commit()
        return proposal
    raise ValidationError(_("Many proposals arrived at the same moment. Please send yours again."))


def edit_proposal(actor: User, proposal: Proposal, data: dict) -> ProposalVersion:
    """A new text, kept as a new version; only before the first support or comment."""
    require(actor, "proposals.edit", proposal)
    title, body, place = _validated_text(data)
    theme = _theme_of(proposal.plan_id, data, required=_plan_has_themes(proposal.plan_id))
    theme_id = theme.id if theme else None
    search_text = fold(" ".join([proposal.reference, title, body, place or ""]))
    # Conditional: a support or comment that arrived meanwhile closes the window.
    result = db.session.execute(
        sa.update(Proposal)
        .where(
            Proposal.id == proposal.id,
            Proposal.state == ProposalState.submitted,
            Proposal.support_count == 0,
            Proposal.comment_count == 0,
            Proposal.hidden_at.is_(None),
        )
        .values(title=title, body=body, place=place, theme_id=theme_id,
                search_text=search_text, updated_at=utcnow())
        .execution_options(synchronize_session=False)
    )
    if result.rowcount != 1:
        db.session.rollback()
        raise InvalidTransition(
            _("This proposal can no longer be edited: it has received a support or a comment.")
        )
    version = ProposalVersion(
        proposal_id=proposal.id, number=_next_version_number(proposal.id), title=title,
        body=body, place=place, theme_id=theme_id, editor_id=actor.id,
    )
    db.session.add(version)
    record(actor, "proposal.edited", proposal, committee_id=proposal.committee_id,
           version=version.number)
    db.session.commit()
    db.session.expire(proposal)
    return version


def withdraw_proposal(actor: User, proposal: Proposal, reason: str) -> None:
    require(actor, "proposals.withdraw", proposal)
    reason = clean_text(reason).strip()
    if not REASON_MIN <= len(reason) <= REASON_MAX:
        raise ValidationError(
            _("Tell readers why, in %(min)d to %(max)d characters.", min=REASON_MIN, max=REASON_MAX),
            field="reason",
        )
    _move_state(proposal, proposal.state, ProposalState.withdrawn,
                withdrawn_at=utcnow(), withdrawal_reason=reason)
    record(actor, "proposal.withdrawn", proposal, reason=reason,
           committee_id=proposal.committee_id, reference=proposal.reference)
    # Supporters learn that what they supported is gone (a change of state, for them).
    notify(supporters_of(proposal), "proposal_answered", proposal_path(proposal), actor=actor,
           reference=proposal.reference, title=proposal.title,
           state=ProposalState.withdrawn.value)
    db.session.commit()


# ---------------------------------------------------------------- facilitators' acts

def change_state(actor: User, proposal: Proposal, new_state: ProposalState, answer: str,
                 *, commit: bool = True) -> ProposalAnswer:
    """Move a proposal to another state with a public, reasoned answer.

    Also called by other areas (dialogue tables put proposals `in_dialogue`); with
    commit=False it only flushes, and the calling service commits once.
    """
    require(actor, "proposals.change_state", proposal)
    try:
        new_state = ProposalState(new_state)
    except ValueError:
        raise ValidationError(_("Choose a state."), field="state") from None
    from_state = proposal.state
    if new_state not in FACILITATOR_TRANSITIONS.get(from_state, set()):
        raise InvalidTransition(
            _("A proposal cannot go from “%(old)s” to that state.", old=proposal.state_label)
        )
    text = _answer_text(answer)
    _move_state(proposal, from_state, new_state, rollback=commit)
    answer_row = ProposalAnswer(proposal_id=proposal.id, actor_id=actor.id, from_state=from_state,
                                to_state=new_state, body=text)
    db.session.add(answer_row)
    record(actor, "proposal.state_changed", proposal, reason=text, public=True,
           committee_id=proposal.committee_id, reference=proposal.reference,
           from_state=from_state.value, to_state=new_state.value)
    _notify_answer(actor, proposal, new_state)
    if commit:
        db.session.commit()
    else:
        db.session.flush()
    return answer_row


def answer_proposal(actor: User, proposal: Proposal, answer: str) -> ProposalAnswer:
    """A public, reasoned answer that leaves the state as it is."""
    require(actor, "proposals.answer", proposal)
    text = _answer_text(answer)
    answer_row = ProposalAnswer(proposal_id=proposal.id, actor_id=actor.id,
                                from_state=proposal.state, to_state=proposal.state, body=text)
    db.session.add(answer_row)
    record(actor, "proposal.answered", proposal, reason=text, public=True,
           committee_id=proposal.committee_id, reference=proposal.reference,
           state=proposal.state.value)
    _notify_answer(actor, proposal, proposal.state)
    db.session.commit()
    return answer_row


def merge_proposal(actor: User, proposal: Proposal, into: Proposal, answer: str) -> ProposalAnswer:
    """`proposal` becomes merged into `into`; both pages link each other, supports stay put."""
    require(actor, "proposals.merge", proposal)
    if into is None:
        raise ValidationError(_("No proposal has that reference."), field="into")
    if into.id == proposal.id:
        raise ValidationError(_("A proposal cannot be merged into itself."), field="into")
    if into.plan_id != proposal.plan_id:
        raise ValidationError(_("Choose a proposal of the same plan."), field="into")
    if into.state in (ProposalState.merged, ProposalState.withdrawn) or into.is_hidden:
        raise ValidationError(
            _("That proposal was merged, withdrawn or hidden; choose the one that remains."),
            field="into",
        )
    if not facilitates(actor, into.committee_id):
        # The proposal merged into gains a public link: its committee must be the actor's too.
        raise ValidationError(
            _("You can merge only into a proposal of a committee you facilitate."), field="into"
        )
    text = _answer_text(answer)
    from_state = proposal.state
    _move_state(proposal, from_state, ProposalState.merged, merged_into_id=into.id)
    answer_row = ProposalAnswer(proposal_id=proposal.id, actor_id=actor.id, from_state=from_state,
                                to_state=ProposalState.merged, body=text)
    db.session.add(answer_row)
    record(actor, "proposal.merged", proposal, reason=text, public=True,
           committee_id=proposal.committee_id, reference=proposal.reference,
           into_reference=into.reference, into_id=into.id)
    notify(
        [proposal.author, *supporters_of(proposal)],
        "proposal_merged",
        proposal_path(proposal),
        actor=actor,
        reference=proposal.reference,
        title=proposal.title,
        into_reference=into.reference,
        into_title=into.title,
    )
    db.session.commit()
    return answer_row


# ---------------------------------------------------------------- supports

def support_proposal(actor: User, proposal: Proposal) -> bool:
    """Add the actor's support. False when it was already there (a double click, two tabs)."""
    require(actor, "proposals.support", proposal)
    proposal_id = proposal.id
    db.session.add(Support(proposal_id=proposal_id, user_id=actor.id))
    try:
        db.session.flush()
    except sa.exc.IntegrityError:
        db.session.rollback()
        return False
    result = db.session.execute(
        sa.update(Proposal)
        .where(Proposal.id == proposal_id, Proposal.state.in_(OPEN_STATES),
               Proposal.hidden_at.is_(None))
        .values(support_count=Proposal.support_count + 1)
        .execution_options(synchronize_session=False)
    )
    if result.rowcount != 1:
        db.session.rollback()
        raise InvalidTransition(_("This proposal no longer accepts supports."))
    db.session.commit()
    db.session.expire(proposal)
    return True


def withdraw_support(actor: User, proposal: Proposal) -> bool:
    """Remove the actor's support; removing one that is not there changes nothing."""
    require(actor, "proposals.unsupport", proposal)
    proposal_id = proposal.id
    deleted = db.session.execute(
        sa.delete(Support)
        .where(Support.proposal_id == proposal_id, Support.user_id == actor.id)
        .execution_options(synchronize_session=False)
    )
    if deleted.rowcount != 1:
        db.session.rollback()
        return False
    db.session.execute(
        sa.update(Proposal)
        .where(Proposal.id == proposal_id)
        .values(support_count=Proposal.support_count - 1)
        .execution_options(synchronize_session=False)
    )
    db.session.commit()
    db.session.expire(proposal)
    return True
