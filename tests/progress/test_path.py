"""What happened to a proposal (its tables, the commitments it fed with their milestones, lights
and latest reports) on its page, in a fixed number of statements; and a committee's share of
proposals that reached a commitment."""
from datetime import date, timedelta

import pytest

from app.commitments.models import CommitmentProposal, CommitmentState
from app.dialogues.models import AgendaItem, TableState
from app.extensions import db
from app.progress import oversight, services
from app.progress.lights import Light
from app.progress.path import path_of, reach_of_committee
from app.proposals.models import ProposalState
from tests.commitments.factories import make_proposal
from tests.dialogues.factories import make_table
from tests.progress.factories import make_commitment
from tests.progress.test_oversight import Loop
from tests.querycount import count_queries


class Fed(Loop):
    def __init__(self):
        super().__init__()
        self.proposal = make_proposal(self.committee, self.citizen)
        self.lone = make_proposal(self.committee, self.citizen, state=ProposalState.not_accepted)
        make_proposal(self.committee, self.citizen, state=ProposalState.withdrawn)  # not counted
        self.table = make_table(self.committee, starts_in=-timedelta(days=20))
        cancelled = make_table(self.committee, state=TableState.cancelled)
        self.draft = make_commitment(self, state=CommitmentState.draft)
        for table in (self.table, cancelled):
            db.session.add(AgendaItem(table_id=table.id, proposal_id=self.proposal.id))
        for commitment in (self.commitment, self.draft):
            db.session.add(CommitmentProposal(commitment_id=commitment.id, proposal_id=self.proposal.id))
        db.session.commit()


@pytest.fixture(scope="module")
def fed(module_worlds):
    return module_worlds.share(Fed)


def test_the_path_of_a_proposal_to_its_commitments_milestones_and_reports(fed):
    note = services.report_progress(fed.facilitator, fed.commitment.milestones[0], "complete", "Hecho.",
                                    date(2026, 3, 1))
    oversight.review_report(fed.suplente, note, "disputed", "No coincide.")
    db.session.refresh(fed.proposal)  # loaded before counting: the page has it already

    with count_queries() as sent:
        path = path_of(fed.proposal)

    assert [t[0] for t in path.tables] == [fed.table.id]                   # not the cancelled table
    assert [c[0] for c in path.commitments] == [fed.commitment.id]         # not the draft
    assert [m.id for m in path.milestones[fed.commitment.id]] == [m.id for m in fed.commitment.milestones]
    assert path.latest[fed.commitment.milestones[0].id] == (date(2026, 3, 1), 0)
    assert path.lights.of(fed.commitment.id) == Light.disputed
    assert len(sent) == 5  # tables and commitments; lights (two); milestones; latest reports


def test_a_proposal_that_went_nowhere_costs_one_statement_and_says_why(fed, client):
    db.session.refresh(fed.lone)
    with count_queries() as sent:
        path = path_of(fed.lone)
    assert path.empty and len(sent) == 1
    page = client.get(f"/proposals/{fed.lone.reference}").get_data(as_text=True)
    assert "sus respuestas, arriba, dicen por qué" in page


def test_the_proposal_page_shows_the_path(fed, client):
    page = client.get(f"/proposals/{fed.proposal.reference}").get_data(as_text=True)
    assert 'data-path-tables="1" data-path-commitments="1"' in page
    assert f'data-path-commitment="{fed.commitment.id}"' in page and f"/tables/{fed.table.id}" in page


def test_a_committee_shows_the_share_of_its_proposals_that_reached_a_commitment(fed, client):
    assert reach_of_committee(fed.committee.id) == (1, 2)
    page = client.get(f"/committees/{fed.committee.slug}").get_data(as_text=True)
    assert 'data-reached="1" data-proposals="2"' in page and "(50 %)" in page
