"""A signed-in person's own panel (/panel/): their proposals and the answers they got, their
comments on drafts and the answers, their tables (coming first), their organisation's ballots and
applications, their notifications; nobody else's; anonymous people are sent to log in; the page's
SQL statements do not grow with the data."""
from datetime import timedelta

import pytest

from app.calls.models import ApplicationStatus
from app.core.db import utcnow
from app.extensions import db
from app.proposals.models import ProposalState
from tests.calls.factories import make_application
from tests.conftest import login_as
from tests.consultations.factories import make_comment
from tests.dialogues.factories import make_proposal, make_registration, make_table
from tests.home.factories import World, answer
from tests.querycount import count_queries


@pytest.fixture(scope="module")
def world(module_worlds):
    return module_worlds.share(World)


def panel(client, user) -> str:
    login_as(client, user)
    response = client.get("/panel/")
    assert response.status_code == 200
    return response.get_data(as_text=True)


def test_anonymous_people_are_sent_to_log_in(client, world):
    response = client.get("/panel/")
    assert response.status_code == 302
    assert "/account/login" in response.headers["Location"]


def test_a_citizen_sees_their_own_things_and_what_they_got_back(client, world):
    html = panel(client, world.citizen)
    assert "Propuesta Épsilon del barrio" in html and "Respuesta Zeta del comité" in html
    assert "Enviada → En revisión" in html
    assert "Borrador Gamma en consulta" in html and "Comentario Iota de Citlali" in html
    assert "Razón Kappa de la facilitación" in html and "Incorporado" in html
    assert "Mesa Delta de vecinos" in html and "Lugar confirmado" in html
    assert "Aviso Lambda" in html
    assert 'data-panel="organisation"' not in html  # a citizen has no organisation block
    # Nobody else's proposals, even in the same committee.
    assert "Propuesta Ajena Eta" not in html


def test_another_person_sees_none_of_it_and_is_told_what_to_do(client, world):
    html = panel(client, world.other)
    assert "Propuesta Ajena Eta" in html
    for theirs in ("Propuesta Épsilon", "Comentario Iota", "Mesa Delta", "Aviso Lambda"):
        assert theirs not in html
    assert "No te has inscrito en ninguna mesa de diálogo." in html and 'href="/tables/"' in html
    assert "Aún no has comentado ningún borrador de compromiso." in html
    assert "Aún no tienes notificaciones." in html


def test_tables_coming_first_then_past_ones(client, world):
    past = make_table(world.committee, title="Mesa Pasada Mu", starts_in=-timedelta(days=3))
    make_registration(past, world.citizen)
    later = make_table(world.committee, title="Mesa Lejana Nu", starts_in=timedelta(days=30))
    make_registration(later, world.citizen)
    html = panel(client, world.citizen)
    assert html.index("Mesa Delta") < html.index("Mesa Lejana Nu") < html.index("Mesa Pasada Mu")
    assert "Realizada" in html


def test_an_organisation_sees_its_ballot_until_it_votes_and_its_pending_applications(client, world):
    make_application(world.call, world.voter, world.committee)
    html = panel(client, world.voter)
    assert f'href="/elections/{world.election.id}/vote"' in html
    assert "Postulaciones en espera de decisión" in html and "Convocatoria Alfa abierta" in html
    html = panel(client, world.voted)
    assert "/vote" not in html and "Tu organización no tiene votos pendientes por ahora." in html
    assert "Postulaciones en espera" not in html
    world.election.voting_closes_at = utcnow() - timedelta(minutes=1)
    db.session.commit()
    assert f"/elections/{world.election.id}/vote" not in panel(client, world.voter)


def test_a_decided_application_is_no_longer_pending(client, world):
    make_application(world.call, world.voter, world.committee, ApplicationStatus.approved)
    assert "Postulaciones en espera" not in panel(client, world.voter)


def statements(client) -> int:
    client.get("/panel/")
    db.session.expire_all()
    with count_queries() as executed:
        assert client.get("/panel/").status_code == 200
    return len(executed)


@pytest.mark.parametrize("who", ["citizen", "voter"])
def test_the_panel_sends_a_fixed_number_of_statements(client, world, who):
    user = getattr(world, who)
    login_as(client, user)
    before = statements(client)
    for n in range(4):
        proposal = make_proposal(world.committee, user, title=f"Otra propuesta {n}")
        answer(proposal, ProposalState.in_dialogue, "Otra respuesta")
        make_comment(world.draft, user)
        make_registration(make_table(world.committee), user)
    db.session.commit()
    after = statements(client)
    assert after == before, (before, after)
    assert after <= 20, after
