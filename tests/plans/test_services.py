"""The guarantor body's acts on plans: who may, what is refused, what is kept."""
from datetime import date

import pytest
import sqlalchemy as sa

from app.accounts.models import Role
from app.core.audit import AuditEntry
from app.core.errors import InvalidTransition, PermissionDenied, ValidationError
from app.extensions import db
from app.plans import services
from app.plans.models import ActionPlan, CommitteeMember, MemberKind, PhaseKind
from tests.factories import (
    HOSTILE,
    make_admin,
    make_committee,
    make_moderator,
    make_plan,
    make_user,
)


def plan_data(**changes) -> dict:
    data = {
        "name": f"Plan de Acción Local de Xalapa {HOSTILE}", "jurisdiction": "Veracruz",
        "period": "2027–2029", "reference_prefix": "XAL", "description": HOSTILE,
        "guarantor_name": "Instituto Veracruzano de Acceso a la Información",
        "guarantor_email": "gobiernoabierto@ivai.example.org", "guarantor_address": "Xalapa, Ver.",
    }
    data.update(changes)
    return data


def actions() -> list[str]:
    return list(db.session.scalars(sa.select(AuditEntry.action).order_by(AuditEntry.id)))


@pytest.fixture
def admin():
    return make_admin()


def test_only_the_guarantor_body_creates_plans(admin):
    plan = make_plan()
    committee = make_committee(plan)
    for role in (Role.citizen, Role.organisation):
        with pytest.raises(PermissionDenied):
            services.create_plan(make_user(role), plan_data())
    with pytest.raises(PermissionDenied):
        services.create_committee(make_moderator(committee), plan, {"name": "X", "scope": "Y"})
    with pytest.raises(PermissionDenied):
        services.add_phase(None, plan, {"kind": "call", "starts_on": date(2027, 1, 1),
                                        "ends_on": date(2027, 2, 1)})


def test_a_new_plan_is_a_draft_with_a_slug_from_its_name(admin):
    plan = services.create_plan(admin, plan_data(reference_prefix="xal"))
    assert plan.published_at is None and not plan.is_current
    assert plan.reference_prefix == "XAL"
    assert plan.data_licence == "CC BY 4.0"
    assert plan.slug.startswith("plan-de-accion-local-de-xalapa")
    with pytest.raises(ValidationError) as refused:  # sent twice: one plan
        services.create_plan(admin, plan_data(reference_prefix="XAL2"))
    assert refused.value.field == "slug"
    second = services.create_plan(admin, plan_data(reference_prefix="XAL2", slug="xalapa-2"))
    assert second.slug == "xalapa-2"
    assert actions()[-2:] == ["plan.created", "plan.created"]


@pytest.mark.parametrize("field, value", [
    ("name", ""), ("period", ""), ("jurisdiction", ""), ("reference_prefix", ""),
    ("reference_prefix", "X"), ("reference_prefix", "ABC-1"), ("reference_prefix", "ABCDEFGHIJK"),
    ("guarantor_email", "not-an-address"), ("slug", "Con Espacios"),
])
def test_plan_data_is_validated(admin, field, value):
    with pytest.raises(ValidationError) as refused:
        services.create_plan(admin, plan_data(**{field: value}))
    assert field in refused.value.details["errors"]


def test_reference_prefix_is_unique_among_plans(admin):
    make_plan(reference_prefix="DGO")
    with pytest.raises(ValidationError) as refused:
        services.create_plan(admin, plan_data(reference_prefix="DGO"))
    assert refused.value.field == "reference_prefix"
    plan = services.create_plan(admin, plan_data())
    services.update_plan(admin, plan, plan_data(reference_prefix="XAL", name="Otro nombre"))
    assert plan.name == "Otro nombre"


def test_a_published_plans_slug_stays(admin):
    plan = services.create_plan(admin, plan_data())
    services.update_plan(admin, plan, plan_data(slug="xalapa"))
    assert plan.slug == "xalapa"
    services.publish_plan(admin, plan)
    services.update_plan(admin, plan, plan_data(slug="otra"))
    assert plan.slug == "xalapa"


def test_publishing_twice_is_refused_and_the_first_published_plan_becomes_current(admin):
    plan = services.create_plan(admin, plan_data())
    services.publish_plan(admin, plan)
    assert plan.published_at is not None and plan.is_current
    with pytest.raises(InvalidTransition):
        services.publish_plan(admin, plan)


def test_one_current_plan(admin):
    old = make_plan()
    new = services.create_plan(admin, plan_data())
    with pytest.raises(InvalidTransition):  # a draft is not made current
        services.make_current(admin, new)
    services.publish_plan(admin, new)
    assert not new.is_current  # another plan was current already
    services.make_current(admin, new)
    current = db.session.scalars(sa.select(ActionPlan.id).where(ActionPlan.is_current)).all()
    assert current == [new.id] and not old.is_current
    services.make_current(admin, old)
    assert db.session.scalars(sa.select(ActionPlan.id).where(ActionPlan.is_current)).all() == [old.id]


