"""The anonymous page cache: served from Redis, and a change is visible on the very next request."""
import uuid

import pytest

from app import create_app
from app.extensions import db
from tests import conftest
from tests.conftest import login, require_service
from tests.proposals.factories import World, make_proposal

REDIS = "redis://127.0.0.1:6379/5"


@pytest.fixture(scope="module")
def cached_app(database_url, tmp_path_factory):
    try:
        import redis

        redis.Redis.from_url(REDIS, socket_connect_timeout=0.5).ping()
    except Exception as exc:  # noqa: BLE001
        require_service(f"Redis at {REDIS} is needed for the page cache tests ({exc})")
    config = conftest.test_config(database_url, tmp_path_factory.mktemp("cache-instance"))
    config.update(PAGE_CACHE_REDIS_URL=REDIS, PAGE_CACHE_PREFIX=f"test-{uuid.uuid4().hex[:8]}")
    app = create_app(config)
    from tests.conftest import IsolatedClient

    app.test_client_class = IsolatedClient
    return app


@pytest.fixture
def world(cached_app):
    cache = cached_app.extensions["page_cache"]
    # Ids and references start again in every test: pages of earlier tests must not answer.
    for key in cache.client.scan_iter(f"{cache.prefix}:*"):
        cache.client.delete(key)
    with cached_app.app_context():
        yield World()


@pytest.fixture
def anonymous(cached_app):
    return cached_app.test_client()


def test_second_anonymous_request_is_a_hit_and_identical(world, anonymous):
    make_proposal(world, title="Baches en la calle Constitución")
    first = anonymous.get("/proposals/")
    second = anonymous.get("/proposals/")
    assert first.headers["X-Cache"] == "miss" and second.headers["X-Cache"] == "hit"
    assert first.get_data() == second.get_data()
    assert "Set-Cookie" not in first.headers
    assert second.headers["Content-Security-Policy"]  # security headers on cached pages too


def test_a_change_is_visible_on_the_next_request(world, anonymous):
    proposal = make_proposal(world, title="Alumbrado en la colonia Centro")
    anonymous.get(f"/proposals/{proposal.reference}")
    assert anonymous.get(f"/proposals/{proposal.reference}").headers["X-Cache"] == "hit"
    proposal.title = "Alumbrado público en la colonia Centro, corregido"
    db.session.commit()
    after = anonymous.get(f"/proposals/{proposal.reference}")
    assert after.headers["X-Cache"] == "miss"
    assert "corregido" in after.get_data(as_text=True)


def test_a_change_made_through_a_service_in_a_request_invalidates_the_list(world, anonymous, cached_app):
    anonymous.get("/proposals/")
    assert anonymous.get("/proposals/").headers["X-Cache"] == "hit"
    citizen = cached_app.test_client()
    from tests.conftest import FormClient

    author = FormClient(citizen)
    login(author, world.author.email)
    response = author.submit("/proposals/new", {
        "title": "Falta de rampas en la Plaza de Armas", "body": "No hay rampas para sillas de ruedas.",
        "committee_id": world.committee.id, "theme_id": world.theme.id, "place": "Centro"})
    assert response.status_code in (302, 303)
    assert "Falta de rampas" in anonymous.get("/proposals/").get_data(as_text=True)


def test_signed_in_readers_and_flashes_are_never_cached(world, anonymous, cached_app):
    from tests.conftest import FormClient

    reader = FormClient(cached_app.test_client())
    login(reader, world.citizen.email)
    first = reader.get("/proposals/")
    assert "X-Cache" not in first.headers
    # the anonymous copy never shows the signed-in reader's menu
    assert "/account/logout" not in anonymous.get("/proposals/").get_data(as_text=True)


def test_languages_are_cached_apart(world, anonymous):
    spanish = anonymous.get("/proposals/").get_data(as_text=True)
    english = anonymous.get("/proposals/?lang=en").get_data(as_text=True)
    assert 'lang="es-MX"' in spanish and 'lang="en"' in english


def test_redis_down_serves_from_the_database(world, cached_app):
    cache = cached_app.extensions["page_cache"]
    import redis

    saved = cache.client
    cache.client = redis.Redis.from_url("redis://127.0.0.1:1/0", socket_connect_timeout=0.2)
    try:
        response = cached_app.test_client().get("/proposals/")
        assert response.status_code == 200
    finally:
        cache.client = saved


def test_redis_down_is_one_error_line_and_its_return_one_more(world, cached_app, log_records):
    import logging

    import redis

    cache = cached_app.extensions["page_cache"]
    saved = cache.client
    cache.client = redis.Redis.from_url("redis://127.0.0.1:1/0", socket_connect_timeout=0.2)
    try:
        assert [cached_app.test_client().get("/proposals/").status_code for _ in range(5)] == [200] * 5
    finally:
        cache.client = saved
    assert cached_app.test_client().get("/proposals/").status_code == 200

    lines = [(r.levelname, r.getMessage()) for r in log_records if r.name == "app.core.alarms"]
    assert [level for level, _ in lines] == ["ERROR", "WARNING"]
    assert lines[1][1].startswith("page cache (Redis) available again")
    assert lines[1][1].endswith("4 more requests affected since the last line")
    assert not [r for r in log_records if r.exc_info and r.levelno >= logging.WARNING]


