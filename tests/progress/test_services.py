"""Progress notes, evidence files, implementation status and follows, through the services."""
import hashlib
import io
from datetime import date, timedelta
from pathlib import Path

import pytest
import sqlalchemy as sa
from werkzeug.datastructures import FileStorage

from app.commitments.models import (
    Commitment,
    CommitmentState,
    ImplementationStatus,
    Milestone,
    MilestoneStatus,
)
from app.core import clock, storage, uow
from app.core.audit import AuditEntry
from app.core.errors import NotFound, PermissionDenied, ValidationError
from app.extensions import db
from app.follows import services as follows
from app.follows.models import Follow
from app.notifications.models import Notification
from app.progress import queries, services
from app.progress.models import Evidence, ProgressNote
from tests.factories import make_user
from tests.progress import samples
from tests.progress.factories import follow, make_commitment

NOTE = "Se instaló la mesa técnica con la Secretaría de Salud."
DAY = date(2026, 3, 2)


def upload(name: str, data: bytes) -> FileStorage:
    return FileStorage(stream=io.BytesIO(data), filename=name, content_type="application/octet-stream")


def report(world, milestone, status="in_progress", note=NOTE, noted_on=DAY, links=(), files=(),
           actor=None):
    return services.report_progress(actor or world.facilitator, milestone, status, note, noted_on,
                                     list(links), list(files))


def count(model) -> int:
    return db.session.scalar(sa.select(sa.func.count()).select_from(model))


def stored_files(directory) -> list:
    return sorted(p.name for p in directory.iterdir()) if directory.exists() else []


@pytest.fixture
def commitment(world):
    return make_commitment(world, milestones=2)


@pytest.fixture
def milestone(commitment):
    return commitment.milestones[0]


# ---------------------------------------------------------------- notes and milestone status

def test_a_note_is_saved_and_sets_the_milestone_status(world, milestone, uploads):
    note = report(world, milestone, "in_progress")
    db.session.expire_all()
    saved = db.session.get(ProgressNote, note.id)
    assert (saved.status, saved.note, saved.noted_on, saved.author_id) == (
        MilestoneStatus.in_progress, NOTE, DAY, world.facilitator.id
    )
    assert db.session.get(Milestone, milestone.id).status == MilestoneStatus.in_progress
    assert db.session.get(Milestone, milestone.id).completed_on is None


def test_complete_sets_completed_on_keeps_it_and_a_later_status_clears_it(world, milestone, uploads):
    report(world, milestone, "complete", noted_on=date(2026, 4, 10))
    assert db.session.get(Milestone, milestone.id).completed_on == date(2026, 4, 10)
    # More evidence on a milestone already complete does not move its completion date.
    report(world, milestone, "complete", noted_on=date(2026, 4, 20))
    assert db.session.get(Milestone, milestone.id).completed_on == date(2026, 4, 10)
    report(world, milestone, "in_progress", noted_on=date(2026, 4, 21))
    reopened = db.session.get(Milestone, milestone.id)
    assert (reopened.status, reopened.completed_on) == (MilestoneStatus.in_progress, None)


@pytest.mark.parametrize("note", ["", "   \n\t  ", None])
def test_the_note_is_required(world, milestone, uploads, note):
    with pytest.raises(ValidationError) as caught:
        report(world, milestone, note=note)
    assert caught.value.field == "note"
    assert count(ProgressNote) == 0


def test_an_overlong_note_is_refused(world, milestone, uploads):
    with pytest.raises(ValidationError) as caught:
        report(world, milestone, note="a" * (services.NOTE_MAX + 1))
    assert "note" in caught.value.details["errors"]


def test_an_unknown_status_is_refused(world, milestone, uploads):
    with pytest.raises(ValidationError) as caught:
        report(world, milestone, status="done")
    assert caught.value.field == "status"
    assert db.session.get(Milestone, milestone.id).status == MilestoneStatus.not_started


def test_a_future_date_is_refused_but_today_in_durango_is_accepted(world, milestone, uploads):
    today = clock.today()
    with pytest.raises(ValidationError) as caught:
        report(world, milestone, noted_on=today + timedelta(days=1))
    assert caught.value.field == "noted_on"
    assert count(ProgressNote) == 0
    assert report(world, milestone, noted_on=today).noted_on == today


