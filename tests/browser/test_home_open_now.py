"""In a real browser: the home page's open items (a call, an election in voting, a consultation,
a table, proposals and answers, progress) at desktop and phone width, accessible and without
sideways scroll; an organisation on the roll follows "Votar" to its ballot; its panel too."""
import pytest

from app.commitments.models import CommitmentState
from app.proposals.models import ProposalState
from tests.browser.conftest import (
    assert_no_sideways_scroll,
    browser_problems,
    check_axe,
    log_in,
    screenshot,
)
from tests.calls.factories import make_call
from tests.consultations.factories import make_commitment, make_consultation
from tests.dialogues.factories import make_proposal, make_table
from tests.elections.factories import World, voting_election
from tests.home.factories import answer

pytestmark = pytest.mark.browser


@pytest.fixture
def world(app):
    world = World()
    world.election = voting_election(world)
    make_call(world.plan, [world.committee], title="Convocatoria abierta")
    make_consultation(make_commitment(world.committee, title="Borrador en consulta"))
    make_table(world.committee, title="Mesa próxima")
    answer(make_proposal(world.committee, world.citizen), ProposalState.under_review, "Respuesta")
    make_commitment(world.committee, state=CommitmentState.published, milestones=3)
    return world


def shot(page, name: str) -> None:
    screenshot(page, f"home/{name}")


def test_open_items_read_on_desktop_and_phone_and_the_vote_is_one_click_away(page, phone_page, world):
    for each, width in ((page, "desktop"), (phone_page, "phone")):
        each.goto("/")
        for kind in ("call", "election", "consultation", "table"):
            assert each.locator(f".open-item[data-open={kind}] .button").count() == 1, kind
        assert each.locator("[data-list=answers] li").count() == 1
        check_axe(each)
        assert_no_sideways_scroll(each)
        shot(each, f"open-now-{width}")

    log_in(phone_page, world.organisation.email)
    phone_page.goto("/")
    vote = phone_page.locator(".open-item[data-open=election] a.button")
    assert vote.inner_text().strip() == "Votar"
    vote.click()
    phone_page.wait_for_url(f"**/elections/{world.election.id}/vote")
    assert phone_page.locator(".ballot-option input").count() >= 2
    phone_page.goto("/panel/")
    assert phone_page.locator(f"[data-ballot='{world.election.id}']").count() == 1
    check_axe(phone_page)
    assert_no_sideways_scroll(phone_page)
    shot(phone_page, "panel-phone")
    assert not browser_problems(page) and not browser_problems(phone_page)
