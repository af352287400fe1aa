"""Drafting a commitment from its committee's proposals, and editing it: every save a version
with who, when and why; a formal commitment's text changes only with a justification."""
import random
import time

import sqlalchemy as sa
from flask_babel import gettext as _

from app.accounts.models import User
from app.commitments import permissions as _permissions  # noqa: F401  (registers the rules)
from app.commitments import registry
from app.commitments.models import (
    MILESTONE_FIELDS,
    Commitment,
    CommitmentProposal,
    CommitmentState,
    CommitmentTable,
    CommitmentVersion,
    Milestone,
)
from app.commitments.services.common import commitment_path
from app.commitments.services.fields import (
    JUSTIFICATION_MIN,
    REASON_MIN,
    validated_fields,
    validated_milestones,
    validated_reason,
)
from app.commitments.services.versions import add_version, build_snapshot, same_text, snapshot_of
from app.core import uow
from app.core.audit import record
from app.core.db import utcnow
from app.core.errors import ValidationError
from app.core.permissions import require
from app.dialogues.models import DialogueTable, TableState
from app.extensions import db
from app.notifications.services import notify
from app.plans.models import Committee
from app.proposals import services as proposal_services
from app.proposals.models import OPEN_STATES, Proposal, ProposalState

# Not part of the versioned text, but a change of them alone is a change worth saving.
LOCATION_FIELDS = ("latitude", "longitude", "place")
# Parallel drafts of one committee may pick the same next number; the constraint decides.
NUMBER_ATTEMPTS = 20


def _next_number(committee_id: int) -> int:
    current = db.session.scalar(
        sa.select(sa.func.max(Commitment.number)).where(Commitment.committee_id == committee_id)
    )
    return (current or 0) + 1


def _checked_sources(committee: Committee, proposals, tables) -> tuple[list[Proposal], list[DialogueTable]]:
    proposals = list(dict.fromkeys(p for p in proposals if p is not None))
    tables = list(dict.fromkeys(t for t in tables if t is not None))
    if not proposals:
        raise ValidationError(_("Choose at least one proposal of the committee."), field="proposals")
    for p in proposals:
        if p.committee_id != committee.id:
            raise ValidationError(
                _("%(reference)s belongs to another committee.", reference=p.reference),
                field="proposals",
            )
        if p.is_hidden:
            raise ValidationError(
                _("%(reference)s is hidden by moderation.", reference=p.reference), field="proposals"
            )
        if p.state not in OPEN_STATES and p.state != ProposalState.accepted:
            raise ValidationError(
                _("%(reference)s is “%(state)s”: only open or accepted proposals can become "
                  "part of a commitment.", reference=p.reference, state=p.state_label),
                field="proposals",
            )
    for t in tables:
        if t.committee_id != committee.id:
            raise ValidationError(_("Choose dialogue tables of the committee."), field="tables")
        if t.state == TableState.cancelled:
            raise ValidationError(
                _("A cancelled dialogue table cannot be a source."), field="tables"
            )
    return proposals, tables


def _accept_proposals(actor, proposals: list[Proposal], title: str) -> None:
    """Each source proposal becomes `accepted` with a reasoned answer, in the caller's
    transaction. `submitted` cannot go to `accepted` directly (FACILITATOR_TRANSITIONS): it
    goes through `under_review` with the same answer, so its timeline shows both steps.
    Proposals already accepted keep their state (their page lists the commitment)."""
    answer = _("Forms part of the commitment «%(title)s».", title=title)
    for proposal in proposals:
        if proposal.state == ProposalState.accepted:
            continue
        if proposal.state == ProposalState.submitted:
            proposal_services.change_state(actor, proposal, ProposalState.under_review, answer)
        proposal_services.change_state(actor, proposal, ProposalState.accepted, answer)


def _new_milestone(commitment_id: int, position: int, row: dict) -> Milestone:
    return Milestone(
        commitment_id=commitment_id, position=position,
        **{name: row[name] for name in MILESTONE_FIELDS},
    )