def test_a_missing_date_is_refused(world, milestone, uploads):
    with pytest.raises(ValidationError) as caught:
        report(world, milestone, noted_on=None)
    assert caught.value.field == "noted_on"


def test_all_mistakes_are_reported_at_once(world, milestone, uploads):
    with pytest.raises(ValidationError) as caught:
        report(world, milestone, status="x", note="", noted_on=None, links=["ftp://x.org/a"],
               files=[upload("a.exe", samples.EXE)])
    assert set(caught.value.details["errors"]) == {"status", "note", "noted_on", "links", "files"}


# ---------------------------------------------------------------- links

def test_http_and_https_links_are_kept_once_each(world, milestone, uploads):
    links = ["https://transparencia.durango.gob.mx/informe?id=3", "http://example.org/acta",
             "https://transparencia.durango.gob.mx/informe?id=3"]
    note = report(world, milestone, links=links)
    urls = db.session.scalars(sa.select(Evidence.url).where(Evidence.note_id == note.id)).all()
    assert sorted(urls) == sorted(set(links))


@pytest.mark.parametrize("link", [
    "javascript:alert(1)", "ftp://example.org/a", "www.example.org", "https://", "data:text/html,hi",
    "https://exa mple.org", "//example.org/a", "https://example.org/" + "a" * 1000,
])
def test_links_that_are_not_web_addresses_are_refused(world, milestone, uploads, link):
    with pytest.raises(ValidationError) as caught:
        report(world, milestone, links=["https://example.org/ok", link])
    messages = caught.value.details["errors"]["links"]
    assert len(messages) == 1 and link[:50] in messages[0]
    assert count(Evidence) == 0


def test_more_than_five_links_are_refused(world, milestone, uploads):
    with pytest.raises(ValidationError) as caught:
        report(world, milestone, links=[f"https://example.org/{i}" for i in range(6)])
    assert caught.value.field == "links"


# ---------------------------------------------------------------- files

@pytest.mark.parametrize("name, data, content_type", samples.ACCEPTED,
                         ids=[row[0] for row in samples.ACCEPTED])
def test_each_accepted_type_is_stored_with_its_sha256(world, milestone, uploads, name, data, content_type):
    note = report(world, milestone, files=[upload(name, data)])
    evidence = db.session.scalars(sa.select(Evidence).where(Evidence.note_id == note.id)).one()
    assert evidence.original_name == name
    assert evidence.content_type == content_type
    assert evidence.size_bytes == len(data)
    assert evidence.sha256 == hashlib.sha256(data).hexdigest()
    assert storage.STORED_NAME.match(evidence.stored_name)
    path = uploads / evidence.stored_name
    assert path.read_bytes() == data
    assert hashlib.sha256(path.read_bytes()).hexdigest() == evidence.sha256
    assert stored_files(uploads) == [evidence.stored_name]


def test_five_files_and_links_go_into_one_note(world, milestone, uploads):
    files = [upload(name, data) for name, data, _ in samples.ACCEPTED[:5]]
    note = report(world, milestone, files=files, links=["https://example.org/a"])
    assert count(Evidence) == 6 and len(stored_files(uploads)) == 5
    assert {e.note_id for e in db.session.scalars(sa.select(Evidence))} == {note.id}


@pytest.mark.parametrize("name, data", samples.REFUSED, ids=[row[0] + str(i) for i, row in enumerate(samples.REFUSED)])
def test_wrong_files_are_refused_naming_the_file(world, milestone, uploads, name, data):
    with pytest.raises(ValidationError) as caught:
        report(world, milestone, files=[upload("bueno.pdf", samples.pdf()), upload(name, data)])
    messages = caught.value.details["errors"]["files"]
    assert len(messages) == 1 and f"«{name}»" in messages[0]
    assert caught.value.field == "files"
    assert count(ProgressNote) == 0 and count(Evidence) == 0
    assert stored_files(uploads) == []  # not even the good one


def test_every_refused_file_gets_its_own_message(world, milestone, uploads):
    with pytest.raises(ValidationError) as caught:
        report(world, milestone, files=[upload("uno.exe", samples.EXE),
                                        upload("dos.pdf", samples.HTML),
                                        upload("tres.png", samples.png())])
    messages = caught.value.details["errors"]["files"]
    assert len(messages) == 2
    assert "«uno.exe»" in messages[0] and "«dos.pdf»" in messages[1]


