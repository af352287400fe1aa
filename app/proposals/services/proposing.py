"""The author's acts: propose (with the public reference), edit before anyone reacts, withdraw."""
import random
import time

import sqlalchemy as sa
from flask_babel import gettext as _

from app.accounts.models import User
from app.core.audit import record
from app.core.clock import today
from app.core.db import utcnow
from app.core.errors import InvalidTransition, ValidationError
from app.core.permissions import require
from app.core.text import clean_line, clean_text, fold
from app.core.uow import savepoint
from app.extensions import db
from app.maps.location import validated_location
from app.notifications.services import notify
from app.places.queries import municipalities_covered_by, place_named
from app.plans.models import ActionPlan, Committee, Theme
from app.proposals.models import Proposal, ProposalState, ProposalVersion
from app.proposals.services import attachments
from app.proposals.services.common import (
    BODY_MAX,
    PLACE_MAX,
    REASON_MAX,
    REASON_MIN,
    TITLE_MAX,
    TITLE_MIN,
    move_state,
    proposal_path,
    supporters_of,
)

# Parallel proposals may pick the same next sequence; the unique constraint decides, we retry.
REFERENCE_ATTEMPTS = 30


def municipality_for(committee: Committee, author: User) -> str | None:
    """When the form names none: the one municipality the committee covers, else the author's own
    when it is in the plan's catalogue."""
    covered = municipalities_covered_by(committee)
    if len(covered) == 1:
        return covered[0]
    own = place_named(committee.plan, author.municipality)
    return own.name if own is not None else None


def _municipality_of(plan: ActionPlan, committee: Committee, author: User, data: dict) -> str | None:
    """The municipality the form chose (one of the plan's catalogue, or none); a value outside the
    catalogue is refused."""
    if "municipality" not in data:
        return municipality_for(committee, author)
    value = clean_line(data.get("municipality"))
    if not value:
        return None
    place = place_named(plan, value)
    if place is None:
        raise ValidationError(_("Choose a municipality of the plan's catalogue."), field="municipality")
    return place.name


def search_text_for(proposal: Proposal) -> str:
    parts = [proposal.reference, proposal.title, proposal.body, proposal.place or ""]
    return fold(" ".join(parts))


