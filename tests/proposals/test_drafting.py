"""The proposal form's preview: what it shows, that nothing typed is lost, publishing after it,
similar proposals offered for support, and the committee suggested from the municipality."""
import html
import re
import secrets

import pytest
import sqlalchemy as sa

from app.extensions import db
from app.proposals.models import Proposal, Support
from tests.conftest import login_as
from tests.factories import make_user
from tests.proposals.factories import World, make_proposal

TITLE = "Baches profundos en la avenida Hidalgo"
BODY = "Los **baches** dañan coches desde enero.\n\n- Frente a la escuela\n- En la esquina"


@pytest.fixture(scope="module")
def world(module_worlds):
    return module_worlds.share(World)


def text(response) -> str:
    return response.get_data(as_text=True)


def form_data(world, **changes) -> dict:
    data = {"title": TITLE, "body": BODY, "committee_id": str(world.committee.id),
            "theme_id": str(world.theme.id), "place": "Colonia Centro", "municipality": "",
            "token": secrets.token_urlsafe(24)}
    data.update(changes)
    return data


def proposals_by(user) -> list[Proposal]:
    return list(db.session.scalars(sa.select(Proposal).where(Proposal.author_id == user.id)))


def hidden_value(page: str, name: str) -> str | None:
    """The value of the (first) hidden input of that name, whatever the order of its attributes."""
    for tag in re.findall(r"<input [^>]*>", page):
        if 'type="hidden"' in tag and f'name="{name}"' in tag:
            found = re.search(r'value="([^"]*)"', tag)
            return html.unescape(found.group(1)) if found else ""
    return None


def test_the_form_offers_a_preview_not_an_immediate_publication(world, client):
    login_as(client, world.author)
    page = text(client.get("/proposals/new"))
    assert 'name="step" value="preview"' in page
    assert 'enctype="multipart/form-data"' in page
    assert hidden_value(page, "token")  # the one-time token that makes publishing idempotent


def test_preview_shows_the_proposal_rendered_and_keeps_every_input(world, client):
    login_as(client, world.author)
    response = client.submit("/proposals/new", {**form_data(world), "step": "preview"},
                             page="/proposals/new")
    page = text(response)
    assert response.status_code == 200
    assert "Vista previa de tu propuesta" in page
    assert TITLE in page and "<strong>baches</strong>" in page and "<li>Frente a la escuela</li>" in page
    assert "Colonia Centro" in page and world.theme.name in page
    assert proposals_by(world.author) == []  # nothing is published by a preview
    assert hidden_value(page, "title") == TITLE
    assert hidden_value(page, "committee_id") == str(world.committee.id)
    assert hidden_value(page, "theme_id") == str(world.theme.id)
    assert 'name="step" value="publish"' in page and 'name="step" value="edit"' in page

    # "Keep editing": the form again, with everything typed and chosen.
    back = client.submit("/proposals/new", {**form_data(world), "step": "edit"}, page="/proposals/new")
    page = text(back)
    assert back.status_code == 200
    assert f'value="{TITLE}"' in page and "Los **baches** dañan coches" in page
    assert re.search(rf'<option selected value="{world.theme.id}">|<option value="{world.theme.id}" selected', page)


def test_a_preview_with_errors_shows_the_form_again_in_spanish_with_the_input(world, client):
    login_as(client, world.author)
    response = client.submit("/proposals/new", {**form_data(world, title="Corto"), "step": "preview"},
                             page="/proposals/new")
    page = text(response)
    assert response.status_code == 400
    assert "Usa entre 10 y 150 caracteres." in page
    assert 'value="Corto"' in page and "Los **baches** dañan coches" in page


def test_publish_after_preview_creates_the_proposal(world, client):
    login_as(client, world.author)
    data = form_data(world)
    preview = text(client.submit("/proposals/new", {**data, "step": "preview"}, page="/proposals/new"))
    sent = {name: hidden_value(preview, name) for name in data}
    response = client.submit("/proposals/new", {**sent, "step": "publish"}, page="/proposals/new")
    assert response.status_code == 302
    [proposal] = proposals_by(world.author)
    assert proposal.title == TITLE and proposal.body == BODY.strip()
    assert proposal.submission_token == data["token"]
    assert response.headers["Location"].endswith(f"/proposals/{proposal.reference}")


def test_the_same_form_published_twice_makes_one_proposal(world, client):
    login_as(client, world.author)
    data = {**form_data(world), "step": "publish"}
    first = client.submit("/proposals/new", data, page="/proposals/new")
    second = client.submit("/proposals/new", data, page="/proposals/new")
    assert first.status_code == second.status_code == 302
    assert first.headers["Location"] == second.headers["Location"]
    assert len(proposals_by(world.author)) == 1