def create_draft(actor: User, committee: Committee, data: dict, proposals: list[Proposal],
                 tables: list[DialogueTable] = (), *, milestones: list[dict] | None = None
                 ) -> Commitment:
    """A draft commitment of `committee` from its proposals (and the tables that discussed
    them), with its milestones and version 1; the proposals become accepted."""
    require(actor, "commitments.draft", committee)
    values = validated_fields(data, committee.plan_id)
    rows = validated_milestones(list(milestones if milestones is not None
                                      else data.get("milestones") or []),
                                 values["starts_on"], values["ends_on"])
    if any(row["id"] for row in rows):
        raise ValidationError(_("A new commitment has only new milestones."), field="milestones")
    proposals, tables = _checked_sources(committee, proposals, tables)
    proposal_ids = [p.id for p in proposals]
    table_ids = [t.id for t in tables]
    committee_id, plan_id, actor_id = committee.id, committee.plan_id, actor.id

    for attempt in range(NUMBER_ATTEMPTS):
        now = utcnow()
        commitment = Commitment(
            plan_id=plan_id, committee_id=committee_id, number=_next_number(committee_id),
            state=CommitmentState.draft, version=1, created_by_id=actor_id,
            created_at=now, updated_at=now, **values,
        )
        try:
            with uow.savepoint():
                db.session.add(commitment)
                db.session.flush()
        except sa.exc.IntegrityError:
            # Another draft of this committee took the number first; count again.
            time.sleep(random.uniform(0, 0.02 * (attempt + 1)))
            continue
        break
    else:
        raise ValidationError(_("Several drafts arrived at the same moment. Please send yours again."))

    for position, row in enumerate(rows):
        db.session.add(_new_milestone(commitment.id, position, row))
    db.session.add_all(
        CommitmentProposal(commitment_id=commitment.id, proposal_id=pid) for pid in proposal_ids
    )
    db.session.add_all(
        CommitmentTable(commitment_id=commitment.id, table_id=tid) for tid in table_ids
    )
    db.session.flush()
    _accept_proposals(actor, [db.session.get(Proposal, pid) for pid in proposal_ids],
                      values["title"])
    db.session.expire(commitment, ["milestones"])
    add_version(actor, commitment.id, 1, snapshot_of(commitment), _("Initial draft"),
                 CommitmentState.draft)
    record(actor, "commitment.drafted", commitment, public=True, committee_id=committee_id,
           number=commitment.number, title=values["title"],
           proposals=[p.reference for p in proposals], tables=table_ids)
    db.session.flush()
    return commitment


def update_draft(actor: User, commitment: Commitment, data: dict,
                 milestones: list[dict] | None, reason: str, *,
                 expected_version: int | None = None) -> CommitmentVersion:
    """Save a new text (fields and milestones) as a new version with who, when and why.

    `milestones` lists every milestone the commitment keeps, in order: dicts with "id" update
    that milestone, dicts without add one, and milestones left out are removed (refused when
    progress was reported on them). None keeps the milestones as they are. A formal commitment
    changes only with a justification of at least JUSTIFICATION_MIN characters.
    `expected_version` is the version the editor saw: a save over a newer one is refused.
    """
    require(actor, "commitments.edit", commitment)
    locked = commitment.is_locked
    reason = validated_reason(reason, JUSTIFICATION_MIN if locked else REASON_MIN)
    values = validated_fields(data, commitment.plan_id, current=commitment)
    existing = {m.id: m for m in commitment.milestones}
    if milestones is None:
        given = [{"id": m.id, **{n: getattr(m, n) for n in MILESTONE_FIELDS}}
                 for m in commitment.milestones]
    else:
        given = list(milestones)
    rows = validated_milestones(given, values["starts_on"], values["ends_on"])
    for i, row in enumerate(rows):
        if row["id"] and row["id"] not in existing:
            raise ValidationError(_("That milestone is not part of this commitment."),
                                  field=f"milestones-{i}-description")
    kept = {row["id"] for row in rows if row["id"]}
    removed = [mid for mid in existing if mid not in kept]
    if removed and registry.milestones_with_progress(removed):
        raise ValidationError(
            _("A milestone with reported progress cannot be removed; change its text instead."),
            field="milestones",
        )
    before = snapshot_of(commitment)
    moved = any(values[name] != getattr(commitment, name) for name in LOCATION_FIELDS)
    if same_text(before, build_snapshot(values, rows)) and not moved:
        raise ValidationError(_("Nothing changed: there is no new version to save."))

    seen_version = commitment.version if expected_version is None else expected_version
    state, commitment_id, now = commitment.state, commitment.id, utcnow()
    number = seen_version + 1
    # Conditional: a save, a publication or a withdrawal that happened meanwhile wins.
    result = db.session.execute(
        sa.update(Commitment)
        .where(Commitment.id == commitment_id, Commitment.version == seen_version,
               Commitment.state == state)
        .values(version=number, updated_at=now, **values)
        .execution_options(synchronize_session=False)
    )
    if result.rowcount != 1:
        raise ValidationError(
            _("Someone saved this commitment while you were editing it. Open the edit page "
              "again to see the latest version, then make your change.")
        )
    for position, row in enumerate(rows):
        if row["id"]:
            milestone = existing[row["id"]]
            milestone.position = position
            for name in MILESTONE_FIELDS:
                setattr(milestone, name, row[name])
        else:
            db.session.add(_new_milestone(commitment_id, position, row))
    for mid in removed:
        db.session.delete(existing[mid])
    db.session.flush()
    db.session.expire(commitment)
    version = add_version(actor, commitment_id, number, snapshot_of(commitment), reason, state)
    record(actor, "commitment.edited", commitment, reason=reason, public=True,
           committee_id=commitment.committee_id, version=number, locked=locked)
    if commitment.is_public:
        notify(registry.followers_of(commitment), "commitment_version", commitment_path(commitment),
               actor=actor, title=commitment.title)
    db.session.flush()
    return version
