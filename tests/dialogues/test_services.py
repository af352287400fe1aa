"""Services of dialogue tables: scheduling, seats and waiting list, agenda, attendance, minutes."""
from datetime import UTC, datetime, timedelta

import pytest
import sqlalchemy as sa

from app.core.clock import utc_to_local
from app.core.db import utcnow
from app.core.errors import InvalidTransition, PermissionDenied, ValidationError
from app.dialogues import services
from app.dialogues.models import (
    AgendaItem,
    DialogueTable,
    MinutesVersion,
    RegistrationStatus,
    TableRegistration,
    TableState,
)
from app.extensions import db
from app.proposals.models import ProposalAnswer, ProposalState
from tests.dialogues.factories import (
    make_plan,
    make_proposal,
    make_registration,
    make_table,
    make_theme,
    make_user,
)
from tests.dialogues.helpers import audit, confirmed_count, count_status, notifications, statuses

C, W, X = RegistrationStatus.confirmed, RegistrationStatus.waiting, RegistrationStatus.cancelled


def table_data(world, **changes) -> dict:
    year = utcnow().year + 2
    data = {
        "title": "Mesa de salud mental, Gómez Palacio",
        "objective": "Hablar de **salud mental** en la región.",
        "theme_id": world.theme.id,
        "starts_at": datetime(year, 5, 10, 18, 0),
        "ends_at": datetime(year, 5, 10, 20, 30),
        "place": "Casa de la Cultura; sala 2",
        "online_url": "https://meet.example.org/mesa",
        "capacity": 30,
        "registration_deadline": datetime(year, 5, 9, 12, 0),
    }
    data.update(changes)
    return data


# ---------------------------------------------------------------- scheduling


def test_local_evening_is_stored_as_next_day_utc(world):
    table = services.create_table(world.facilitator, world.committee, table_data(world))
    db.session.expire_all()
    table = db.session.get(DialogueTable, table.id)
    year = table.starts_at.year
    # Monterrey is UTC-6 all year: 18:00 local is 00:00 UTC the next day.
    assert table.starts_at == datetime(year, 5, 11, 0, 0, tzinfo=UTC)
    assert table.ends_at == datetime(year, 5, 11, 2, 30, tzinfo=UTC)
    assert table.registration_deadline == datetime(year, 5, 9, 18, 0, tzinfo=UTC)
    assert table.state == TableState.scheduled and table.confirmed_count == 0
    entry = audit("dialogues.create")[0]
    assert entry.public and entry.committee_id == world.committee.id and entry.target_id == table.id


def test_utc_to_local_gives_back_what_was_typed(world):
    assert utc_to_local(datetime(2030, 5, 11, 0, 0, tzinfo=UTC)) == datetime(2030, 5, 10, 18, 0)


@pytest.mark.parametrize(
    "changes, field",
    [
        ({"title": "   "}, "title"),
        ({"objective": ""}, "objective"),
        ({"starts_at": None}, "starts_at"),
        ({"starts_at": datetime(2001, 1, 1, 10, 0), "registration_deadline": datetime(2000, 12, 31)},
         "starts_at"),
        ({"ends_at": datetime(2000, 1, 1)}, "ends_at"),
        ({"place": "", "online_url": ""}, "place"),
        ({"online_url": "javascript:alert(1)"}, "online_url"),
        ({"online_url": "ftp://example.org/x"}, "online_url"),
        ({"online_url": "https://"}, "online_url"),
        ({"capacity": 0}, "capacity"),
        ({"capacity": 10_001}, "capacity"),
        ({"capacity": "muchos"}, "capacity"),
        ({"registration_deadline": None}, "registration_deadline"),
    ],
)
def test_create_refuses_bad_input_naming_the_field(world, changes, field):
    data = table_data(world, **changes)
    if "ends_at" in changes:
        data["ends_at"] = data["starts_at"] - timedelta(hours=1)
    with pytest.raises(ValidationError) as caught:
        services.create_table(world.facilitator, world.committee, data)
    assert caught.value.field == field
    assert db.session.scalar(sa.select(sa.func.count(DialogueTable.id))) == 0


def test_deadline_after_the_start_is_refused(world):
    data = table_data(world)
    data["registration_deadline"] = data["starts_at"] + timedelta(minutes=1)
    with pytest.raises(ValidationError) as caught:
        services.create_table(world.facilitator, world.committee, data)
    assert caught.value.field == "registration_deadline"