def test_the_database_refuses_a_second_current_plan(admin):
    make_plan()
    other = make_plan(current=False)
    other.is_current = True
    with pytest.raises(sa.exc.IntegrityError):
        db.session.flush()
    db.session.rollback()


def test_phases_are_added_at_the_end_and_reordered(admin):
    plan = services.create_plan(admin, plan_data())
    kinds = ["call", "integration", "cocreation"]
    phases = [
        services.add_phase(admin, plan, {"kind": kind, "starts_on": date(2027, 1, n + 1),
                                         "ends_on": "2027-03-01", "description": HOSTILE})
        for n, kind in enumerate(kinds)
    ]
    assert [p.position for p in phases] == [0, 1, 2]
    services.move_phase(admin, phases[2], -1)
    assert [p.kind.value for p in plan.phases] == ["call", "cocreation", "integration"]
    services.move_phase(admin, phases[0], -1)  # already first: stays
    services.move_phase(admin, phases[1], +1)
    assert [p.kind.value for p in plan.phases] == ["call", "cocreation", "integration"]
    services.remove_phase(admin, phases[1])
    assert [(p.kind.value, p.position) for p in plan.phases] == [("call", 0), ("cocreation", 1)]


def test_phases_may_share_a_kind_and_have_their_own_names(admin):
    plan = services.create_plan(admin, plan_data())
    first = services.add_phase(admin, plan, {"kind": "consultation", "starts_on": date(2027, 1, 1),
                                             "ends_on": date(2027, 1, 31)})
    second = services.add_phase(admin, plan, {"kind": "consultation", "name": "Segunda consulta",
                                              "starts_on": date(2027, 6, 1), "ends_on": date(2027, 6, 30),
                                              "accepts_proposals": True})
    assert first.label == "Consulta pública" and second.label == "Segunda consulta"
    assert second.accepts_proposals and not first.accepts_proposals
    services.update_phase(admin, first, {"kind": "cocreation", "starts_on": "2027-01-01",
                                         "ends_on": "2027-02-28", "accepts_proposals": "y"})
    assert first.kind == PhaseKind.cocreation and first.accepts_proposals


@pytest.mark.parametrize("data, field", [
    ({"kind": "nope", "starts_on": "2027-01-01", "ends_on": "2027-01-02"}, "kind"),
    ({"kind": "call", "starts_on": "", "ends_on": "2027-01-02"}, "starts_on"),
    ({"kind": "call", "starts_on": "2027-13-01", "ends_on": "2027-01-02"}, "starts_on"),
    ({"kind": "call", "starts_on": "2027-02-01", "ends_on": "2027-01-02"}, "ends_on"),
])
def test_phase_data_is_validated(admin, data, field):
    plan = make_plan()
    with pytest.raises(ValidationError) as refused:
        services.add_phase(admin, plan, data)
    assert field in refused.value.details["errors"]


def test_committees_and_themes(admin):
    plan = make_plan()
    committee = services.create_committee(admin, plan, {"name": "Comité de Xalapa", "scope": "Municipio",
                                                        "description": HOSTILE})
    assert committee.slug == "comite-de-xalapa"
    with pytest.raises(ValidationError):  # sent twice: one committee
        services.create_committee(admin, plan, {"name": "Comité de Xalapa", "scope": "Municipio"})
    twin = services.create_committee(admin, plan, {"name": "Comité de Xalapa", "scope": "Municipio",
                                                   "slug": "xalapa-2"})
    assert twin.position == committee.position + 1
    with pytest.raises(ValidationError) as refused:
        services.create_committee(admin, plan, {"name": "Otro", "scope": "", "slug": "comite-de-xalapa"})
    assert set(refused.value.details["errors"]) == {"scope", "slug"}
    services.update_committee(admin, committee, {"name": "Comité Xalapa", "scope": "Región"})
    assert (committee.name, committee.scope, committee.slug) == ("Comité Xalapa", "Región", "comite-de-xalapa")
    theme = services.create_theme(admin, plan, {"name": "Salud Mental", "description": "x"})
    services.update_theme(admin, theme, {"name": "Salud mental y adicciones"})
    assert theme.name == "Salud mental y adicciones" and theme.slug == "salud-mental"
    with pytest.raises(ValidationError):
        services.create_theme(admin, plan, {"name": ""})