def test_a_write_made_while_redis_was_away_changes_the_version_once_it_is_back(world, anonymous, cached_app):
    import redis

    cache = cached_app.extensions["page_cache"]
    proposal = make_proposal(world, title="Parque sin alumbrado en la colonia Obrera")
    url = f"/proposals/{proposal.reference}"
    anonymous.get(url)
    assert anonymous.get(url).headers["X-Cache"] == "hit"
    saved = cache.client
    cache.client = redis.Redis.from_url("redis://127.0.0.1:1/0", socket_connect_timeout=0.2)
    try:
        proposal.title = "Parque con alumbrado nuevo en la colonia Obrera"
        db.session.commit()  # the version bump fails: Redis is away
    finally:
        cache.client = saved

    # Redis kept its data (a network cut, not a restart): the old copy must not be served.
    page = anonymous.get(url)
    assert page.headers["X-Cache"] == "miss" and "alumbrado nuevo" in page.get_data(as_text=True)


def test_a_worker_serves_its_own_copy_but_never_a_stale_one(world, anonymous, cached_app):
    cache = cached_app.extensions["page_cache"]
    proposal = make_proposal(world, title="Semáforo descompuesto")
    anonymous.get(f"/proposals/{proposal.reference}")
    # The page is gone from Redis, yet this worker still has it under the same data version.
    for key in cache.client.scan_iter(f"{cache.prefix}:page:*"):
        cache.client.delete(key)
    assert anonymous.get(f"/proposals/{proposal.reference}").headers["X-Cache"] == "hit"
    proposal.title = "Semáforo reparado"
    db.session.commit()  # another version: the local copy is not used any more
    after = anonymous.get(f"/proposals/{proposal.reference}")
    assert after.headers["X-Cache"] == "miss" and "reparado" in after.get_data(as_text=True)


def test_an_expired_page_is_rendered_again_by_one_request_while_others_get_the_copy(world, anonymous,
                                                                                     cached_app, monkeypatch):
    import time as clock

    proposal = make_proposal(world, title="Bache en la avenida 20 de Noviembre")
    url = f"/proposals/{proposal.reference}"
    anonymous.get(url)
    later = clock.time() + cached_app.config["PAGE_CACHE_SECONDS"] + 1
    monkeypatch.setattr("app.core.cache.time.time", lambda: later)
    first = anonymous.get(url)  # the one that renders it again
    second = anonymous.get(url)  # meanwhile: the copy (the renderer stored a fresh one already)
    assert first.headers["X-Cache"] == "miss"
    assert second.headers["X-Cache"] == "hit"
    cache = cached_app.extensions["page_cache"]
    key = f"{cache.prefix}:page:{cache.version()}:es_MX:{url}?"
    assert cache.client.exists(key)
    monkeypatch.setattr("app.core.cache.time.time", lambda: later + cached_app.config["PAGE_CACHE_SECONDS"] + 1)
    assert cache.claim_refresh(key) is True  # someone else is rendering it now…
    assert anonymous.get(url).headers["X-Cache"] == "stale"  # …so this reader gets the copy


def test_a_redis_that_lost_its_data_never_brings_back_an_old_version(world, anonymous, cached_app):
    cache = cached_app.extensions["page_cache"]
    proposal = make_proposal(world, title="Fuga de agua en la colonia Jalisco")
    url = f"/proposals/{proposal.reference}"
    anonymous.get(url)
    before = cache.version()
    cache.client.delete(cache.version_key)  # Redis restarted empty; this worker still has its copy
    proposal.title = "Fuga de agua reparada"
    db.session.commit()
    assert cache.version() != before
    page = anonymous.get(url)
    assert page.headers["X-Cache"] == "miss" and "reparada" in page.get_data(as_text=True)


def test_a_unit_that_wrote_only_inside_a_savepoint_is_still_committed(cached_app):
    """The cache's commit listener must not take the unit's "wrote" flag when a savepoint is
    released (SQLAlchemy fires after_commit for it too): the unit would then skip its commit and
    lose, for instance, a ballot appended inside a savepoint."""
    import sqlalchemy as sa

    from app.accounts.models import User
    from app.core import uow

    with cached_app.app_context():
        with uow.unit_of_work():
            with uow.savepoint():
                db.session.add(User(email="only-in-a-savepoint@example.org", name="Savepoint",
                                    municipality="Durango", password_hash="x"))
        db.session.remove()
        stored = db.session.scalar(sa.select(User.email).where(
            User.email == "only-in-a-savepoint@example.org"))
        assert stored == "only-in-a-savepoint@example.org"
        db.session.execute(sa.delete(User).where(User.email == stored))
        db.session.commit()
