"""The guarantor body's plan pages and the public list of plans."""
from datetime import date

import pytest
import sqlalchemy as sa

from app.accounts.models import ModeratorScope, Role
from app.extensions import db
from app.plans.models import ActionPlan, CommitteeMember, MemberKind, Phase, PhaseKind, Theme
from app.plans.services import create_plan
from tests.conftest import login_as
from tests.factories import (
    HOSTILE,
    make_admin,
    make_committee,
    make_moderator,
    make_places,
    make_plan,
    make_user,
)
from tests.querycount import count_queries

PLAN_FORM = {
    "name": "Plan Local de Xalapa", "jurisdiction": "Veracruz", "period": "2027–2029",
    "reference_prefix": "XAL", "description": "", "guarantor_name": "Instituto Veracruzano",
    "guarantor_email": "contacto@ivai.example.org", "guarantor_address": "Xalapa", "data_licence": "CC BY 4.0",
}


@pytest.fixture
def admin(client):
    user = make_admin()
    login_as(client, user)
    return user


@pytest.mark.parametrize("role", [None, Role.citizen, Role.organisation, Role.moderator])
def test_only_admins_enter(client, role):
    plan = make_plan()
    if role is not None:
        user = make_moderator(make_committee(plan)) if role == Role.moderator else make_user(role)
        login_as(client, user)
    for path in ("/admin/plans/", f"/admin/plans/{plan.id}/", "/admin/plans/new"):
        response = client.get(path)
        assert response.status_code == (302 if role is None else 403), path
    assert client.post(f"/admin/plans/{plan.id}/publish").status_code in (302, 403)
    assert db.session.get(ActionPlan, plan.id).is_current  # nothing changed


def test_creating_a_plan_keeps_the_input_when_refused(client, admin):
    response = client.post("/admin/plans/new", data={**PLAN_FORM, "reference_prefix": "x-1"})
    assert response.status_code == 400
    html = response.get_data(as_text=True)
    assert "Plan Local de Xalapa" in html and 'value="x-1"' in html
    assert "Usa de 2 a 10" in html
    response = client.post("/admin/plans/new", data=PLAN_FORM)
    plan = db.session.scalars(sa.select(ActionPlan).where(ActionPlan.reference_prefix == "XAL")).one()
    assert response.status_code == 302 and response.headers["Location"].endswith(f"/admin/plans/{plan.id}/")
    assert plan.published_at is None
    again = client.post("/admin/plans/new", data=PLAN_FORM)  # sent twice
    assert again.status_code == 400
    assert db.session.scalar(sa.select(sa.func.count(ActionPlan.id))) == 1


def test_the_setup_page_adds_reorders_and_removes_phases(client, admin):
    plan = create_plan(admin, PLAN_FORM)
    db.session.commit()
    page = client.get(f"/admin/plans/{plan.id}/")
    assert page.status_code == 200 and "Lista de pasos" in page.get_data(as_text=True)
    bad = client.post(f"/admin/plans/{plan.id}/phases", data={
        "phase-kind": "call", "phase-name": HOSTILE, "phase-starts_on": "2027-02-01",
        "phase-ends_on": "2027-01-01"})
    assert bad.status_code == 400
    html = bad.get_data(as_text=True)
    assert "<script>alert" not in html and "&lt;script&gt;" in html  # kept, escaped
    for n, kind in enumerate(("call", "cocreation")):
        response = client.post(f"/admin/plans/{plan.id}/phases", data={
            "phase-kind": kind, "phase-starts_on": f"2027-0{n + 1}-01", "phase-ends_on": f"2027-0{n + 1}-28",
            "phase-accepts_proposals": "y" if kind == "cocreation" else ""})
        assert response.status_code == 302
    phases = db.session.scalars(sa.select(Phase).where(Phase.plan_id == plan.id).order_by(Phase.position)).all()
    assert [p.kind for p in phases] == [PhaseKind.call, PhaseKind.cocreation] and phases[1].accepts_proposals
    assert client.post(f"/admin/plans/phases/{phases[1].id}/move", data={"direction": "up"}).status_code == 302
    db.session.expire_all()
    assert phases[1].position == 0 and phases[0].position == 1
    assert client.post(f"/admin/plans/phases/{phases[0].id}/remove").status_code == 302
    assert db.session.scalar(sa.select(sa.func.count(Phase.id)).where(Phase.plan_id == plan.id)) == 1
    edit = client.post(f"/admin/plans/phases/{phases[1].id}/edit", data={
        "kind": "cocreation", "name": "Recepción de problemáticas", "starts_on": "2027-02-01",
        "ends_on": "2027-03-31", "accepts_proposals": "y"})
    assert edit.status_code == 302
    db.session.expire_all()
    assert phases[1].label == "Recepción de problemáticas"


