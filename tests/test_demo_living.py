"""The current demonstration plan is alive whatever the day it is loaded: as of now, a call takes
applications, the demo organisation votes in the election that is open, the demo citizen comments
on the open consultation, a dialogue table is a week ahead, proposals are received, and
commitments have milestones overdue and on time; the facilitator has proposals to curate."""
import re
from datetime import timedelta

import sqlalchemy as sa

from app.accounts.models import User
from app.calls.models import ApplicationStatus, Call, CallApplication
from app.calls.services import apply_to_call
from app.comments.models import Comment
from app.commitments.models import Commitment, CommitmentState, Milestone, MilestoneStatus
from app.consultations.models import Consultation
from app.core import clock
from app.core.permissions import check
from app.demo import elections as demo_elections
from app.dialogues.models import DialogueTable, TableState
from app.elections.models import Ballot, Election, ElectionState, RollEntry
from app.extensions import db
from app.plans.models import ActionPlan, Committee
from app.proposals.models import Proposal, ProposalState
from tests.conftest import login_as

PASSWORD = "Mesa-de-dialogo-2026"


def current() -> ActionPlan:
    return db.session.scalar(sa.select(ActionPlan).where(ActionPlan.slug == "durango-4-demo"))


def user(email: str) -> User:
    return db.session.scalar(sa.select(User).where(User.email == email))


def test_the_current_plan_is_in_a_phase_that_receives_proposals_today(demo):
    plan = current()
    today = clock.today()
    phase = next(p for p in plan.phases if p.starts_on <= today <= p.ends_on)

    assert plan.is_current and phase.kind.value == "cocreation"
    recent = db.session.scalars(sa.select(Proposal).where(
        Proposal.plan_id == plan.id, Proposal.created_at > clock.now() - timedelta(days=14))).all()
    assert recent and any(p.support_count and p.comment_count for p in recent)


def test_the_demo_citizen_proposes_a_problem_now(demo, client):
    login_as(client, user("ciudadana@example.org"))
    plan = current()
    committee = next(c for c in plan.committees if c.slug == "municipio-durango")

    response = client.submit("/proposals/new", {
        "title": "Baches en la calle de la demostración, frente a la escuela",
        "body": "Los baches llevan meses y los niños caminan por el arroyo vehicular.",
        "committee_id": committee.id, "theme_id": plan.themes[0].id, "place": "Centro"},
        page="/proposals/new")

    assert response.status_code == 302
    assert db.session.scalar(sa.select(Proposal).where(Proposal.title.startswith("Baches en la")))


def test_a_call_takes_applications_now_and_the_review_queue_has_work(demo, client):
    call = db.session.scalar(sa.select(Call).where(Call.title == demo_elections.OPEN_CALL))
    now = clock.now()
    pending = db.session.scalars(sa.select(CallApplication).where(
        CallApplication.call_id == call.id, CallApplication.status == ApplicationStatus.pending)).all()
    organisation = user("organizacion@example.org")

    assert call.plan_id == current().id and call.opens_at <= now < call.closes_at
    assert len(pending) == len(demo_elections.OPEN_APPLICANTS)
    assert check(organisation, "calls.apply", call)
    applied = apply_to_call(organisation, call, [call.committees[0].id],
                            list(range(len(call.declarations))))
    assert len(applied.created) == 1
    login_as(client, user("organo.garante@example.org"))
    queue = client.get(f"/calls/{call.id}/applications")
    assert queue.status_code == 200
    assert pending[0].organisation.organisation.legal_name in queue.get_data(as_text=True)


def open_election() -> Election:
    return db.session.scalar(sa.select(Election).join(Committee).where(
        Committee.plan_id == current().id, Election.state == ElectionState.voting))


def test_the_demo_organisation_casts_a_ballot_in_the_open_election(demo, client):
    election = open_election()
    organisation = user("organizacion@example.org")
    now = clock.now()
    assert election.voting_opens_at <= now < election.voting_closes_at
    entry = db.session.scalar(sa.select(RollEntry).where(
        RollEntry.election_id == election.id, RollEntry.organisation_id == organisation.id))
    assert entry is not None and not entry.voted
    before = election.ballot_count
    login_as(client, organisation)
    vote = f"/elections/{election.id}/vote"
    code = election.box_header["candidates"][0]["code"]

    assert client.get(vote).status_code == 200
    assert client.submit(vote, {"choice": code}).status_code == 200
    cast = client.submit(f"/elections/{election.id}/vote/confirm",
                         {"choice": code, "password": PASSWORD}, page=vote)

    assert cast.status_code == 303, cast.get_data(as_text=True)[:500]
    db.session.expire_all()
    assert db.session.scalar(sa.select(sa.func.count(Ballot.id))
                             .where(Ballot.election_id == election.id)) == before + 1


def test_the_demo_citizen_comments_on_the_open_consultation(demo, client):
    draft = db.session.scalar(sa.select(Commitment).where(
        Commitment.plan_id == current().id, Commitment.state == CommitmentState.consultation))
    consultation = db.session.scalar(sa.select(Consultation).where(Consultation.commitment_id == draft.id))
    assert consultation.opens_at <= clock.now() < consultation.closes_at
    login_as(client, user("ciudadana@example.org"))
    url = f"/consultations/commitment/{draft.id}/comment"

    response = client.submit(url, {"section": "general",
                                   "body": "Me parece bien; pidan también el horario de reparación."},
                             page=url)

    assert response.status_code == 302, response.get_data(as_text=True)[:500]
    assert db.session.scalar(sa.select(Comment).where(
        Comment.commitment_id == draft.id, Comment.body.startswith("Me parece bien")))


def test_a_dialogue_table_is_next_week_and_open_for_registration(demo):
    now = clock.now()
    tables = db.session.scalars(sa.select(DialogueTable).join(Committee).where(
        Committee.plan_id == current().id, DialogueTable.state == TableState.scheduled)).all()

    assert any(now + timedelta(days=5) < t.starts_at < now + timedelta(days=9)
               and t.registration_deadline > now for t in tables)


def test_commitments_in_progress_have_an_overdue_and_an_on_time_milestone(demo):
    today = clock.today()
    milestones = db.session.scalars(sa.select(Milestone).join(Commitment).where(
        Commitment.plan_id == current().id, Commitment.state == CommitmentState.published)).all()

    assert any(m.is_late(today) for m in milestones)
    assert any(m.status == MilestoneStatus.in_progress and m.ends_on >= today for m in milestones)
    assert any(m.status == MilestoneStatus.complete for m in milestones)


def test_the_facilitator_has_proposals_of_the_current_plan_to_curate(demo):
    facilitator = user("facilitador@example.org")
    committee = next(c for c in current().committees if c.slug == "municipio-durango")

    assert committee.id in facilitator.committee_ids
    waiting = db.session.scalars(sa.select(Proposal).where(
        Proposal.committee_id == committee.id,
        Proposal.state.in_([ProposalState.submitted, ProposalState.under_review]))).all()
    assert waiting


def test_everything_the_current_plan_shows_is_dated_before_now_or_ahead_on_purpose(demo):
    now = clock.now()
    plan = current()
    created = db.session.scalars(sa.select(Proposal.created_at).where(Proposal.plan_id == plan.id)).all()

    assert max(created) < now
    assert re.search(r"\d{4}–\d{4}", plan.period)


def test_the_guarantor_body_sees_the_current_plan_set_up_complete(demo, app):
    from app.plans.setup import checklist

    with app.test_request_context():
        steps = checklist(current())

    assert steps and all(step.done for step in steps), [s.label for s in steps if not s.done]
