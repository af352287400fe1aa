"""A committee's sessions through the services: attendance and quorum (a suplente standing in
for an absent titular counts for the titular's seat; the committee's own rule), agreements
followed to done, minutes published once; refusals by role and bad input."""
from datetime import date, datetime, timedelta

import pytest
import sqlalchemy as sa

from app.core import clock
from app.core.audit import AuditEntry
from app.core.errors import InvalidTransition, PermissionDenied, ValidationError
from app.extensions import db
from app.meetings import queries, services

DAY = date(2026, 3, 2)


@pytest.fixture(autouse=True)
def _today():
    with clock.use(lambda: datetime(2026, 4, 1, 18, 0, tzinfo=clock.local_zone())):
        yield


def session(world, present, stand_in=False, committee=None, actor=None):
    return services.record_session(actor or world.facilitator, committee or world.committee, {
        "held_on": DAY, "place": "Sala", "agenda": "1. Avance.", "present": [m.id for m in present],
        "stand_in": stand_in})


def test_a_suplente_standing_in_fills_the_titulars_seat(world):
    held = session(world, [world.mayor, world.comptroller, world.suplente], stand_in=True)

    # Counting seats: three government members and the titular's; more than half is three.
    assert (held.seats, held.present, held.quorum, held.has_quorum) == (4, 3, 3, True)
    attendance = {row.name: (row.present, row.stood_in_for) for row in held.attendance}
    assert attendance["Rodrigo Quiñones"] == (True, "Ana Medina")
    assert attendance["Ana Medina"] == (False, None)
    entry = db.session.scalars(sa.select(AuditEntry).where(AuditEntry.action == "meetings.session_recorded")).one()
    assert entry.public and entry.data["stand_in"] is True


def test_a_suplente_present_without_standing_in_does_not_count(world):
    held = session(world, [world.mayor, world.comptroller, world.suplente])
    assert (held.present, held.has_quorum) == (2, False)


def test_the_committees_own_rule_of_quorum(world):
    world.committee.quorum = 2
    held = session(world, [world.mayor, world.titular])
    assert (held.quorum, held.has_quorum) == (2, True)


def test_standing_in_needs_the_suplente_present_and_the_titular_absent(world):
    for present in ([world.mayor, world.titular, world.suplente], [world.mayor]):
        with pytest.raises(ValidationError) as refused:
            session(world, present, stand_in=True)
        assert refused.value.field == "stand_in"


@pytest.mark.parametrize("data, field", [
    ({"held_on": None}, "held_on"),
    ({"held_on": date(2026, 4, 2)}, "held_on"),           # tomorrow: not held yet
    ({"agenda": "  "}, "agenda"),
    ({"present": [10**9]}, "present"),                     # not a member of this committee
    ({"present": ["x"]}, "present"),
])
def test_bad_sessions_are_refused_on_their_field(world, data, field):
    with pytest.raises(ValidationError) as refused:
        services.record_session(world.facilitator, world.committee, {
            "held_on": DAY, "agenda": "1. Avance.", "present": [], **data})
    assert field in refused.value.details["errors"]


@pytest.mark.parametrize("who", ["citizen", "other_facilitator"])
def test_only_the_committees_facilitators_record_sessions(world, who):
    with pytest.raises(PermissionDenied):
        session(world, [world.mayor], actor=getattr(world, who))


def test_an_agreement_is_followed_until_done(world):
    held = session(world, [world.mayor, world.comptroller, world.titular])
    agreement = services.add_agreement(world.facilitator, held, {
        "text": "Publicar el calendario.", "owner": "Secretaría de Obras", "due_on": DAY + timedelta(days=10)})
    late = services.add_agreement(world.facilitator, held, {
        "text": "Entregar la ficha.", "owner": "Contraloría", "due_on": DAY + timedelta(days=5)})
    later = services.add_agreement(world.facilitator, held, {
        "text": "Convocar una mesa.", "owner": "Sociedad civil", "due_on": date(2026, 5, 1)})
    today = clock.today()
    assert [a.position for a in (agreement, late, later)] == [1, 2, 3]
    assert [a.status(today) for a in (agreement, late, later)] == ["late", "late", "open"]

    services.complete_agreement(world.facilitator, agreement, {"done_on": DAY + timedelta(days=8),
                                                               "note": "Publicado."})

    assert agreement.status(today) == "done" and agreement.done_note == "Publicado."
    assert queries.agreement_counts(today, committee_id=world.committee.id) == {"open": 1, "late": 1, "done": 1}
    assert queries.agreement_counts(today, plan_id=world.plan.id) == {"open": 1, "late": 1, "done": 1}
    with pytest.raises(InvalidTransition):  # marked done twice (a double click)
        services.complete_agreement(world.facilitator, agreement, {"done_on": DAY})


@pytest.mark.parametrize("data, field", [
    ({"text": ""}, "text"), ({"owner": ""}, "owner"), ({"due_on": None}, "due_on"),
    ({"due_on": DAY - timedelta(days=1)}, "due_on"),
])
def test_bad_agreements_are_refused_on_their_field(world, data, field):
    held = session(world, [world.mayor])
    with pytest.raises(ValidationError) as refused:
        services.add_agreement(world.facilitator, held, {
            "text": "Publicar.", "owner": "Obras", "due_on": DAY + timedelta(days=3), **data})
    assert field in refused.value.details["errors"]


def test_the_minutes_are_published_once(world):
    held = session(world, [world.mayor])
    with pytest.raises(ValidationError):
        services.publish_minutes(world.facilitator, held, " ")
    services.publish_minutes(world.facilitator, held, "**Acta.** Sin quórum.")
    assert held.minutes_published_at is not None and "<strong>Acta.</strong>" in held.rendered["html"]["minutes"]
    with pytest.raises(InvalidTransition):
        services.publish_minutes(world.admin, held, "Otra acta.")
    with pytest.raises(PermissionDenied):
        services.publish_minutes(world.other_facilitator, session(world, [world.mayor]), "Acta.")
