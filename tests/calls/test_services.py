"""The acts of the call: publishing and editing (window rules), applying (window, declarations,
one application per organisation and committee, documents), deciding (reason, mail, audit)."""
import os
import threading
from datetime import UTC, datetime, timedelta

import pytest
import sqlalchemy as sa
from flask_babel import force_locale

from app.calls import locks, services
from app.calls.models import ApplicationDocument, ApplicationStatus, Call, CallApplication
from app.calls.windows import window_refusal
from app.core.audit import AuditEntry
from app.core.db import utcnow
from app.core.errors import InvalidTransition, PermissionDenied, ValidationError
from app.core.i18n import local_datetime
from app.core.mail import OutboxMessage
from app.core.permissions import check
from app.core.uow import unit_of_work
from app.extensions import db
from tests.calls import samples
from tests.calls.factories import DECLARATIONS, World, make_application, make_call
from tests.factories import make_committee, make_plan

ALL = [0, 1]  # the positions of the factories' two declarations


def call_data(world, **changes) -> dict:
    data = {
        "title": "Convocatoria 2026", "body": "Texto **público**", "requirements": "Ser OSC",
        "declarations": "Sin conflicto de interés\n\n  Acepto las bases  \nSin conflicto de interés",
        "committee_ids": [world.committee.id, world.other_committee.id],
        "opens_at": datetime(2030, 3, 1, 9, 0), "closes_at": datetime(2030, 3, 15, 18, 30),
    }
    data.update(changes)
    return data


def audit(action: str) -> list[AuditEntry]:
    return list(db.session.scalars(sa.select(AuditEntry).where(AuditEntry.action == action)))


def refusal(actor, call) -> str | None:
    """What the rule calls.apply tells the actor (None when it may apply)."""
    return check(actor, "calls.apply", call).reason


def count(model) -> int:
    return db.session.scalar(sa.select(sa.func.count()).select_from(model))


# ---------------------------------------------------------------- publishing

def test_publish_stores_the_durango_local_window_in_utc(world):
    call = services.publish_call(world.admin, world.plan, call_data(world))
    # Monterrey is UTC−6 all year since Mexico dropped daylight saving time.
    assert call.opens_at == datetime(2030, 3, 1, 15, 0, tzinfo=UTC)
    assert call.closes_at == datetime(2030, 3, 16, 0, 30, tzinfo=UTC)
    assert call.published_at is not None and call.created_by_id == world.admin.id
    assert call.declarations == ["Sin conflicto de interés", "Acepto las bases"]
    assert [c.id for c in call.committees] == [world.committee.id, world.other_committee.id]
    [entry] = audit("calls.publish")
    assert entry.public and entry.target_id == call.id
    assert entry.data["opens_at"] == "2030-03-01T15:00:00+00:00"


def test_publishing_the_same_call_twice_publishes_it_once(world):
    first = services.publish_call(world.admin, world.plan, call_data(world))
    second = services.publish_call(world.admin, world.plan, call_data(world))
    assert second.id == first.id
    assert count(Call) == 2  # the world's call and this one
    assert len(audit("calls.publish")) == 1


def test_a_publish_that_loses_a_race_returns_the_winners_call(world, monkeypatch):
    """Two clicks at once both find no twin; the unique index answers the second, which then
    returns the first's call and writes nothing else."""
    from app.calls.services import calls as module

    first = services.publish_call(world.admin, world.plan, call_data(world))
    real, looked = module._twin, []

    def missed_then_real(plan, fields):
        looked.append(1)
        return None if len(looked) == 1 else real(plan, fields)

    monkeypatch.setattr(module, "_twin", missed_then_real)
    second = services.publish_call(world.admin, world.plan, call_data(world))
    assert second.id == first.id and len(looked) == 2
    assert count(Call) == 2 and len(audit("calls.publish")) == 1


def test_an_edit_cannot_make_a_call_the_twin_of_another(world):
    twin = services.publish_call(world.admin, world.plan, call_data(world, title="Gemela"))
    upcoming = services.publish_call(world.admin, world.plan, call_data(world, title="Otra"))
    with pytest.raises(ValidationError) as caught:
        services.update_call(world.admin, upcoming, {"title": "Gemela"})
    assert caught.value.field == "title" and "mismo título" in caught.value.message
    assert services.update_call(world.admin, upcoming, {"title": "Otra distinta"})
    assert twin.title == "Gemela" and upcoming.title == "Otra distinta"


