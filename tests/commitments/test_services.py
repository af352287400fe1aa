"""Drafting, editing (every save a version), publishing and withdrawing commitments."""
from datetime import date, timedelta

import pytest
import sqlalchemy as sa

from app.commitments import queries, services
from app.commitments.models import (
    Commitment,
    CommitmentProposal,
    CommitmentState,
    CommitmentTable,
    CommitmentVersion,
    Milestone,
    MilestoneStatus,
)
from app.commitments.services import drafting
from app.consultations.models import Consultation
from app.core import uow
from app.core.audit import AuditEntry
from app.core.db import utcnow
from app.core.errors import InvalidTransition, PermissionDenied, ValidationError
from app.dialogues.models import TableState
from app.extensions import db
from app.notifications.models import Notification
from app.progress.models import ProgressNote
from app.proposals.models import ProposalAnswer, ProposalState
from tests.commitments.factories import (
    ENDS,
    STARTS,
    follow,
    make_draft,
    make_proposal,
    make_published,
    make_user,
    milestone,
    milestones_of,
)
from tests.dialogues.factories import make_table


def _count(model) -> int:
    return db.session.scalar(sa.select(sa.func.count()).select_from(model))


def _versions(commitment) -> list[CommitmentVersion]:
    return list(db.session.scalars(
        sa.select(CommitmentVersion).where(CommitmentVersion.commitment_id == commitment.id)
        .order_by(CommitmentVersion.number)
    ))


def _notifications(kind: str) -> list[Notification]:
    return list(db.session.scalars(sa.select(Notification).where(Notification.kind == kind)))


# ---------------------------------------------------------------- drafting

def test_draft_from_two_proposals_accepts_them_with_answers_and_links_both_ways(world):
    submitted = make_proposal(world.committee, world.author, state=ProposalState.submitted)
    in_dialogue = make_proposal(world.committee, world.author, state=ProposalState.in_dialogue)
    table = make_table(world.committee)
    commitment = make_draft(world, proposals=[submitted, in_dialogue], tables=[table])

    db.session.expire_all()
    assert submitted.state == ProposalState.accepted
    assert in_dialogue.state == ProposalState.accepted
    # submitted cannot go to accepted directly: it goes through under_review, same answer.
    steps = db.session.execute(
        sa.select(ProposalAnswer.proposal_id, ProposalAnswer.from_state, ProposalAnswer.to_state,
                  ProposalAnswer.body).order_by(ProposalAnswer.id)
    ).all()
    assert [(p, f, t) for p, f, t, _b in steps] == [
        (submitted.id, ProposalState.submitted, ProposalState.under_review),
        (submitted.id, ProposalState.under_review, ProposalState.accepted),
        (in_dialogue.id, ProposalState.in_dialogue, ProposalState.accepted),
    ]
    assert all(commitment.title in body for *_rest, body in steps)

    # Links both ways.
    assert {p.id for p in queries.source_proposals(commitment)} == {submitted.id, in_dialogue.id}
    assert [t.id for t in queries.source_tables(commitment)] == [table.id]
    assert [c.id for c in queries.commitments_for_proposal(submitted.id, viewer=world.facilitator)] == [commitment.id]
    # A draft is not public: the proposal's public page does not list it yet.
    assert queries.commitments_for_proposal(submitted.id) == []
    assert queries.commitments_for_proposal(submitted.id, viewer=world.other_facilitator) == []

    # The authors hear about the answer.
    assert {n.user_id for n in _notifications("proposal_answered")} == {world.author.id}

    version = _versions(commitment)
    assert len(version) == 1 and version[0].number == 1 and commitment.version == 1
    assert version[0].author_id == world.facilitator.id
    assert version[0].state == CommitmentState.draft
    assert version[0].snapshot["fields"]["title"] == commitment.title
    assert len(version[0].snapshot["milestones"]) == 1
    assert commitment.state == CommitmentState.draft and commitment.number == 1
    audit = db.session.scalar(sa.select(AuditEntry).where(AuditEntry.action == "commitment.drafted"))
    assert audit.public and audit.committee_id == world.committee.id


def test_an_already_accepted_proposal_joins_without_a_new_answer(world):
    accepted = make_proposal(world.committee, world.author, state=ProposalState.accepted)
    commitment = make_draft(world, proposals=[accepted])
    assert [p.id for p in queries.source_proposals(commitment)] == [accepted.id]
    assert _count(ProposalAnswer) == 0


def test_numbers_count_within_each_committee(world):
    first = make_draft(world)
    second = make_draft(world)
    other = make_draft(world, committee=world.other_committee, actor=world.other_facilitator,
                       proposals=[make_proposal(world.other_committee, world.author)])
    assert (first.number, second.number, other.number) == (1, 2, 1)