def test_committee_page_members_history_and_facilitators(client, admin):
    plan = create_plan(admin, PLAN_FORM)
    db.session.commit()
    response = client.post(f"/admin/plans/{plan.id}/committees", data={
        "committee-name": "Comité Xalapa", "committee-scope": "Municipio de Xalapa"})
    assert response.status_code == 302
    db.session.expire_all()
    committee = db.session.get(ActionPlan, plan.id).committees[0]
    bad = client.post(f"/admin/plans/committees/{committee.id}/members", data={
        "member-name": "Ana Pérez", "member-position_title": "", "member-term_start": "2027-01-01"})
    assert bad.status_code == 400 and "Ana Pérez" in bad.get_data(as_text=True)
    client.post(f"/admin/plans/committees/{committee.id}/members", data={
        "member-name": "Ana Pérez", "member-position_title": "Directora", "member-institution": "Ayuntamiento",
        "member-term_start": "2027-01-01"})
    member = db.session.scalars(sa.select(CommitteeMember).where(CommitteeMember.committee_id == committee.id)).one()
    assert member.kind == MemberKind.government
    refused = client.post(f"/admin/plans/members/{member.id}/end-term", data={f"end{member.id}-term_end": "2027-06-01"})
    assert refused.status_code == 400
    ended = client.post(f"/admin/plans/members/{member.id}/end-term",
                        data={f"end{member.id}-term_end": "2027-06-01", f"end{member.id}-reason": "Renuncia"})
    assert ended.status_code == 302
    page = client.get(f"/admin/plans/committees/{committee.id}/").get_data(as_text=True)
    assert "Historial de integrantes" in page and "Ana Pérez" in page
    citizen = make_user(name="Laura Facilitadora")
    granted = client.post("/admin/moderators", data={
        "email": citizen.email, "committee_id": committee.id,
        "next": f"/admin/plans/committees/{committee.id}/#facilitators"})
    assert granted.status_code == 302 and f"/admin/plans/committees/{committee.id}/" in granted.headers["Location"]
    scope = db.session.scalars(sa.select(ModeratorScope).where(ModeratorScope.committee_id == committee.id)).one()
    assert citizen.name in client.get(f"/admin/plans/committees/{committee.id}/").get_data(as_text=True)
    revoked = client.post(f"/admin/moderators/{scope.id}/revoke",
                          data={"next": f"/admin/plans/committees/{committee.id}/"})
    assert revoked.headers["Location"].endswith(f"/admin/plans/committees/{committee.id}/")