def test_publish_accepts_aware_times_as_they_are(world):
    opens = datetime(2030, 1, 1, 12, tzinfo=UTC)
    call = services.publish_call(world.admin, world.plan, call_data(
        world, opens_at=opens, closes_at=opens + timedelta(days=3)))
    assert call.opens_at == opens


def test_publish_needs_a_declaration_and_a_committee(world):
    with pytest.raises(ValidationError) as caught:
        services.publish_call(world.admin, world.plan,
                              call_data(world, declarations=" \n ", committee_ids=[]))
    assert set(caught.value.details["errors"]) == {"declarations", "committee_ids"}
    db.session.rollback()
    assert count(Call) == 1  # the world's call only
    assert audit("calls.publish") == []


def test_publish_refuses_a_window_that_closes_before_it_opens(world):
    with pytest.raises(ValidationError) as caught:
        services.publish_call(world.admin, world.plan, call_data(
            world, opens_at=datetime(2030, 3, 2), closes_at=datetime(2030, 3, 1)))
    assert caught.value.field == "closes_at"


def test_publish_refuses_a_window_already_closed(world):
    with pytest.raises(ValidationError) as caught:
        services.publish_call(world.admin, world.plan, call_data(
            world, opens_at=datetime(2020, 1, 1), closes_at=datetime(2020, 2, 1)))
    assert caught.value.field == "closes_at"


def test_publish_refuses_a_committee_of_another_plan(world):
    foreign = make_committee(make_plan())
    with pytest.raises(ValidationError) as caught:
        services.publish_call(world.admin, world.plan,
                              call_data(world, committee_ids=[world.committee.id, foreign.id]))
    assert caught.value.field == "committee_ids"


@pytest.mark.parametrize("actor", ["citizen", "organisation", "facilitator"])
def test_only_the_guarantor_body_publishes(world, actor):
    with pytest.raises(PermissionDenied):
        services.publish_call(getattr(world, actor), world.plan, call_data(world))


# ---------------------------------------------------------------- editing

def test_before_opening_everything_can_change_with_a_public_audit(app):
    world = World(state="upcoming")
    changed = services.update_call(world.admin, world.call, {
        "title": "Nuevo título", "committee_ids": [world.outside_committee.id],
        "declarations": ["Una sola declaración"], "opens_at": datetime(2031, 1, 1, 8),
        "closes_at": datetime(2031, 1, 31, 8),
    })
    assert changed
    db.session.refresh(world.call)
    assert world.call.title == "Nuevo título"
    assert [c.id for c in world.call.committees] == [world.outside_committee.id]
    assert world.call.declarations == ["Una sola declaración"]
    assert world.call.opens_at == datetime(2031, 1, 1, 14, tzinfo=UTC)
    [entry] = audit("calls.update")
    assert entry.public
    assert set(entry.data["changed"]) == {"title", "committees", "declarations", "opens_at",
                                          "closes_at"}


def test_an_edit_that_changes_nothing_is_not_recorded(app):
    world = World(state="upcoming")
    assert services.update_call(world.admin, world.call, {"title": world.call.title}) is False
    assert audit("calls.update") == []


def test_once_open_only_the_closing_date_may_be_extended(world):
    with pytest.raises(ValidationError) as caught:
        services.update_call(world.admin, world.call, {"title": "Otro título"})
    assert caught.value.field == "title"
    db.session.rollback()
    with pytest.raises(ValidationError):
        services.update_call(world.admin, world.call, {"committee_ids": [world.committee.id]})
    db.session.rollback()
    earlier = world.call.closes_at - timedelta(hours=1)
    with pytest.raises(ValidationError) as caught:
        services.update_call(world.admin, world.call, {"closes_at": earlier})
    assert caught.value.field == "closes_at"
    db.session.rollback()
    assert audit("calls.extend") == []


