"""Who reports and who checks (issue 16), through the services: a responsible official drafts, a
facilitator publishes or returns, the committee's civil-society representatives confirm or
dispute, an official or a facilitator answers a dispute; each act by role, with its refusals."""
from datetime import date

import pytest
import sqlalchemy as sa

from app.commitments.models import MilestoneStatus
from app.core import uow
from app.core.audit import AuditEntry
from app.core.db import utcnow
from app.core.errors import InvalidTransition, PermissionDenied, ValidationError
from app.extensions import db
from app.feeds.queries import latest_progress_notes
from app.notifications.models import Notification
from app.opendata import records
from app.plans.models import CommitteeMember, MemberKind
from app.progress import oversight, queries, services
from app.progress.models import CommitmentOfficial, ReportReview, ReportState, Verdict
from tests.factories import make_organisation, make_user
from tests.progress.factories import World, follow, make_commitment

DAY = date(2026, 3, 2)
REASON = "Revisamos el portal: el entregable está publicado y coincide."


class Loop(World):
    """The world of the progress tests, plus a commitment with its official, the committee's
    titular and suplente (organisations holding the seats), a former representative and a
    follower."""

    def __init__(self):
        super().__init__()
        self.commitment = make_commitment(self, milestones=3)
        self.official = make_user(name="Sofía Meraz")
        self.former_official = make_user()
        self.titular = make_organisation(name="Observatorio Ciudadano")
        self.suplente = make_organisation(name="Colectivo Vigila")
        self.former = make_organisation()
        self.follower = make_user()
        db.session.add_all([
            CommitmentOfficial(commitment_id=self.commitment.id, user_id=self.official.id,
                               institution="Secretaría de Obras"),
            CommitmentOfficial(commitment_id=self.commitment.id, user_id=self.former_official.id,
                               institution="Secretaría de Obras", ended_at=utcnow()),
            CommitteeMember(committee_id=self.committee.id, name="Ana Medina", user_id=self.titular.id,
                            kind=MemberKind.cs_titular),
            CommitteeMember(committee_id=self.committee.id, name="Rodrigo Quiñones",
                            user_id=self.suplente.id, kind=MemberKind.cs_suplente),
            CommitteeMember(committee_id=self.committee.id, name="Ex titular", user_id=self.former.id,
                            kind=MemberKind.cs_titular, term_end=date(2025, 1, 1)),
        ])
        db.session.commit()
        follow(self.follower, self.commitment)


@pytest.fixture(scope="module")
def loop(module_worlds):
    return module_worlds.share(Loop)


def draft(loop, milestone=None, status="complete", actor=None):
    milestone = milestone or loop.commitment.milestones[0]
    return services.report_progress(actor or loop.official, milestone, status,
                                    "Se publicó el estándar de datos.", DAY)


def published(loop, milestone=None, status="complete"):
    note = draft(loop, milestone, status)
    oversight.publish_report(loop.facilitator, note)
    return note


def notified(user, event: str) -> bool:
    return db.session.scalar(sa.select(sa.func.count(Notification.id)).where(
        Notification.user_id == user.id, Notification.kind == "progress_oversight",
        Notification.params["event"].as_string() == event)) > 0


# ---------------------------------------------------------------- drafting and publishing

def test_an_officials_report_waits_and_changes_nothing_public(loop):
    milestone = loop.commitment.milestones[0]

    note = draft(loop)

    assert note.state == ReportState.submitted and note.published_at is None
    assert milestone.status == MilestoneStatus.not_started  # applied only when published
    assert notified(loop.facilitator, "submitted")
    assert not db.session.scalar(sa.select(sa.func.count(Notification.id)).where(
        Notification.user_id == loop.follower.id))
    assert queries.panel_for(loop.commitment).notes == {}
    assert note.id not in [row[0] for row in latest_progress_notes()]
    assert note.id not in [row.id for row in db.session.execute(records.progress.query())]
    assert [n.id for n in queries.pending_reports(loop.commitment)] == [note.id]


