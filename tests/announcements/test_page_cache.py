"""Publishing an announcement through its page makes the cached home page and news list fresh."""
import pytest

from app.announcements import services
from app.extensions import db
from tests.conftest import FormClient, login
from tests.core.test_page_cache import anonymous, cached_app  # noqa: F401  (fixtures)
from tests.factories import make_admin, make_committee


@pytest.fixture
def setup(cached_app):  # noqa: F811
    cache = cached_app.extensions["page_cache"]
    for key in cache.client.scan_iter(f"{cache.prefix}:*"):
        cache.client.delete(key)
    with cached_app.app_context():
        plan = make_committee().plan
        admin = make_admin()
        draft = services.create_announcement(admin, plan, {"title": "Aviso recién publicado",
                                                           "body": "Texto"})
        db.session.commit()
        yield admin, draft


def test_publishing_refreshes_the_cached_home_page_and_news(setup, anonymous, cached_app):  # noqa: F811
    admin, draft = setup
    for path in ("/", "/news/"):
        anonymous.get(path)
        cached = anonymous.get(path)
        assert cached.headers["X-Cache"] == "hit"
        assert "Aviso recién publicado" not in cached.get_data(as_text=True)
    guarantor = FormClient(cached_app.test_client())
    login(guarantor, admin.email)
    assert guarantor.submit(f"/news/{draft.id}/publish").status_code == 302
    for path in ("/", "/news/"):
        fresh = anonymous.get(path)
        assert fresh.headers["X-Cache"] == "miss"
        assert "Aviso recién publicado" in fresh.get_data(as_text=True)