def test_government_members_keep_their_history(admin):
    committee = make_committee()
    member = services.add_member(admin, committee, {
        "name": "Ana Pérez", "position_title": "Directora", "institution": "Ayuntamiento",
        "kind": "government", "term_start": date(2027, 1, 1)})
    assert member.kind == MemberKind.government and member.is_current
    with pytest.raises(ValidationError) as refused:  # sent twice
        services.add_member(admin, committee, {"name": "Ana Pérez", "position_title": "Directora",
                                               "term_start": date(2027, 1, 1)})
    assert refused.value.field == "name"
    with pytest.raises(ValidationError):
        services.add_member(admin, committee, {"name": "X", "position_title": "Y",
                                               "kind": "cs_titular", "term_start": "2027-01-01"})
    with pytest.raises(ValidationError) as refused:
        services.end_member_term(admin, member, {"term_end": date(2026, 1, 1), "reason": "Cambio"})
    assert refused.value.field == "term_end"
    with pytest.raises(ValidationError):
        services.end_member_term(admin, member, {"term_end": date(2027, 6, 1), "reason": ""})
    services.end_member_term(admin, member, {"term_end": date(2027, 6, 1), "reason": "Renuncia"})
    assert member.term_end == date(2027, 6, 1) and not member.is_current
    with pytest.raises(InvalidTransition):
        services.end_member_term(admin, member, {"term_end": date(2027, 7, 1), "reason": "Otra vez"})
    assert db.session.get(CommitteeMember, member.id) is not None  # never deleted
    entry = db.session.scalars(sa.select(AuditEntry).where(
        AuditEntry.action == "committee_member.term_ended")).one()
    assert entry.reason == "Renuncia" and entry.public and entry.committee_id == committee.id


def test_a_government_members_details_are_corrected_with_a_public_reason(admin):
    committee = make_committee()
    member = services.add_member(admin, committee, {
        "name": "Ana Peres", "position_title": "Directora", "institution": "Ayuntamiento",
        "term_start": date(2027, 1, 1)})
    fixed = {"name": "Ana Pérez", "position_title": "Directora de Planeación",
             "institution": "Ayuntamiento", "term_start": "2027-01-02", "reason": "Nombre mal escrito"}
    with pytest.raises(ValidationError) as refused:
        services.correct_member(admin, member, {**fixed, "reason": ""})
    assert refused.value.field == "reason"
    with pytest.raises(ValidationError) as refused:  # a current term ends with end_member_term
        services.correct_member(admin, member, {**fixed, "term_end": "2027-03-01"})
    assert refused.value.field == "term_end"
    with pytest.raises(PermissionDenied):
        services.correct_member(make_user(), member, fixed)
    changes = services.correct_member(admin, member, fixed)
    assert set(changes) == {"name", "position_title", "term_start"}
    assert (member.name, member.position_title, member.term_start) == (
        "Ana Pérez", "Directora de Planeación", date(2027, 1, 2))
    assert services.correct_member(admin, member, fixed) == {}  # sent twice: nothing more
    entry = db.session.scalars(sa.select(AuditEntry).where(
        AuditEntry.action == "committee_member.corrected")).one()
    assert entry.public and entry.reason == "Nombre mal escrito" and entry.committee_id == committee.id
    assert entry.data["changes"]["name"] == ["Ana Peres", "Ana Pérez"]
    assert entry.data["changes"]["term_start"] == ["2027-01-01", "2027-01-02"]
    # A past member keeps an end date, which may be corrected, and still keeps its row.
    services.end_member_term(admin, member, {"term_end": date(2027, 6, 1), "reason": "Renuncia"})
    with pytest.raises(ValidationError) as refused:
        services.correct_member(admin, member, fixed)
    assert refused.value.field == "term_end"
    services.correct_member(admin, member, {**fixed, "term_end": "2027-05-31", "reason": "Fecha"})
    assert member.term_end == date(2027, 5, 31) and not member.is_current


def test_civil_society_seats_are_not_corrected_here(admin):
    committee = make_committee()
    seat = CommitteeMember(committee_id=committee.id, kind=MemberKind.cs_titular, name="Colectivo",
                           term_start=date(2027, 1, 1))
    db.session.add(seat)
    db.session.flush()
    with pytest.raises(InvalidTransition):
        services.correct_member(admin, seat, {"name": "Otro", "position_title": "x",
                                              "term_start": "2027-01-01", "reason": "x"})


def test_a_phase_sent_twice_is_added_once(admin):
    plan = make_plan()
    data = {"kind": "call", "starts_on": "2027-01-01", "ends_on": "2027-01-31"}
    services.add_phase(admin, plan, data)
    db.session.commit()  # the first request's unit of work
    with pytest.raises(ValidationError) as refused:
        services.add_phase(admin, plan, data)
    assert refused.value.field == "starts_on"
    db.session.rollback()  # as run_form does
    assert len(plan.phases) == 2  # the factory's phase and this one
