"""The home page leads with what is open today: each block appears with its one action while its
window is open and leaves when it closes; hidden, withdrawn, draft and cancelled things never show;
the page's SQL statements do not grow with the data."""
import re
from datetime import date, timedelta

import pytest

from app.commitments.models import MilestoneStatus
from app.core.db import utcnow
from app.dialogues.models import TableState
from app.elections.models import ElectionState
from app.extensions import db
from app.plans.models import Phase, PhaseKind
from app.proposals.models import ProposalState
from tests.conftest import login_as
from tests.consultations.factories import make_commitment, make_consultation, move_window
from tests.dialogues.factories import make_proposal, make_table
from tests.home.factories import World, answer, voting
from tests.querycount import count_queries


@pytest.fixture(scope="module")
def world(module_worlds):
    return module_worlds.share(World)


def home(client) -> str:
    response = client.get("/")
    assert response.status_code == 200
    return response.get_data(as_text=True)


def block(html: str, kind: str) -> list[str]:
    """The "open now" items of one kind (call, election, consultation, table)."""
    return re.findall(rf'<li class="open-item" data-open="{kind}">(.*?)</li>', html, re.S)


def left(closes_at) -> str:
    """The days left as the page counts them: calendar days where the plan is (a window closing
    in 5 days and an hour may be 6 days away there in the evening)."""
    from app.core.clock import today, utc_to_local

    return f"quedan {(utc_to_local(closes_at).date() - today()).days} días"


def test_every_block_shows_with_its_dates_and_one_action(client, world):
    html = home(client)
    assert html.index('id="open-title"') < html.index('id="route-title"')  # open items first
    [call] = block(html, "call")
    assert "Convocatoria Alfa abierta" in call and left(world.call.closes_at) in call
    assert f'href="/calls/{world.call.id}"' in call and "Ver la convocatoria" in call
    [election] = block(html, "election")
    assert "Elección Beta del comité" in election and left(world.election.voting_closes_at) in election
    assert "Han votado 1 de 4 organizaciones" in election and "(25 %)" in election
    assert "Ver la elección" in election and "/vote" not in election  # anonymous: no ballot
    [consultation] = block(html, "consultation")
    assert "Borrador Gamma en consulta" in consultation and left(world.consultation.closes_at) in consultation
    assert ">Comentar<" in consultation
    [table] = block(html, "table")
    assert "Mesa Delta de vecinos" in table and "quedan 11 lugares" in table and "Inscribirme" in table
    assert "Propuesta Épsilon del barrio" in html and "Respuesta Zeta del comité" in html
    assert "En revisión" in html
    # One of four milestones done, in one commitment in force; the link to «¿Cómo vamos?».
    assert "25 %" in html and "1 de 4" in html and 'href="/dashboard/"' in html
    for each in (call, election, consultation, table):
        assert each.count('class="button') == 1


def test_hidden_withdrawn_draft_and_cancelled_things_never_show(client, world):
    html = home(client)
    assert "Convocatoria Borrador" not in html and "Mesa Cancelada" not in html
    world.proposal.hidden_at = utcnow()
    world.others_proposal.state = ProposalState.withdrawn
    db.session.commit()
    html = home(client)
    assert "Propuesta Épsilon" not in html and "Respuesta Zeta" not in html  # its answer too
    assert "Propuesta Ajena Eta" not in html


def test_blocks_leave_when_their_windows_close(client, world):
    now = utcnow()
    world.call.closes_at = now - timedelta(minutes=1)
    world.election.voting_closes_at = now - timedelta(minutes=1)
    move_window(world.consultation, closes_in_hours=-0.1)
    world.table.starts_at, world.table.ends_at = now - timedelta(hours=3), now - timedelta(hours=1)
    db.session.commit()
    html = home(client)
    for kind in ("call", "election", "consultation", "table"):
        assert not block(html, kind), kind
    assert "Hoy no hay convocatorias, votaciones, consultas ni mesas abiertas." in html
    assert "Etapa actual:" in html


def test_a_consultation_closed_early_leaves(client, world):
    world.consultation.closed_early_at = utcnow() - timedelta(minutes=1)
    db.session.commit()
    assert not block(home(client), "consultation")


def test_an_organisation_on_the_roll_is_asked_to_vote_until_it_votes(client, world):
    login_as(client, world.voter)
    html = home(client)
    [election] = block(html, "election")
    assert f'href="/elections/{world.election.id}/vote"' in election and ">Votar<" in election
    assert "Votar ahora" in html  # the hero's call to action
    [call] = block(html, "call")
    assert f'href="/calls/{world.call.id}/apply"' in call and "Postular a mi organización" in call
    for organisation in (world.voted, world.outsider):
        login_as(client, organisation)
        html = home(client)
        [election] = block(html, "election")
        assert "/vote" not in election and "Ver la elección" in election
        assert "Votar ahora" not in html and "Postular a mi organización" in html


def test_a_citizen_is_invited_to_propose_and_reaches_the_panel(client, world):
    login_as(client, world.citizen)
    html = home(client)
    assert 'href="/proposals/new"' in html and "Hacer una propuesta" in html
    assert 'href="/panel/"' in html
    assert "Postular a mi organización" not in html


def test_without_anything_open_the_page_says_what_comes_next(client, world):
    world.call.published_at = None
    world.election.state = ElectionState.closed
    world.consultation.closed_early_at = utcnow()
    world.table.state = TableState.cancelled
    db.session.add(Phase(plan_id=world.plan.id, kind=PhaseKind.implementation,
                         starts_on=date(2100, 1, 1), ends_on=date(2100, 6, 30)))
    db.session.commit()
    html = home(client)
    assert 'class="open-list"' not in html
    assert "Después: Implementación, a partir del 1 de enero de 2100." in html


def statements(client) -> int:
    client.get("/")
    db.session.expire_all()
    with count_queries() as executed:
        assert client.get("/").status_code == 200
    return len(executed)


@pytest.mark.parametrize("who", ["anonymous", "voter", "citizen"])
def test_the_home_page_sends_a_fixed_number_of_statements(client, world, who):
    if who != "anonymous":
        login_as(client, getattr(world, who))
    before = statements(client)
    for n in range(4):
        make_table(world.committee, title=f"Otra mesa {n}")
        voting(world.committee, f"Otra elección {n}", [world.voter, world.voted], 1)
        consulted = make_commitment(world.committee)
        make_consultation(consulted)
        proposal = make_proposal(world.committee, world.other)
        answer(proposal, ProposalState.in_dialogue, "Otra respuesta")
        done = make_commitment(world.committee, state=world.in_force.state, milestones=3)
        done.milestones[0].status = MilestoneStatus.in_progress
    db.session.commit()
    after = statements(client)
    assert after == before, (before, after)
    assert after <= 22, after


def test_many_open_consultations_show_the_first_few_and_link_to_all(client, world):
    for n in range(4):
        make_consultation(make_commitment(world.committee, title=f"Borrador extra {n}"),
                          closes_in_hours=24 * 20)
    html = home(client)
    assert len(block(html, "consultation")) == 4
    assert "Borrador Gamma en consulta" in html  # the one closing soonest comes first
    assert "5 borradores en consulta pública: verlos todos" in html
    assert 'href="/commitments/?state=consultation"' in html
