"""Hidden, deleted, draft and private data never appear in any dataset, through any door."""
import json

import pytest

from app.opendata import all_datasets
from tests.opendata.conftest import SECRETS

pytestmark = pytest.mark.usefixtures("builds_inline")  # tests/opendata/conftest.py


def _every_public_output(client):
    """Every API collection (all pages), every item, every CSV and JSON download: (url, text)."""
    for dataset in all_datasets():
        url = f"/api/v1/{dataset.slug}?limit=100"
        while url:
            response = client.get(url)
            assert response.status_code == 200, url
            payload = response.get_json()
            yield url, response.get_data(as_text=True)
            for row in payload["data"]:
                key = row[dataset.lookup]
                item = client.get(f"/api/v1/{dataset.slug}/{key}")
                assert item.status_code == 200, (dataset.slug, key)
            url = payload["links"]["next"]
        for fmt in ("csv", "json"):
            response = client.get(f"/open-data/{dataset.slug}.{fmt}")
            assert response.status_code == 200
            yield f"/open-data/{dataset.slug}.{fmt}", response.get_data(as_text=True)


def test_hidden_deleted_and_draft_items_appear_nowhere(app, client, world, monkeypatch):
    # Every item of the demo's datasets is fetched one by one: more than the API's rate allows.
    monkeypatch.setitem(app.config, "RATELIMIT_API", "100000 per minute")
    seen = []
    for url, text in _every_public_output(client):
        seen.append(url)
        for what, marker in SECRETS.items():
            assert marker not in text, f"{what} leaked through {url}"
        assert "@example.org" not in text, f"an account's email leaked through {url}"
    assert len(seen) >= 3 * len(all_datasets())


def test_a_visible_comment_appears_and_disappears_once_hidden(client, world):
    from app.extensions import db
    from app.moderation import services as moderation
    from tests.factories import make_admin

    assert "COMENTARIO-VISIBLE-PUBLICO" in client.get("/open-data/comments.csv").get_data(as_text=True)
    assert client.get(f"/api/v1/comments/{world['visible'].id}").status_code == 200
    moderation.hide_content(make_admin(), world["visible"], "Spam")
    db.session.expire_all()
    assert "COMENTARIO-VISIBLE-PUBLICO" not in client.get("/open-data/comments.csv").get_data(as_text=True)
    assert "COMENTARIO-VISIBLE-PUBLICO" not in client.get("/open-data/comments.json").get_data(as_text=True)
    assert client.get(f"/api/v1/comments/{world['visible'].id}").status_code == 404
    listed = client.get(f"/api/v1/comments?proposal={world['proposal'].reference}&limit=100").get_json()
    assert world["visible"].id not in {row["id"] for row in listed["data"]}


def test_the_hidden_proposal_is_gone_from_the_api_and_from_its_comments(client, world):
    reference = world["hidden_proposal"].reference
    assert client.get(f"/api/v1/proposals/{reference}").status_code == 404
    assert client.get(f"/api/v1/proposals/{reference.lower()}").status_code == 404
    assert client.get(f"/api/v1/comments?proposal={reference}").get_json()["data"] == []
    assert client.get(f"/api/v1/proposal-answers?proposal={reference}").get_json()["data"] == []


def test_ballot_boxes_are_published_only_after_the_close(client, world):
    import sqlalchemy as sa

    from app.elections.models import Election, ElectionState
    from app.extensions import db

    rows = client.get("/api/v1/ballots?limit=100").get_json()["data"]
    over = set(db.session.scalars(sa.select(Election.id).where(
        Election.state.in_((ElectionState.closed, ElectionState.published)))))
    assert rows and {row["election_id"] for row in rows} <= over
    dump = json.loads(client.get("/open-data/ballots.json").get_data(as_text=True))
    assert {row["election_id"] for row in dump["rows"]} <= over
