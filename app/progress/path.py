"""What happened to a proposal: the dialogue tables where it was discussed and the public
commitments it fed, with their milestones, lights and latest published reports (a section of the
proposal's page, registered in app/progress/hooks.py); and per committee, the share of its
proposals that reached a commitment.

One statement when the proposal reached no commitment (its tables and commitments, together);
three more when it did (the milestones and their lights, and the latest reports), whatever the
number of tables, commitments, milestones and reports."""
from dataclasses import dataclass, field

import sqlalchemy as sa

from app.commitments.models import Commitment, CommitmentProposal, Milestone
from app.commitments.queries import visible as commitment_visible
from app.core.clock import today
from app.dialogues.models import AgendaItem, DialogueTable, TableState
from app.extensions import db
from app.progress.lights import lights_for
from app.progress.models import Evidence, ProgressNote, ReportState
from app.proposals.models import Proposal, ProposalState


@dataclass
class Path:
    tables: list = field(default_factory=list)       # (id, title, starts_at)
    commitments: list = field(default_factory=list)  # (id, title)
    milestones: dict = field(default_factory=dict)   # commitment id -> [Milestone]
    latest: dict = field(default_factory=dict)       # milestone id -> (noted_on, evidence count)
    lights: object = None

    @property
    def empty(self) -> bool:
        return not self.tables and not self.commitments


def path_of(proposal) -> Path:
    tables = (sa.select(sa.literal("table").label("kind"), DialogueTable.id, DialogueTable.title,
                        DialogueTable.starts_at.label("starts_at"))
              .join(AgendaItem, AgendaItem.table_id == DialogueTable.id)
              .where(AgendaItem.proposal_id == proposal.id, DialogueTable.state != TableState.cancelled))
    commitments = (sa.select(sa.literal("commitment").label("kind"), Commitment.id, Commitment.title,
                             sa.null().label("starts_at"))
                   .join(CommitmentProposal, CommitmentProposal.commitment_id == Commitment.id)
                   .where(CommitmentProposal.proposal_id == proposal.id, commitment_visible()))
    path = Path()
    for row in db.session.execute(sa.union_all(tables, commitments)):
        if row.kind == "table":
            path.tables.append((row.id, row.title, row.starts_at))
        else:
            path.commitments.append((row.id, row.title))
    path.tables.sort(key=lambda t: t[2])
    if not path.commitments:
        return path
    ids = [c[0] for c in path.commitments]
    path.lights = lights_for(ids, today())
    for milestone in db.session.scalars(sa.select(Milestone).where(Milestone.commitment_id.in_(ids))
                                        .order_by(Milestone.position, Milestone.id)):
        path.milestones.setdefault(milestone.commitment_id, []).append(milestone)
    evidence = (sa.select(sa.func.count(Evidence.id)).where(Evidence.note_id == ProgressNote.id)
                .correlate(ProgressNote).scalar_subquery())
    ranked = (sa.select(ProgressNote.milestone_id, ProgressNote.noted_on, evidence.label("evidence"),
                        sa.func.row_number().over(partition_by=ProgressNote.milestone_id,
                                                  order_by=(ProgressNote.published_at.desc(),
                                                            ProgressNote.id.desc())).label("rank"))
              .join(Milestone, Milestone.id == ProgressNote.milestone_id)
              .where(Milestone.commitment_id.in_(ids), ProgressNote.state == ReportState.published)
              .subquery())
    for row in db.session.execute(sa.select(ranked.c.milestone_id, ranked.c.noted_on, ranked.c.evidence)
                                  .where(ranked.c.rank == 1)):
        path.latest[row.milestone_id] = (row.noted_on, row.evidence)
    return path


def reach_of_committee(committee_id: int) -> tuple[int, int]:
    """(proposals that reached a public commitment, proposals) of the committee, visible and not
    withdrawn, in one statement."""
    reached = sa.exists().where(CommitmentProposal.proposal_id == Proposal.id,
                                CommitmentProposal.commitment_id == Commitment.id, commitment_visible())
    row = db.session.execute(
        sa.select(sa.func.count(Proposal.id), sa.func.count(sa.case((reached, Proposal.id))))
        .where(Proposal.committee_id == committee_id, Proposal.hidden_at.is_(None),
               Proposal.state != ProposalState.withdrawn)).one()
    return int(row[1]), int(row[0])
