"""A whole election of a committee's civil-society seats, in a real browser, as people would do
it: the guarantor body creates it and opens nominations, an approved organisation nominates a
person, she accepts, the guarantor body validates her and opens voting, two organisations vote
(review, password, receipt), the guarantor body closes early with a reason and publishes, and the
public result and the ballot box check out with the independent verifier."""

import io
from datetime import timedelta

import pytest
import sqlalchemy as sa

from app.core.clock import utc_to_local
from app.core.db import utcnow
from app.elections import verify
from app.elections.models import Candidate, CandidateState, Election, ElectionState
from app.extensions import db
from tests.browser.conftest import DESKTOP, _new_page, _problems, check_axe, log_in
from tests.conftest import PASSWORD
from tests.elections.factories import World, make_candidate
from tests.factories import make_user

pytestmark = pytest.mark.browser

TITLE = "Elección de representantes del Comité Municipal"
NOMINEE = "Rosa Elena Martínez Ibarra"
REASON = "Todas las organizaciones del padrón ya votaron; se acordó cerrar antes."


@pytest.fixture
def open_page(browser, live_server):
    """Opens other people's browsers: separate contexts with their own cookies."""
    opened = []

    def opener():
        context, page = _new_page(browser, live_server, DESKTOP)
        opened.append((context, page))
        return page

    yield opener
    for context, page in opened:
        _problems.pop(page, None)
        context.close()


def _fresh(election_id: int) -> Election:
    # The browser's requests commit in the server thread; start a new transaction to see them.
    db.session.rollback()
    return db.session.get(Election, election_id)


def _local(value) -> str:
    return utc_to_local(value).strftime("%Y-%m-%dT%H:%M")


def _submit(page) -> None:
    with page.expect_navigation():
        page.locator("main form button[type=submit]").last.click()


def _post(page, action: str) -> None:
    with page.expect_navigation():
        page.locator(f'form[action="{action}"] button[type=submit]').click()