def test_capacity_bounds_are_inclusive(world):
    for capacity in (1, 10_000):
        table = services.create_table(world.facilitator, world.committee,
                                      table_data(world, capacity=capacity))
        assert table.capacity == capacity


def test_place_or_link_alone_is_enough(world):
    assert services.create_table(world.facilitator, world.committee,
                                 table_data(world, online_url="")).online_url is None
    assert services.create_table(world.facilitator, world.committee,
                                 table_data(world, place="")).place is None


def test_theme_of_another_plan_is_refused(world):
    foreign = make_theme(make_plan())
    with pytest.raises(ValidationError) as caught:
        services.create_table(world.facilitator, world.committee,
                              table_data(world, theme_id=foreign.id))
    assert caught.value.field == "theme_id"


@pytest.mark.parametrize("who", ["other_facilitator", "citizen", "organisation"])
def test_only_facilitators_of_the_committee_create(world, who):
    with pytest.raises(PermissionDenied):
        services.create_table(getattr(world, who), world.committee, table_data(world))


def test_admin_creates_for_any_committee(world):
    assert services.create_table(world.admin, world.other_committee, table_data(world)).id


def test_editing_notifies_registered_people_but_not_the_cancelled(world):
    table = make_table(world.committee)
    confirmed, waiting, gone = make_user(), make_user(), make_user()
    make_registration(table, confirmed)
    make_registration(table, waiting, W)
    make_registration(table, gone, X)
    data = table_data(world, place="Otra sala, segundo piso")
    changed = services.update_table(world.facilitator, table, data)
    assert "place" in changed
    told = {n.user_id for n in notifications("table_changed")}
    assert told == {confirmed.id, waiting.id}
    assert db.session.get(DialogueTable, table.id).revision == 1
    entry = audit("dialogues.edit")[0]
    assert entry.public and entry.committee_id == world.committee.id


def test_saving_without_changes_tells_nobody(world):
    table = services.create_table(world.facilitator, world.committee, table_data(world))
    make_registration(table, make_user())
    assert services.update_table(world.facilitator, table, table_data(world)) == []
    assert notifications("table_changed") == []


def test_capacity_cannot_go_below_the_seats_given(world):
    table = make_table(world.committee, capacity=3)
    for _ in range(3):
        make_registration(table, make_user())
    with pytest.raises(ValidationError) as caught:
        services.update_table(world.facilitator, table, table_data(world, capacity=2))
    assert caught.value.field == "capacity"
    assert db.session.get(DialogueTable, table.id).capacity == 3


def test_more_capacity_promotes_the_waiting_list_in_order(world):
    table = make_table(world.committee, capacity=1)
    make_registration(table, make_user())
    now = utcnow()
    first, second, third = make_user(), make_user(), make_user()
    make_registration(table, third, W, queued_at=now + timedelta(seconds=3))
    make_registration(table, first, W, queued_at=now + timedelta(seconds=1))
    make_registration(table, second, W, queued_at=now + timedelta(seconds=2))
    services.update_table(world.facilitator, table, table_data(world, capacity=3))
    result = statuses(table)
    assert (result[first.id], result[second.id], result[third.id]) == (C, C, W)
    assert confirmed_count(table) == 3
    assert {n.user_id for n in notifications("table_seat")} == {first.id, second.id}


def test_cancelling_a_table_needs_a_reason_and_tells_registered_people(world):
    table = make_table(world.committee)
    person = make_user()
    make_registration(table, person)
    with pytest.raises(ValidationError):
        services.cancel_table(world.facilitator, table, "  ")
    services.cancel_table(world.facilitator, table, "Lluvias fuertes, se reprograma")
    table = db.session.get(DialogueTable, table.id)
    assert table.state == TableState.cancelled
    assert table.cancellation_reason == "Lluvias fuertes, se reprograma"
    [note] = notifications("table_changed", person)
    assert note.params["reason"] == "Lluvias fuertes, se reprograma"
    assert audit("dialogues.cancel")[0].reason == "Lluvias fuertes, se reprograma"
    with pytest.raises(InvalidTransition):
        services.cancel_table(world.facilitator, table, "otra vez")
    with pytest.raises(InvalidTransition):
        services.update_table(world.facilitator, table, table_data(world))


# ---------------------------------------------------------------- registration


def test_seats_then_waiting_list(world):
    table = make_table(world.committee, capacity=2)
    people = [make_user() for _ in range(4)]
    results = [services.register(p, table).status for p in people]
    assert results == [C, C, W, W]
    assert confirmed_count(table) == 2