def test_preview_shows_similar_proposals_and_support_is_offered(world, client):
    similar = make_proposal(world, author=world.citizen, title="Baches en la avenida Hidalgo norte",
                            body="Hay muchos baches.")
    unrelated = make_proposal(world, author=world.citizen, title="Falta de alumbrado público",
                              body="Sin luz en el parque.")
    reader = make_user()
    login_as(client, reader)
    page = text(client.submit("/proposals/new", {**form_data(world), "step": "preview"},
                              page="/proposals/new"))
    assert "¿Ya está propuesta?" in page
    assert f'href="/proposals/{similar.reference}"' in page
    assert f'href="/proposals/{unrelated.reference}"' not in page
    action = f'action="/proposals/{similar.reference}/support"'
    assert action in page and "Apoyar esta" in page

    response = client.submit(f"/proposals/{similar.reference}/support", {}, page="/proposals/new")
    assert response.status_code == 302
    assert db.session.scalar(sa.select(sa.func.count(Support.id)).where(
        Support.proposal_id == similar.id, Support.user_id == reader.id)) == 1
    assert proposals_by(reader) == []


def test_similar_proposals_leave_out_hidden_ones(world, client):
    hidden = make_proposal(world, author=world.citizen, title="Baches enormes en la avenida Hidalgo")
    hidden.hidden_at, hidden.hidden_reason = hidden.created_at, "spam"
    db.session.commit()
    login_as(client, make_user())
    page = text(client.submit("/proposals/new", {**form_data(world), "step": "preview"},
                              page="/proposals/new"))
    assert hidden.reference not in page


def test_the_municipality_suggests_its_committee_at_preview_without_javascript(world, client):
    # Nothing chosen: the committee that covers Gómez Palacio is suggested, saying why.
    login_as(client, make_user(municipality=None))
    data = form_data(world, committee_id="", municipality="Gómez Palacio")
    response = client.submit("/proposals/new", {**data, "step": "preview"}, page="/proposals/new")
    page = text(response)
    assert response.status_code == 200
    assert hidden_value(page, "committee_id") == str(world.committee.id)
    assert "El municipio Gómez Palacio corresponde al" in page

    # The person chose another committee: it stays, and the page says which one corresponds.
    data = form_data(world, committee_id=str(world.other_committee.id), municipality="Gómez Palacio")
    page = text(client.submit("/proposals/new", {**data, "step": "preview"}, page="/proposals/new"))
    assert hidden_value(page, "committee_id") == str(world.other_committee.id)
    assert "Elegiste otro comité" in page


def test_a_suggestion_left_untouched_follows_a_changed_municipality(world, client):
    login_as(client, make_user(municipality=None))
    data = form_data(world, committee_id=str(world.other_committee.id),
                     suggested_committee_id=str(world.other_committee.id), municipality="Gómez Palacio")
    page = text(client.submit("/proposals/new", {**data, "step": "preview"}, page="/proposals/new"))
    assert hidden_value(page, "committee_id") == str(world.committee.id)


def test_edit_has_a_preview_and_saves_after_it(world, client):
    proposal = make_proposal(world)
    login_as(client, world.author)
    url = f"/proposals/{proposal.reference}/edit"
    data = {"title": "Un título nuevo y más claro", "body": "Texto nuevo.", "theme_id": str(world.theme.id),
            "place": ""}
    preview = client.submit(url, {**data, "step": "preview"}, page=url)
    assert preview.status_code == 200 and "Un título nuevo y más claro" in text(preview)
    db.session.refresh(proposal)
    assert proposal.title != "Un título nuevo y más claro"
    saved = client.submit(url, {**data, "step": "publish"}, page=url)
    assert saved.status_code == 302
    db.session.refresh(proposal)
    assert proposal.title == "Un título nuevo y más claro"


def test_the_preview_sends_as_many_statements_for_five_similar_proposals_as_for_one(world, client):
    from tests.querycount import count_queries

    login_as(client, make_user())
    data = {**form_data(world), "step": "preview"}

    def statements() -> int:
        data["token"] = secrets.token_urlsafe(24)
        with count_queries() as sent:
            response = client.submit("/proposals/new", data, page="/proposals/new")
        assert response.status_code == 200
        return len(sent)

    make_proposal(world, author=world.citizen, title="Baches en la avenida Hidalgo uno")
    one = statements()
    for n in range(6):
        make_proposal(world, author=world.citizen, title=f"Baches en la avenida Hidalgo {n} más")
    assert statements() <= one


def test_the_live_check_lists_similar_public_proposals_as_json(world, client):
    similar = make_proposal(world, author=world.citizen, title="Baches en la avenida Hidalgo sur")
    make_proposal(world, author=world.citizen, title="Falta de alumbrado público")
    login_as(client, make_user())
    response = client.get("/proposals/similar?title=baches+avenida")
    assert response.status_code == 200 and response.is_json
    assert [item["reference"] for item in response.json] == [similar.reference]
    assert response.json[0]["url"] == f"/proposals/{similar.reference}"
    assert client.get(f"/proposals/similar?title=baches&exclude={similar.id}").json == []
    assert client.get("/proposals/similar").json == []
    page = text(client.get("/proposals/new"))
    assert 'id="similar-live"' in page and "/static/js/similar-proposals.js" in page
