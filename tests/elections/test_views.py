"""Election pages through the client: the whole journey, the receipt once, what is public when."""
import io
import json
import re
from datetime import datetime, timedelta

import markupsafe
import pytest
import sqlalchemy as sa

from app.core.clock import utc_to_local
from app.core.db import utcnow
from app.elections import chain, queries, services, verify
from app.elections.models import Ballot, CandidateState, Election, ElectionState
from app.extensions import db
from tests.conftest import PASSWORD, FormClient, login
from tests.elections.factories import (
    end_voting_window,
    make_candidate,
    make_election,
    voting_election,
)
from tests.factories import make_user
from tests.querycount import count_queries

FMT = "%Y-%m-%dT%H:%M"


def local(dt):
    return utc_to_local(dt).strftime(FMT)


def test_the_whole_election_from_set_up_to_published_result(client, other_client, world):
    login(client, world.admin.email)
    start = utcnow() + timedelta(minutes=5)
    response = client.submit("/elections/new", {
        "committee_id": world.committee.id, "title": "", "seats": "both",
        "nominations_open_at": local(start), "nominations_close_at": local(start + timedelta(days=2)),
        "voting_opens_at": local(start + timedelta(days=3)),
        "voting_closes_at": local(start + timedelta(days=4)), "min_participants": 2,
    })
    assert response.status_code == 303, response.get_data(as_text=True)
    election = db.session.scalar(sa.select(Election))
    manage = f"/elections/{election.id}/manage"
    assert client.submit(f"/elections/{election.id}/open-nominations", page=manage).status_code == 303
    # The nomination window is running (moved into the past as if time had passed).
    election.nominations_open_at = utcnow() - timedelta(minutes=1)
    db.session.commit()

    person = make_user(name="Candidata Real")
    login(other_client, world.organisation.email)
    response = other_client.submit(f"/elections/{election.id}/nominate", {
        "name": "Rosa Ñandú", "email": person.email, "bio": "Bio", "statement": "Declaración"})
    assert response.status_code == 303
    candidate = queries.nomination_of(election.id, world.organisation.id)
    assert candidate.state == CandidateState.pending

    person_client = as_user(client.application, person)
    assert person_client.get("/elections/nominations").status_code == 200
    assert person_client.submit(f"/elections/candidates/{candidate.id}/accept",
                                page="/elections/nominations").status_code == 303
    assert client.submit(f"/elections/candidates/{candidate.id}/validate",
                         page=manage).status_code == 303
    assert "Rosa Ñandú" in client.get(f"/elections/{election.id}").get_data(as_text=True)

    election.nominations_open_at = utcnow() - timedelta(days=3)
    election.nominations_close_at = utcnow() - timedelta(days=2)
    election.voting_opens_at = utcnow() - timedelta(days=1)
    db.session.commit()
    assert client.submit(f"/elections/{election.id}/open-voting", page=manage).status_code == 303
    db.session.refresh(election)
    assert election.state == ElectionState.voting

    # The organisation votes: ballot, review, confirmation with the password, receipt once.
    vote = f"/elections/{election.id}/vote"
    page = other_client.get(vote)
    assert page.status_code == 200
    review = other_client.submit(vote, {"choice": candidate.public_code})
    assert review.status_code == 200
    assert "Rosa Ñandú" in review.get_data(as_text=True)
    confirm = f"/elections/{election.id}/vote/confirm"
    wrong = other_client.submit(confirm, {"choice": candidate.public_code, "password": "nope"},
                                page=vote)
    assert wrong.status_code == 400
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Ballot)) == 0
    cast = other_client.submit(confirm, {"choice": candidate.public_code, "password": PASSWORD},
                               page=vote)
    assert cast.status_code == 303 and cast.headers["Location"].endswith(f"/elections/{election.id}/voted")
    shown = other_client.get(f"/elections/{election.id}/voted").get_data(as_text=True)
    receipt = re.search(r'data-receipt="([A-Z2-7-]+)"', shown).group(1)
    assert chain.is_receipt(receipt)
    again = other_client.get(f"/elections/{election.id}/voted").get_data(as_text=True)
    assert receipt not in again  # shown once
    text = other_client.get(f"/elections/{election.id}/receipt.txt")
    assert text.status_code == 200 and receipt in text.get_data(as_text=True)
    assert text.headers["Content-Disposition"].startswith("attachment")
    assert other_client.get(f"/elections/{election.id}/receipt.txt").status_code == 404  # once

    # A second ballot is refused with the reason (the election's state for this organisation),
    # and nothing is added.
    again = other_client.submit(confirm, {"choice": "blank", "password": PASSWORD}, page="/elections/")
    assert again.status_code == 409
    assert 'class="error-page"' in again.get_data(as_text=True)
    assert "Tu organización ya votó en esta elección" in again.get_data(as_text=True)
    assert other_client.get(vote).status_code == 409
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Ballot)) == 1

    # The receipt is found on the site.
    found = client.get(f"/elections/{election.id}/receipt?code={receipt.lower()}")
    assert 'data-found="yes"' in found.get_data(as_text=True)
    assert 'data-found="no"' in client.get(
        f"/elections/{election.id}/receipt?code=AAAAABBBBBCCCCCDDDDD").get_data(as_text=True)

    end_voting_window(election)
    response = client.submit(f"/elections/{election.id}/close", {"reason": ""})
    assert response.status_code == 303
    box = client.get(f"/elections/{election.id}/box.json")
    assert box.status_code == 200
    assert verify.verify(json.loads(box.get_data()), receipt=receipt, out=io.StringIO())
    response = client.submit(f"/elections/{election.id}/publish", {"term_start": "2026-07-01"})
    assert response.status_code == 303
    page = client.get(f"/elections/{election.id}").get_data(as_text=True)
    assert 'data-seat="cs_titular"' in page and "Rosa Ñandú" in page
    assert 'class="notice small-roll"' in page  # 3 organisations: totals may reveal votes
    published = json.loads(client.get(f"/elections/{election.id}/box.json").get_data())
    assert published["result"]["counts"] == {candidate.public_code: 1}
    assert verify.verify(published, out=io.StringIO())