def test_the_facilitator_publishes_it_once(loop):
    milestone = loop.commitment.milestones[0]
    note = draft(loop)

    oversight.publish_report(loop.facilitator, note)

    assert note.state == ReportState.published and note.published_at is not None
    assert note.decided_at is not None
    assert milestone.status == MilestoneStatus.complete and milestone.completed_on == DAY
    assert notified(loop.official, "published")
    assert db.session.scalar(sa.select(sa.func.count(Notification.id)).where(
        Notification.user_id == loop.follower.id, Notification.kind == "commitment_progress")) == 1
    entry = db.session.scalars(sa.select(AuditEntry).where(AuditEntry.action == "progress.report")).one()
    assert entry.public and entry.data["drafted_by"] == loop.official.id
    assert entry.actor_id == loop.facilitator.id  # who published it
    with pytest.raises(InvalidTransition):  # a double click, or a second facilitator
        oversight.publish_report(loop.admin, note)


def test_a_returned_report_carries_its_reason_and_cannot_be_published(loop):
    note = draft(loop)
    with pytest.raises(ValidationError) as refused:
        oversight.return_report(loop.facilitator, note, "   ")
    assert refused.value.field == "reason"

    oversight.return_report(loop.facilitator, note, "Falta la liga a la evidencia.")

    assert note.state == ReportState.returned and note.return_reason == "Falta la liga a la evidencia."
    assert notified(loop.official, "returned")
    assert loop.commitment.milestones[0].status == MilestoneStatus.not_started
    with pytest.raises(InvalidTransition):
        oversight.publish_report(loop.facilitator, note)


def returned(loop):
    note = draft(loop)
    oversight.return_report(loop.facilitator, note, "Falta la liga a la evidencia.")
    return note


def test_the_author_revises_a_returned_report_and_it_waits_again_once(loop):
    note = returned(loop)
    evidence_before = len(note.evidence)

    oversight.revise_report(loop.official, note, "in_progress", "Ya se publicó, aquí la liga.",
                            date(2026, 3, 5), ["https://durango.gob.mx/datos"])

    assert note.state == ReportState.submitted and note.return_reason is None and note.decided_at is None
    assert (note.status, note.note, note.noted_on) == (MilestoneStatus.in_progress, "Ya se publicó, aquí la liga.",
                                                      date(2026, 3, 5))
    assert [e.url for e in note.evidence][evidence_before:] == ["https://durango.gob.mx/datos"]
    assert "Ya se publicó" in note.rendered["html"]["note"]
    entry = db.session.scalars(sa.select(AuditEntry).where(AuditEntry.action == "progress.revised")).one()
    assert not entry.public and entry.data["returned_because"] == "Falta la liga a la evidencia."
    assert db.session.scalar(sa.select(sa.func.count(Notification.id)).where(
        Notification.user_id == loop.facilitator.id, Notification.kind == "progress_oversight",
        Notification.params["event"].as_string() == "submitted")) == 2  # drafted, then revised
    assert loop.commitment.milestones[0].status == MilestoneStatus.not_started  # still not public
    with pytest.raises(InvalidTransition):  # a double click, or a second tab
        oversight.revise_report(loop.official, note, "complete", "Otra vez.", DAY)
    oversight.publish_report(loop.facilitator, note)
    assert loop.commitment.milestones[0].status == MilestoneStatus.in_progress


def test_a_revision_with_bad_fields_changes_nothing(loop):
    note = returned(loop)

    with pytest.raises(ValidationError) as refused:
        oversight.revise_report(loop.official, note, "finished?", "  ", date(2999, 1, 1), ["javascript:x"])

    assert set(refused.value.details["errors"]) >= {"status", "note", "noted_on", "links"}
    db.session.refresh(note)
    assert note.state == ReportState.returned and note.note == "Se publicó el estándar de datos."


@pytest.mark.parametrize("who", ["facilitator", "former_official", "titular", "citizen"])
def test_only_its_author_revises_a_returned_report(loop, who):
    note = returned(loop)
    with pytest.raises(PermissionDenied):
        oversight.revise_report(getattr(loop, who), note, "complete", "Corregido.", DAY)
    assert note.state == ReportState.returned


def test_a_waiting_or_published_report_is_not_revised(loop):
    waiting = draft(loop)
    with pytest.raises(InvalidTransition):
        oversight.revise_report(loop.official, waiting, "complete", "Corregido.", DAY)
    oversight.publish_report(loop.facilitator, waiting)
    with pytest.raises(InvalidTransition):
        oversight.revise_report(loop.official, waiting, "complete", "Corregido.", DAY)
    assert waiting.note == "Se publicó el estándar de datos."


