"""The read-only API: pagination, filters, caching, CORS, errors and rate limits."""
import re

import pytest

from app.proposals import listing as proposal_listing
from app.proposals.models import ProposalState
from tests.proposals.factories import World, bulk_proposals, make_proposal, set_state
from tests.querycount import count_queries


@pytest.fixture
def world():
    return World()


def _all_pages(client, url):
    rows, pages = [], 0
    while url:
        payload = client.get(url).get_json()
        rows += payload["data"]
        url = payload["links"]["next"]
        pages += 1
    return rows, pages


def test_keyset_pages_cover_every_row_once_in_a_stable_order(client, world):
    made = bulk_proposals(world, 25)
    rows, pages = _all_pages(client, "/api/v1/proposals?limit=10")
    assert pages == 3
    assert [r["reference"] for r in rows] == [p.reference for p in sorted(made, key=lambda p: p.id)]


def test_rows_added_while_paging_do_not_shift_pages(client, world):
    bulk_proposals(world, 6)
    first = client.get("/api/v1/proposals?limit=3").get_json()
    bulk_proposals(world, 2, start=100)  # new rows sort after the cursor, never into pages already read
    second = client.get(first["links"]["next"]).get_json()
    seen = [r["id"] for r in first["data"] + second["data"]]
    assert len(seen) == len(set(seen)) == 6


def test_any_cursor_the_document_admits_is_a_page(client, world):
    made = sorted(bulk_proposals(world, 4), key=lambda p: p.id)
    pattern = client.get("/api/v1/openapi.json").get_json()["paths"]["/api/v1/proposals"]["get"]["parameters"]
    declared = next(p for p in pattern if p.get("name") == "cursor")["schema"]["pattern"]
    assert re.fullmatch(declared, "0") and re.fullmatch(declared, str(made[1].id))
    assert not re.fullmatch(declared, "1.2")
    after_second = client.get(f"/api/v1/proposals?cursor={made[1].id}").get_json()["data"]
    assert [r["id"] for r in after_second] == [p.id for p in made[2:]]
    assert len(client.get("/api/v1/proposals?cursor=0").get_json()["data"]) == 4
    assert client.get("/api/v1/proposals?cursor=999999999").get_json()["data"] == []


@pytest.mark.parametrize("limit", ["0", "101", "-1", "abc", "1e3", "９"])
def test_limit_out_of_range_is_a_problem_document(client, world, limit):
    response = client.get(f"/api/v1/proposals?limit={limit}")
    assert response.status_code == 400
    assert response.mimetype == "application/problem+json"
    body = response.get_json()
    assert body["status"] == 400 and "limit" in body["detail"]


@pytest.mark.parametrize("query", ["cursor=zz", "cursor=1.2", "cursor=01", "cursor=-1", "cursor=1000000000",
                                   "cursor=%EF%BC%99", "cursor=" + "A" * 500,
                                   "state=nope", "committee_id=0", "committee_id=99999999999",
                                   "colour=red", "q=" + "x" * 201])
def test_bad_parameters_get_a_clear_400(client, world, query):
    response = client.get(f"/api/v1/proposals?{query}")
    assert response.status_code == 400, query
    assert response.mimetype == "application/problem+json"
    assert response.get_json()["detail"]


def test_errors_are_in_the_clients_language(client, world):
    spanish = client.get("/api/v1/nothing-here", headers={"Accept-Language": "es-MX"}).get_json()
    english = client.get("/api/v1/nothing-here", headers={"Accept-Language": "en"}).get_json()
    assert spanish["status"] == english["status"] == 404
    assert spanish["title"] != english["title"]


def test_filters_give_the_same_proposals_as_the_html_list(client, world):
    keep = make_proposal(world, title="Baches en la colonia Jardines")
    make_proposal(world, title="Alumbrado público", committee=world.other_committee)
    set_state(make_proposal(world, title="Baches en la avenida"), ProposalState.under_review)
    html = proposal_listing.list_proposals(world.plan, proposal_listing.ProposalFilters(
        committee_id=world.committee.id, state=ProposalState.submitted, text="baches"))
    api = client.get(f"/api/v1/proposals?committee_id={world.committee.id}&state=submitted&q=BACHES").get_json()
    assert [r["reference"] for r in api["data"]] == [keep.reference] == [p.reference for p in html.items]


