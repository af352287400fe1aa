"""The ballot box page in plain words, and checking the whole box from the browser: the
verifier runs server-side on the box as published; an observer's noted head hash is checked too."""
import pytest

from app.elections import boxcheck, services
from app.extensions import db
from tests.conftest import PASSWORD
from tests.elections.factories import end_voting_window, voting_election


@pytest.fixture
def closed(world):
    election = voting_election(world)
    services.cast_ballot(world.organisations[0], election, None, PASSWORD)
    db.session.refresh(election)
    noted = (election.head_hash, election.head_position)
    services.cast_ballot(world.organisations[1], election, None, PASSWORD)
    end_voting_window(election)
    services.close_election(world.admin, election)
    return election, noted


def test_the_box_page_says_first_what_can_be_checked_and_folds_the_technique(client, world, closed):
    election, _noted = closed
    html = client.get(f"/elections/{election.id}/box").get_data(as_text=True)
    plain = html.index("Qué puedes comprobar")
    assert plain < html.index("<details class=\"box-technical\">") < html.index("SHA-256")
    assert f'action="/elections/{election.id}/receipt"' in html
    assert f'action="/elections/{election.id}/box/check"' in html
    assert "Comprobar toda la urna" in html and "Comprobar mi comprobante" in html


def test_checking_the_whole_box_in_the_page(client, world, closed):
    election, noted = closed
    response = client.get(f"/elections/{election.id}/box/check")
    html = response.get_data(as_text=True)
    assert response.status_code == 200
    assert 'data-verifies="yes"' in html and "La urna se verifica" in html
    assert "Las 2 boletas están íntegras" in html
    assert "OK    all 3 entries of the chain are intact and in order" in html  # the full report, folded


def test_a_noted_head_is_found_where_it_was_noted_and_not_elsewhere(client, world, closed):
    election, (head, position) = closed
    good = client.get(f"/elections/{election.id}/box/check?head={head.upper()}&position={position}")
    assert 'data-verifies="yes"' in good.get_data(as_text=True)
    assert "El código que anotaste está en la urna" in good.get_data(as_text=True)
    moved = client.get(f"/elections/{election.id}/box/check?head={head}&position={position + 1}")
    html = moved.get_data(as_text=True)
    assert 'data-verifies="no"' in html and "La urna NO se verifica" in html


def test_a_tampered_box_does_not_check_out(client, world, closed, monkeypatch):
    election, _noted = closed
    published = boxcheck.box_document

    def tampered(election):
        box = published(election)
        first = box["entries"][0]
        first["choice"] = None if first["choice"] else box["header"]["candidates"][0]["code"]
        return box

    monkeypatch.setattr(boxcheck, "box_document", tampered)
    html = client.get(f"/elections/{election.id}/box/check").get_data(as_text=True)
    assert 'data-verifies="no"' in html
    assert "entry 1" in html


@pytest.mark.parametrize("query", ["head=zz", "head=" + "g" * 64, "position=3", "position=-1&head=" + "a" * 64,
                                   "position=99999999999999999999&head=" + "a" * 64])
def test_bad_notes_get_a_clear_error_with_the_input_kept(client, world, closed, query):
    election, _noted = closed
    response = client.get(f"/elections/{election.id}/box/check?{query}")
    html = response.get_data(as_text=True)
    assert response.status_code == 400, query
    assert 'class="error-summary"' in html or "error" in html
    assert "data-verifies" not in html


def test_the_whole_box_cannot_be_checked_while_voting(client, world):
    election = voting_election(world)
    assert client.get(f"/elections/{election.id}/box/check").status_code == 409
    html = client.get(f"/elections/{election.id}/box").get_data(as_text=True)
    assert "Comprobar toda la urna" not in html and "Anota" in html


def test_the_verifiers_report_is_bounded_on_the_page(client, world, closed, monkeypatch):
    """A long report (a box tampered with throughout) is cut on the page, which says how many
    lines were left off (the verifier run on the downloaded box gives them all)."""
    election, _noted = closed
    published = boxcheck.box_document
    monkeypatch.setattr(boxcheck, "SHOWN_LINES", 1)

    def tampered(election):
        box = published(election)
        for entry in box["entries"]:
            entry["entry_hash"] = "0" * 64
        return box

    monkeypatch.setattr(boxcheck, "box_document", tampered)
    html = client.get(f"/elections/{election.id}/box/check").get_data(as_text=True)
    assert 'data-verifies="no"' in html
    result = boxcheck.check_box(election)
    assert len(result.failures) == 1 and len(result.report) == 1 and result.report_left_off >= 2
    assert f"{result.report_left_off} líneas más: ejecuta el verificador sobre la urna descargada" in html


def test_reading_the_whole_box_is_limited_per_address(app, client, world, closed, monkeypatch):
    """The check and the download read every ballot: limited like the open-data downloads."""
    election, _noted = closed
    monkeypatch.setitem(app.config, "RATELIMIT_DOWNLOADS", "2 per minute")
    for url in (f"/elections/{election.id}/box/check", f"/elections/{election.id}/box.json"):
        assert [client.get(url).status_code for _ in range(3)] == [200, 200, 429], url
    assert client.get(f"/elections/{election.id}/box").status_code == 200  # the page itself is not