def test_a_number_taken_meanwhile_is_retried(world, monkeypatch):
    make_draft(world)  # number 1
    real = drafting._next_number
    calls = []

    def stale(committee_id):
        calls.append(committee_id)
        return 1 if len(calls) == 1 else real(committee_id)

    monkeypatch.setattr(drafting, "_next_number", stale)
    commitment = make_draft(world)
    assert commitment.number == 2 and len(calls) == 2
    assert _count(Commitment) == 2


@pytest.mark.parametrize("state", [ProposalState.not_accepted, ProposalState.merged,
                                   ProposalState.withdrawn])
def test_closed_proposals_are_refused(world, state):
    closed = make_proposal(world.committee, world.author, state=state)
    with pytest.raises(ValidationError) as exc:
        make_draft(world, proposals=[closed])
    assert exc.value.field == "proposals"
    assert _count(Commitment) == 0


def test_proposals_of_another_committee_are_refused_even_if_accepted(world):
    ours = make_proposal(world.committee, world.author, state=ProposalState.in_dialogue)
    theirs = make_proposal(world.other_committee, world.author, state=ProposalState.accepted)
    with pytest.raises(ValidationError) as exc:
        make_draft(world, proposals=[ours, theirs])
    assert theirs.reference in exc.value.message
    db.session.expire_all()
    assert ours.state == ProposalState.in_dialogue
    assert _count(Commitment) == 0 and _count(CommitmentProposal) == 0


def test_tables_must_be_the_committees_and_not_cancelled(world):
    with pytest.raises(ValidationError) as exc:
        make_draft(world, tables=[make_table(world.other_committee)])
    assert exc.value.field == "tables"
    with pytest.raises(ValidationError):
        make_draft(world, tables=[make_table(world.committee, state=TableState.cancelled)])
    assert _count(Commitment) == 0 and _count(CommitmentTable) == 0


def test_at_least_one_proposal_is_needed(world):
    with pytest.raises(ValidationError) as exc:
        make_draft(world, proposals=[])
    assert exc.value.field == "proposals"


@pytest.mark.parametrize("who", ["citizen", "organisation", "other_facilitator"])
def test_only_the_committees_facilitators_draft(world, who):
    with pytest.raises(PermissionDenied):
        make_draft(world, actor=getattr(world, who))
    assert _count(Commitment) == 0


def test_an_admin_drafts_for_any_committee(world):
    assert make_draft(world, actor=world.admin).created_by_id == world.admin.id


def test_a_refused_proposal_change_leaves_nothing_behind(world, monkeypatch):
    """Proposals change in the draft's transaction: a failure rolls the whole draft back."""
    from app.proposals import services as proposal_services

    def broken(*args, **kwargs):
        raise InvalidTransition("changed meanwhile")

    monkeypatch.setattr(proposal_services, "change_state", broken)
    proposal = make_proposal(world.committee, world.author)
    with pytest.raises(InvalidTransition), uow.unit_of_work():  # the request's unit of work
        make_draft(world, proposals=[proposal])
    assert _count(Commitment) == 0 and _count(Milestone) == 0 and _count(CommitmentVersion) == 0


# ---------------------------------------------------------------- milestone and date rules

@pytest.mark.parametrize("row, field", [
    (milestone(starts_on=STARTS - timedelta(days=1)), "milestones-0-starts_on"),
    (milestone(ends_on=ENDS + timedelta(days=1)), "milestones-0-ends_on"),
    (milestone(starts_on=date(2026, 6, 1), ends_on=date(2026, 5, 1)), "milestones-0-ends_on"),
    (milestone(description="  "), "milestones-0-description"),
    (milestone(deliverable=""), "milestones-0-deliverable"),
    (milestone(ends_on="31/12/2026"), "milestones-0-ends_on"),
])
def test_milestone_rules(world, row, field):
    with pytest.raises(ValidationError) as exc:
        make_draft(world, milestones=[row])
    assert exc.value.field == field
    assert _count(Commitment) == 0


def test_at_least_one_milestone(world):
    with pytest.raises(ValidationError) as exc:
        make_draft(world, milestones=[])
    assert exc.value.field == "milestones"


def test_commitment_dates_are_required_and_ordered(world):
    with pytest.raises(ValidationError) as exc:
        make_draft(world, starts_on=None)
    assert exc.value.field == "starts_on"
    with pytest.raises(ValidationError) as exc:
        make_draft(world, starts_on=date(2027, 1, 1), ends_on=date(2026, 1, 1))
    assert exc.value.field == "ends_on"


def test_milestone_at_the_commitments_edges_is_accepted(world):
    commitment = make_draft(world, milestones=[milestone(starts_on=STARTS, ends_on=ENDS)])
    assert commitment.milestones[0].starts_on == STARTS


# ---------------------------------------------------------------- editing and versions