def test_a_whole_election_from_nomination_to_published_result(page, open_page, live_server):
    world = World(organisations=3)
    admin_email = world.admin.email
    committee_id = world.committee.id
    voters = [org.email for org in world.organisations[:2]]
    nominee = make_user(name=NOMINEE, email="rosa@example.org")
    nominee_email, nominee_id = nominee.email, nominee.id

    # --- The guarantor body creates the election through the form: nominations open now.
    now = utcnow()
    log_in(page, admin_email)
    page.goto(f"/elections/new?committee={committee_id}")
    check_axe(page)
    page.locator("#committee_id").select_option(str(committee_id))
    page.locator("#title").fill(TITLE)
    page.locator("#nominations_open_at").fill(_local(now - timedelta(minutes=5)))
    page.locator("#nominations_close_at").fill(_local(now + timedelta(hours=2)))
    page.locator("#voting_opens_at").fill(_local(now + timedelta(hours=3)))
    page.locator("#voting_closes_at").fill(_local(now + timedelta(days=2)))
    page.locator("#min_participants").fill("2")
    _submit(page)
    db.session.rollback()
    election = db.session.scalars(sa.select(Election).where(Election.title == TITLE)).one()
    election_id = election.id
    assert election.state == ElectionState.draft

    page.goto(f"/elections/{election_id}/manage")
    check_axe(page)
    _post(page, f"/elections/{election_id}/open-nominations")
    check_axe(page)
    assert _fresh(election_id).state == ElectionState.nominating

    # --- An approved organisation nominates a person with a confirmed account.
    org_page = open_page()
    log_in(org_page, voters[0])
    org_page.goto(f"/elections/{election_id}")
    check_axe(org_page)
    org_page.goto(f"/elections/{election_id}/nominate")
    check_axe(org_page)
    org_page.locator("#name").fill(NOMINEE)
    org_page.locator("#email").fill(nominee_email)
    org_page.locator("#bio").fill("Maestra jubilada, 20 años en comités vecinales del oriente.")
    org_page.locator("#statement").fill("Llevaré al comité las **voces de las colonias**.")
    _submit(org_page)
    check_axe(org_page)
    db.session.rollback()
    candidate = db.session.scalars(
        sa.select(Candidate).where(Candidate.election_id == election_id,
                                   Candidate.user_id == nominee_id)).one()
    candidate_id, nominee_code = candidate.id, candidate.public_code
    assert candidate.state == CandidateState.pending

    # --- She logs in and accepts the nomination.
    nominee_page = open_page()
    log_in(nominee_page, nominee_email)
    nominee_page.goto("/elections/nominations")
    check_axe(nominee_page)
    _post(nominee_page, f"/elections/candidates/{candidate_id}/accept")
    check_axe(nominee_page)
    db.session.rollback()
    assert db.session.get(Candidate, candidate_id).state == CandidateState.accepted

    # --- The guarantor body validates her.
    page.goto(f"/elections/{election_id}/manage")
    assert page.locator(f'tr[data-candidate-id="{candidate_id}"]').get_attribute(
        "data-state") == "accepted"
    _post(page, f"/elections/candidates/{candidate_id}/validate")
    check_axe(page)
    db.session.rollback()
    assert db.session.get(Candidate, candidate_id).state == CandidateState.validated
    # A second, already validated candidate of another organisation, so there is a choice.
    election = _fresh(election_id)
    make_candidate(election, world.organisations[2], name="Jorge Alberto Rivas Quiñones")

    # --- Time passes: the nomination window ends and the voting window opens.
    election = _fresh(election_id)
    moment = utcnow() - timedelta(seconds=1)
    election.nominations_close_at = moment
    election.voting_opens_at = moment
    db.session.commit()
    page.goto(f"/elections/{election_id}/manage")
    check_axe(page)
    _post(page, f"/elections/{election_id}/open-voting")
    check_axe(page)
    assert _fresh(election_id).state == ElectionState.voting

    # --- Two organisations vote for her: ballot, review, password, receipt.
    receipts = []
    for index, email in enumerate(voters):
        voter = org_page if index == 0 else open_page()
        if index:
            log_in(voter, email)
        voter.goto(f"/elections/{election_id}")
        check_axe(voter)
        with voter.expect_navigation():
            voter.locator("[data-voter=can-vote] a").click()
        check_axe(voter)
        voter.locator(f'.ballot-option input[value="{nominee_code}"]').check()
        with voter.expect_navigation():
            voter.locator(".ballot-form button[type=submit]").click()
        assert voter.locator(".ballot-review").is_visible()
        assert voter.locator(".ballot-review").get_attribute("data-choice") == nominee_code
        check_axe(voter)
        voter.locator("#password").fill(PASSWORD)
        with voter.expect_navigation():
            voter.locator("main form button[type=submit]").first.click()
        code = voter.locator("[data-receipt]").get_attribute("data-receipt")
        assert code and len(code) == 23
        check_axe(voter)
        receipts.append(code)
        voter.goto(f"/elections/{election_id}")
        assert voter.locator("[data-voter=voted]").is_visible()
    assert len(set(receipts)) == 2
    assert _fresh(election_id).ballot_count == 2

    # --- The guarantor body closes voting early, with a reason, and publishes the result.
    page.goto(f"/elections/{election_id}/close")
    check_axe(page)
    page.locator("#reason").fill(REASON)
    _submit(page)
    check_axe(page)
    election = _fresh(election_id)
    assert election.state == ElectionState.closed
    assert election.closed_early_reason == REASON
    page.goto(f"/elections/{election_id}/publish")
    check_axe(page)
    _submit(page)
    check_axe(page)
    election = _fresh(election_id)
    assert election.state == ElectionState.published
    head_hash = election.head_hash

    # --- Anyone sees the winner, the counts and the head hash, and the box verifies.
    public = open_page()
    public.goto(f"/elections/{election_id}")
    check_axe(public)
    assert public.locator("#result").is_visible()
    assert NOMINEE in public.locator('tr[data-seat]').first.inner_text()
    assert public.locator(f'.result-counts tr[data-code="{nominee_code}"] [data-votes]') \
        .get_attribute("data-votes") == "2"
    assert public.locator("[data-turnout]").get_attribute("data-turnout") == "2/3"
    assert head_hash in public.locator("#result").inner_text()
    assert REASON in public.content()
    public.goto(f"/elections/{election_id}/box")
    check_axe(public)
    public.goto(f"/elections/{election_id}/receipt?code={receipts[1]}")
    assert public.locator("[data-found=yes]").is_visible()
    check_axe(public)

    response = public.request.get(f"{live_server}/elections/{election_id}/box.json")
    assert response.status == 200
    box = response.json()
    assert box["result"]["head_hash"] == head_hash
    for code in receipts:
        report = io.StringIO()
        assert verify.verify(box, receipt=code, out=report), report.getvalue()
