"""A plan with one of each thing the home page shows open, built with the areas' own test
factories: an open call, an election in voting with part of its roll voted, a consultation open
for days, an upcoming table, a proposal with an answer, a commitment in force with milestones."""
from datetime import timedelta

from app.commitments.models import CommitmentState, MilestoneStatus
from app.core.db import utcnow
from app.dialogues.models import TableState
from app.elections.models import ElectionState, RollEntry
from app.extensions import db
from app.notifications.models import Notification
from app.proposals.models import ProposalAnswer, ProposalState
from tests.calls.factories import make_call
from tests.consultations.factories import (
    make_answer,
    make_comment,
    make_commitment,
    make_consultation,
)
from tests.dialogues.factories import make_proposal, make_registration, make_table
from tests.elections.factories import make_election
from tests.factories import make_committee, make_organisation, make_plan, make_user


def answer(proposal, to_state: ProposalState, body: str, by=None) -> ProposalAnswer:
    row = ProposalAnswer(proposal_id=proposal.id, actor_id=by.id if by else None,
                         from_state=proposal.state, to_state=to_state, body=body)
    proposal.state = to_state
    db.session.add(row)
    db.session.commit()
    return row


def voting(committee, title: str, roll, voted: int, closes_in=timedelta(days=3)):
    """An election in its voting window, its roll frozen with `voted` of them having voted."""
    now = utcnow()
    election = make_election(
        committee, state=ElectionState.voting, title=title,
        nominations_open_at=now - timedelta(days=10), nominations_close_at=now - timedelta(days=5),
        voting_opens_at=now - timedelta(days=1), voting_closes_at=now + closes_in,
        ballot_count=voted,
    )
    for position, organisation in enumerate(roll):
        db.session.add(RollEntry(election_id=election.id, organisation_id=organisation.id,
                                 name=organisation.name, position=position, voted=position < voted))
    db.session.commit()
    return election


class World:
    def __init__(self):
        self.plan = make_plan()
        self.committee = make_committee(self.plan, name="Comité de Lerdo")
        self.citizen = make_user(name="Citlali Ruiz")
        self.other = make_user(name="Otra Persona")
        self.voter = make_organisation(name="Colectivo Votante")
        self.voted = make_organisation(name="Colectivo Que Votó")
        self.outsider = make_organisation(name="Colectivo Fuera del Padrón")

        self.call = make_call(self.plan, [self.committee], title="Convocatoria Alfa abierta")
        self.draft_call = make_call(self.plan, [self.committee], title="Convocatoria Borrador",
                                    published_at=None)
        self.election = voting(self.committee, "Elección Beta del comité",
                               [self.voted, self.voter, make_organisation(), make_organisation()], 1)
        self.draft = make_commitment(self.committee, title="Borrador Gamma en consulta")
        self.consultation = make_consultation(self.draft, closes_in_hours=24 * 5 + 1)
        self.table = make_table(self.committee, title="Mesa Delta de vecinos", capacity=12)
        make_registration(self.table, self.citizen)
        self.cancelled_table = make_table(self.committee, title="Mesa Cancelada")
        self.cancelled_table.state = TableState.cancelled
        self.proposal = make_proposal(self.committee, self.citizen, title="Propuesta Épsilon del barrio")
        self.answer = answer(self.proposal, ProposalState.under_review, "Respuesta Zeta del comité")
        self.others_proposal = make_proposal(self.committee, self.other, title="Propuesta Ajena Eta")
        self.in_force = make_commitment(self.committee, state=CommitmentState.published, milestones=4,
                                        title="Compromiso Theta vigente")
        self.in_force.milestones[0].status = MilestoneStatus.complete
        comment = make_comment(self.draft, self.citizen, body="Comentario Iota de Citlali")
        make_answer(comment, reason="Razón Kappa de la facilitación")
        db.session.add(Notification(user_id=self.citizen.id, kind="proposal_answered",
                                    params={"reference": self.proposal.reference,
                                            "title": "Aviso Lambda", "state": "under_review"},
                                    url=f"/proposals/{self.proposal.reference}"))
        db.session.commit()
