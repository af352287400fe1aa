"""The co-creation standards' figures, computed from a built world whose answers are known, and
the page and its open data."""
import csv
import io
from datetime import UTC, date, datetime, timedelta

import pytest
import sqlalchemy as sa

from app.core import clock
from app.core.db import utcnow
from app.documents.models import Document, DocumentKind
from app.extensions import db
from app.meetings.models import CommitteeSession
from app.plans.models import Phase, PhaseKind
from app.proposals.models import Proposal, ProposalAnswer, ProposalState
from app.standards import queries
from tests.consultations.factories import make_comment
from tests.consultations.factories import make_commitment as make_consulted
from tests.factories import make_committee, make_plan, make_user

TODAY = date(2026, 12, 1)
START = date(2025, 1, 15)


def session(committee, held_on, minutes=True):
    db.session.add(CommitteeSession(
        committee_id=committee.id, held_on=held_on, agenda="1.", seats=1, present=1, quorum=1,
        minutes="Acta." if minutes else None,
        minutes_published_at=utcnow() if minutes else None))


class Known:
    """Two committees: one met every five months (meets), one left a gap of seven (falls short);
    one session without minutes; two proposals out of «submitted», one without an answer; three
    consultation comments, one unanswered; documents published on time and late."""

    def __init__(self):
        self.plan = make_plan()
        self.plan.published_at = datetime(2025, 1, 10, tzinfo=UTC)
        db.session.execute(sa.delete(Phase).where(Phase.plan_id == self.plan.id))  # the plan's own timeline
        db.session.add(Phase(plan_id=self.plan.id, kind=PhaseKind.cocreation, starts_on=START,
                             ends_on=date(2027, 6, 30), position=9))
        self.regular, self.irregular = make_committee(self.plan), make_committee(self.plan)
        for months in range(0, 24, 5):
            session(self.regular, START + timedelta(days=30 * months + 10))
        session(self.irregular, START + timedelta(days=100))
        session(self.irregular, START + timedelta(days=100 + 210), minutes=False)  # a 7-month gap
        session(self.irregular, START + timedelta(days=100 + 380))
        session(self.irregular, START + timedelta(days=100 + 530))
        session(self.irregular, date(2026, 11, 1))
        author = make_user()
        self.answered = self._proposal(author, 1, ProposalState.accepted, answer=True)
        self.unanswered = self._proposal(author, 2, ProposalState.not_accepted, answer=False)
        self._proposal(author, 3, ProposalState.submitted, answer=False)  # still submitted: not counted
        consulted = make_consulted(self.regular)
        consulted.plan_id = self.plan.id
        comments = [make_comment(consulted, author=author) for _ in range(3)]
        from app.consultations.models import ConsultationAnswer, ConsultationOutcome
        for comment in comments[:2]:
            db.session.add(ConsultationAnswer(comment_id=comment.id, outcome=ConsultationOutcome.incorporated,
                                              reason="Se incorpora."))
        self.unanswered_comment = comments[2]
        for days_late, title in ((3, "A tiempo"), (30, "Justo a tiempo"), (31, "Tarde")):
            db.session.add(Document(plan_id=self.plan.id, kind=DocumentKind.minutes, title=title,
                                    document_date=date(2026, 3, 1),
                                    published_at=datetime(2026, 3, 1, 12, tzinfo=UTC) + timedelta(days=days_late)))
        db.session.commit()

    def _proposal(self, author, n, state, answer):
        proposal = Proposal(plan_id=self.plan.id, committee_id=self.regular.id, author_id=author.id,
                            year=2026, sequence=800 + n, reference=f"STD-2026-{800 + n}", title=f"P {n}",
                            body="Texto.", state=state)
        db.session.add(proposal)
        db.session.flush()
        if answer:
            db.session.add(ProposalAnswer(proposal_id=proposal.id, from_state=ProposalState.submitted,
                                          to_state=state, body="Razón."))
        return proposal


@pytest.fixture(scope="module")
def known(module_worlds):
    return module_worlds.share(Known)


@pytest.fixture(autouse=True)
def _today():
    with clock.use(lambda: datetime.combine(TODAY, datetime.min.time(), tzinfo=UTC) + timedelta(hours=18)):
        yield


def figures(known, app_request) -> dict:
    return {f.key: f for f in queries.figures(known.plan, TODAY)}


@pytest.fixture
def app_request(app):
    with app.test_request_context():
        yield


def test_every_figure_from_a_world_with_known_answers(known, app_request):
    found = figures(known, app_request)

    assert (found["forum"].done, found["forum"].total, found["forum"].met) == (1, 2, False)
    assert [label for label, _path in found["forum"].short] == [known.irregular.name]
    assert found["timeline"].met
    assert (found["proposals_answered"].done, found["proposals_answered"].total) == (1, 2)
    assert found["proposals_answered"].short[0][1] == f"/proposals/{known.unanswered.reference}"
    assert (found["consultation_answered"].done, found["consultation_answered"].total) == (2, 3)
    assert found["consultation_answered"].short[0][1].endswith(f"#comment-{known.unanswered_comment.id}")
    assert (found["repository_current"].done, found["repository_current"].total) == (2, 3)
    assert [label for label, _path in found["repository_current"].short] == ["Tarde"]
    assert (found["minutes"].done, found["minutes"].total, found["minutes"].rate) == (9, 10, 90)


def test_a_timeline_published_after_co_creation_began_is_not_met(known, app_request):
    known.plan.published_at = datetime(2025, 2, 1, tzinfo=UTC)
    assert not queries.timeline(known.plan, TODAY).met


def test_a_committee_without_sessions_falls_short(known, app_request):
    silent = make_committee(known.plan)
    found = queries.forum(known.plan, TODAY)
    assert silent.name in [label for label, _path in found.short] and found.total == 3


def test_the_page_and_its_open_data(known, client):
    page = client.get(f"/standards/{known.plan.id}").get_data(as_text=True)
    assert 'data-standard="forum" data-met="no"' in page and 'data-standard="timeline" data-met="yes"' in page
    assert f"/sessions/committee/{known.irregular.id}" in page
    assert page.count("data-source") == 6 and f'href="/documents/?plan={known.plan.slug}" data-source' in page
    data = client.get(f"/standards/{known.plan.id}.json").get_json()
    assert {f["key"]: (f["done"], f["total"]) for f in data["figures"]}["minutes"] == (9, 10)
    rows = list(csv.DictReader(io.StringIO(client.get(f"/standards/{known.plan.id}.csv")
                                           .get_data(as_text=True).lstrip("\ufeff"))))
    assert {r["key"]: r["rate"] for r in rows}["consultation_answered"] == "67"
    assert client.get("/standards/999999").status_code == 404


def test_the_api_serves_the_same_figures_by_the_plans_slug(known, client):
    downloaded = client.get(f"/standards/{known.plan.id}.json").get_json()
    served = client.get(f"/api/v1/plans/{known.plan.slug}/standards")
    assert served.status_code == 200 and served.headers["Access-Control-Allow-Origin"] == "*"
    assert served.get_json()["data"] == downloaded
    assert downloaded["plan"] == {"id": known.plan.id, "slug": known.plan.slug, "name": known.plan.name}
    again = client.get(f"/api/v1/plans/{known.plan.slug}/standards",
                       headers={"If-None-Match": served.headers["ETag"]})
    assert again.status_code == 304

    draft = make_plan(current=False, published=False)
    for slug in (draft.slug, "no-such-plan"):
        missing = client.get(f"/api/v1/plans/{slug}/standards")
        assert missing.status_code == 404 and missing.mimetype == "application/problem+json"
