"""Rows for the transparency tests, written directly so each test sets exactly what it counts."""
import itertools
from datetime import timedelta

from app.accounts.models import Sector, User
from app.calls.models import ApplicationStatus, Call, CallApplication, CallCommittee
from app.comments.models import Comment
from app.commitments.models import Commitment, CommitmentState
from app.consultations.models import Consultation, ConsultationAnswer, ConsultationOutcome
from app.core.db import utcnow
from app.dialogues.models import (
    DialogueTable,
    MinutesVersion,
    RegistrationStatus,
    TableRegistration,
    TableState,
)
from app.elections.models import Election, ElectionState, RollEntry
from app.extensions import db
from app.proposals.models import Proposal, ProposalState
from tests.factories import HOSTILE, make_organisation, make_user

_seq = itertools.count(1)


def citizen(municipality: str = "Durango", **kwargs) -> User:
    user = make_user(**kwargs)
    user.municipality = municipality
    db.session.commit()
    return user


def organisation(sector: Sector = Sector.civil_society, municipality: str = "Durango",
                 **kwargs) -> User:
    user = make_organisation(**kwargs)
    user.municipality = municipality
    user.organisation.sector = sector
    db.session.commit()
    return user


def published_call(plan, committees, published: bool = True) -> Call:
    now = utcnow()
    call = Call(plan_id=plan.id, title=f"Convocatoria {HOSTILE}", body="Bases",
                declarations=[], opens_at=now - timedelta(days=60),
                closes_at=now - timedelta(days=30),
                published_at=now - timedelta(days=61) if published else None)
    db.session.add(call)
    db.session.flush()
    for committee in committees:
        db.session.add(CallCommittee(call_id=call.id, committee_id=committee.id))
    db.session.commit()
    return call


def application(call, org, committee, status=ApplicationStatus.approved) -> CallApplication:
    row = CallApplication(call_id=call.id, organisation_id=org.id, committee_id=committee.id,
                          status=status, declarations=[])
    db.session.add(row)
    db.session.commit()
    return row


def proposal(committee, author, theme=None, state=ProposalState.submitted, **extra) -> Proposal:
    n = next(_seq)
    row = Proposal(plan_id=committee.plan_id, committee_id=committee.id, author_id=author.id,
                   theme_id=theme.id if theme else None, reference=f"TRN-2026-{n:05d}",
                   year=2026, sequence=n, title=f"Problema {n} {HOSTILE}", body=f"Texto {HOSTILE}",
                   search_text="problema", state=state, **extra)
    db.session.add(row)
    db.session.commit()
    return row


def commitment(committee, state=CommitmentState.published) -> Commitment:
    n = next(_seq)
    row = Commitment(plan_id=committee.plan_id, committee_id=committee.id, number=n,
                     title=f"Compromiso {n} {HOSTILE}", state=state)
    db.session.add(row)
    db.session.commit()
    return row


def comment(author, *, on_proposal=None, on_commitment=None, hidden=False, deleted=False,
            body=None) -> Comment:
    target = on_proposal or on_commitment
    row = Comment(proposal_id=on_proposal.id if on_proposal else None,
                  commitment_id=on_commitment.id if on_commitment else None,
                  committee_id=target.committee_id, author_id=author.id,
                  body=body or f"Comentario {next(_seq)} {HOSTILE}",
                  hidden_at=utcnow() if hidden else None, deleted_at=utcnow() if deleted else None)
    db.session.add(row)
    db.session.commit()
    return row


def consultation(commitment_row, opened_hours_ago: float = 1) -> Consultation:
    now = utcnow()
    row = Consultation(commitment_id=commitment_row.id,
                       opens_at=now - timedelta(hours=opened_hours_ago),
                       closes_at=now - timedelta(hours=opened_hours_ago) + timedelta(days=10))
    db.session.add(row)
    db.session.commit()
    return row


def answer(comment_row, outcome: ConsultationOutcome) -> ConsultationAnswer:
    row = ConsultationAnswer(comment_id=comment_row.id, outcome=outcome, reason="Porque sí")
    db.session.add(row)
    db.session.commit()
    return row


def table(committee, *, days_from_now: float = -2, state=TableState.scheduled) -> DialogueTable:
    starts = utcnow() + timedelta(days=days_from_now)
    row = DialogueTable(committee_id=committee.id, title=f"Mesa {HOSTILE}", objective="Objetivo",
                        starts_at=starts, ends_at=starts + timedelta(hours=2), capacity=100,
                        registration_deadline=starts - timedelta(days=1), state=state,
                        created_at=utcnow(), updated_at=utcnow())
    db.session.add(row)
    db.session.commit()
    return row


def registration(table_row, user, status=RegistrationStatus.confirmed, attended=None):
    row = TableRegistration(table_id=table_row.id, user_id=user.id, status=status,
                            attended=attended)
    db.session.add(row)
    if status == RegistrationStatus.confirmed:
        table_row.confirmed_count += 1
    db.session.commit()
    return row


def minutes(table_row, number: int, attendance: int) -> MinutesVersion:
    row = MinutesVersion(table_id=table_row.id, number=number, summary="Resumen",
                         agreements="Acuerdos", outcomes={}, attendance_count=attendance)
    db.session.add(row)
    db.session.commit()
    return row


def election(committee, *, state=ElectionState.published, roll=(), ballots: int = 0) -> Election:
    """An election as a plain row with `roll` organisations on its roll and `ballots` cast."""
    now = utcnow()
    row = Election(committee_id=committee.id, title=f"Elección {next(_seq)} {HOSTILE}",
                   nominations_open_at=now - timedelta(days=20),
                   nominations_close_at=now - timedelta(days=15),
                   voting_opens_at=now - timedelta(days=10), voting_closes_at=now - timedelta(days=5),
                   state=state, ballot_count=ballots,
                   published_at=now if state == ElectionState.published else None)
    db.session.add(row)
    db.session.flush()
    for position, org in enumerate(roll, start=1):
        db.session.add(RollEntry(election_id=row.id, organisation_id=org.id, name=org.name,
                                 position=position, voted=position <= ballots))
    db.session.commit()
    return row