def test_during_voting_only_turnout_and_head_hash_are_public(client, world):
    election = voting_election(world)
    code = next(iter(services.ballot_options(election)))
    services.cast_ballot(world.organisation, election, code, PASSWORD)
    db.session.refresh(election)
    login(client, world.admin.email)
    for url in (f"/elections/{election.id}", f"/elections/{election.id}/box",
                f"/elections/{election.id}/manage"):
        html = client.get(url).get_data(as_text=True)
        assert election.head_hash in html
        assert "data-votes" not in html and 'data-voted="yes"' not in html, url
    assert client.get(f"/elections/{election.id}/box.json").status_code == 409
    publish = client.get(f"/elections/{election.id}/publish")
    assert publish.status_code == 409  # only a closed election's result: no count to preview
    assert "Solo se puede publicar el resultado de una elección cerrada" in publish.get_data(as_text=True)
    ballot = db.session.scalar(sa.select(Ballot))
    assert ballot.choice not in client.get(f"/elections/{election.id}/box").get_data(as_text=True)


def _nothing_cast(election, organisation) -> bool:
    return (db.session.scalar(sa.select(sa.func.count()).select_from(Ballot)) == 0
            and not queries.roll_entry_of(election.id, organisation.id).voted)


SEVERAL = "La boleta llegó con más de una opción, así que no se emitió."
HIDDEN = "La opción elegida llegó con caracteres invisibles o de control"


@pytest.mark.parametrize("step", ["ballot", "confirm"])
@pytest.mark.parametrize("choice, error", [
    pytest.param(lambda a, b: [a, b], SEVERAL, id="two-candidates"),
    pytest.param(lambda a, b: [a, a], SEVERAL, id="one-candidate-twice"),
    pytest.param(lambda a, b: [a, "blank"], SEVERAL, id="candidate-and-blank"),
    pytest.param(lambda a, b: a + "\x00", HIDDEN, id="nul"),
    pytest.param(lambda a, b: a + "\x1f", HIDDEN, id="unit-separator"),
    pytest.param(lambda a, b: "\x7f" + a, HIDDEN, id="delete"),
    pytest.param(lambda a, b: a + "\u200b", HIDDEN, id="zero-width-space"),
    pytest.param(lambda a, b: "blank\u2066", HIDDEN, id="bidi-isolate-on-blank"),
])
@pytest.mark.csrf  # this form family through a real CSRF token
def test_a_repeated_or_altered_choice_is_refused_and_the_ballot_shown_again(
        client, world, step, choice, error):
    election = voting_election(world)
    a, b = services.ballot_options(election)
    login(client, world.organisation.email)
    vote = f"/elections/{election.id}/vote"
    url = vote if step == "ballot" else f"/elections/{election.id}/vote/confirm"
    response = client.submit(url, {"choice": choice(a, b), "password": PASSWORD}, page=vote)
    assert response.status_code == 400
    html = response.get_data(as_text=True)
    assert error in html and 'id="choice-error"' in html
    assert 'class="form ballot-form"' in html  # the ballot again, not the review
    assert _nothing_cast(election, world.organisation)


