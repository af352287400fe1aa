"""The header and footer kept per language and class of viewer (app/core/layout.py): rendered once,
with each request's own parts (token, address, search query, current link, bell, role links)
filled in, so that a kept header never shows one person's or one page's parts to another."""
import re

from app.accounts.models import ModeratorScope
from app.core import layout
from app.extensions import db
from app.notifications.models import Notification
from tests.conftest import login_as
from tests.factories import make_admin, make_committee, make_plan, make_user
from tests.querycount import count_queries


def _page(client, url: str) -> str:
    response = client.get(url)
    assert response.status_code == 200, url
    return response.get_data(as_text=True)


def _current_links(html: str) -> list[str]:
    return re.findall(r'<a [^>]*href="([^"]+)"[^>]*aria-current="page"', html)


def _renders(app, monkeypatch) -> list[str]:
    """The names of the layout templates rendered from now on (a kept one is not rendered)."""
    rendered = []
    get_template = app.jinja_env.get_template

    def counting(name, *args, **kwargs):
        if name.startswith("_layout/") or name == "notifications/_bell.html":
            rendered.append(name)
        return get_template(name, *args, **kwargs)

    monkeypatch.setattr(app.jinja_env, "get_template", counting)
    return rendered


def test_the_header_and_footer_are_rendered_once_per_language_and_viewer(app, client, other_client, monkeypatch):
    make_plan()
    layout.cache_of(app).clear()
    rendered = _renders(app, monkeypatch)
    for url in ("/privacy", "/proposals/", "/open-government"):
        _page(client, url)
    assert rendered == ["_layout/header.html", "_layout/footer.html"]
    login_as(other_client, make_user())
    for url in ("/privacy", "/proposals/"):
        _page(other_client, url)
    # Signed in: a header of its own and the bell (kept per unread count); the same footer.
    assert rendered[2:] == ["_layout/header.html", "notifications/_bell.html"]
    client.post("/language", data={"lang": "en", "next": "/"})
    assert "Privacy notice" in _page(client, "/privacy")
    assert rendered[4:] == ["_layout/header.html", "_layout/footer.html"]  # English: its own


def test_only_the_current_page_is_marked_current_in_a_kept_header(client):
    make_plan()
    assert _current_links(_page(client, "/proposals/")) == ["/proposals/"]
    assert _current_links(_page(client, "/commitments/")) == ["/commitments/"]
    assert _current_links(_page(client, "/privacy")) == []
    assert _current_links(_page(client, "/account/register")) == ["/account/register"]


def test_each_page_and_query_gets_its_own_return_address_and_search_box(client):
    make_plan()
    page = _page(client, "/proposals/?q=%3Cb%3Eagua")
    assert 'name="next" value="/proposals/?q=%3Cb%3Eagua"' in page
    assert 'id="search-box-q" type="search" name="q" maxlength="200" value=""' in page
    page = _page(client, "/search/?q=%3Cb%3Eagua")
    assert 'value="&lt;b&gt;agua"' in page and "<b>agua" not in page
    assert 'name="next" value="/search/?q=%3Cb%3Eagua"' in _page(client, "/search/?q=%3Cb%3Eagua")


def test_each_person_gets_their_own_token_bell_and_role_links(app, client, other_client):
    plan = make_plan()
    citizen, moderator, admin = make_user(), make_user(), make_admin()
    db.session.add(ModeratorScope(user_id=moderator.id, committee_id=make_committee(plan).id))
    db.session.add(Notification(user_id=moderator.id, kind="test", url="/"))
    db.session.commit()
    login_as(client, citizen)
    first = _page(client, "/privacy")
    tokens = set(re.findall(r'name="csrf_token" value="([^"]+)"', first))
    assert len(tokens) == 1 and 'data-unread="0"' in first
    assert 'href="/moderation/"' not in first and 'href="/admin/"' not in first
    login_as(other_client, moderator)
    second = _page(other_client, "/privacy")
    assert not tokens & set(re.findall(r'name="csrf_token" value="([^"]+)"', second))
    assert 'data-unread="1"' in second and 'href="/moderation/"' in second and 'href="/admin/"' not in second
    login_as(client, admin)
    third = _page(client, "/notifications/")
    assert 'href="/admin/"' in third and 'href="/moderation/"' in third
    assert _current_links(third) == ["/notifications/"]  # the bell, on the notifications page
    assert _current_links(_page(other_client, "/privacy")) == []


def test_a_kept_layout_costs_no_statement_and_a_change_of_guarantor_a_new_footer(app, client):
    plan = make_plan()
    _page(client, "/privacy")
    with count_queries() as statements:
        _page(client, "/privacy")
    assert len(statements) == 1  # the guarantor (FACTS_KEPT is off in the suite): none for the layout
    plan.guarantor_name = "Órgano Garante <b>Nuevo</b>"
    db.session.commit()
    page = _page(client, "/privacy")
    assert "Órgano Garante &lt;b&gt;Nuevo&lt;/b&gt;" in page


def test_switched_off_it_renders_every_time(app, client, monkeypatch):
    make_plan()
    monkeypatch.setitem(app.config, "LAYOUT_KEPT", False)
    rendered = _renders(app, monkeypatch)
    _page(client, "/privacy")
    _page(client, "/privacy")
    assert rendered.count("_layout/header.html") == 2
