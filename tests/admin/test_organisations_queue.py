"""The organisations review queue: search, filters (sector, decision, committee, call), paging, and
decisions that keep the queue's filters."""
import re

import pytest
import sqlalchemy as sa

from app.accounts.models import Organisation, Sector, Verification
from app.calls.models import ApplicationStatus, CallApplication
from app.extensions import db
from tests.calls.factories import make_application, make_call
from tests.conftest import login
from tests.factories import make_admin, make_committee, make_organisation, make_plan
from tests.querycount import count_queries


def listed(html: str) -> list[int]:
    return [int(n) for n in re.findall(r'data-organisation="(\d+)"', html)]


def queue(client, query: str = "") -> str:
    response = client.get("/admin/organisations" + query)
    assert response.status_code == 200
    return response.get_data(as_text=True)


def org(name: str, *, sector=Sector.civil_society, contact="Ana", verified=None, email=None):
    user = make_organisation(verified=False, name=name, **({"email": email} if email else {}))
    user.organisation.sector = sector
    user.organisation.contact_person = contact
    if verified is not None:
        user.organisation.verification = Verification.verified if verified else Verification.rejected
    db.session.commit()
    return user


@pytest.fixture
def admin(client):
    admin = make_admin()
    login(client, admin.email)
    return admin


def test_search_by_legal_name_contact_and_email_ignoring_accents(client, admin):
    ayuda = org("Ayuda Mútua Durango A.C.", contact="Lucía Fernández", email="contacto@ayuda.org")
    otra = org("Colectivo Río", contact="Pedro")

    assert listed(queue(client, "?q=mutua")) == [ayuda.id]
    assert listed(queue(client, "?q=LUCIA")) == [ayuda.id]
    assert listed(queue(client, "?q=ayuda.org")) == [ayuda.id]
    assert listed(queue(client, "?q=rio")) == [otra.id]


def test_filters_by_sector_and_decision(client, admin):
    pending = org("Pendiente", sector=Sector.academia)
    verified = org("Verificada", verified=True)
    rejected = org("Rechazada", verified=False)

    assert listed(queue(client, "?sector=academia")) == [pending.id]
    assert listed(queue(client, "?verification=pending")) == [pending.id]
    assert listed(queue(client, "?verification=verified")) == [verified.id]
    assert listed(queue(client, "?verification=rejected")) == [rejected.id]
    # Without filters, pending first.
    assert listed(queue(client))[0] == pending.id


def test_filters_by_the_committee_and_the_call_applied_to(client, admin):
    plan = make_plan()
    first, second = make_committee(plan), make_committee(plan)
    call_one, call_two = make_call(plan, [first, second]), make_call(plan, [first])
    in_first = org("En el primero")
    in_second = org("En el segundo")
    org("Sin solicitud")
    make_application(call_one, in_first, first)
    make_application(call_two, in_first, first, status=ApplicationStatus.approved)
    make_application(call_one, in_second, second)

    assert listed(queue(client, f"?committee={first.id}")) == [in_first.id]
    assert sorted(listed(queue(client, f"?call={call_one.id}"))) == sorted([in_first.id, in_second.id])
    assert listed(queue(client, f"?call={call_two.id}")) == [in_first.id]
    assert listed(queue(client, f"?call={call_two.id}&committee={second.id}")) == []
    assert listed(queue(client, f"?committee={second.id}")) == [in_second.id]


def test_each_organisation_shows_the_committees_and_calls_it_applied_to(client, admin):
    plan = make_plan()
    committee = make_committee(plan, name="Comité de Salud")
    call = make_call(plan, [committee], title="Convocatoria 2027")
    make_application(call, org("Solicitante"), committee)

    html = queue(client)

    assert "Comité de Salud · Convocatoria 2027 · <span class=\"muted\">Pendiente</span>" in html


def test_unknown_filter_values_are_ignored(client, admin):
    one = org("Cualquiera")

    assert one.id in listed(queue(client, "?sector=pirates&verification=maybe&committee=abc&call=%00"))


def test_the_queue_pages_with_its_filters(client, admin):
    from app.admin.queries import PER_PAGE

    made = [org(f"Academia {n}", sector=Sector.academia) for n in range(PER_PAGE + 2)]

    first = queue(client, "?sector=academia")
    second = queue(client, "?sector=academia&page=2")

    assert len(listed(first)) == PER_PAGE and len(listed(second)) == 2
    assert set(listed(first) + listed(second)) == {o.id for o in made}
    assert 'href="/admin/organisations?page=2&amp;sector=academia"' in first


def test_a_decision_returns_to_the_queue_as_it_was_filtered(client, admin):
    one = org("Por decidir", sector=Sector.academia)

    response = client.submit(f"/admin/organisations/{one.id}?sector=academia&page=1",
                             {"decision": "verify"})

    assert response.status_code == 302
    assert response.headers["Location"].endswith("/admin/organisations?sector=academia&page=1")
    assert db.session.get(Organisation, one.id).verification == Verification.verified


def test_the_decision_forms_post_with_the_queue_filters(client, admin):
    one = org("Con filtros", sector=Sector.academia)

    html = queue(client, "?sector=academia&q=filtros")

    assert f'action="/admin/organisations/{one.id}?q=filtros&amp;sector=academia"' in html


def test_a_refused_decision_is_shown_again_with_the_reason_typed_and_the_filters(client, admin):
    one = org("Sin motivo", sector=Sector.academia)
    org("Otra de otro sector", sector=Sector.union)

    response = client.submit(f"/admin/organisations/{one.id}?sector=academia",
                             {"decision": "reject", "reason": "   "})

    html = response.get_data(as_text=True)
    assert response.status_code == 400
    assert listed(html) == [one.id]  # still filtered
    assert f'id="reason-{one.id}-error"' in html
    assert f'id="decision-reject-{one.id}" name="decision" value="reject" checked' in html


def test_the_queue_does_not_grow_in_statements_with_organisations_and_applications(client, admin):
    plan = make_plan()
    committee = make_committee(plan)
    call = make_call(plan, [committee])

    def statements():
        db.session.expire_all()
        with count_queries() as seen:
            assert client.get(f"/admin/organisations?call={call.id}").status_code == 200
        return len(seen)

    make_application(call, org("Primera"), committee)
    few = statements()
    for n in range(30):
        make_application(call, org(f"Más {n}"), make_committee(plan) if n % 2 else committee)
    assert statements() == few


def test_the_queue_points_to_the_calls_with_applications_to_decide(client, admin):
    """Organisations are verified here; their applications are decided on each call's page: the
    queue names the calls that have applications waiting, with how many, and links to them."""
    committee = make_committee(make_plan())
    waiting, decided = make_call(committee.plan, [committee]), make_call(committee.plan, [committee], title="Otra")
    first, second = org("Uno A.C.", verified=True), org("Dos A.C.", verified=True)
    make_application(waiting, first, committee)
    make_application(waiting, second, committee)
    make_application(decided, first, committee, ApplicationStatus.approved)

    html = queue(client)
    box = html.split('id="awaiting-title"')[1].split("</aside>")[0]
    assert f'/calls/{waiting.id}/applications' in box and "2 solicitudes por decidir" in box
    assert f'/calls/{decided.id}/applications' not in box

    db.session.execute(sa.update(CallApplication).where(CallApplication.call_id == waiting.id)
                       .values(status=ApplicationStatus.approved))
    db.session.commit()
    assert 'id="awaiting-title"' not in queue(client)