def test_a_choice_with_a_nul_sent_as_multipart_is_refused_too(client, world):
    election = voting_election(world)
    a, _b = services.ballot_options(election)
    login(client, world.organisation.email)
    vote = f"/elections/{election.id}/vote"
    response = client.submit(f"/elections/{election.id}/vote/confirm",
                             {"choice": a + "\x00", "password": PASSWORD}, page=vote,
                             content_type="multipart/form-data")
    assert response.status_code == 400 and HIDDEN in response.get_data(as_text=True)
    assert _nothing_cast(election, world.organisation)


def test_the_refusal_of_a_repeated_choice_is_in_english_when_asked(client, world):
    election = voting_election(world)
    world.organisation.locale = "en"
    db.session.commit()
    a, b = services.ballot_options(election)
    login(client, world.organisation.email)
    vote = f"/elections/{election.id}/vote"
    response = client.submit(f"/elections/{election.id}/vote/confirm",
                             {"choice": [a, b], "password": PASSWORD}, page=vote)
    assert response.status_code == 400
    assert "The ballot arrived with more than one choice" in response.get_data(as_text=True)
    assert _nothing_cast(election, world.organisation)


def test_one_clean_choice_is_still_cast(client, world):
    """The refusals above are not a refusal of everything: one clean value goes through."""
    election = voting_election(world)
    a, _b = services.ballot_options(election)
    login(client, world.organisation.email)
    vote = f"/elections/{election.id}/vote"
    assert client.submit(vote, {"choice": a}).status_code == 200
    response = client.submit(f"/elections/{election.id}/vote/confirm",
                             {"choice": a, "password": PASSWORD}, page=vote)
    assert response.status_code == 303
    assert db.session.scalar(sa.select(Ballot.choice)) == a


def test_the_head_hash_is_shown_with_its_position_and_when_it_was_read(app, client, world):
    from app.core.i18n import local_datetime

    election = voting_election(world)
    for org in world.organisations[:2]:
        services.cast_ballot(org, election, None, PASSWORD)
    db.session.refresh(election)
    head = election.head_hash
    for url in (f"/elections/{election.id}", f"/elections/{election.id}/box"):
        html = client.get(url).get_data(as_text=True)
        assert f'data-head-hash="{head}" data-head-position="2"' in html, url
        assert "2 (el número de boletas en la urna)" in html
        assert f"--head {head}@2" in html
        assert "Anota este código y su posición" in html
        read = re.search(r'<dt>Consultado el</dt><dd><time datetime="([^"]+)">([^<]+)</time> '
                         r'\(hora local, America/Monterrey\)', html)
        read_at = datetime.fromisoformat(read.group(1))
        assert abs(read_at - utcnow()) < timedelta(minutes=1)
        with app.test_request_context():
            assert read.group(2) == local_datetime(read_at)  # Durango's time, not UTC
    # The position the page shows is where the verifier finds the hash in the published box.
    end_voting_window(election)
    services.close_election(world.admin, election)
    box = client.get(f"/elections/{election.id}/box.json").get_json()
    assert verify.verify(box, out=io.StringIO(), genesis=election.genesis_hash,
                         heads=[(head, 2)])
    html = client.get(f"/elections/{election.id}/box").get_data(as_text=True)
    assert f'data-head-hash="{box["head_hash"]}" data-head-position="3"' in html
    assert "3 (la entrada de cierre, después de 2 boletas)" in html


def test_after_the_close_the_roll_shows_who_voted(client, world):
    election = voting_election(world)
    services.cast_ballot(world.organisation, election, None, PASSWORD)
    end_voting_window(election)
    services.close_election(world.admin, election)
    html = client.get(f"/elections/{election.id}/roll").get_data(as_text=True)
    assert html.count('data-voted="yes"') == 1 and html.count('data-voted="no"') == 2
    # The election's page gives the figures and links to the roll.
    page = client.get(f"/elections/{election.id}").get_data(as_text=True)
    assert 'data-roll-size="3"' in page and 'data-roll-voted="1"' in page
    assert f'href="/elections/{election.id}/roll"' in page