def test_a_facilitators_own_report_is_published_at_once(loop):
    note = draft(loop, actor=loop.facilitator)
    assert note.state == ReportState.published and note.published_at is not None


@pytest.mark.parametrize("who", ["citizen", "organisation", "other_facilitator", "former_official",
                                 "titular"])
def test_only_officials_and_facilitators_report(loop, who):
    with pytest.raises(PermissionDenied):
        draft(loop, actor=getattr(loop, who))


@pytest.mark.parametrize("who", ["official", "other_facilitator", "citizen", "titular"])
def test_only_the_committees_facilitators_publish_or_return(loop, who):
    note = draft(loop)
    with pytest.raises(PermissionDenied):
        oversight.publish_report(getattr(loop, who), note)
    with pytest.raises(PermissionDenied):
        oversight.return_report(getattr(loop, who), note, "No.")
    assert note.state == ReportState.submitted


# ---------------------------------------------------------------- officials

def test_a_facilitator_names_an_official_once_and_ends_the_appointment(loop):
    person = make_user(email="enlace.nuevo@example.org")
    data = {"email": " Enlace.Nuevo@example.org ", "position_title": "Directora"}
    loop.commitment.lead_institution = ""
    with pytest.raises(ValidationError) as refused:  # no institution given, and none to default to
        oversight.appoint_official(loop.facilitator, loop.commitment, data)
    assert refused.value.field == "institution"
    loop.commitment.lead_institution = "Secretaría de Comunicaciones y Obras Públicas "

    official = oversight.appoint_official(loop.facilitator, loop.commitment, data)

    assert official.institution == "Secretaría de Comunicaciones y Obras Públicas"
    assert queries.is_official(person, loop.commitment) and notified(person, "appointed")
    with pytest.raises(ValidationError, match="ya es servidora"):  # named twice
        oversight.appoint_official(loop.facilitator, loop.commitment, data)
    oversight.end_official(loop.facilitator, official, "Cambio de área.")
    assert not queries.is_official(person, loop.commitment)
    with pytest.raises(InvalidTransition):
        oversight.end_official(loop.facilitator, official, "Otra vez.")


@pytest.mark.parametrize("email, field", [("nadie@example.org", "email"), ("", "email")])
def test_naming_an_unknown_account_is_refused_on_its_field(loop, email, field):
    with pytest.raises(ValidationError) as refused:
        oversight.appoint_official(loop.facilitator, loop.commitment, {"email": email})
    assert refused.value.field == field


def test_an_organisation_cannot_be_an_official_and_other_facilitators_cannot_name(loop):
    with pytest.raises(ValidationError) as refused:
        oversight.appoint_official(loop.facilitator, loop.commitment, {"email": loop.titular.email})
    assert refused.value.field == "email"
    with pytest.raises(PermissionDenied):
        oversight.appoint_official(loop.other_facilitator, loop.commitment, {"email": loop.citizen.email})


# ---------------------------------------------------------------- verdicts and answers

def test_the_titular_confirms_and_the_suplente_disputes_in_public(loop):
    note = published(loop)

    confirmed = oversight.review_report(loop.titular, note, "confirmed", REASON)
    disputed = oversight.review_report(loop.suplente, note, "disputed", "No vemos el archivo.")

    assert (confirmed.seat, confirmed.seat_holder, confirmed.round) == ("cs_titular", "Ana Medina", 1)
    assert (disputed.seat, disputed.verdict) == ("cs_suplente", Verdict.disputed)
    assert notified(loop.facilitator, "disputed") and notified(loop.official, "confirmed")
    actions = db.session.scalars(sa.select(AuditEntry.action).where(AuditEntry.public.is_(True))).all()
    assert "progress.confirmed" in actions and "progress.disputed" in actions


@pytest.mark.parametrize("who", ["citizen", "organisation", "facilitator", "admin", "official", "former"])
def test_only_current_representatives_give_verdicts(loop, who):
    note = published(loop)
    with pytest.raises(PermissionDenied):
        oversight.review_report(getattr(loop, who), note, "confirmed", REASON)


