"""The archived Third Plan's call of 28 Oct 2020, its two published elections and two
self-selection agreements, acted through the calls and elections services at their dates."""
import io

import sqlalchemy as sa

from app.accounts.models import User
from app.calls.models import ApplicationStatus, Call, CallApplication
from app.core import storage
from app.demo import elections as demo_elections
from app.demo.loader import load_demo
from app.elections import verify
from app.elections.models import (
    Ballot,
    Election,
    ElectionResult,
    ElectionState,
    RollEntry,
    SelfSelectionAgreement,
)
from app.extensions import db
from app.plans.models import ActionPlan, Committee, CommitteeMember, MemberKind

SEATS = {
    "poder-ejecutivo": ("Jorge Ernesto Fabila Flores", "Manuela Vargas Hernández"),
    "municipio-durango": ("Óscar Eduardo Moreno Littleton", "María de Jesús Hernández Uribe"),
    "gomez-palacio": ("Jesús Alberto Prado Aguilera", "Armando Navarro Gutiérrez"),
    "tepehuanes": ("Javier Benítez Muñoz", "Mónica Álvarez Díaz"),
}


def archived(slug: str) -> Committee:
    return db.session.scalar(sa.select(Committee).join(ActionPlan).where(
        ActionPlan.slug == "durango-3", Committee.slug == slug))


def election_of(slug: str) -> Election:
    return db.session.scalar(sa.select(Election).where(Election.committee_id == archived(slug).id))


def counts() -> dict[str, int]:
    db.session.expire_all()
    models = {"calls": Call, "applications": CallApplication, "accounts": User,
              "elections": Election, "ballots": Ballot, "roll": RollEntry,
              "results": ElectionResult, "agreements": SelfSelectionAgreement,
              "members": CommitteeMember}
    return {name: db.session.scalar(sa.select(sa.func.count()).select_from(model))
            for name, model in models.items()}


def test_the_call_registry_and_every_result_page_are_served(demo, client):
    call = db.session.scalar(sa.select(Call).where(Call.title == demo_title()))

    assert client.get(f"/calls/{call.id}").status_code == 200
    registry = client.get(f"/calls/{call.id}/registry")
    assert registry.status_code == 200
    assert "Red Duranguense de Transparencia" in registry.get_data(as_text=True)
    for slug in SEATS:
        page = client.get(f"/elections/{election_of(slug).id}")
        assert page.status_code == 200, slug
        text = page.get_data(as_text=True)
        assert all(name in text for name in SEATS[slug]), slug


def demo_title() -> str:
    return demo_elections.CALL_TITLE


def test_the_call_registers_26_organisations_mostly_for_the_executive_and_durango(demo):
    call = db.session.scalar(sa.select(Call).where(Call.title == demo_elections.CALL_TITLE))
    approved = db.session.execute(
        sa.select(Committee.slug, sa.func.count(CallApplication.id))
        .join(Committee, Committee.id == CallApplication.committee_id)
        .where(CallApplication.call_id == call.id,
               CallApplication.status == ApplicationStatus.approved)
        .group_by(Committee.slug)).all()
    by_committee = dict(approved)
    organisations = db.session.scalar(
        sa.select(sa.func.count(sa.distinct(CallApplication.organisation_id)))
        .where(CallApplication.call_id == call.id))

    assert organisations == 26
    assert by_committee["poder-ejecutivo"] >= 10 and by_committee["municipio-durango"] >= 10
    assert 2 <= by_committee["gomez-palacio"] <= 3 and 2 <= by_committee["tepehuanes"] <= 3
    assert call.declarations[0] == "No tenemos conflicto de interés con los entes obligados del comité."
    assert call.opens_at < call.closes_at


def test_each_finished_election_box_served_by_the_site_verifies(demo, client):
    for slug in ("poder-ejecutivo", "municipio-durango"):
        election = election_of(slug)
        response = client.get(f"/elections/{election.id}/box.json")
        assert response.status_code == 200
        box = response.get_json()
        out = io.StringIO()

        assert verify.verify(box, out=out), out.getvalue()
        assert box["result"] is not None and "The box verifies." in out.getvalue()
        voted = [e for e in box["roll"]["entries"] if e["voted"]]
        assert len(voted) == len(box["entries"]) - 1 == election.ballot_count > 0
        codes = {c["name"]: c["code"] for c in box["header"]["candidates"]}
        titular, suplente = SEATS[slug]
        assert [s["winner"] for s in box["result"]["seats"]] == [codes[titular], codes[suplente]]
        assert election.state == ElectionState.published


def test_a_changed_demo_box_no_longer_verifies(demo, client):
    box = client.get(f"/elections/{election_of('poder-ejecutivo').id}/box.json").get_json()
    entry = next(e for e in box["entries"] if e["kind"] == "ballot")
    entry["choice"] = None if entry["choice"] else box["header"]["candidates"][0]["code"]

    assert not verify.verify(box, out=io.StringIO())


def test_agreements_are_published_for_gomez_palacio_and_tepehuanes(demo, client):
    for slug in ("gomez-palacio", "tepehuanes"):
        election = election_of(slug)
        agreement = db.session.scalar(sa.select(SelfSelectionAgreement)
                                      .where(SelfSelectionAgreement.election_id == election.id))

        assert election.state == ElectionState.self_selected
        assert agreement.published and (agreement.titular_name, agreement.suplente_name) == SEATS[slug]
        assert 2 <= len(agreement.participants) <= 3
        path = storage.path_of(agreement.record_stored_name)
        assert path is not None and path.read_bytes().startswith(b"%PDF-")
        record = client.get(f"/elections/{election.id}/agreement/record")
        assert record.status_code == 200 and record.data.startswith(b"%PDF-")


def test_each_committee_seats_its_titular_and_suplente_once_from_25_february_2021(demo):
    for slug, (titular, suplente) in SEATS.items():
        members = db.session.scalars(sa.select(CommitteeMember)
                                     .where(CommitteeMember.committee_id == archived(slug).id)).all()
        seated = [(m.kind, m.name, m.term_start) for m in members
                  if m.kind in (MemberKind.cs_titular, MemberKind.cs_suplente)]

        assert sorted(seated) == sorted([(MemberKind.cs_titular, titular, demo_elections.TERM_START),
                                         (MemberKind.cs_suplente, suplente, demo_elections.TERM_START)])


def test_load_demo_twice_adds_nothing(demo):
    first = counts()

    load_demo()

    assert counts() == first
    # The Third Plan's four; the current plan's election in voting and the Poder Ejecutivo's
    # agreement (with its two seats' results).
    assert first["elections"] == 6 and first["agreements"] == 3 and first["results"] == 10
    assert first["ballots"] == sum(sum(s["votes"]) + s["blank"] for s in demo_specs()) + len(
        demo_elections.CURRENT_VOTES)


def test_the_archived_history_is_dated_by_the_services_in_2020_and_2021(demo):
    call = db.session.scalar(sa.select(Call).where(Call.title == demo_elections.CALL_TITLE))
    applications = db.session.scalars(sa.select(CallApplication)
                                      .where(CallApplication.call_id == call.id)).all()

    assert all(call.opens_at <= a.created_at <= call.closes_at for a in applications)
    assert {a.decided_at.date().isoformat() for a in applications} == {"2020-12-15"}
    for slug in ("poder-ejecutivo", "municipio-durango"):
        election = election_of(slug)
        assert election.voting_opened_at == demo_elections.VOTING[0]
        assert election.closed_at == demo_elections.VOTING[1]
        assert election.published_at == demo_elections.PUBLISHED


def demo_specs():
    return demo_elections.ELECTIONS.values()