def test_registering_twice_keeps_one_registration(world):
    table = make_table(world.committee)
    first = services.register(world.citizen, table)
    again = services.register(world.citizen, table)  # a double click: nothing changes
    assert again.id == first.id and again.status == C
    assert count_status(table, C) == 1
    assert confirmed_count(table) == 1


def test_cancelling_a_seat_promotes_the_first_waiting_in_queue_order(world):
    table = make_table(world.committee, capacity=1)
    holder = make_user()
    make_registration(table, holder)
    now = utcnow()
    late, early = make_user(), make_user()
    # `late` has the lower id but queued later: the queue follows queued_at, then id.
    make_registration(table, late, W, queued_at=now + timedelta(seconds=5))
    make_registration(table, early, W, queued_at=now + timedelta(seconds=1))
    services.cancel_registration(holder, table)
    result = statuses(table)
    assert result == {holder.id: X, early.id: C, late.id: W}
    assert confirmed_count(table) == 1
    assert [n.user_id for n in notifications("table_seat")] == [early.id]


def test_same_queued_time_falls_back_to_registration_order(world):
    table = make_table(world.committee, capacity=1)
    holder, a, b = make_user(), make_user(), make_user()
    make_registration(table, holder)
    same = utcnow()
    ra = make_registration(table, a, W, queued_at=same)
    make_registration(table, b, W, queued_at=same)
    services.cancel_registration(holder, table)
    assert db.session.get(TableRegistration, ra.id).status == C


def test_cancelling_with_nobody_waiting_frees_the_seat(world):
    table = make_table(world.committee, capacity=1)
    services.register(world.citizen, table)
    services.cancel_registration(world.citizen, table)
    assert confirmed_count(table) == 0
    assert services.register(world.author, table).status == C


def test_releasing_a_deleted_accounts_registrations_frees_seats_for_those_waiting(world):
    coming = make_table(world.committee, capacity=1)
    other = make_table(world.committee, capacity=1)
    past = make_table(world.committee, starts_in=timedelta(days=-1), capacity=1)
    leaving, waiting = make_user(), make_user()
    make_registration(coming, leaving)
    make_registration(coming, waiting, W)
    make_registration(other, leaving, W)
    make_registration(past, leaving)

    assert services.release_registrations_of(leaving) == 2
    db.session.commit()

    assert statuses(coming) == {leaving.id: X, waiting.id: C}
    assert confirmed_count(coming) == 1
    assert statuses(other) == {leaving.id: X}
    # What already happened stays as it was (attendance is part of the record).
    assert statuses(past) == {leaving.id: C}
    assert [n.user_id for n in notifications("table_seat")] == [waiting.id]


def test_leaving_the_waiting_list_keeps_the_seats(world):
    table = make_table(world.committee, capacity=1)
    make_registration(table, make_user())
    waiting = make_user()
    make_registration(table, waiting, W)
    services.cancel_registration(waiting, table)
    assert confirmed_count(table) == 1
    assert notifications("table_seat") == []


def test_cancelling_twice_changes_nothing_the_second_time(world):
    table = make_table(world.committee, capacity=1)
    services.register(world.citizen, table)
    waiting = make_user()
    services.register(waiting, table)
    services.cancel_registration(world.citizen, table)
    assert services.cancel_registration(world.citizen, table).status == RegistrationStatus.cancelled
    assert confirmed_count(table) == 1 == count_status(table, C)  # the seat went once, to the waiting
    assert len(notifications("table_seat", waiting)) == 1


def test_cancelling_without_a_registration_is_refused(world):
    table = make_table(world.committee)
    with pytest.raises(InvalidTransition):
        services.cancel_registration(world.citizen, table)
    assert confirmed_count(table) == 0


def test_coming_back_joins_the_end_of_the_queue(world):
    table = make_table(world.committee, capacity=1)
    make_registration(table, make_user())
    returning, other = make_user(), make_user()
    services.register(returning, table)
    services.register(other, table)
    services.cancel_registration(returning, table)
    again = services.register(returning, table)
    assert again.status == W
    from app.dialogues import queries

    assert queries.waiting_position(again) == 2
    assert db.session.scalar(sa.select(sa.func.count(TableRegistration.id)).where(
        TableRegistration.user_id == returning.id)) == 1


def test_registration_closes_at_the_deadline(world):
    table = make_table(world.committee, starts_in=timedelta(hours=5),
                      deadline_before=timedelta(hours=6))
    with pytest.raises(InvalidTransition):
        services.register(world.citizen, table)
    assert statuses(table) == {}