def test_a_members_details_are_corrected_from_the_committee_page(client, admin):
    committee = make_committee()
    member = CommitteeMember(committee_id=committee.id, kind=MemberKind.government, name="Ana Peres",
                             position_title="Directora", term_start=date(2027, 1, 1))
    db.session.add(member)
    db.session.commit()
    fix = f"fix{member.id}"
    page = client.get(f"/admin/plans/committees/{committee.id}/").get_data(as_text=True)
    assert f'name="{fix}-name"' in page and 'value="Ana Peres"' in page
    refused = client.post(f"/admin/plans/members/{member.id}/correct", data={
        f"{fix}-name": "Ana Pérez", f"{fix}-position_title": "Directora",
        f"{fix}-term_start": "2027-01-01", f"{fix}-reason": ""})
    body = refused.get_data(as_text=True)
    assert refused.status_code == 400 and 'value="Ana Pérez"' in body  # what was typed is kept
    done = client.post(f"/admin/plans/members/{member.id}/correct", data={
        f"{fix}-name": "Ana Pérez", f"{fix}-position_title": "Directora",
        f"{fix}-term_start": "2027-01-01", f"{fix}-reason": "Nombre mal escrito"})
    assert done.status_code == 302 and done.headers["Location"].endswith("#members")
    db.session.expire_all()
    assert db.session.get(CommitteeMember, member.id).name == "Ana Pérez"
    assert "Ana Pérez" in client.get(f"/committees/{committee.slug}").get_data(as_text=True)
    log = client.get("/moderation/log").get_data(as_text=True)
    assert "Corrigió los datos de una persona integrante de un comité" in log
    assert "Nombre completo: «Ana Peres» → «Ana Pérez»" in log and "Nombre mal escrito" in log
    again = client.post(f"/admin/plans/members/{member.id}/correct", data={
        f"{fix}-name": "Ana Pérez", f"{fix}-position_title": "Directora",
        f"{fix}-term_start": "2027-01-01", f"{fix}-reason": "Nombre mal escrito"}, follow_redirects=True)
    assert "No hay nada que corregir" in again.get_data(as_text=True)


def test_a_past_members_correction_keeps_an_end_date_and_returns_to_the_history(client, admin):
    committee = make_committee()
    member = CommitteeMember(committee_id=committee.id, kind=MemberKind.government, name="Luis Soto",
                             position_title="Director", term_start=date(2026, 1, 1),
                             term_end=date(2026, 6, 30))
    db.session.add(member)
    db.session.commit()
    fix = f"fix{member.id}"
    page = client.get(f"/admin/plans/committees/{committee.id}/").get_data(as_text=True)
    assert f'name="{fix}-term_end"' in page and 'value="2026-06-30"' in page
    data = {f"{fix}-name": "Luis Soto", f"{fix}-position_title": "Director",
            f"{fix}-term_start": "2026-01-01", f"{fix}-reason": "Fecha de salida"}
    refused = client.post(f"/admin/plans/members/{member.id}/correct", data={**data, f"{fix}-term_end": ""})
    assert refused.status_code == 400
    done = client.post(f"/admin/plans/members/{member.id}/correct", data={**data, f"{fix}-term_end": "2026-07-15"})
    assert done.status_code == 302 and done.headers["Location"].endswith("#history")
    db.session.expire_all()
    assert db.session.get(CommitteeMember, member.id).term_end == date(2026, 7, 15)


def test_publish_then_the_checklist_says_so(client, admin):
    plan = create_plan(admin, PLAN_FORM)
    db.session.commit()
    html = client.get(f"/admin/?plan={plan.id}").get_data(as_text=True)
    assert "Publicar el plan" in html and "Falta" in html
    asked = client.post(f"/admin/plans/{plan.id}/publish")  # steps are missing: it asks first
    assert asked.status_code == 200 and "Algunos pasos aún no están hechos" in asked.get_data(as_text=True)
    assert "Comités" in asked.get_data(as_text=True).split('id="publish-confirm"')[1]
    db.session.expire_all()
    assert not db.session.get(ActionPlan, plan.id).is_published
    confirm = {"confirm": "incomplete"}
    assert client.post(f"/admin/plans/{plan.id}/publish", data=confirm).status_code == 302
    assert client.post(f"/admin/plans/{plan.id}/publish", data=confirm).status_code == 409  # twice: harmless
    db.session.expire_all()
    assert db.session.get(ActionPlan, plan.id).is_current  # the first published plan


