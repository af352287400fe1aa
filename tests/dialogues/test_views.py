"""Pages of dialogue tables: what is shown to whom, forms re-shown with errors, query counts."""
import re
from datetime import UTC, datetime, timedelta

import pytest
import sqlalchemy as sa

from app.dialogues.models import (
    AgendaItem,
    DialogueTable,
    MinutesVersion,
    RegistrationStatus,
    TableRegistration,
    TableState,
)
from app.extensions import db
from app.proposals.models import ProposalState
from tests.conftest import login
from tests.dialogues.factories import (
    HOSTILE,
    ONLINE_URL,
    make_proposal,
    make_registration,
    make_table,
    make_user,
)
from tests.dialogues.helpers import count_queries

W = RegistrationStatus.waiting


def form_data(world, **changes) -> dict:
    data = {
        "committee_id": str(world.committee.id),
        "title": "Mesa de movilidad urbana",
        "objective": "Hablar de **movilidad**.",
        "theme_id": str(world.theme.id),
        "starts_at": "2031-03-10T18:00",
        "ends_at": "2031-03-10T20:00",
        "place": "Biblioteca Central",
        "online_url": "https://meet.example.org/movilidad",
        "capacity": "25",
        "registration_deadline": "2031-03-09T18:00",
    }
    data.update(changes)
    return data


# ---------------------------------------------------------------- scheduling through the form


@pytest.mark.csrf  # this form family through a real CSRF token
def test_facilitator_schedules_a_table_in_local_time(client, world):
    login(client, world.facilitator.email)
    response = client.submit(f"/tables/new?committee={world.committee.id}", form_data(world))
    assert response.status_code == 303
    table = db.session.scalar(sa.select(DialogueTable))
    assert response.headers["Location"].endswith(f"/tables/{table.id}")
    assert table.starts_at == datetime(2031, 3, 11, 0, 0, tzinfo=UTC)
    assert table.registration_deadline == datetime(2031, 3, 10, 0, 0, tzinfo=UTC)
    assert table.committee_id == world.committee.id


def test_committee_choice_lists_only_the_actors_committees(client, world):
    login(client, world.facilitator.email)
    html = client.get("/tables/new").get_data(as_text=True)
    select = re.search(r'<select[^>]*name="committee_id".*?</select>', html, re.S).group(0)
    assert f'value="{world.committee.id}"' in select
    assert f'value="{world.other_committee.id}"' not in select


@pytest.mark.parametrize(
    "changes, field",
    [
        ({"registration_deadline": "2031-03-11T09:00"}, "registration_deadline"),
        ({"online_url": "javascript:alert(1)"}, "online_url"),
        ({"place": "", "online_url": ""}, "place"),
        ({"capacity": "0"}, "capacity"),
        ({"capacity": "10001"}, "capacity"),
        ({"starts_at": "mañana"}, "starts_at"),
        ({"title": ""}, "title"),
    ],
)
def test_bad_input_is_shown_again_with_400_keeping_values(client, world, changes, field):
    login(client, world.facilitator.email)
    data = form_data(world, **{"title": HOSTILE, **changes})
    response = client.submit(f"/tables/new?committee={world.committee.id}", data)
    assert response.status_code == 400
    html = response.get_data(as_text=True)
    assert re.search(rf'id="{field}"[^>]*aria-invalid="true"|aria-invalid="true"[^>]*id="{field}"', html)
    assert f'id="{field}-error"' in html
    if field != "title":
        # The user's text is back in the form, escaped.
        assert 'value="&lt;script&gt;alert(' in html
        assert "<script>alert(" not in html
    assert 'value="Biblioteca Central"' in html or field == "place"
    assert db.session.scalar(sa.select(sa.func.count(DialogueTable.id))) == 0


def test_edit_form_shows_local_times_and_saves(client, world):
    table = make_table(world.committee)
    table.starts_at = datetime(2031, 3, 11, 0, 0, tzinfo=UTC)
    table.ends_at = None
    table.registration_deadline = datetime(2031, 3, 10, 0, 0, tzinfo=UTC)
    db.session.commit()
    login(client, world.facilitator.email)
    html = client.get(f"/tables/{table.id}/edit").get_data(as_text=True)
    assert 'value="2031-03-10T18:00"' in html
    assert 'name="committee_id"' not in html
    data = form_data(world, place="Otra sala")
    del data["committee_id"]
    response = client.submit(f"/tables/{table.id}/edit", data)
    assert response.status_code == 303
    assert db.session.get(DialogueTable, table.id).place == "Otra sala"


