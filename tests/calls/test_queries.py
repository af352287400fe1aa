"""The registry's counts and the electorate given to the elections."""
from datetime import timedelta

from app.accounts.models import SECTOR_LABELS, Sector
from app.calls import queries
from app.calls.models import ApplicationStatus
from app.core.db import utcnow
from app.extensions import db
from tests.calls.factories import World, make_application, make_call, make_org

APPROVED, PENDING, REJECTED = (ApplicationStatus.approved, ApplicationStatus.pending,
                               ApplicationStatus.rejected)


def build_registry(world: World):
    """Five organisations approved, one pending, one rejected, one approved in another call."""
    c1, c2 = world.committee, world.other_committee
    a = make_org(name="Alfa A.C.", sector=Sector.civil_society, municipality="Durango")
    b = make_org(name="Beta", sector=Sector.academia, municipality="Gómez Palacio")
    c = make_org(name="Ceta", sector=Sector.civil_society, municipality="Gomez  Palacio")
    d = make_org(name="Delta", sector=Sector.union, municipality="")
    e = make_org(name="Épsilon", sector=Sector.civil_society, municipality="Durango")
    pending = make_org(name="Pendiente", sector=Sector.trust, municipality="Lerdo")
    rejected = make_org(name="Rechazada", sector=Sector.trust, municipality="Lerdo")
    for org, committee in ((a, c1), (a, c2), (b, c1), (c, c2), (d, c1), (e, c1), (e, c2)):
        make_application(world.call, org, committee, APPROVED)
    make_application(world.call, b, c2, REJECTED, reason="Fuera de plazo")
    make_application(world.call, pending, c1, PENDING)
    make_application(world.call, rejected, c1, REJECTED, reason="No cumple")
    other_call = make_call(world.plan, [c1], state="closed")
    make_application(other_call, world.organisation, c1, APPROVED)
    return a, b, c, d, e, pending, rejected


def test_the_registry_lists_only_approved_organisations_with_exact_counts(world):
    a, b, c, d, e, pending, rejected = build_registry(world)
    registry = queries.registry(world.call)
    assert [x.organisation_id for x in registry.entries] == [a.id, b.id, c.id, d.id, e.id]
    assert registry.total_organisations == 5
    assert registry.total_applications == 7
    by_id = {x.organisation_id: x for x in registry.entries}
    assert [cm.id for cm in by_id[a.id].committees] == [world.committee.id,
                                                         world.other_committee.id]
    assert [cm.id for cm in by_id[b.id].committees] == [world.committee.id]  # c2 was rejected
    assert by_id[a.id].name == "Alfa A.C."
    label = {s: str(SECTOR_LABELS[s]) for s in Sector}
    assert registry.by_sector[0] == (label[Sector.civil_society], 3)
    assert sorted(registry.by_sector[1:]) == sorted([(label[Sector.academia], 1),
                                                     (label[Sector.union], 1)])
    assert [(cm.id, n) for cm, n in registry.by_committee] == [(world.committee.id, 4),
                                                               (world.other_committee.id, 3)]
    # "Gómez Palacio" and "Gomez  Palacio" are one municipality; an empty one is "not stated".
    towns = registry.by_municipality
    assert [n for _label, n in towns] == [2, 2, 1]
    assert {label for label, _n in towns[:2]} == {"Durango", "Gómez Palacio"}


def test_the_registry_of_a_call_without_approvals_is_empty_but_lists_its_committees(world):
    make_application(world.call, world.organisation, world.committee, PENDING)
    registry = queries.registry(world.call)
    assert registry.entries == [] and registry.by_sector == [] and registry.by_municipality == []
    assert [n for _c, n in registry.by_committee] == [0, 0]


def test_a_deleted_organisation_shows_as_a_deleted_account(world):
    make_application(world.call, world.organisation, world.committee, APPROVED)
    world.organisation.deleted_at = utcnow()
    db.session.commit()
    [entry] = queries.registry(world.call).entries
    assert entry.name != world.organisation.organisation.legal_name


def test_approved_organisations_are_those_of_the_call_asked_for(world):
    old = make_call(world.plan, [world.committee], state="closed",
                    opens_at=utcnow() - timedelta(days=400),
                    closes_at=utcnow() - timedelta(days=390))
    veteran = make_org(name="Veterana")
    make_application(old, veteran, world.committee, APPROVED)
    approved = make_org(name="Aprobada")
    pending = make_org(name="Pendiente")
    rejected = make_org(name="Rechazada")
    other_committee = make_org(name="Otro comité")
    make_application(world.call, approved, world.committee, APPROVED)
    make_application(world.call, pending, world.committee, PENDING)
    make_application(world.call, rejected, world.committee, REJECTED, reason="No")
    make_application(world.call, other_committee, world.other_committee, APPROVED)

    latest = world.call.id
    assert [u.id for u in queries.approved_organisations(world.committee.id, latest)] == [
        approved.id]
    assert [u.id for u in queries.approved_organisations(world.committee.id, old.id)] == [
        veteran.id]
    assert [u.id for u in queries.approved_organisations(world.other_committee.id, latest)] == [
        other_committee.id]
    assert queries.approved_organisations(world.outside_committee.id, latest) == []
    assert queries.approved_organisations(world.committee.id, None) == []


def test_the_calls_covering_a_committee_newest_first(world):
    old = make_call(world.plan, [world.committee], state="closed",
                    opens_at=utcnow() - timedelta(days=400),
                    closes_at=utcnow() - timedelta(days=390))
    assert list(db.session.scalars(queries.calls_covering(world.committee.id))) == [
        world.call.id, old.id]
    assert list(db.session.scalars(queries.calls_covering(world.other_committee.id))) == [
        world.call.id]
    assert queries.call_covers(old.id, world.committee.id)
    assert not queries.call_covers(old.id, world.other_committee.id)


def test_an_unpublished_call_gives_no_electorate(world):
    make_application(world.call, world.organisation, world.committee, APPROVED)
    world.call.published_at = None
    db.session.commit()
    assert queries.approved_organisations(world.committee.id, world.call.id) == []
    assert not queries.call_covers(world.call.id, world.committee.id)


def test_window_state_boundaries(world):
    call = world.call
    assert queries.window_state(call, call.opens_at - timedelta(seconds=1)) == queries.UPCOMING
    assert queries.window_state(call, call.opens_at) == queries.OPEN
    assert queries.window_state(call, call.closes_at - timedelta(seconds=1)) == queries.OPEN
    assert queries.window_state(call, call.closes_at) == queries.CLOSED
