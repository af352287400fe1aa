"""Atom feeds: valid Atom 1.0 that parses whatever people typed, only public items, bounded SQL."""
import xml.etree.ElementTree as ET
from datetime import timedelta

import pytest

from app.commitments.models import CommitmentState
from app.core.db import utcnow
from app.elections.models import ElectionResult, ElectionState
from app.extensions import db
from app.proposals.models import ProposalState
from tests.comments.factories import make_proposal
from tests.elections.factories import make_election
from tests.factories import HOSTILE, make_committee, make_user
from tests.progress.factories import World, add_milestone, add_note, make_commitment
from tests.querycount import count_queries

A = "{http://www.w3.org/2005/Atom}"
FEEDS = ("/feeds/proposals.atom", "/feeds/progress.atom", "/feeds/results.atom")
# Control characters XML cannot carry, markup, a CDATA end and an entity: none may break the feed.
NASTY = f"{HOSTILE} \x0b\x1b ]]> &amp; </title>"


def fetch(client, url):
    response = client.get(url)
    assert response.status_code == 200, url
    assert response.headers["Content-Type"] == "application/atom+xml; charset=utf-8"
    root = ET.fromstring(response.data)
    assert root.tag == f"{A}feed"
    return root


def entries(root):
    return root.findall(f"{A}entry")


def assert_valid_atom(root):
    """The elements RFC 4287 requires, absolute links, RFC 3339 dates, unique ids."""
    for name in ("id", "title", "updated"):
        assert root.find(f"{A}{name}") is not None and root.find(f"{A}{name}").text, name
    assert root.find(f"{A}author/{A}name").text
    assert root.find(f"{A}link[@rel='self']").get("href").startswith("http")
    ids = []
    for entry in entries(root):
        ids.append(entry.find(f"{A}id").text)
        assert ids[-1].startswith("tag:")
        assert entry.find(f"{A}title").get("type") == "text"
        assert entry.find(f"{A}summary").get("type") == "text"
        assert entry.find(f"{A}link[@rel='alternate']").get("href").startswith("http://")
        assert entry.find(f"{A}updated").text.endswith("Z")
    assert len(ids) == len(set(ids))


def proposals(n, committee, **extra):
    author = make_user()
    return [make_proposal(committee, author=author, **extra) for _ in range(n)]


def progress(n):
    world = World()
    commitment = make_commitment(world, milestones=0)
    milestone = add_milestone(commitment)
    return world, [add_note(milestone, world.facilitator) for _ in range(n)]


def results(n, committee):
    made = []
    for i in range(n):
        state = ElectionState.published if i % 2 else ElectionState.self_selected
        election = make_election(committee, state=state, published_at=utcnow() - timedelta(hours=i))
        db.session.add_all([
            ElectionResult(election_id=election.id, seat_index=0, seat_kind="cs_titular",
                           winner_name=f"Titular {NASTY}", winner_organisation=f"Org {NASTY}"),
            ElectionResult(election_id=election.id, seat_index=1, seat_kind="cs_suplente"),
        ])
        made.append(election)
    db.session.commit()
    return made


@pytest.mark.parametrize("url", FEEDS)
def test_empty_feeds_are_valid_atom(client, url):
    root = fetch(client, url)
    assert_valid_atom(root)
    assert entries(root) == []


def test_the_proposals_feed_lists_visible_proposals_newest_first_and_never_hidden_ones(client):
    committee = make_committee()
    shown = proposals(2, committee)
    hidden = make_proposal(committee, title="Oculta por moderación", hidden_at=utcnow(),
                           hidden_reason="spam")
    withdrawn = make_proposal(committee, title="Retirada por su autora",
                              state=ProposalState.withdrawn)
    nasty = make_proposal(committee, title=NASTY[:150], body=f"**{NASTY}**")

    root = fetch(client, "/feeds/proposals.atom")

    assert_valid_atom(root)
    links = [e.find(f"{A}link").get("href") for e in entries(root)]
    assert links == [f"http://127.0.0.1:5000/proposals/{p.reference}"
                     for p in (nasty, *reversed(shown))]
    body = client.get("/feeds/proposals.atom").get_data(as_text=True)
    assert hidden.reference not in body and "Oculta" not in body
    assert withdrawn.reference not in body
    assert "<script>" not in body  # escaped by the serialiser, not stripped
    [entry] = [e for e in entries(root) if nasty.reference in e.find(f"{A}id").text]
    assert "<script>" in entry.find(f"{A}title").text and "]]>" in entry.find(f"{A}title").text
    assert "\x0b" not in entry.find(f"{A}title").text
    assert "<script>" in entry.find(f"{A}summary").text  # plain text, not "&lt;script&gt;"


def test_the_proposals_feed_stops_at_fifty(client):
    proposals(52, make_committee())
    assert len(entries(fetch(client, "/feeds/proposals.atom"))) == 50


def test_the_progress_feed_shows_notes_on_public_commitments_only(client):
    world, notes = progress(2)
    draft = make_commitment(world, state=CommitmentState.draft, milestones=0, title="Borrador secreto")
    secret = add_note(add_milestone(draft), world.facilitator)

    root = fetch(client, "/feeds/progress.atom")

    assert_valid_atom(root)
    ids = {e.find(f"{A}id").text.rsplit("/", 1)[1] for e in entries(root)}
    assert ids == {str(n.id) for n in notes}
    assert str(secret.id) not in ids
    assert "Borrador secreto" not in client.get("/feeds/progress.atom").get_data(as_text=True)


def test_the_results_feed_lists_published_results_and_agreements_but_not_closed_elections(client):
    committee = make_committee()
    published = results(2, committee)
    closed = make_election(committee, state=ElectionState.closed, title="Cerrada sin publicar")

    root = fetch(client, "/feeds/results.atom")

    assert_valid_atom(root)
    links = [e.find(f"{A}link").get("href") for e in entries(root)]
    assert links == [f"http://127.0.0.1:5000/elections/{e.id}" for e in published]
    assert f"/elections/{closed.id}" not in " ".join(links)
    summary = entries(root)[0].find(f"{A}summary").text
    assert "Titular <script>" in summary and "\x1b" not in summary


@pytest.mark.parametrize("url,make", [
    ("/feeds/proposals.atom", lambda n: proposals(n, make_committee())),
    ("/feeds/progress.atom", progress),
    ("/feeds/results.atom", lambda n: results(n, make_committee())),
])
def test_feed_statements_do_not_grow_with_items(client, url, make):
    make(2)
    client.get(url)
    db.session.expire_all()
    with count_queries() as few:
        client.get(url)
    make(12)
    db.session.expire_all()
    with count_queries() as many:
        root = fetch(client, url)
    assert len(entries(root)) >= 12
    assert len(many) == len(few) <= 3, (len(few), len(many))