def test_who_voted_is_on_the_roll_only_after_the_close(client, world):
    election = voting_election(world)
    services.cast_ballot(world.organisation, election, None, PASSWORD)
    before = client.get(f"/elections/{election.id}/roll").get_data(as_text=True)
    assert "data-voted=" not in before and before.count("data-position=") == 3
    assert "data-roll-voted" not in client.get(f"/elections/{election.id}").get_data(as_text=True)
    end_voting_window(election)
    services.close_election(world.admin, election)
    html = client.get(f"/elections/{election.id}/roll").get_data(as_text=True)
    assert html.count('data-voted="yes"') == 1 and html.count('data-voted="no"') == 2


def test_the_roll_is_shown_a_page_at_a_time_in_its_published_order(client, world, monkeypatch):
    monkeypatch.setattr(queries, "ROLL_PAGE_SIZE", 2)
    for _ in range(2):
        world.add_organisation()
    election = voting_election(world)  # five organisations on the roll
    names = [entry.name for entry in queries.roll(election.id)]
    seen = []
    for number in (1, 2, 3):
        html = client.get(f"/elections/{election.id}/roll?page={number}").get_data(as_text=True)
        rows = re.findall(r'<tr data-position="(\d+)"><td>\d+</td><td>([^<]*)</td>', html)
        assert [int(position) for position, _name in rows] == list(range(2 * number - 1, min(2 * number, 5) + 1))
        seen += [name for _position, name in rows]
        if number < 3:
            assert f'href="/elections/{election.id}/roll?page={number + 1}"' in html
    assert seen == [str(markupsafe.escape(name)) for name in names]
    assert client.get(f"/elections/{election.id}/roll?page=4").status_code == 404
    assert client.get(f"/elections/{election.id}/roll?page=nonsense").status_code == 200
    draft = make_election(world.committee)
    assert client.get(f"/elections/{draft.id}/roll").status_code == 409


def test_hostile_names_are_escaped(client, world):
    election = voting_election(world)
    html = client.get(f"/elections/{election.id}").get_data(as_text=True)
    assert "<script>alert" not in html and "&lt;script&gt;" in html


def as_user(app, user):
    client = FormClient(app.test_client())
    login(client, user.email)
    return client


def test_the_ballot_page_explains_why_an_account_cannot_vote(app, world):
    election = voting_election(world)
    for who in ("citizen", "pending_organisation", "other_organisation"):
        response = as_user(app, getattr(world, who)).get(f"/elections/{election.id}/vote")
        assert response.status_code == 403, who
        assert 'class="error-page"' in response.get_data(as_text=True)
    end_voting_window(election)
    assert as_user(app, world.organisation).get(f"/elections/{election.id}/vote").status_code == 409


def test_an_early_close_without_reason_is_shown_next_to_the_field(client, world):
    election = voting_election(world)
    login(client, world.admin.email)
    response = client.submit(f"/elections/{election.id}/close", {"reason": ""})
    assert response.status_code == 400
    assert 'id="reason-error"' in response.get_data(as_text=True)
    db.session.refresh(election)
    assert election.state == ElectionState.voting


def test_the_verifier_is_downloadable(client):
    response = client.get("/elections/verify.py")
    assert response.status_code == 200 and b"def verify(" in response.data


def test_pages_render_in_every_state(client, world):
    login(client, world.admin.email)
    draft = make_election(world.committee, min_participants=10)
    nominating = make_election(world.committee, state=ElectionState.nominating,
                               nominations_in=timedelta(days=-1))
    make_candidate(nominating, world.organisation, state=CandidateState.accepted)
    for election in (draft, nominating):
        for suffix in ("", "/manage", "/edit"):
            assert client.get(f"/elections/{election.id}{suffix}").status_code == 200, suffix
    assert client.get(f"/elections/{draft.id}/agreement").status_code == 200
    assert client.get("/elections/").status_code == 200
    assert client.get("/elections/new").status_code == 200
    assert client.get(f"/elections/{draft.id}/box").status_code == 409
    assert client.get("/elections/999").status_code == 404