def test_cancel_form_requires_a_reason(client, world):
    table = make_table(world.committee)
    login(client, world.facilitator.email)
    assert client.submit(f"/tables/{table.id}/cancel", {"reason": ""}).status_code == 400
    response = client.submit(f"/tables/{table.id}/cancel", {"reason": f"Lluvia {HOSTILE}"})
    assert response.status_code == 303
    html = client.get(f"/tables/{table.id}").get_data(as_text=True)
    assert 'data-state="cancelled"' in html
    assert "Lluvia &lt;script&gt;" in html


# ---------------------------------------------------------------- the table page


def _show(client, table) -> str:
    response = client.get(f"/tables/{table.id}")
    assert response.status_code == 200
    return response.get_data(as_text=True)


def test_online_link_only_for_confirmed_attendees_and_facilitators(client, world):
    table = make_table(world.committee, capacity=1)
    attendee, waiting = make_user(), make_user()
    make_registration(table, attendee)
    make_registration(table, waiting, W)
    assert ONLINE_URL.split("?")[0] not in _show(client, table)  # anonymous
    for person, sees in [(world.citizen, False), (waiting, False), (world.other_facilitator, False),
                         (attendee, True), (world.facilitator, True), (world.admin, True)]:
        client.post("/account/logout", data={"csrf_token": client.csrf_token("/tables/")})
        login(client, person.email)
        assert (ONLINE_URL.split("?")[0] in _show(client, table)) is sees, person


def test_table_page_escapes_user_text(client, world):
    table = make_table(world.committee)
    html = _show(client, table)
    assert "<script>alert(" not in html
    assert "&lt;script&gt;" in html


def test_register_and_cancel_through_the_page(client, world):
    table = make_table(world.committee, capacity=1)
    login(client, world.citizen.email)
    response = client.submit(f"/tables/{table.id}/register", {}, page=f"/tables/{table.id}")
    assert response.status_code == 303
    again = client.submit(f"/tables/{table.id}/register", {}, page=f"/tables/{table.id}")
    assert again.status_code == 303  # the second tab: a message, not an error page
    assert 'class="flash flash-success"' in client.get(again.headers["Location"]).get_data(as_text=True)
    assert db.session.scalar(sa.select(sa.func.count(TableRegistration.id))) == 1
    assert 'data-status="confirmed"' in _show(client, table)
    response = client.submit(f"/tables/{table.id}/unregister", {}, page=f"/tables/{table.id}")
    assert response.status_code == 303
    db.session.expire_all()
    assert db.session.scalar(sa.select(TableRegistration.status)) == RegistrationStatus.cancelled


def test_closed_registration_is_refused_with_a_message(client, world):
    table = make_table(world.committee, starts_in=timedelta(hours=2),
                      deadline_before=timedelta(hours=3))
    login(client, world.citizen.email)
    assert client.submit("/language", {"lang": "en"}, page="/").status_code == 302
    html = _show(client, table)
    assert f'action="/tables/{table.id}/register"' not in html
    response = client.submit(f"/tables/{table.id}/register", {}, page=f"/tables/{table.id}")
    assert response.status_code == 409  # the state of the table: the error page says why
    assert db.session.scalar(sa.select(sa.func.count(TableRegistration.id))) == 0
    assert "Registration for this table closed on" in response.get_data(as_text=True)


def test_a_blocked_account_reads_why_it_cannot_register(client, world):
    table = make_table(world.committee)
    blocked = make_user(blocked_until=datetime.now(UTC) + timedelta(days=2), blocked_reason="Spam <b>")
    login(client, blocked.email)
    html = _show(client, table)
    assert f'action="/tables/{table.id}/register"' not in html
    assert 'class="registration-refused"' in html and "Spam &lt;b&gt;" in html