def test_a_report_not_published_is_not_reviewed_and_bad_input_is_refused(loop):
    note = draft(loop)
    with pytest.raises(InvalidTransition):
        oversight.review_report(loop.titular, note, "confirmed", REASON)
    oversight.publish_report(loop.facilitator, note)
    with pytest.raises(ValidationError) as refused:
        oversight.review_report(loop.titular, note, "maybe", REASON)
    assert refused.value.field == "verdict"
    with pytest.raises(ValidationError) as refused:
        oversight.review_report(loop.titular, note, "disputed", " \n ")
    assert refused.value.field == "reason"
    assert db.session.scalar(sa.select(sa.func.count(ReportReview.id))) == 0


def test_a_verdict_is_given_once_until_something_changes(loop):
    note = published(loop)
    oversight.review_report(loop.titular, note, "disputed", "No coincide.")
    with pytest.raises(InvalidTransition):  # the same dispute again, unanswered
        oversight.review_report(loop.titular, note, "disputed", "No coincide.")
    dispute = queries.latest_review(note, loop.titular)

    oversight.answer_dispute(loop.official, dispute, "El archivo ya está en el portal.")
    again = oversight.review_report(loop.titular, note, "disputed", "Sigue sin estar.")
    settled = oversight.review_report(loop.titular, note, "confirmed", "Ya está.")

    assert (again.round, settled.round) == (2, 3)
    assert queries.latest_review(note, loop.titular).id == settled.id
    with pytest.raises(InvalidTransition):
        oversight.review_report(loop.titular, note, "confirmed", "Ya está.")


def test_a_verdict_sent_twice_at_once_is_recorded_once(loop):
    """Both requests read no earlier verdict; the unique round refuses the second insert and
    nothing else of the unit of work is lost."""
    note = published(loop)
    first = oversight.review_report(loop.titular, note, "confirmed", REASON)
    twin = ReportReview(note_id=note.id, author_id=loop.titular.id, round=first.round, seat="cs_titular",
                        seat_holder="Ana Medina", verdict=Verdict.confirmed, reason=REASON)
    with pytest.raises(sa.exc.IntegrityError), uow.savepoint():
        db.session.add(twin)
        db.session.flush()
    assert db.session.scalar(sa.select(sa.func.count(ReportReview.id))) == 1


def test_a_dispute_is_answered_once_by_an_official_or_a_facilitator(loop):
    note = published(loop)
    dispute = oversight.review_report(loop.suplente, note, "disputed", "No coincide.")
    confirmation = oversight.review_report(loop.titular, note, "confirmed", REASON)
    for who in ("citizen", "titular", "other_facilitator", "former_official"):
        with pytest.raises(PermissionDenied):
            oversight.answer_dispute(getattr(loop, who), dispute, "Respuesta.")
    with pytest.raises(InvalidTransition):  # a confirmation has nothing to answer
        oversight.answer_dispute(loop.official, confirmation, "Gracias.")

    oversight.answer_dispute(loop.official, dispute, "El archivo está en el portal desde el lunes.")

    assert dispute.answered_by_id == loop.official.id and dispute.answered_at is not None
    assert "portal" in dispute.rendered["html"]["answer"]
    assert notified(loop.suplente, "answered")
    with pytest.raises(InvalidTransition):
        oversight.answer_dispute(loop.facilitator, dispute, "Otra respuesta.")


def test_the_personal_data_export_holds_verdicts_answers_and_appointments(loop):
    from app.accounts import services as accounts

    note = published(loop)
    dispute = oversight.review_report(loop.suplente, note, "disputed", "No coincide.")
    oversight.answer_dispute(loop.official, dispute, "Ya está.")

    official = accounts.export_user_data(loop.official)
    suplente = accounts.export_user_data(loop.suplente)

    assert [a["answer"] for a in official["dispute_answers"]] == ["Ya está."]
    assert [a["institution"] for a in official["official_appointments"]] == ["Secretaría de Obras"]
    assert official["progress_notes"][0]["state"] == "published"
    assert [(v["verdict"], v["seat"]) for v in suplente["progress_verdicts"]] == [("disputed", "cs_suplente")]

