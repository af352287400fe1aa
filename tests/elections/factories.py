"""Factories of the election tests: a committee with its call, approved organisations, elections
in any state written as plain rows, and helpers that run the real services."""
import itertools
from datetime import timedelta

from app.calls.models import ApplicationStatus, Call, CallApplication, CallCommittee
from app.calls.queries import calls_covering
from app.core.db import utcnow
from app.elections import services
from app.elections.models import Candidate, CandidateState, Election, ElectionState
from app.extensions import db
from tests.factories import (
    HOSTILE,
    make_admin,
    make_committee,
    make_moderator,
    make_organisation,
    make_plan,
    make_user,
)

_seq = itertools.count(1)


def make_call(plan, committees) -> Call:
    now = utcnow()
    call = Call(plan_id=plan.id, title=f"Convocatoria {HOSTILE}", body="Bases", requirements="",
                declarations=["Sin conflicto de interés"], opens_at=now - timedelta(days=60),
                closes_at=now - timedelta(days=30), published_at=now - timedelta(days=61))
    db.session.add(call)
    db.session.flush()
    for committee in committees:
        db.session.add(CallCommittee(call_id=call.id, committee_id=committee.id))
    db.session.commit()
    return call


def approve(call, committee, organisation, status=ApplicationStatus.approved) -> CallApplication:
    application = CallApplication(call_id=call.id, organisation_id=organisation.id,
                                  committee_id=committee.id, status=status,
                                  declarations=list(call.declarations))
    db.session.add(application)
    db.session.commit()
    return application


class World:
    """A plan with two committees in one call; organisations approved for the first."""

    def __init__(self, organisations: int = 3):
        self.plan = make_plan()
        self.committee = make_committee(self.plan)
        self.other_committee = make_committee(self.plan)
        self.call = make_call(self.plan, [self.committee, self.other_committee])
        self.organisations = [make_organisation() for _ in range(organisations)]
        for org in self.organisations:
            approve(self.call, self.committee, org)
        self.organisation = self.organisations[0]
        self.pending_organisation = make_organisation()
        approve(self.call, self.committee, self.pending_organisation, ApplicationStatus.pending)
        self.other_organisation = make_organisation()
        approve(self.call, self.other_committee, self.other_organisation)
        self.unverified_organisation = make_organisation(verified=False)
        self.citizen = make_user()
        self.facilitator = make_moderator(self.committee)
        self.admin = make_admin()

    def add_organisation(self):
        org = make_organisation()
        approve(self.call, self.committee, org)
        self.organisations.append(org)
        return org


def make_election(committee, *, state=ElectionState.draft, nominations_in=timedelta(days=1),
                  **extra) -> Election:
    """An election as a plain row; `nominations_in` may be negative (windows already running). It
    belongs to the committee's latest published call unless `call_id` says otherwise."""
    now = utcnow()
    opens = now + nominations_in
    values = dict(
        committee_id=committee.id, title=f"Elección {HOSTILE} {next(_seq)}",
        call_id=db.session.scalar(calls_covering(committee.id).limit(1)),
        nominations_open_at=opens, nominations_close_at=opens + timedelta(days=5),
        voting_opens_at=opens + timedelta(days=6), voting_closes_at=opens + timedelta(days=8),
        min_participants=3, state=state,
    )
    values.update(extra)
    election = Election(**values)
    db.session.add(election)
    db.session.commit()
    return election


def make_candidate(election, organisation, person=None, state=CandidateState.validated,
                   name=None) -> Candidate:
    person = person or make_user()
    candidate = Candidate(election_id=election.id, organisation_id=organisation.id,
                          user_id=person.id, public_code=services._unique_code(election.id),
                          name=name or f"Candidata {HOSTILE} {next(_seq)}", bio=f"Bio {HOSTILE}",
                          statement=f"**Propuesta** {HOSTILE}", state=state)
    db.session.add(candidate)
    db.session.commit()
    return candidate


def shift(election, delta: timedelta) -> None:
    """Move all four windows by `delta` (e.g. into the past, to reach a phase)."""
    for name in ("nominations_open_at", "nominations_close_at", "voting_opens_at",
                 "voting_closes_at"):
        setattr(election, name, getattr(election, name) + delta)
    db.session.commit()


def voting_election(world, candidates: int = 2, organisations=None) -> Election:
    """An election whose voting window is open now, opened through the real service."""
    now = utcnow()
    election = make_election(
        world.committee, state=ElectionState.nominating,
        nominations_open_at=now - timedelta(days=10), nominations_close_at=now - timedelta(days=5),
        voting_opens_at=now - timedelta(hours=1), voting_closes_at=now + timedelta(days=2),
    )
    nominators = organisations or world.organisations
    for org in nominators[:candidates]:
        make_candidate(election, org)
    election = services.open_voting(world.admin, election)
    db.session.commit()  # as the request that opened voting did
    return election


def end_voting_window(election) -> None:
    election.voting_closes_at = utcnow() - timedelta(seconds=1)
    db.session.commit()