def test_a_file_over_the_configured_size_is_refused(app, world, milestone, uploads):
    app.config["UPLOAD_MAX_BYTES"] = 1000  # restored by the uploads fixture
    big = b"a,b\n" + b"1,2\n" * 300
    with pytest.raises(ValidationError) as caught:
        report(world, milestone, files=[upload("grande.csv", big)])
    assert "«grande.csv»" in caught.value.details["errors"]["files"][0]
    assert stored_files(uploads) == []
    report(world, milestone, files=[upload("pequeno.csv", big[:1000])])
    assert len(stored_files(uploads)) == 1


def test_the_default_size_limit_is_ten_mebibytes(app, uploads):
    assert storage.max_bytes() == 10 * 1024 * 1024


def test_more_than_five_files_are_refused(world, milestone, uploads):
    files = [upload(f"foto{i}.png", samples.png()) for i in range(6)]
    with pytest.raises(ValidationError) as caught:
        report(world, milestone, files=files)
    assert caught.value.field == "files"
    assert stored_files(uploads) == [] and count(ProgressNote) == 0


def test_file_names_are_cleaned_and_never_used_on_disk(world, milestone, uploads):
    name = "../../etc/\u202eevil\x07 informe.pdf"
    note = report(world, milestone, files=[upload(name, samples.pdf())])
    evidence = note.evidence[0]
    assert evidence.original_name == "evil informe.pdf"
    assert stored_files(uploads) == [evidence.stored_name]
    assert not (uploads.parent / "etc").exists()


def test_the_upload_directory_defaults_to_the_instance_folder(app, monkeypatch, tmp_path):
    monkeypatch.setattr(app, "instance_path", str(tmp_path))
    monkeypatch.delitem(app.config, "UPLOAD_DIR", raising=False)
    assert storage.upload_dir() == Path(app.instance_path) / "uploads"
    monkeypatch.setitem(app.config, "UPLOAD_DIR", "evidencias")
    assert storage.upload_dir() == Path(app.instance_path) / "evidencias"
    assert storage.upload_dir().is_dir()


def test_files_are_deleted_when_the_commit_fails(world, milestone, uploads, monkeypatch):
    def failing_commit():
        raise sa.exc.OperationalError("COMMIT", {}, Exception("disk full"))

    monkeypatch.setattr(db.session(), "commit", failing_commit)
    with pytest.raises(sa.exc.OperationalError), uow.unit_of_work():  # the request's one commit
        report(world, milestone, files=[upload("informe.pdf", samples.pdf()),
                                        upload("foto.png", samples.png())])
    monkeypatch.undo()
    uow.rollback()  # what the error handler does after the failed commit
    assert stored_files(uploads) == []
    assert count(ProgressNote) == 0 and count(Evidence) == 0


def test_files_are_deleted_when_anything_after_writing_fails(world, milestone, uploads, monkeypatch):
    def broken_notify(*args, **kwargs):
        raise RuntimeError("mail template missing")

    follow(world.citizen, milestone.commitment)
    monkeypatch.setattr(services, "notify", broken_notify)
    with pytest.raises(RuntimeError), uow.unit_of_work():
        report(world, milestone, files=[upload("informe.pdf", samples.pdf())])
    assert stored_files(uploads) == []
    assert count(ProgressNote) == 0
    assert db.session.get(Milestone, milestone.id).status == MilestoneStatus.not_started


# ---------------------------------------------------------------- audit and followers

def test_followers_are_notified_and_the_act_is_public_in_the_audit_log(world, milestone, uploads):
    commitment = milestone.commitment
    follower, bystander = make_user(), make_user()
    follow(follower, commitment)
    follow(world.facilitator, commitment)  # the actor is never told of their own act
    note = report(world, milestone, files=[upload("informe.pdf", samples.pdf())])
    notes = db.session.scalars(sa.select(Notification)).all()
    assert [(n.user_id, n.kind) for n in notes] == [(follower.id, "commitment_progress")]
    assert notes[0].params == {"title": commitment.title}
    assert notes[0].url == f"/commitments/{commitment.id}"
    entry = db.session.scalars(sa.select(AuditEntry).where(AuditEntry.action == "progress.report")).one()
    assert entry.public and entry.committee_id == commitment.committee_id
    assert (entry.target_type, entry.target_id, entry.actor_id) == ("ProgressNote", note.id, world.facilitator.id)
    assert entry.data["files"] == 1 and entry.data["status"] == "in_progress"
    assert bystander.id not in {n.user_id for n in notes}