@pytest.mark.parametrize("state", [TableState.cancelled, TableState.minutes_published])
def test_no_registration_unless_scheduled(world, state):
    table = make_table(world.committee, state=state)
    with pytest.raises(InvalidTransition):
        services.register(world.citizen, table)


def test_unconfirmed_and_blocked_accounts_cannot_register(world):
    table = make_table(world.committee)
    unconfirmed = make_user(confirmed=False)
    blocked = make_user(blocked_until=utcnow() + timedelta(days=3))
    for person in (unconfirmed, blocked):
        with pytest.raises(PermissionDenied):
            services.register(person, table)
    assert statuses(table) == {}


def test_no_cancelling_once_the_table_started(world):
    table = make_table(world.committee, starts_in=timedelta(minutes=-5))
    make_registration(table, world.citizen)
    with pytest.raises(InvalidTransition):
        services.cancel_registration(world.citizen, table)


# ---------------------------------------------------------------- agenda


def test_agenda_moves_proposals_to_dialogue_with_a_reasoned_answer(world):
    table = make_table(world.committee)
    first = make_proposal(world.committee, world.author)
    second = make_proposal(world.committee, world.author, state=ProposalState.under_review)
    items = services.add_to_agenda(world.facilitator, table,
                                   f"{first.reference.lower()}, {second.reference}")
    assert [i.proposal_id for i in items] == [first.id, second.id]
    db.session.expire_all()
    for proposal in (first, second):
        assert proposal.state == ProposalState.in_dialogue
        answer = db.session.scalar(sa.select(ProposalAnswer).where(
            ProposalAnswer.proposal_id == proposal.id))
        assert answer.to_state == ProposalState.in_dialogue
        assert table.title in answer.body
    assert len(notifications("proposal_answered", world.author)) == 2
    entry = audit("dialogues.agenda")[0]
    assert entry.public and entry.committee_id == world.committee.id
    assert entry.data["references"] == [first.reference, second.reference]


def test_agenda_refuses_proposals_of_another_committee_and_changes_nothing(world):
    table = make_table(world.committee)
    ours = make_proposal(world.committee, world.author)
    theirs = make_proposal(world.other_committee, world.author)
    with pytest.raises(ValidationError) as caught:
        services.add_to_agenda(world.facilitator, table, [ours.reference, theirs.reference])
    assert theirs.reference in caught.value.message
    db.session.rollback()
    assert db.session.get(type(ours), ours.id).state == ProposalState.submitted
    assert db.session.scalar(sa.select(sa.func.count(AgendaItem.id))) == 0


@pytest.mark.parametrize("state", [ProposalState.accepted, ProposalState.withdrawn,
                                   ProposalState.merged])
def test_agenda_refuses_proposals_that_cannot_go_to_dialogue(world, state):
    table = make_table(world.committee)
    proposal = make_proposal(world.committee, world.author, state=state)
    with pytest.raises(ValidationError) as caught:
        services.add_to_agenda(world.facilitator, table, proposal.reference)
    assert proposal.reference in caught.value.message
    assert db.session.scalar(sa.select(sa.func.count(AgendaItem.id))) == 0


def test_agenda_refuses_unknown_and_repeated_references(world):
    table = make_table(world.committee)
    proposal = make_proposal(world.committee, world.author)
    with pytest.raises(ValidationError) as caught:
        services.add_to_agenda(world.facilitator, table, "DGO-1999-9999")
    assert "DGO-1999-9999" in caught.value.message
    services.add_to_agenda(world.facilitator, table, proposal.reference)
    with pytest.raises(ValidationError):
        services.add_to_agenda(world.facilitator, table, proposal.reference)


def test_a_proposal_already_in_dialogue_joins_another_table_without_a_new_answer(world):
    table = make_table(world.committee)
    proposal = make_proposal(world.committee, world.author, state=ProposalState.in_dialogue)
    services.add_to_agenda(world.facilitator, table, proposal.reference)
    assert db.session.scalar(sa.select(sa.func.count(ProposalAnswer.id))) == 0
    assert db.session.scalar(sa.select(sa.func.count(AgendaItem.id))) == 1


def test_agenda_is_the_committee_facilitators(world):
    table = make_table(world.committee)
    proposal = make_proposal(world.committee, world.author)
    with pytest.raises(PermissionDenied):
        services.add_to_agenda(world.other_facilitator, table, proposal.reference)


