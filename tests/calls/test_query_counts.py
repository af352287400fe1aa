"""The registry page sends as many SQL statements for 60 organisations as for 3."""


from app.accounts.models import Sector
from app.calls.models import ApplicationStatus
from app.extensions import db
from tests.calls.factories import World, make_application, make_org
from tests.conftest import login
from tests.querycount import count_queries

SECTORS = list(Sector)
TOWNS = ["Durango", "Gómez Palacio", "Lerdo", "Tepehuanes", "Santiago Papasquiaro"]


def _populate(world: World, n: int) -> None:
    """n organisations approved for one committee, every second one for both; every third one
    also pending in the other committee when not approved there (it must not show)."""
    for i in range(n):
        org = make_org(sector=SECTORS[i % len(SECTORS)], municipality=TOWNS[i % len(TOWNS)])
        make_application(world.call, org, world.committee, ApplicationStatus.approved)
        if i % 2:
            make_application(world.call, org, world.other_committee, ApplicationStatus.approved)
        elif i % 3 == 0:
            make_application(world.call, org, world.other_committee, ApplicationStatus.pending)


def _statements(client, url: str) -> int:
    client.get(url)  # warm caches (templates, babel) outside the count
    db.session.expire_all()
    with count_queries() as statements:
        response = client.get(url)
    assert response.status_code == 200
    return len(statements)


def test_registry_page_statements_do_not_grow_with_organisations(app, client):
    small, large = World(), World()
    _populate(small, 3)
    _populate(large, 60)
    for suffix in ("registry", "registry.csv"):
        few = _statements(client, f"/calls/{small.call.id}/{suffix}")
        many = _statements(client, f"/calls/{large.call.id}/{suffix}")
        assert few == many, suffix


def test_review_page_statements_do_not_grow_with_applications(app, client):
    small, large = World(), World()
    _populate(small, 3)
    _populate(large, 60)
    login(client, small.admin.email)
    few = _statements(client, f"/calls/{small.call.id}/applications")
    many = _statements(client, f"/calls/{large.call.id}/applications")
    assert few == many


def test_registry_page_shows_one_page_of_organisations_and_the_counts_of_all(app, client, monkeypatch):
    """The registry page holds REGISTRY_PER_PAGE organisations, not all of them (a big call's
    page was megabytes), with page links; its pages together list each organisation once, and
    its counts are those of the whole call (the same as the CSV's registry)."""
    import re

    from app.calls import queries

    monkeypatch.setattr(queries, "REGISTRY_PER_PAGE", 25)
    world = World()
    _populate(world, 60)
    full = queries.registry(world.call)
    seen = []
    for page in (1, 2, 3):
        html = client.get(f"/calls/{world.call.id}/registry?page={page}").get_data(as_text=True)
        ids = [int(n) for n in re.findall(r'data-organisation-id="(\d+)"', html)]
        assert len(ids) == (25 if page < 3 else 10)
        assert 'data-organisations="60"' in html
        seen += ids
    assert sorted(seen) == sorted(e.organisation_id for e in full.entries)
    assert client.get(f"/calls/{world.call.id}/registry?page=4").status_code == 404
    paged, _listed = queries.registry_page(world.call, 1)
    assert paged.by_sector == full.by_sector
    assert paged.by_municipality == full.by_municipality
    assert [(c.id, n) for c, n in paged.by_committee] == [(c.id, n) for c, n in full.by_committee]
    assert paged.total_applications == full.total_applications


def test_a_kept_registry_reads_one_page_of_organisations_only(client, kept_facts):
    """As in production (facts kept): the call's counts and order are read once per
    REGISTRY_SECONDS (the page says when); a repeated page reads only its own organisations."""
    world = World()
    _populate(world, 12)
    client.get(f"/calls/{world.call.id}/registry")
    db.session.expire_all()
    with count_queries() as statements:
        html = client.get(f"/calls/{world.call.id}/registry").get_data(as_text=True)
    assert "data-read-at" in html and 'data-organisations="12"' in html
    assert not [s for s in statements if "GROUP BY" in s or "lower(" in s], statements
