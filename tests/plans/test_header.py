"""The site header: the menu that folds on a phone (markup that works without JavaScript), the
account links, and the language switch that changes language in one click on the same page."""
import re

import pytest

from app.accounts.models import User
from app.extensions import db
from tests.conftest import login_as
from tests.factories import make_plan, make_user


def _switch(html: str) -> dict:
    """What one click on the language switch's button sends: the form's fields and its button."""
    form = re.search(r'<form method="post" action="([^"]+)" class="language-switch">(.*?)</form>', html, re.S)
    assert form, "the header has the language switch"
    fields = dict(re.findall(r'<input type="hidden" name="([^"]+)" value="([^"]*)">', form.group(2)))
    buttons = re.findall(r'<button type="submit" name="lang" value="([^"]+)"[^>]*>([^<]+)</button>', form.group(2))
    return {"action": form.group(1), "fields": fields, "buttons": buttons}


def _click(client, html: str, lang: str):
    switch = _switch(html)
    return client.post(switch["action"], data={**switch["fields"], "lang": lang})


def test_one_click_switches_to_english_and_back_on_the_same_page(client):
    make_plan()
    html = client.get("/proposals/?q=agua").get_data(as_text=True)
    switch = _switch(html)
    assert switch["buttons"] == [("en", "English")], "one button, for the language not being read"
    assert switch["fields"]["next"] == "/proposals/?q=agua"

    response = _click(client, html, "en")
    assert response.status_code == 302 and response.headers["Location"] == "/proposals/?q=agua"
    english = client.get("/proposals/?q=agua").get_data(as_text=True)
    assert 'lang="en"' in english and "Public problems proposed" in english
    assert _switch(english)["buttons"] == [("es_MX", "Español")]

    response = _click(client, english, "es_MX")
    assert response.headers["Location"] == "/proposals/?q=agua"
    assert "Problemáticas públicas propuestas" in client.get("/proposals/?q=agua").get_data(as_text=True)


def test_unknown_language_or_foreign_return_address_change_nothing(client):
    make_plan()
    response = client.post("/language", data={"lang": "xx", "next": "https://evil.example/"})
    assert response.status_code == 302 and response.headers["Location"] == "/"
    assert 'lang="es-MX"' in client.get("/").get_data(as_text=True)


@pytest.mark.csrf
def test_a_signed_in_person_switches_in_one_click_with_the_pages_token(client):
    make_plan()
    user = make_user()
    login_as(client, user)
    html = client.get("/open-government").get_data(as_text=True)
    assert _switch(html)["fields"].get("csrf_token"), "a signed-in switch carries the CSRF token"
    assert client.post("/language", data={"lang": "en", "next": "/"}).status_code == 400, "no token, no change"

    response = _click(client, html, "en")
    assert response.status_code == 302 and response.headers["Location"] == "/open-government"
    assert db.session.get(User, user.id).locale == "en"


def test_the_menu_folds_without_javascript_and_holds_every_link(client):
    make_plan()
    html = client.get("/").get_data(as_text=True)
    header = html[html.index('<header class="site-header">'):html.index("</header>")]
    assert re.search(r'<details class="menu-toggle">\s*<summary aria-controls="site-menu">', header)
    menu = header[header.index('<div class="site-menu" id="site-menu">'):]
    assert '<nav class="main-nav" aria-label="Principal">' in menu
    assert '<nav class="account-nav" aria-label="Tu cuenta">' in menu
    for path in ("/proposals/", "/commitments/", "/account/login", "/account/register"):
        assert f'href="{path}"' in menu, path
    assert "<script" not in header


def test_signed_in_account_links_lead_to_the_panel_and_what_one_follows(app, client):
    make_plan()
    login_as(client, make_user())
    html = client.get("/").get_data(as_text=True)
    account = html[html.index('<nav class="account-nav"'):html.index("</header>")]
    assert '<a class="bell' in account
    assert 'href="/account/profile"' in account and "Cerrar sesión" in account
    assert 'href="/panel/">Mi panel' in account
    assert 'href="/following/">' in account