def test_an_open_call_is_extended_with_a_public_audit(world):
    previous = world.call.closes_at
    later = previous + timedelta(days=5)
    # The unchanged fields may come along (the edit page of an open call sends only the date).
    data = {**services.call_data(world.call), "closes_at": later}
    assert services.update_call(world.admin, world.call, data)
    db.session.refresh(world.call)
    assert world.call.closes_at == later
    [entry] = audit("calls.extend")
    assert entry.public
    assert entry.data["previous_closes_at"] == previous.isoformat()


def test_a_closed_call_cannot_change(app):
    world = World(state="closed")
    with pytest.raises(InvalidTransition):
        services.update_call(world.admin, world.call,
                             {"closes_at": utcnow() + timedelta(days=3)})


def test_only_the_guarantor_body_edits(world):
    with pytest.raises(PermissionDenied):
        services.update_call(world.facilitator, world.call,
                             {"closes_at": world.call.closes_at + timedelta(days=1)})


# ---------------------------------------------------------------- applying

def test_a_verified_organisation_applies_to_two_committees(world):
    result = services.apply_to_call(world.organisation, world.call,
                                    [str(world.committee.id), str(world.other_committee.id)],
                                    ["0", "1"])
    assert [a.committee_id for a in result.created] == [world.committee.id,
                                                         world.other_committee.id]
    assert result.already == []
    for application in result.created:
        assert application.status == ApplicationStatus.pending
        assert application.declarations == DECLARATIONS
        assert application.organisation_id == world.organisation.id
    entries = audit("calls.apply")
    assert len(entries) == 2 and not any(e.public for e in entries)


@pytest.mark.parametrize("state", ["upcoming", "closed"])
def test_the_window_is_enforced_with_local_times_in_the_message(app, state):
    world = World(state=state)
    with pytest.raises(InvalidTransition) as caught:
        services.apply_to_call(world.organisation, world.call, [world.committee.id], ALL)
    shown = world.call.opens_at if state == "upcoming" else world.call.closes_at
    assert local_datetime(shown) in caught.value.message
    assert count(CallApplication) == 0


def test_the_window_closes_at_its_closing_instant(world):
    world.call.closes_at = utcnow() - timedelta(seconds=1)
    db.session.commit()
    with pytest.raises(InvalidTransition):
        services.apply_to_call(world.organisation, world.call, [world.committee.id], ALL)


def test_every_declaration_must_be_accepted(world):
    for accepted in ([], [0], [1], ["0", "x"]):
        with pytest.raises(ValidationError) as caught:
            services.apply_to_call(world.organisation, world.call, [world.committee.id], accepted)
        assert caught.value.field == "declarations"
        db.session.rollback()
    assert count(CallApplication) == 0


def test_only_committees_of_the_call_can_be_chosen(world):
    with pytest.raises(ValidationError) as caught:
        services.apply_to_call(world.organisation, world.call, [world.outside_committee.id], ALL)
    assert caught.value.field == "committee_ids"
    db.session.rollback()
    with pytest.raises(ValidationError):
        services.apply_to_call(world.organisation, world.call, [], ALL)


def test_a_second_application_to_the_same_committee_creates_nothing(world):
    services.apply_to_call(world.organisation, world.call, [world.committee.id], ALL)
    again = services.apply_to_call(world.organisation, world.call,
                                   [world.committee.id, world.other_committee.id], ALL)
    assert [c.id for c in again.already] == [world.committee.id]
    assert [a.committee_id for a in again.created] == [world.other_committee.id]
    twice = services.apply_to_call(world.organisation, world.call, [world.committee.id], ALL)
    assert twice.created == [] and [c.id for c in twice.already] == [world.committee.id]
    assert count(CallApplication) == 2