@pytest.mark.parametrize("page", ["edit", "cancel", "minutes"])
def test_acts_on_a_cancelled_table_are_refused_with_the_reason(client, world, page):
    table = make_table(world.committee, state=TableState.cancelled)
    login(client, world.facilitator.email)
    client.submit("/language", {"lang": "en"}, page="/")
    response = client.get(f"/tables/{table.id}/{page}")
    assert response.status_code == 409  # the state of the table, not who asks
    reason = {"edit": "Only a scheduled table can be edited.",
              "cancel": "Only a scheduled table can be cancelled.",
              "minutes": "This dialogue table was cancelled."}[page]
    assert reason in response.get_data(as_text=True)
    other = client.get(f"/tables/{table.id}/agenda")  # its page still shows the agenda
    assert other.status_code == 200


def test_waiting_list_position_is_shown(client, world):
    table = make_table(world.committee, capacity=1)
    make_registration(table, make_user())
    make_registration(table, make_user(), W)
    make_registration(table, world.citizen, W)
    login(client, world.citizen.email)
    assert 'data-status="waiting"' in _show(client, table)


def test_minutes_page_shows_latest_and_versions(client, world):
    table = make_table(world.committee, starts_in=timedelta(days=-2), state=TableState.minutes_published)
    proposal = make_proposal(world.committee, world.author, state=ProposalState.in_dialogue)
    db.session.add(AgendaItem(table_id=table.id, proposal_id=proposal.id, position=1))
    db.session.add_all([
        MinutesVersion(table_id=table.id, number=1, summary="Resumen uno", agreements="A1",
                       outcomes={str(proposal.id): "Resultado uno"}),
        MinutesVersion(table_id=table.id, number=2, summary="Resumen dos", agreements="A2",
                       outcomes={str(proposal.id): "Resultado dos"},
                       correction_reason="Faltaba el acuerdo 3"),
    ])
    db.session.commit()
    html = _show(client, table)
    assert "Resumen dos" in html and "Resultado dos" in html and "Resumen uno" not in html
    assert "Faltaba el acuerdo 3" in html
    assert 'data-version="1"' in html and 'data-version="2"' in html


def test_a_hidden_proposal_on_the_agenda_shows_its_reference_but_never_its_title(client, world):
    from app.core.db import utcnow

    table = make_table(world.committee, starts_in=timedelta(days=-2), state=TableState.minutes_published)
    visible = make_proposal(world.committee, world.author, state=ProposalState.in_dialogue,
                            title="Baches en la colonia Centro")
    hidden = make_proposal(world.committee, world.author, state=ProposalState.in_dialogue,
                           title="Título con datos personales de alguien",
                           hidden_at=utcnow(), hidden_reason="Datos personales")
    db.session.add_all([
        AgendaItem(table_id=table.id, proposal_id=visible.id, position=1),
        AgendaItem(table_id=table.id, proposal_id=hidden.id, position=2),
        MinutesVersion(table_id=table.id, number=1, summary="Resumen", agreements="Acuerdos",
                       outcomes={str(visible.id): "Resultado A", str(hidden.id): "Resultado B"}),
    ])
    db.session.commit()
    html = _show(client, table)
    assert "Baches en la colonia Centro" in html
    assert hidden.reference in html and "Resultado B" in html
    assert "Título con datos personales" not in html


def test_minutes_form_keeps_input_on_error_and_publishes(client, world):
    table = make_table(world.committee, starts_in=timedelta(hours=-3))
    proposal = make_proposal(world.committee, world.author, state=ProposalState.in_dialogue)
    db.session.add(AgendaItem(table_id=table.id, proposal_id=proposal.id, position=1))
    db.session.commit()
    make_registration(table, world.citizen)
    login(client, world.facilitator.email)
    url = f"/tables/{table.id}/minutes"
    response = client.submit(url, {"summary": "Mi resumen", "agreements": "Mis acuerdos"})
    assert response.status_code == 400
    html = response.get_data(as_text=True)
    assert "Mi resumen" in html and f'id="outcome_{proposal.id}-error"' in html
    response = client.submit(url, {"summary": "Mi resumen", "agreements": "Mis acuerdos",
                                   f"outcome_{proposal.id}": "Se acepta"})
    assert response.status_code == 303
    assert db.session.scalar(sa.select(sa.func.count(MinutesVersion.id))) == 1
    # Now the same page corrects, and asks for a reason.
    html = client.get(url).get_data(as_text=True)
    assert 'name="reason"' in html and "Mi resumen" in html
    assert client.submit(url, {"summary": "Otro", "agreements": "Otros",
                               f"outcome_{proposal.id}": "x", "reason": ""}).status_code == 400
    assert db.session.scalar(sa.select(sa.func.count(MinutesVersion.id))) == 1


