"""The repository's acts: who may publish, the file's fingerprint, versions with their reason, and
files that are refused."""
import hashlib
from datetime import date, timedelta

import pytest
import sqlalchemy as sa

from app.core import clock
from app.core.audit import AuditEntry
from app.core.errors import PermissionDenied, ValidationError
from app.documents import services
from app.documents.models import Document, DocumentVersion
from app.extensions import db
from tests.documents.conftest import PDF, pdf_file
from tests.factories import HOSTILE

pytestmark = pytest.mark.usefixtures("uploads")


def data(**changes) -> dict:
    values = {"kind": "minutes", "committee_id": None, "title": f"Acta {HOSTILE}",
              "description": "Primera sesión.", "document_date": date(2026, 3, 1)}
    values.update(changes)
    return values


def publish(actor, plan, **changes):
    return services.publish_document(actor, plan, data(**changes), pdf_file())


def test_publishing_stores_the_file_with_its_sha256(records, uploads):
    document = publish(records.admin, records.plan, kind="installation_record")
    version = document.current
    assert (version.number, version.reason) == (1, None)
    assert version.sha256 == hashlib.sha256(PDF).hexdigest()
    assert version.size_bytes == len(PDF)
    assert version.content_type == "application/pdf"
    assert version.original_name == "acta.pdf"
    assert (uploads / version.stored_name).read_bytes() == PDF
    assert document.published_by_id == records.admin.id
    entry = db.session.scalar(sa.select(AuditEntry).where(AuditEntry.action == "documents.publish"))
    assert entry.public and entry.data["sha256"] == version.sha256


@pytest.mark.parametrize("who, kind, own_committee, allowed", [
    ("admin", "declaratoria", False, True),
    ("admin", "report", True, True),
    ("facilitator", "minutes", True, True),
    ("facilitator", "agreement", True, True),
    ("facilitator", "minutes", False, False),  # another committee's minutes
    ("facilitator", "report", True, False),  # not a kind facilitators publish
    ("other_facilitator", "minutes", True, False),
    ("citizen", "minutes", True, False),
    ("organisation", "minutes", True, False),
    ("unconfirmed_admin", "minutes", True, False),
])
def test_who_may_publish(records, who, kind, own_committee, allowed):
    committee = records.committee if own_committee else records.other_committee
    actor = getattr(records, who)
    if allowed:
        assert publish(actor, records.plan, kind=kind, committee_id=committee.id).id
    else:
        with pytest.raises(PermissionDenied):
            publish(actor, records.plan, kind=kind, committee_id=committee.id)
        db.session.rollback()
        assert db.session.scalar(sa.select(sa.func.count(Document.id))) == 0


def test_a_facilitator_needs_a_committee(records):
    with pytest.raises(PermissionDenied):
        publish(records.facilitator, records.plan, kind="minutes", committee_id=None)


def test_a_committee_of_another_plan_is_refused(records):
    from tests.factories import make_committee

    elsewhere = make_committee()
    with pytest.raises(ValidationError) as refused:
        publish(records.admin, records.plan, committee_id=elsewhere.id)
    assert refused.value.field == "committee_id"


@pytest.mark.parametrize("name, content, field", [
    ("acta.pdf", b"<html><script>alert(1)</script></html>", "file"),  # not what its name says
    ("programa.exe", b"MZ\x90\x00", "file"),
    ("datos.csv", b"a,b\n1,2\n", "file"),  # data, not a record
    ("vacio.pdf", b"", "file"),
])
def test_bad_files_are_refused_with_a_reason(records, uploads, name, content, field):
    with pytest.raises(ValidationError) as refused:
        services.publish_document(records.admin, records.plan, data(), pdf_file(name, content))
    assert refused.value.field == field or field in refused.value.details["errors"]
    assert name in refused.value.details["errors"]["file"][0]
    assert not uploads.exists() or not any(uploads.iterdir())


def test_a_file_over_the_limit_is_refused(app, records):
    app.config["UPLOAD_MAX_BYTES"] = 100
    with pytest.raises(ValidationError) as refused:
        publish(records.admin, records.plan)
    assert "acta.pdf" in refused.value.details["errors"]["file"][0]


def test_every_mistake_is_named_at_once(records):
    with pytest.raises(ValidationError) as refused:
        services.publish_document(records.admin, records.plan,
                                  data(kind="nope", title=" ", document_date=None), None)
    assert set(refused.value.details["errors"]) == {"kind", "title", "document_date", "file"}


def test_a_document_cannot_be_dated_in_the_future(records):
    with pytest.raises(ValidationError) as refused:
        publish(records.admin, records.plan, document_date=clock.today() + timedelta(days=1))
    assert refused.value.field == "document_date"


def test_a_new_version_needs_a_reason_and_keeps_the_old_file(records, uploads):
    document = publish(records.admin, records.plan)
    first = document.current
    with pytest.raises(ValidationError) as refused:
        services.add_version(records.admin, document, {"reason": "  "}, pdf_file("v2.pdf"))
    assert refused.value.field == "reason"  # refused before anything was written

    second_bytes = PDF + b"% corrected\n"
    version = services.add_version(records.admin, document, {"reason": "Firma faltante."},
                                   pdf_file("v2.pdf", second_bytes))
    assert (version.number, version.reason) == (2, "Firma faltante.")
    assert version.sha256 == hashlib.sha256(second_bytes).hexdigest()
    assert document.current.id == version.id
    # The first version and its file are untouched.
    assert (uploads / first.stored_name).read_bytes() == PDF
    assert db.session.get(DocumentVersion, first.id).sha256 == hashlib.sha256(PDF).hexdigest()


def test_a_version_is_never_changed_in_place(records):
    version = publish(records.admin, records.plan).current
    version.sha256 = "0" * 64
    with pytest.raises(RuntimeError):
        db.session.flush()


def test_a_facilitator_may_not_replace_another_committees_document(records):
    document = publish(records.admin, records.plan, committee_id=records.other_committee.id)
    with pytest.raises(PermissionDenied):
        services.add_version(records.facilitator, document, {"reason": "x"}, pdf_file())
    own = publish(records.facilitator, records.plan, committee_id=records.committee.id)
    assert services.add_version(records.facilitator, own, {"reason": "x"}, pdf_file()).number == 2


def test_details_are_corrected_and_audited(records):
    document = publish(records.admin, records.plan, title="Acta de instalacoin")
    assert services.update_document_details(records.admin, document,
                                            {"title": "Acta de instalación", "description": ""})
    assert document.title == "Acta de instalación"
    entry = db.session.scalar(sa.select(AuditEntry)
                              .where(AuditEntry.action == "documents.edit_details"))
    assert entry.data["previous_title"] == "Acta de instalacoin"
    assert not services.update_document_details(records.admin, document,
                                                {"title": "Acta de instalación", "description": ""})
    with pytest.raises(PermissionDenied):
        services.update_document_details(records.citizen, document, {"title": "x"})