@pytest.mark.real_commits  # threads: each on its own connection
def test_parallel_applications_of_one_organisation_create_one_row(app, world):
    """Double clicks and two tabs at once: the unique constraint answers, nobody gets an error."""
    call_id, org_id, committee_id = world.call.id, world.organisation.id, world.committee.id
    db.session.remove()
    results, errors = [], []
    barrier = threading.Barrier(6)

    def apply_once():
        try:
            with app.app_context():
                from app.accounts.models import User

                organisation = db.session.get(User, org_id)
                call = db.session.get(Call, call_id)
                barrier.wait(timeout=10)
                with unit_of_work():  # each thread is a request of its own: one commit
                    result = services.apply_to_call(organisation, call, [committee_id], ALL)
                results.append(len(result.created))
                db.session.remove()
        except Exception as exc:  # reported below
            errors.append(exc)

    threads = [threading.Thread(target=apply_once) for _ in range(6)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert errors == []
    assert sorted(results) == [0, 0, 0, 0, 0, 1]
    assert count(CallApplication) == 1


@pytest.mark.parametrize("actor", ["citizen", "unverified", "blocked", "unconfirmed",
                                   "facilitator", "admin"])
def test_who_may_not_apply_is_told_why(world, actor):
    with pytest.raises(PermissionDenied) as caught:
        services.apply_to_call(getattr(world, actor), world.call, [world.committee.id], ALL)
    assert caught.value.message == refusal(getattr(world, actor), world.call)
    assert count(CallApplication) == 0


def test_the_refusals_differ_for_each_reason(world):
    messages = {refusal(getattr(world, a), world.call)
                for a in ("anonymous", "citizen", "unverified", "blocked", "unconfirmed")}
    assert len(messages) == 5 and None not in messages
    assert check(world.organisation, "calls.apply", world.call)
    assert refusal(world.organisation, world.call) is None


def test_a_blocked_organisation_is_told_until_when(world):
    message = refusal(world.blocked, world.call)
    assert local_datetime(world.blocked.blocked_until) in message


def test_documents_are_attached_to_each_application_created(world, uploads):
    result = services.apply_to_call(
        world.organisation, world.call, [world.committee.id, world.other_committee.id], ALL,
        [samples.upload("acta constitutiva.pdf", samples.pdf()),
         samples.upload("logo.png", samples.png())],
    )
    documents = db.session.scalars(sa.select(ApplicationDocument)).all()
    assert len(documents) == 4
    assert {d.application_id for d in documents} == {a.id for a in result.created}
    assert {d.original_name for d in documents} == {"acta constitutiva.pdf", "logo.png"}
    stored = sorted(os.listdir(uploads))
    assert stored == sorted(d.stored_name for d in documents)
    assert all("acta" not in name for name in stored)  # random names, never the user's


@pytest.mark.parametrize("name,data", [
    ("programa.exe", samples.EXE),
    ("informe.pdf", samples.EXE),        # a program renamed .pdf
    ("notas.txt", b"texto"),             # plain text is not a document of an application
    ("vacio.pdf", b""),
])
def test_a_refused_document_stops_the_application_and_writes_nothing(world, uploads, name, data):
    with pytest.raises(ValidationError) as caught:
        services.apply_to_call(world.organisation, world.call, [world.committee.id], ALL,
                               [samples.upload(name, data)])
    assert caught.value.field == "documents"
    assert name in caught.value.message
    db.session.rollback()
    assert count(CallApplication) == 0
    assert not uploads.exists() or os.listdir(uploads) == []


def test_documents_are_limited_in_number_and_size(app, world, uploads):
    too_many = [samples.upload(f"d{i}.pdf", samples.pdf()) for i in range(6)]
    with pytest.raises(ValidationError):
        services.apply_to_call(world.organisation, world.call, [world.committee.id], ALL, too_many)
    db.session.rollback()
    app.config["UPLOAD_MAX_BYTES"] = 100
    with pytest.raises(ValidationError) as caught:
        services.apply_to_call(world.organisation, world.call, [world.committee.id], ALL,
                               [samples.upload("grande.pdf", samples.pdf() + b"0" * 200)])
    assert "grande.pdf" in caught.value.message


def test_a_duplicate_application_stores_no_document(world, uploads):
    services.apply_to_call(world.organisation, world.call, [world.committee.id], ALL)
    services.apply_to_call(world.organisation, world.call, [world.committee.id], ALL,
                           [samples.upload("acta.pdf", samples.pdf())])
    assert count(ApplicationDocument) == 0
    assert not uploads.exists() or os.listdir(uploads) == []


# ---------------------------------------------------------------- deciding

def outbox() -> list[OutboxMessage]:
    return list(db.session.scalars(sa.select(OutboxMessage).order_by(OutboxMessage.id)))


def test_approval_needs_no_reason_and_tells_the_organisation(world):
    world.organisation.locale = "en"
    application = make_application(world.call, world.organisation, world.committee)
    assert services.decide_application(world.admin, application, "approve", "")
    assert application.status == ApplicationStatus.approved
    assert application.decided_by_id == world.admin.id and application.decided_at is not None
    [mail] = outbox()
    assert mail.recipient == world.organisation.email
    assert mail.subject.startswith("Your application to")
    assert world.committee.name in mail.subject
    assert f"/calls/mine#application-{application.id}" in mail.body
    [entry] = audit("calls.decide")
    assert entry.public and entry.data["decision"] == "approved"
    assert entry.committee_id == world.committee.id


def test_a_rejection_needs_a_reason(world):
    application = make_application(world.call, world.organisation, world.committee)
    for reason in (None, "", "   \n "):
        with pytest.raises(ValidationError) as caught:
            services.decide_application(world.admin, application, "reject", reason)
        assert caught.value.field == "reason"
        db.session.rollback()
    db.session.refresh(application)
    assert application.status == ApplicationStatus.pending
    assert outbox() == [] and audit("calls.decide") == []


def test_a_rejection_sends_its_reason_in_the_organisations_language(world):
    world.organisation.locale = "en"
    application = make_application(world.call, world.organisation, world.committee)
    services.decide_application(world.admin, application, "reject", "Falta el acta constitutiva")
    assert application.status == ApplicationStatus.rejected
    assert application.decision_reason == "Falta el acta constitutiva"
    [mail] = outbox()
    assert "was not approved" in mail.subject
    assert "Falta el acta constitutiva" in mail.body
    [entry] = audit("calls.decide")
    assert entry.reason == "Falta el acta constitutiva"


def test_the_mail_is_rendered_in_spanish_by_default(world):
    application = make_application(world.call, world.organisation, world.committee)
    services.decide_application(world.admin, application, "approve", None)
    [mail] = outbox()
    with force_locale("es_MX"):
        from flask import render_template

        expected = render_template("mail/application_decision.txt", approved=True,
                                   committee_name=world.committee.name).splitlines()[0]
    assert mail.subject == expected.strip()


def test_a_decision_can_change_until_voting_opens(world, monkeypatch):
    application = make_application(world.call, world.organisation, world.committee)
    services.decide_application(world.admin, application, "approve", None)
    assert services.decide_application(world.admin, application, "reject", "Documentos falsos")
    assert application.status == ApplicationStatus.rejected
    assert len(audit("calls.decide")) == 2 and len(outbox()) == 2
    db.session.commit()  # as the requests that decided did
    monkeypatch.setattr(locks, "_LOCKS", [lambda call_id, committee_id: True])
    with pytest.raises(InvalidTransition):
        services.decide_application(world.admin, application, "approve", None)
    db.session.rollback()
    db.session.refresh(application)
    assert application.status == ApplicationStatus.rejected


def test_the_same_decision_twice_is_recorded_once(world):
    application = make_application(world.call, world.organisation, world.committee)
    assert services.decide_application(world.admin, application, "approve", None)
    assert services.decide_application(world.admin, application, "approve", None) is False
    assert len(audit("calls.decide")) == 1 and len(outbox()) == 1


def test_applications_are_not_locked_without_a_registered_lock(world, monkeypatch):
    application = make_application(world.call, world.organisation, world.committee)
    monkeypatch.setattr(locks, "_LOCKS", [])
    assert locks.application_locked(application) is False


def test_an_unknown_decision_is_refused(world):
    application = make_application(world.call, world.organisation, world.committee)
    with pytest.raises(ValidationError) as caught:
        services.decide_application(world.admin, application, "maybe", "x")
    assert caught.value.field == "decision"


@pytest.mark.parametrize("actor", ["citizen", "organisation", "facilitator"])
def test_only_the_guarantor_body_decides(world, actor):
    application = make_application(world.call, world.organisation, world.committee)
    with pytest.raises(PermissionDenied):
        services.decide_application(getattr(world, actor), application, "approve", None)


def test_a_call_of_an_upcoming_window_is_not_open_to_applications(app):
    plan = make_plan()
    committee = make_committee(plan)
    call = make_call(plan, [committee], state="upcoming")
    assert window_refusal(call) is not None
    assert window_refusal(call, call.opens_at) is None
    assert window_refusal(call, call.closes_at) is not None