def test_one_statement_is_kept_per_set_of_filters_whatever_their_values(client, world):
    """The page statement of a set of equality filters is built once, its values bound
    (app/api/queries.py): other values and cursors reuse it and still give their own rows."""
    from app.api import queries

    mine = [make_proposal(world, title=f"Banqueta rota {n}") for n in range(3)]
    other = make_proposal(world, title="Puente peatonal", committee=world.other_committee)
    queries._PAGES.clear()
    pages = {}
    for committee, cursor in ((world.committee.id, None), (world.other_committee.id, None),
                              (world.committee.id, mine[0].id)):
        url = f"/api/v1/proposals?limit=5&committee_id={committee}" + (f"&cursor={cursor}" if cursor else "")
        pages[committee, cursor] = [r["reference"] for r in client.get(url).get_json()["data"]]
    assert pages[world.committee.id, None] == [p.reference for p in mine]
    assert pages[world.other_committee.id, None] == [other.reference]
    assert pages[world.committee.id, mine[0].id] == [p.reference for p in mine[1:]]
    assert sorted(key[1:] for key in queries._PAGES) == [(("committee_id",), False), (("committee_id",), True)]


def test_etag_gives_304_until_the_data_changes(client, world):
    proposal = make_proposal(world)
    first = client.get("/api/v1/proposals")
    etag = first.headers["ETag"]
    again = client.get("/api/v1/proposals", headers={"If-None-Match": etag})
    assert again.status_code == 304 and again.data == b""
    make_proposal(world)
    changed = client.get("/api/v1/proposals", headers={"If-None-Match": etag})
    assert changed.status_code == 200 and changed.headers["ETag"] != etag
    item = client.get(f"/api/v1/proposals/{proposal.reference}")
    assert client.get(f"/api/v1/proposals/{proposal.reference}",
                      headers={"If-None-Match": item.headers["ETag"]}).status_code == 304


def test_cors_is_open_for_reads(client, world):
    response = client.get("/api/v1/proposals", headers={"Origin": "https://example.net"})
    assert response.headers["Access-Control-Allow-Origin"] == "*"
    assert "ETag" in response.headers["Access-Control-Expose-Headers"]
    preflight = client.options("/api/v1/proposals", headers={
        "Origin": "https://example.net", "Access-Control-Request-Method": "GET"})
    assert preflight.status_code == 200
    assert "GET" in preflight.headers["Access-Control-Allow-Methods"]
    assert client.post("/api/v1/proposals").status_code in (400, 405)


def test_rate_limit_headers_and_429(app, client, world):
    first = client.get("/api/v1/plans")
    assert int(first.headers["X-RateLimit-Limit"]) == 600
    remaining = int(first.headers["X-RateLimit-Remaining"])
    assert client.get("/api/v1/plans").headers["X-RateLimit-Remaining"] == str(remaining - 1)
    app.config["RATELIMIT_API"] = "3 per minute"
    try:
        from app.extensions import limiter

        limiter.reset()
        codes = [client.get("/api/v1/plans").status_code for _ in range(5)]
        assert codes == [200, 200, 200, 429, 429]
        refused = client.get("/api/v1/plans")
        assert refused.mimetype == "application/problem+json"
        assert "Retry-After" in refused.headers
    finally:
        app.config["RATELIMIT_API"] = "600 per minute"


def test_a_list_costs_the_same_statements_at_2_and_at_60_rows(client, world):
    bulk_proposals(world, 2)
    with count_queries() as small:
        client.get("/api/v1/proposals?limit=100")
    bulk_proposals(world, 58, start=10)
    with count_queries() as large:
        assert len(client.get("/api/v1/proposals?limit=100").get_json()["data"]) == 60
    assert len(small) == len(large) <= 2


def test_item_lookup_by_reference_any_case_and_404s(client, world):
    proposal = make_proposal(world)
    assert client.get(f"/api/v1/proposals/{proposal.reference.lower()}").get_json()["data"]["id"] == proposal.id
    for path in ("/api/v1/proposals/NOPE-1", "/api/v1/commitments/abc", "/api/v1/commitments/0",
                 "/api/v1/commitments/99999999999999999999", "/api/v1/ballots/" + "x" * 300):
        response = client.get(path)
        assert response.status_code == 404, path
        assert response.mimetype == "application/problem+json"


def test_private_fields_are_not_in_the_proposal_rows(client, world):
    make_proposal(world)
    row = client.get("/api/v1/proposals").get_json()["data"][0]
    assert "email" not in row and "search_text" not in row and "hidden_reason" not in row
    assert row["author"] == world.author.name


def test_a_deleted_authors_name_is_not_published(client, world):
    from app.accounts import services as accounts
    from tests.conftest import PASSWORD

    make_proposal(world)
    accounts.delete_account(world.author, PASSWORD)
    row = client.get("/api/v1/proposals").get_json()["data"][0]
    assert row["author"] is None and row["author_id"] is None