def test_an_agreement_is_recorded_with_its_signed_record_and_published(client, world):
    election = make_election(world.committee, min_participants=10)
    login(client, world.admin.email)
    page = f"/elections/{election.id}/agreement"
    data = {"participants": [str(o.id) for o in world.organisations],
            "titular_name": "Persona Titular", "titular_organisation_id": str(world.organisations[0].id),
            "suplente_name": "Persona Suplente",
            "suplente_organisation_id": str(world.organisations[1].id),
            "agreed_on": "2026-03-02", "notes": "",
            "record": (io.BytesIO(b"<html>not a pdf</html>"), "acta.pdf")}
    refused = client.submit(page, data, content_type="multipart/form-data")
    assert refused.status_code == 400
    data["record"] = (io.BytesIO(b"%PDF-1.4\n%acta\n"), "acta.pdf")
    response = client.submit(page, data, content_type="multipart/form-data")
    assert response.status_code == 303, response.get_data(as_text=True)
    assert client.get(f"/elections/{election.id}/agreement/record").status_code == 200
    response = client.submit(f"/elections/{election.id}/agreement/publish",
                             page=f"/elections/{election.id}/manage")
    assert response.status_code == 303
    html = client.get(f"/elections/{election.id}").get_data(as_text=True)
    assert 'data-self-selection="yes"' in html and "Persona Titular" in html
    client.post("/account/logout", data={"csrf_token": client.csrf_token("/")})
    assert client.get(f"/elections/{election.id}/agreement/record").status_code == 200


def test_publishing_an_agreement_before_one_is_recorded_says_so(client, world):
    election = make_election(world.committee, min_participants=10)
    login(client, world.admin.email)
    response = client.submit(f"/elections/{election.id}/agreement/publish",
                             page=f"/elections/{election.id}/manage")
    assert response.status_code == 409
    html = response.get_data(as_text=True)
    assert 'class="error-page"' in html
    assert "No hay ningún acuerdo de autoselección registrado" in html
    db.session.refresh(election)
    assert election.state == ElectionState.draft


def _statements(client, url):
    with count_queries() as seen:
        assert client.get(url).status_code == 200
    return len(seen)


def test_the_election_page_sends_as_many_statements_for_a_large_roll_as_for_a_small_one(client, world):
    small = voting_election(world)
    small_count = _statements(client, f"/elections/{small.id}")
    end_voting_window(small)
    services.close_election(world.admin, small)
    for _ in range(12):
        world.add_organisation()
    large = voting_election(world, candidates=5)
    assert _statements(client, f"/elections/{large.id}") == small_count


def _published(world, candidates=2):
    election = voting_election(world, candidates=candidates)
    code = next(iter(services.ballot_options(election)))
    services.cast_ballot(world.organisation, election, code, PASSWORD)
    end_voting_window(election)
    services.close_election(world.admin, election)
    services.publish_result(world.admin, election)
    db.session.commit()
    return election


def test_the_result_page_costs_the_same_for_a_large_roll_as_for_a_small_one(client, world):
    """The published result's page reads the stored result and the roll's figures, never the roll
    nor the ballots: the same statements and the same size for 3 organisations or 23; the names
    on the roll are on the roll's own pages."""
    small = _published(world)
    small_count = _statements(client, f"/elections/{small.id}")
    # The election, its agreement, candidates, seats, public record and followers...
    assert small_count <= 7  # and the footer's guarantor, which the tests do not keep
    small_size = len(client.get(f"/elections/{small.id}").get_data())
    for _ in range(20):
        world.add_organisation()
    large = _published(world)
    assert queries.roll_size(large.id) == 23
    assert _statements(client, f"/elections/{large.id}") == small_count
    html = client.get(f"/elections/{large.id}").get_data(as_text=True)
    assert 'data-roll-size="23"' in html and 'data-roll-voted="1"' in html
    last = next(e for e in queries.roll(large.id) if e.organisation_id == world.organisations[-1].id)
    assert str(markupsafe.escape(last.name)) not in html
    assert abs(len(html.encode()) - small_size) < 200  # only the figures differ
    roll = client.get(f"/elections/{large.id}/roll?page={1 + (last.position - 1) // queries.ROLL_PAGE_SIZE}")
    assert str(markupsafe.escape(last.name)) in roll.get_data(as_text=True)


def test_the_roll_pages_and_the_box_send_as_many_statements_for_a_large_roll(client, world, monkeypatch):
    monkeypatch.setattr(queries, "ROLL_PAGE_SIZE", 2)
    small = _published(world)
    urls = ("/roll", "/roll?page=2", "/box")
    counts = [_statements(client, f"/elections/{small.id}{url}") for url in urls]
    for _ in range(20):
        world.add_organisation()
    large = _published(world)
    assert [_statements(client, f"/elections/{large.id}{url}") for url in urls] == counts
    assert _statements(client, f"/elections/{large.id}/roll?page=11") == counts[0]