def test_the_plans_list_has_a_bounded_number_of_queries(client, admin):
    make_plan()
    client.get("/admin/plans/")
    with count_queries() as few:
        client.get("/admin/plans/")
    for _n in range(5):
        make_committee(make_plan())
    with count_queries() as many:
        response = client.get("/admin/plans/")
    assert response.status_code == 200
    assert len(many) == len(few)


def test_past_plans_are_browsable_and_drafts_only_by_admins(client):
    make_plan(slug="plan-viejo")
    make_plan(slug="plan-actual")
    make_plan(slug="borrador", current=False, published=False)
    html = client.get("/plans/").get_data(as_text=True)
    assert html.index("/plans/plan-actual/") < html.index("/plans/plan-viejo/") and "/plans/borrador/" not in html
    assert client.get("/plans/plan-viejo/").status_code == 200
    assert client.get("/plans/borrador/").status_code == 404
    assert client.get("/proposals/?plan=borrador").status_code == 404
    assert client.get("/proposals/?plan=plan-viejo").status_code == 200
    assert client.get("/commitments/?plan=plan-viejo").status_code == 200
    login_as(client, make_admin())
    assert client.get("/plans/borrador/").status_code == 200


def test_a_past_plan_keeps_its_committees_calls_elections_and_tables(client):
    from tests.calls.factories import make_call
    from tests.dialogues.factories import make_table
    from tests.elections.factories import make_election

    old = make_plan(slug="plan-viejo")
    committee = make_committee(old, slug="comite-municipal", name="Comité del plan viejo")
    call = make_call(old, [committee], state="closed", title="Convocatoria del plan viejo")
    unpublished = make_call(old, [committee], state="closed", title="Convocatoria sin publicar",
                            published_at=None)
    election = make_election(committee, call_id=call.id, title="Elección del plan viejo")
    table = make_table(committee, title="Mesa del plan viejo")
    new = make_plan(slug="plan-actual")
    make_committee(new, slug="comite-municipal", name="Comité del plan nuevo")  # the same slug

    page = client.get("/plans/plan-viejo/").get_data(as_text=True)
    for href in (f"/calls/{call.id}", f"/elections/{election.id}", f"/tables/{table.id}",
                 "/plans/plan-viejo/committees/comite-municipal/"):
        assert f'href="{href}"' in page, href
    assert f"/calls/{unpublished.id}" not in page
    past = client.get("/plans/plan-viejo/committees/comite-municipal/")
    assert past.status_code == 200 and "Comité del plan viejo" in past.get_data(as_text=True)
    assert 'href="/plans/plan-viejo/"' in past.get_data(as_text=True)  # the breadcrumb stays there
    assert "Comité del plan nuevo" in client.get("/committees/comite-municipal").get_data(as_text=True)
    assert client.get("/plans/plan-viejo/committees/no-existe/").status_code == 404
    assert client.get("/plans/no-existe/committees/comite-municipal/").status_code == 404
    draft = make_plan(slug="borrador", current=False, published=False)
    make_committee(draft, slug="comite-borrador")
    assert client.get("/plans/borrador/committees/comite-borrador/").status_code == 404
    login_as(client, make_admin())
    assert client.get("/plans/borrador/committees/comite-borrador/").status_code == 200


def test_a_plans_page_leads_to_its_declaratoria_and_documents(client):
    make_plan(slug="plan-viejo")
    make_plan(slug="plan-actual")

    old = client.get("/plans/plan-viejo/").get_data(as_text=True)
    current = client.get("/plans/plan-actual/").get_data(as_text=True)

    assert 'href="/declaratoria?plan=plan-viejo"' in old and 'href="/documents/?plan=plan-viejo"' in old
    assert "aún no está registrada" in old and "0 documentos" in old
    assert 'href="/declaratoria"' in current and 'href="/documents/"' in current