# ---------------------------------------------------------------- attendance and minutes


def test_attendance_waits_for_the_start(world):
    table = make_table(world.committee)
    registration = make_registration(table, world.citizen)
    with pytest.raises(InvalidTransition):
        services.record_attendance(world.facilitator, table, [registration.id])
    assert db.session.get(TableRegistration, registration.id).attended is None


def test_attendance_marks_present_and_absent(world):
    table = make_table(world.committee, starts_in=timedelta(hours=-1))
    came = make_registration(table, make_user())
    absent = make_registration(table, make_user())
    assert services.record_attendance(world.facilitator, table, [came.id]) == 1
    assert db.session.get(TableRegistration, came.id).attended is True
    assert db.session.get(TableRegistration, absent.id).attended is False
    entry = audit("dialogues.attendance")[0]
    assert entry.public and entry.data == {"attended": 1, "registered": 2}


def _minutes(agenda_proposals, **changes) -> dict:
    data = {
        "summary": "Se discutieron las problemáticas; hubo **acuerdo**.",
        "agreements": "1. Reunión con la Secretaría, el 3 de junio.",
        "outcomes": {str(p.id): f"Pasa a compromiso; {p.reference}" for p in agenda_proposals},
    }
    data.update(changes)
    return data


def test_minutes_need_an_outcome_for_every_proposal_on_the_agenda(world):
    table = make_table(world.committee, starts_in=timedelta(hours=-3))
    a = make_proposal(world.committee, world.author, state=ProposalState.in_dialogue)
    b = make_proposal(world.committee, world.author, state=ProposalState.in_dialogue)
    db.session.add_all([AgendaItem(table_id=table.id, proposal_id=a.id, position=1),
                        AgendaItem(table_id=table.id, proposal_id=b.id, position=2)])
    db.session.commit()
    data = _minutes([a, b])
    data["outcomes"][str(b.id)] = "  "
    with pytest.raises(ValidationError) as caught:
        services.publish_minutes(world.facilitator, table, data)
    assert caught.value.field == f"outcome_{b.id}"
    for field in ("summary", "agreements"):
        with pytest.raises(ValidationError) as caught:
            services.publish_minutes(world.facilitator, table, _minutes([a, b], **{field: ""}))
        assert caught.value.field == field
    assert db.session.get(DialogueTable, table.id).state == TableState.scheduled


def test_published_minutes_are_locked_and_corrections_are_versions(world):
    table = make_table(world.committee, starts_in=timedelta(hours=-3))
    proposal = make_proposal(world.committee, world.author, state=ProposalState.in_dialogue)
    db.session.add(AgendaItem(table_id=table.id, proposal_id=proposal.id, position=1))
    db.session.commit()
    attendee, waiting = make_user(), make_user()
    make_registration(table, attendee, attended=True)
    make_registration(table, waiting, W)

    first = services.publish_minutes(world.facilitator, table, _minutes([proposal]))
    assert first.number == 1 and first.attendance_count == 1
    assert db.session.get(DialogueTable, table.id).state == TableState.minutes_published
    assert {n.user_id for n in notifications("table_minutes")} == {attendee.id, waiting.id}
    assert audit("dialogues.minutes")[0].public

    with pytest.raises(InvalidTransition):
        services.publish_minutes(world.facilitator, table, _minutes([proposal]))
    with pytest.raises(ValidationError) as caught:
        services.correct_minutes(world.facilitator, table, _minutes([proposal], reason=""))
    assert caught.value.field == "reason"

    second = services.correct_minutes(
        world.facilitator, table,
        _minutes([proposal], summary="Resumen corregido", reason="Faltaba un acuerdo"),
    )
    assert second.number == 2 and second.correction_reason == "Faltaba un acuerdo"
    db.session.expire_all()
    versions = db.session.scalars(sa.select(MinutesVersion).order_by(MinutesVersion.number)).all()
    assert [v.summary for v in versions] == [first.summary, "Resumen corregido"]
    assert audit("dialogues.minutes_correct")[0].reason == "Faltaba un acuerdo"


def test_minutes_wait_for_the_table_to_start(world):
    table = make_table(world.committee)
    with pytest.raises(InvalidTransition):
        services.publish_minutes(world.facilitator, table, _minutes([]))


def test_minutes_of_another_committee_are_refused(world):
    table = make_table(world.committee, starts_in=timedelta(hours=-3))
    with pytest.raises(PermissionDenied):
        services.publish_minutes(world.other_facilitator, table, _minutes([]))