def test_every_save_is_a_version_with_who_when_why(world):
    commitment = make_draft(world)
    services.update_draft(world.facilitator, commitment, {"objective": "Nuevo objetivo"}, None,
                          "Ajuste tras la mesa")
    services.update_draft(world.admin, commitment, {"budget": "$200,000 MXN"}, None,
                          "Presupuesto confirmado")
    versions = _versions(commitment)
    assert [v.number for v in versions] == [1, 2, 3] and commitment.version == 3
    assert [v.author_id for v in versions] == [world.facilitator.id, world.facilitator.id, world.admin.id]
    assert versions[1].reason == "Ajuste tras la mesa"
    assert versions[1].snapshot["fields"]["objective"] == "Nuevo objetivo"
    assert versions[2].snapshot["fields"]["budget"] == "$200,000 MXN"
    assert all(v.created_at is not None for v in versions)
    assert commitment.objective == "Nuevo objetivo"


def test_a_save_needs_a_reason(world):
    commitment = make_draft(world)
    with pytest.raises(ValidationError) as exc:
        services.update_draft(world.facilitator, commitment, {"objective": "Otro"}, None, "  ")
    assert exc.value.field == "reason"
    assert len(_versions(commitment)) == 1


def test_a_save_without_changes_is_refused(world):
    commitment = make_draft(world)
    with pytest.raises(ValidationError):
        services.update_draft(world.facilitator, commitment, {}, milestones_of(commitment),
                              "Sin cambios reales")
    assert commitment.version == 1


def test_milestones_are_updated_added_and_removed_keeping_identity(world):
    commitment = make_draft(world, milestones=[milestone(1), milestone(2)])
    first, second = commitment.milestones
    first_id, second_id = first.id, second.id
    rows = milestones_of(commitment)
    rows[0]["description"] = "Hito corregido"
    del rows[1]
    rows.append(milestone(3, starts_on=date(2027, 1, 1), ends_on=date(2027, 6, 30)))
    services.update_draft(world.facilitator, commitment, {}, rows, "Replanteamos los hitos")
    db.session.expire_all()
    ms = commitment.milestones
    assert [m.id for m in ms][0] == first_id and ms[0].description == "Hito corregido"
    assert second_id not in {m.id for m in ms} and len(ms) == 2
    snapshot = _versions(commitment)[-1].snapshot
    assert [m["description"] for m in snapshot["milestones"]] == ["Hito corregido", ms[1].description]


def test_a_milestone_with_progress_cannot_be_removed(world):
    commitment = make_draft(world, milestones=[milestone(1), milestone(2)])
    reported = commitment.milestones[1]
    db.session.add(ProgressNote(milestone_id=reported.id, status=MilestoneStatus.in_progress,
                                note="Avance", noted_on=date(2026, 5, 1)))
    db.session.commit()
    with pytest.raises(ValidationError):
        services.update_draft(world.facilitator, commitment, {}, milestones_of(commitment)[:1],
                              "Quitamos un hito")
    assert _count(Milestone) == 2


def test_milestones_of_another_commitment_cannot_be_smuggled_in(world):
    mine, other = make_draft(world), make_draft(world)
    rows = milestones_of(mine) + [dict(milestones_of(other)[0])]
    with pytest.raises(ValidationError):
        services.update_draft(world.facilitator, mine, {}, rows, "Intento raro")
    db.session.expire_all()
    assert len(other.milestones) == 1 and len(mine.milestones) == 1


def test_a_save_over_a_newer_version_is_refused(world):
    commitment = make_draft(world)
    services.update_draft(world.facilitator, commitment, {"objective": "Pestaña A"}, None,
                          "Primera pestaña")
    with pytest.raises(ValidationError):
        services.update_draft(world.facilitator, commitment, {"objective": "Pestaña B"}, None,
                              "Segunda pestaña", expected_version=1)
    db.session.expire_all()
    assert commitment.objective == "Pestaña A" and commitment.version == 2


def test_milestone_dates_are_checked_against_new_commitment_dates(world):
    commitment = make_draft(world)
    with pytest.raises(ValidationError) as exc:
        services.update_draft(world.facilitator, commitment, {"ends_on": date(2026, 6, 1)}, None,
                              "Acortamos el plazo")
    assert exc.value.field == "milestones-0-ends_on"


def test_other_facilitators_cannot_edit(world):
    commitment = make_draft(world)
    with pytest.raises(PermissionDenied):
        services.update_draft(world.other_facilitator, commitment, {"objective": "x" * 10}, None,
                              "No es mi comité")


# ---------------------------------------------------------------- publishing