def test_an_archived_plans_proposal_keeps_its_page(client):
    from app.proposals.services import create_proposal

    old = make_plan(slug="plan-viejo", reference_prefix="OLD")
    committee = make_committee(old, slug="comite-municipal")
    proposal = create_proposal(make_user(), old, {
        "title": "Baches en la colonia centro", "body": "Hay baches desde hace meses." * 3,
        "committee_id": committee.id, "place": "Centro"})
    db.session.commit()
    make_committee(make_plan(slug="plan-actual"), slug="comite-municipal")  # the same slug
    page = client.get(f"/proposals/{proposal.reference}")
    # Its committee is the one of its own plan, not the current plan's namesake.
    assert page.status_code == 200
    assert 'href="/plans/plan-viejo/committees/comite-municipal/"' in page.get_data(as_text=True)
    assert proposal.reference in client.get("/proposals/?plan=plan-viejo").get_data(as_text=True)


def test_the_home_timeline_shows_a_phase_by_its_own_name(client):
    plan = make_plan()
    plan.phases[0].name = "Recepción de problemáticas ciudadanas"
    db.session.commit()
    html = client.get("/").get_data(as_text=True)
    assert "Recepción de problemáticas ciudadanas" in html and 'aria-current="step"' in html


def test_the_guarantor_body_comes_from_the_current_plan(client, app):
    plan = make_plan()
    plan.guarantor_name = "Instituto de Transparencia de Prueba"
    plan.guarantor_email = "garante@prueba.example.org"
    db.session.commit()
    for path in ("/", "/privacy"):
        html = client.get(path).get_data(as_text=True)
        assert "Instituto de Transparencia de Prueba" in html and "garante@prueba.example.org" in html
    assert "IDAIP" not in (app.config["GUARANTOR_NAME"] or "")


def test_themes_are_added_and_edited(client, admin):
    plan = make_plan()
    assert client.post(f"/admin/plans/{plan.id}/themes", data={"theme-name": "Salud"}).status_code == 302
    theme = db.session.scalars(sa.select(Theme).where(Theme.plan_id == plan.id)).one()
    assert client.post(f"/admin/plans/themes/{theme.id}/edit", data={"name": ""}).status_code == 400
    assert client.post(f"/admin/plans/themes/{theme.id}/edit", data={"name": "Salud mental"}).status_code == 302


def test_the_checklist_knows_the_territory_and_the_call(client, admin):
    """The territory's and the call's steps come from their areas (registered in their hooks)."""
    from app.plans.setup import checklist
    from tests.calls.factories import make_call

    plan = create_plan(admin, PLAN_FORM)
    db.session.commit()
    with client.application.test_request_context():
        steps = {step.label: step for step in checklist(plan)}
    assert not steps["Territorio: los municipios del plan"].done
    assert not steps["Publicar la convocatoria pública"].done
    assert f"/admin/plans/{plan.id}/places" in steps["Territorio: los municipios del plan"].url
    committee = make_committee(plan)
    make_places(plan, ("Xalapa",))
    make_call(plan, [committee])
    with client.application.test_request_context():
        steps = {step.label: step for step in checklist(plan)}
    assert steps["Territorio: los municipios del plan"].done
    assert steps["Publicar la convocatoria pública"].done


def test_a_plans_page_counts_its_proposals_from_the_kept_counts(client):
    """/plans/<slug>/ shows how many visible proposals the plan has without reading its proposals
    (app/proposals/counts.py): the same statements for 1 proposal as for 12, none on proposals."""
    from tests.transparency import factories as f

    plan = make_plan(slug="plan-contado")
    committee = make_committee(plan)
    author = f.citizen("Durango")

    def page():
        client.get("/plans/plan-contado/")
        db.session.expire_all()
        with count_queries() as sent:
            html = client.get("/plans/plan-contado/").get_data(as_text=True)
        return sent, html

    f.proposal(committee, author)
    few, _html = page()
    for _n in range(11):
        f.proposal(committee, author)
    f.proposal(committee, author).hidden_at = plan.created_at  # hidden: not counted
    db.session.commit()
    many, html = page()
    assert "12 propuestas" in html
    assert len(few) == len(many)
    assert not [s for s in many if "FROM proposals" in s], many
