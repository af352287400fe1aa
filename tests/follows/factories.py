"""Factories of the following tests: one proposal, commitment, committee, table and election."""
from app.commitments.models import CommitmentState
from app.elections.models import ElectionState
from tests.commitments.factories import make_proposal
from tests.dialogues.factories import make_table
from tests.elections.factories import make_election
from tests.progress.factories import World as ProgressWorld
from tests.progress.factories import make_commitment

KINDS = ("proposal", "commitment", "committee", "table", "election")


class World(ProgressWorld):
    def __init__(self):
        super().__init__()
        self.proposal = make_proposal(self.committee, self.organisation)
        self.commitment = make_commitment(self)
        self.table = make_table(self.committee)
        self.election = make_election(self.committee, state=ElectionState.nominating)
        self.draft = make_commitment(self, state=CommitmentState.draft)

    def target(self, kind):
        return {"proposal": self.proposal, "commitment": self.commitment,
                "committee": self.committee, "table": self.table, "election": self.election}[kind]