def test_publish_locks_the_text_and_records_a_version(world):
    commitment = make_draft(world)
    services.publish_commitment(world.facilitator, commitment, "Aprobado por el comité")
    assert commitment.state == CommitmentState.published and commitment.is_locked
    assert commitment.published_at is not None
    versions = _versions(commitment)
    assert [v.number for v in versions] == [1, 2]
    assert versions[1].state == CommitmentState.published
    assert versions[1].reason == "Aprobado por el comité"
    audit = db.session.scalar(sa.select(AuditEntry).where(AuditEntry.action == "commitment.published"))
    assert audit.public


def test_publish_refuses_an_incomplete_template_and_lists_what_is_missing(world):
    commitment = make_draft(world, lead_institution="", how_it_helps="", value_transparency="")
    with pytest.raises(ValidationError) as exc:
        services.publish_commitment(world.facilitator, commitment, "Aprobado")
    assert set(exc.value.details["missing"]) == {"lead_institution", "how_it_helps", "values"}
    db.session.expire_all()
    assert commitment.state == CommitmentState.draft and commitment.published_at is None
    assert len(_versions(commitment)) == 1


def test_publish_refuses_while_a_consultation_is_open(world):
    commitment = make_draft(world)
    now = utcnow()
    consultation = Consultation(commitment_id=commitment.id, opens_at=now - timedelta(days=1),
                                closes_at=now + timedelta(days=5))
    db.session.add(consultation)
    db.session.execute(sa.update(Commitment).where(Commitment.id == commitment.id)
                       .values(state=CommitmentState.consultation))
    db.session.commit()
    db.session.expire_all()
    with pytest.raises(InvalidTransition):
        services.publish_commitment(world.facilitator, commitment, "Aprobado")
    consultation.closed_early_at = utcnow()
    db.session.commit()
    services.publish_commitment(world.facilitator, commitment, "Aprobado tras la consulta")
    assert commitment.state == CommitmentState.published


def test_publish_twice_is_refused(world):
    commitment = make_published(world)
    with pytest.raises(PermissionDenied):
        services.publish_commitment(world.facilitator, commitment, "Otra vez")


def test_a_published_text_changes_only_with_a_justification(world):
    commitment = make_published(world)
    with pytest.raises(ValidationError) as exc:
        services.update_draft(world.facilitator, commitment, {"budget": "$1"}, None, "Ajuste")
    assert exc.value.field == "reason"
    assert commitment.budget != "$1"
    justification = "El cabildo aprobó un presupuesto distinto en la sesión del 3 de marzo."
    version = services.update_draft(world.facilitator, commitment, {"budget": "$1"}, None,
                                    justification)
    assert version.state == CommitmentState.published and version.reason == justification
    assert commitment.budget == "$1" and commitment.state == CommitmentState.published


# ---------------------------------------------------------------- withdrawal

def test_withdraw_a_formal_commitment_with_a_reason(world):
    commitment = make_published(world)
    reason = "La institución responsable desapareció por decreto del congreso."
    services.withdraw_commitment(world.facilitator, commitment, reason)
    assert commitment.state == CommitmentState.withdrawn and commitment.withdrawn_reason == reason
    with pytest.raises(PermissionDenied):
        services.update_draft(world.facilitator, commitment, {"budget": "x"}, None, reason)


def test_withdraw_needs_a_reason_and_a_formal_commitment(world):
    draft = make_draft(world)
    with pytest.raises(PermissionDenied):
        services.withdraw_commitment(world.facilitator, draft, "Una razón suficientemente larga.")
    published = make_published(world)
    with pytest.raises(ValidationError):
        services.withdraw_commitment(world.facilitator, published, "corta")
    assert published.state == CommitmentState.published


# ---------------------------------------------------------------- followers

def test_followers_hear_of_new_versions_and_withdrawal(world):
    commitment = make_published(world)
    fan, other = make_user(), make_user()
    follow(commitment, fan, world.facilitator)
    services.update_draft(world.facilitator, commitment, {"budget": "$5"}, None,
                          "Ajuste presupuestal aprobado por el cabildo municipal")
    versions = _notifications("commitment_version")
    # The actor is never notified of their own act; non-followers never.
    assert [n.user_id for n in versions] == [fan.id]
    assert versions[0].params["title"] == commitment.title
    assert versions[0].url == f"/commitments/{commitment.id}"
    services.withdraw_commitment(world.facilitator, commitment,
                                 "Se retira por falta de presupuesto en el ejercicio")
    status = _notifications("commitment_status")
    assert [(n.user_id, n.params["status"]) for n in status] == [(fan.id, "withdrawn")]
    assert other.id not in {n.user_id for n in versions + status}


def test_followers_of_a_draft_are_not_told(world):
    commitment = make_draft(world)
    follow(commitment, make_user())
    services.update_draft(world.facilitator, commitment, {"budget": "$5"}, None, "Ajuste")
    assert _notifications("commitment_version") == []