def test_an_admin_may_report(world, milestone, uploads):
    report(world, milestone, actor=world.admin)
    assert count(ProgressNote) == 1


@pytest.mark.parametrize("who", ["other_facilitator", "citizen", "organisation"])
def test_only_the_committees_facilitators_report(world, milestone, uploads, who):
    with pytest.raises(PermissionDenied):
        report(world, milestone, actor=getattr(world, who))
    assert count(ProgressNote) == 0


@pytest.mark.parametrize("state", [CommitmentState.draft, CommitmentState.consultation,
                                   CommitmentState.withdrawn])
def test_progress_is_reported_only_on_formal_commitments(world, uploads, state):
    commitment = make_commitment(world, state=state)
    with pytest.raises(PermissionDenied):
        report(world, commitment.milestones[0])
    assert count(ProgressNote) == 0


# ---------------------------------------------------------------- implementation status

def test_the_status_changes_with_a_public_reason_and_followers_are_told(world, commitment):
    follow(world.citizen, commitment)
    assert services.set_implementation_status(world.facilitator, commitment, "substantial",
                                              "Tres de cinco hitos cumplidos.")
    db.session.expire_all()
    assert db.session.get(Commitment, commitment.id).implementation_status == ImplementationStatus.substantial
    entry = db.session.scalars(sa.select(AuditEntry).where(AuditEntry.action == "progress.set_status")).one()
    assert entry.public and entry.reason == "Tres de cinco hitos cumplidos."
    assert entry.committee_id == commitment.committee_id
    assert entry.data == {"status": "substantial", "previous_status": "not_started"}
    notification = db.session.scalars(sa.select(Notification)).one()
    assert (notification.user_id, notification.kind) == (world.citizen.id, "commitment_status")
    assert notification.params == {"title": commitment.title, "status": "substantial"}


def test_setting_the_same_status_twice_records_one_change(world, commitment):
    follow(world.citizen, commitment)
    assert services.set_implementation_status(world.facilitator, commitment, "limited", "Motivo.")
    assert not services.set_implementation_status(world.facilitator, commitment, "limited", "Motivo.")
    assert count(AuditEntry) == 1 and count(Notification) == 1


@pytest.mark.parametrize("status, note, field", [
    ("limited", "  ", "note"), ("withdrawn", "Motivo.", "status"), ("", "Motivo.", "status"),
])
def test_the_status_needs_a_value_of_the_scale_and_a_reason(world, commitment, status, note, field):
    with pytest.raises(ValidationError) as caught:
        services.set_implementation_status(world.facilitator, commitment, status, note)
    assert caught.value.field == field
    assert db.session.get(Commitment, commitment.id).implementation_status == ImplementationStatus.not_started


@pytest.mark.parametrize("who", ["other_facilitator", "citizen"])
def test_only_the_committees_facilitators_set_the_status(world, commitment, who):
    with pytest.raises(PermissionDenied):
        services.set_implementation_status(getattr(world, who), commitment, "limited", "Motivo.")
    assert count(AuditEntry) == 0


# ---------------------------------------------------------------- follows

def test_following_twice_keeps_one_row_and_unfollowing_twice_is_harmless(world, commitment):
    assert follows.follow(world.citizen, "commitment", commitment.id) is True
    assert follows.follow(world.citizen, "commitment", commitment.id) is False
    assert count(Follow) == 1
    assert follows.unfollow(world.citizen, "commitment", commitment.id) is True
    assert follows.unfollow(world.citizen, "commitment", commitment.id) is False
    assert count(Follow) == 0


def test_an_unconfirmed_account_cannot_follow(world, commitment):
    with pytest.raises(PermissionDenied):
        follows.follow(make_user(confirmed=False), "commitment", commitment.id)
    assert count(Follow) == 0


def test_a_draft_cannot_be_followed(world):
    draft = make_commitment(world, state=CommitmentState.draft)
    with pytest.raises(NotFound):
        follows.follow(world.citizen, "commitment", draft.id)


def test_a_commitment_in_consultation_can_be_followed(world):
    commitment = make_commitment(world, state=CommitmentState.consultation)
    assert follows.follow(world.citizen, "commitment", commitment.id)
    assert [u.id for u in queries.followers_of(commitment)] == [world.citizen.id]
