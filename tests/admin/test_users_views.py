"""The users pages of the guarantor body: who may open them, search, filters, paging, statement
counts, and the account page's forms (errors re-shown with what was typed, CSRF)."""
import re

import pytest
import sqlalchemy as sa

from app.accounts.models import Role, User
from app.core.audit import AuditEntry
from app.core.db import utcnow
from app.extensions import db
from tests.conftest import login
from tests.factories import make_admin, make_committee, make_moderator, make_organisation, make_user
from tests.querycount import count_queries

REASON = "Cuenta usada para suplantar a otra persona"


def living_in(municipality: str, user: User) -> User:
    user.municipality = municipality
    db.session.commit()
    return user


def as_admin(client) -> User:
    admin = make_admin(name="Órgano Garante")
    login(client, admin.email)
    return admin


def listed(html: str) -> list[int]:
    return [int(n) for n in re.findall(r'data-user="(\d+)"', html)]


def page_of(client, query: str = "") -> str:
    response = client.get("/admin/users" + query)
    assert response.status_code == 200
    return response.get_data(as_text=True)


# --- Who may open the pages and post their forms -----------------------------------------------

NON_ADMINS = {
    "citizen": make_user,
    "organisation": make_organisation,
    "facilitator": lambda: make_moderator(make_committee()),
}


@pytest.mark.parametrize("kind", NON_ADMINS)
def test_users_pages_and_acts_are_forbidden_to_other_roles(client, kind):
    target = make_user(confirmed=False)
    login(client, NON_ADMINS[kind]().email)

    assert client.get("/admin/users").status_code == 403
    assert client.get(f"/admin/users/{target.id}").status_code == 403
    for act, data in (("role", {"role": "admin", "role_reason": REASON}),
                      ("block", {"block_reason": REASON}), ("confirmation", {})):
        assert client.submit(f"/admin/users/{target.id}/{act}", data, page="/").status_code == 403
    db.session.expire_all()
    assert target.role == Role.citizen and not target.is_access_blocked


def test_users_pages_send_anonymous_visitors_to_login(client):
    target = make_user()
    for url in ("/admin/users", f"/admin/users/{target.id}"):
        response = client.get(url)
        assert response.status_code == 302 and "/account/login" in response.headers["Location"]


@pytest.mark.csrf
def test_the_account_forms_carry_and_need_a_csrf_token(client):
    as_admin(client)
    target = make_user()
    page = f"/admin/users/{target.id}"

    forged = client.post(f"/admin/users/{target.id}/block", data={"block_reason": REASON})
    assert forged.status_code == 400
    db.session.refresh(target)
    assert not target.is_access_blocked

    response = client.submit(f"/admin/users/{target.id}/block", {"block_reason": REASON}, page=page)
    assert response.status_code == 302
    db.session.refresh(target)
    assert target.is_access_blocked


# --- The list ----------------------------------------------------------------------------------


def test_search_ignores_case_and_accents_in_names_and_finds_emails(client):
    as_admin(client)
    peña = make_user(name="José Peña Álvarez", email="jpena@example.org")
    other = make_user(name="Marta Ruiz", email="marta@ejemplo.mx")

    assert listed(page_of(client, "?q=PENA alvarez")) == [peña.id]
    assert listed(page_of(client, "?q=josé")) == [peña.id]
    assert listed(page_of(client, "?q=ejemplo.mx")) == [other.id]
    assert listed(page_of(client, "?q=%25")) == []  # LIKE's wildcard is a character here
    assert "Ninguna cuenta coincide" in page_of(client, "?q=nadie-se-llama-asi")