def _validated_text(data: dict) -> tuple[str, str, str | None]:
    title = clean_line(data.get("title"))
    body = clean_text(data.get("body"))
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
    references stay unique (ABC-2026-0001 cannot belong to two plans)."""
    current = db.session.scalar(
        sa.select(sa.func.max(Proposal.sequence))
        .join(ActionPlan, ActionPlan.id == Proposal.plan_id)
        .where(ActionPlan.reference_prefix == prefix, Proposal.year == year)
    )
    return (current or 0) + 1


def _values(actor: User, plan: ActionPlan, data: dict) -> dict:
    title, body, place = _validated_text(data)
    committee_id = _as_id(data.get("committee_id"))
    committee = db.session.get(Committee, committee_id) if committee_id else None
    if committee is None or committee.plan_id != plan.id:
        raise ValidationError(_("Choose one of the plan's committees."), field="committee_id")
    theme = _theme_of(plan.id, data, required=_plan_has_themes(plan.id))
    location = validated_location(data)
    return {
        "plan_id": plan.id,
        "committee_id": committee.id,
        "theme_id": theme.id if theme else None,
        "author_id": actor.id,
        "title": title,
        "body": body,
        "place": place,
        "municipality": _municipality_of(plan, committee, actor, data),
        **location,
    }


def check_proposal(actor: User, plan: ActionPlan, data: dict) -> dict:
    """What create_proposal would store, without storing it (the preview); ValidationError as it."""
    require(actor, "proposals.create", plan)
    return _values(actor, plan, data)


def _published_with(actor: User, token: str | None) -> Proposal | None:
    if not token:
        return None
    proposal = db.session.scalar(sa.select(Proposal).where(Proposal.submission_token == token))
    if proposal is not None and proposal.author_id != actor.id:
        raise ValidationError(_("The form expired. Please send it again."))
    return proposal


def create_proposal(actor: User, plan: ActionPlan, data: dict, *, token: str | None = None,
                    attachment_ids=()) -> Proposal:
    """A new proposal with its public reference, its first version and the pending files named.

    `token` is the form's one-time token: the same form sent again (a double click, a second tab)
    returns the proposal the first one created."""
    require(actor, "proposals.create", plan)
    token = (token or "").strip()[:64] or None
    already = _published_with(actor, token)
    if already is not None:
        return already
    values = _values(actor, plan, data)
    pending = attachments.check_ready(actor, None, attachment_ids)
    title, body, place = values["title"], values["body"], values["place"]
    prefix, year = plan.reference_prefix, today().year
    for attempt in range(REFERENCE_ATTEMPTS):
        sequence = _next_sequence(prefix, year)
        proposal = Proposal(
            **values, year=year, sequence=sequence, reference=f"{prefix}-{year}-{sequence:04d}",
            submission_token=token,
        )
        proposal.search_text = search_text_for(proposal)
        try:
            with savepoint():  # only this attempt is undone when the sequence was taken
                db.session.add(proposal)
                db.session.flush()
        except sa.exc.IntegrityError:
            # The same form published meanwhile (the token), or the sequence taken: count again.
            already = _published_with(actor, token)
            if already is not None:
                return already
            time.sleep(random.uniform(0, 0.02 * (attempt + 1)))
            continue
        db.session.add(
            ProposalVersion(
                proposal_id=proposal.id, number=1, title=title, body=body, place=place,
                theme_id=values["theme_id"], editor_id=values["author_id"],
            )
        )
        files = attachments.attach(actor, proposal, pending)
        record(actor, "proposal.created", proposal, committee_id=values["committee_id"],
               reference=proposal.reference, files=files)
        db.session.flush()
        return proposal
    raise ValidationError(_("Many proposals arrived at the same moment. Please send yours again."))


def check_edit(actor: User, proposal: Proposal, data: dict) -> None:
    """What edit_proposal would refuse, without saving (the preview)."""
    require(actor, "proposals.edit", proposal)
    _validated_text(data)
    _theme_of(proposal.plan_id, data, required=_plan_has_themes(proposal.plan_id))


def edit_proposal(actor: User, proposal: Proposal, data: dict, *,
                  attachment_ids=()) -> ProposalVersion:
    """A new text, kept as a new version, and the pending files named attached; only before the
    first support or comment."""
    require(actor, "proposals.edit", proposal)
    title, body, place = _validated_text(data)
    pending = attachments.check_ready(actor, proposal, attachment_ids)
    theme = _theme_of(proposal.plan_id, data, required=_plan_has_themes(proposal.plan_id))
    theme_id = theme.id if theme else None
    location = validated_location(data, current=proposal)  # kept when `data` names no point
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
                search_text=search_text, updated_at=utcnow(), **location)
        .execution_options(synchronize_session=False)
    )
    if result.rowcount != 1:
        raise InvalidTransition(
            _("This proposal can no longer be edited: it has received a support or a comment.")
        )
    version = ProposalVersion(
        proposal_id=proposal.id, number=_next_version_number(proposal.id), title=title,
        body=body, place=place, theme_id=theme_id, editor_id=actor.id,
    )
    db.session.add(version)
    files = attachments.attach(actor, proposal, pending)
    record(actor, "proposal.edited", proposal, committee_id=proposal.committee_id,
           version=version.number, files=files)
    db.session.flush()
    db.session.expire(proposal)
    return version


def withdraw_proposal(actor: User, proposal: Proposal, reason: str) -> None:
    require(actor, "proposals.withdraw", proposal)
    reason = clean_text(reason)
    if not REASON_MIN <= len(reason) <= REASON_MAX:
        raise ValidationError(
            _("Tell readers why, in %(min)d to %(max)d characters.", min=REASON_MIN, max=REASON_MAX),
            field="reason",
        )
    move_state(proposal, proposal.state, ProposalState.withdrawn,
               withdrawn_at=utcnow(), withdrawal_reason=reason)
    record(actor, "proposal.withdrawn", proposal, reason=reason,
           committee_id=proposal.committee_id, reference=proposal.reference)
    # Supporters learn that what they supported is gone (a change of state, for them).
    notify(supporters_of(proposal), "proposal_answered", proposal_path(proposal), actor=actor,
           reference=proposal.reference, title=proposal.title,
           state=ProposalState.withdrawn.value)
    db.session.flush()