def test_agenda_page_refuses_other_committee_with_400(client, world):
    table = make_table(world.committee)
    theirs = make_proposal(world.other_committee, world.author)
    login(client, world.facilitator.email)
    response = client.submit(f"/tables/{table.id}/agenda", {"references": theirs.reference})
    assert response.status_code == 400
    html = response.get_data(as_text=True)
    assert 'id="references-error"' in html and theirs.reference in html


def test_list_shows_upcoming_and_past(client, world):
    upcoming = make_table(world.committee)
    past = make_table(world.committee, starts_in=timedelta(days=-10))
    html = client.get("/tables/").get_data(as_text=True)
    upcoming_part, past_part = html.split('id="past-title"')
    assert f'data-table-id="{upcoming.id}"' in upcoming_part
    assert f'data-table-id="{past.id}"' in past_part


def test_missing_table_is_404(client, world):
    assert client.get("/tables/424242").status_code == 404


# ---------------------------------------------------------------- query counts


def _fill(world, table, n):
    people = [make_user() for _ in range(n)]
    for i, person in enumerate(people):
        make_registration(table, person, RegistrationStatus.confirmed if i < n // 2 else W)
    for _ in range(n):
        proposal = make_proposal(world.committee, world.author, state=ProposalState.in_dialogue)
        db.session.add(AgendaItem(table_id=table.id, proposal_id=proposal.id, position=1))
    db.session.commit()


def _queries_for(client, url) -> int:
    db.session.expire_all()
    with count_queries() as statements:
        assert client.get(url).status_code == 200
    return len(statements)


@pytest.mark.parametrize("who", ["anonymous", "facilitator"])
def test_table_page_queries_do_not_grow(client, world, who):
    small = make_table(world.committee, capacity=100)
    large = make_table(world.committee, capacity=100)
    _fill(world, small, 2)
    _fill(world, large, 30)
    if who != "anonymous":
        login(client, world.facilitator.email)
    assert _queries_for(client, f"/tables/{small.id}") == _queries_for(client, f"/tables/{large.id}")


def test_list_queries_do_not_grow(client, world):
    make_table(world.committee)
    make_table(world.committee, starts_in=timedelta(days=-3))
    few = _queries_for(client, "/tables/")
    for i in range(15):
        make_table(world.committee if i % 2 else world.other_committee,
                   starts_in=timedelta(days=i - 7), theme_id=world.theme.id)
    assert _queries_for(client, "/tables/") == few


def test_the_list_shows_a_page_of_upcoming_tables_and_its_statements_do_not_grow(client, world, monkeypatch):
    """A big plan schedules hundreds of tables: the list shows UPCOMING_PER_PAGE of them, soonest
    first, with a link to the later ones; the same statements for 2 upcoming tables as for 12."""
    import re

    from app.dialogues import queries as table_queries

    monkeypatch.setattr(table_queries, "UPCOMING_PER_PAGE", 5)
    committee = world.committee
    tables = [make_table(committee, starts_in=timedelta(days=30 + i)) for i in range(2)]
    client.get(f"/tables/?committee={committee.id}")
    few = _queries_for(client, f"/tables/?committee={committee.id}")
    tables += [make_table(committee, starts_in=timedelta(days=40 + i)) for i in range(10)]
    many = _queries_for(client, f"/tables/?committee={committee.id}")
    assert few == many
    shown = []
    for page in (1, 2, 3):
        html = client.get(f"/tables/?committee={committee.id}&upcoming={page}").get_data(as_text=True)
        upcoming = html.split('id="past-title"')[0]
        ids = [int(n) for n in re.findall(r'href="/tables/(\d+)"', upcoming)]
        assert len(set(ids)) <= 5
        assert 'rel="next"' in upcoming if page < 3 else True
        shown += ids
    ours = {t.id for t in tables}
    assert ours <= set(shown)