def test_filters_by_role_state_and_municipality(client):
    admin = as_admin(client)
    citizen = living_in("Lerdo", make_user())
    unconfirmed = make_user(confirmed=False)
    blocked = make_user()
    blocked.access_blocked_at = utcnow()
    deleted = make_user()
    deleted.deleted_at, deleted.email, deleted.name = utcnow(), None, "—"
    organisation = make_organisation()
    db.session.commit()

    assert listed(page_of(client, "?role=organisation")) == [organisation.id]
    assert set(listed(page_of(client, "?role=admin"))) == {admin.id}
    assert listed(page_of(client, "?state=unconfirmed")) == [unconfirmed.id]
    assert listed(page_of(client, "?state=blocked")) == [blocked.id]
    assert listed(page_of(client, "?state=deleted")) == [deleted.id]
    assert set(listed(page_of(client, "?state=active"))) == {admin.id, citizen.id, organisation.id}
    assert listed(page_of(client, "?municipality=Lerdo")) == [citizen.id]
    assert listed(page_of(client, "?municipality=Lerdo&role=admin")) == []


def test_the_municipality_filter_offers_the_places_people_gave(client):
    as_admin(client)
    living_in("Gómez Palacio", make_user())

    html = page_of(client)

    assert '<option value="Gómez Palacio">Gómez Palacio</option>' in html


def test_values_that_do_not_fit_a_filter_are_ignored(client):
    as_admin(client)
    citizen = make_user()

    html = page_of(client, "?role=emperor&state=%00&municipality=Atlantis&page=abc")

    assert citizen.id in listed(html)


def test_the_list_pages_and_keeps_its_filters_in_the_links(client):
    from app.admin.queries import PER_PAGE

    as_admin(client)
    people = [living_in("Mapimí", make_user()) for _ in range(PER_PAGE + 3)]

    first = page_of(client, "?municipality=Mapimí")
    second = page_of(client, "?municipality=Mapimí&page=2")

    assert len(listed(first)) == PER_PAGE and len(listed(second)) == 3
    assert set(listed(first)) | set(listed(second)) == {p.id for p in people}
    assert 'href="/admin/users?page=2&amp;municipality=Mapim%C3%AD"' in first
    assert listed(page_of(client, "?municipality=Mapimí&page=999")) == listed(second)  # the last page


def test_the_list_escapes_hostile_names(client):
    as_admin(client)
    make_user()  # the factories' names carry <script>

    html = page_of(client)

    assert "<script>alert" not in html and "&lt;script&gt;" in html


def _statements(client, url: str) -> int:
    db.session.expire_all()
    with count_queries() as statements:
        assert client.get(url).status_code == 200
    return len(statements)


@pytest.mark.parametrize("url", ["/admin/users", "/admin/users?q=example&state=active"])
def test_the_list_does_not_grow_in_statements_with_the_accounts(client, url):
    as_admin(client)
    make_moderator(make_committee())
    make_organisation()
    few = _statements(client, url)
    for n in range(30):  # more than one page, each kind of row
        living_in(f"Lugar {n}", make_moderator(make_committee()))
        make_organisation(verified=False)
        make_user(confirmed=False)

    assert _statements(client, url) == few


# --- One account: its forms --------------------------------------------------------------------


def test_the_account_page_shows_its_facts_and_history(client):
    admin = as_admin(client)
    target = living_in("Tamazula", make_user(confirmed=False))
    client.submit(f"/admin/users/{target.id}/confirmation", page=f"/admin/users/{target.id}")

    html = client.get(f"/admin/users/{target.id}").get_data(as_text=True)

    assert "Tamazula" in html and target.email in html
    assert "Correo sin confirmar" in html
    assert "Reenvió un enlace de confirmación" in html and admin.name in html
    assert "&lt;script&gt;" in html and "<script>alert" not in html


def test_changing_a_role_through_the_page(client):
    admin = as_admin(client)
    target = make_user()

    response = client.submit(f"/admin/users/{target.id}/role", {"role": "admin", "role_reason": REASON})

    assert response.status_code == 302
    assert response.headers["Location"].endswith(f"/admin/users/{target.id}")
    db.session.refresh(target)
    assert target.role == Role.admin
    entry = db.session.scalar(sa.select(AuditEntry).where(AuditEntry.action == "user.role_changed"))
    assert (entry.actor_id, entry.reason) == (admin.id, REASON)


def test_a_refused_role_change_is_shown_with_what_was_typed(client):
    admin = as_admin(client)

    response = client.submit(f"/admin/users/{admin.id}/role", {"role": "citizen", "role_reason": "Me retiro <b>ya</b>"})

    html = response.get_data(as_text=True)
    assert response.status_code == 400
    assert 'id="role_reason-error"' not in html and 'id="role-error"' in html
    assert "No puedes cambiar tu propio rol" in html
    assert "Me retiro &lt;b&gt;ya&lt;/b&gt;</textarea>" in html
    assert '<option selected value="citizen">' in html
    db.session.refresh(admin)
    assert admin.role == Role.admin


def test_a_role_change_needs_a_reason(client):
    as_admin(client)
    target = make_user()

    response = client.submit(f"/admin/users/{target.id}/role", {"role": "moderator", "role_reason": "  "})

    assert response.status_code == 400
    assert 'id="role_reason-error"' in response.get_data(as_text=True)
    db.session.refresh(target)
    assert target.role == Role.citizen


def test_an_organisation_account_shows_no_role_form(client):
    as_admin(client)
    organisation = make_organisation()

    html = client.get(f"/admin/users/{organisation.id}").get_data(as_text=True)
    posted = client.submit(f"/admin/users/{organisation.id}/role", {"role": "admin", "role_reason": REASON})

    assert f'action="/admin/users/{organisation.id}/role"' not in html
    assert posted.status_code == 400
    db.session.refresh(organisation)
    assert organisation.role == Role.organisation


def test_blocking_and_unblocking_through_the_page(client, other_client):
    as_admin(client)
    target = make_user()
    login(other_client, target.email)

    blocked = client.submit(f"/admin/users/{target.id}/block", {"block_reason": REASON})
    page = client.get(f"/admin/users/{target.id}").get_data(as_text=True)
    again = client.submit(f"/admin/users/{target.id}/block", {"block_reason": REASON})

    assert blocked.status_code == 302
    assert REASON in page and f'action="/admin/users/{target.id}/unblock"' in page
    assert again.status_code == 409  # a second click: the state says it is done
    assert other_client.get("/account/profile").status_code == 302  # the session has ended

    unblocked = client.submit(f"/admin/users/{target.id}/unblock", {"unblock_reason": "Aclarado"})
    assert unblocked.status_code == 302
    db.session.refresh(target)
    assert not target.is_access_blocked


def test_a_block_without_a_reason_is_shown_again(client):
    as_admin(client)
    target = make_user()

    response = client.submit(f"/admin/users/{target.id}/block", {"block_reason": ""})

    assert response.status_code == 400
    assert 'id="block_reason-error"' in response.get_data(as_text=True)
    db.session.refresh(target)
    assert not target.is_access_blocked


def test_an_admin_cannot_block_themselves_through_the_page(client):
    admin = as_admin(client)

    response = client.submit(f"/admin/users/{admin.id}/block", {"block_reason": "Prueba <i>mía</i>"})

    html = response.get_data(as_text=True)
    assert response.status_code == 400
    assert "No puedes bloquear tu propia cuenta" in html
    assert "Prueba &lt;i&gt;mía&lt;/i&gt;</textarea>" in html
    assert client.get("/admin/").status_code == 200  # still signed in


def test_resending_a_confirmation_only_to_unconfirmed_accounts(client):
    as_admin(client)
    unconfirmed, confirmed = make_user(confirmed=False), make_user()

    assert client.submit(f"/admin/users/{unconfirmed.id}/confirmation").status_code == 302
    assert client.submit(f"/admin/users/{confirmed.id}/confirmation").status_code == 409
    assert client.get(f"/admin/users/{unconfirmed.id}/confirmation").status_code == 405


def test_an_unknown_account_is_404(client):
    as_admin(client)

    assert client.get("/admin/users/999999").status_code == 404
    assert client.submit("/admin/users/999999/block", {"block_reason": REASON}).status_code == 404
