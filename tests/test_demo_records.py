"""The demo's official records and news (app/demo/records.py): the archived Third Plan's
Declaratoria of 15 Dec 2020 with its signatories, its repository of documents (the call's text,
the installation records, the minutes of a dialogue table in two versions), and the current
plan's call text and announcements, told through the services at their moments."""
import hashlib
import re
from datetime import date

import pytest
import sqlalchemy as sa

from app.announcements.models import Announcement
from app.core import storage
from app.demo import records
from app.demo.pdf import PAGE_LINES, one_page_pdf
from app.documents.models import Declaration, Document, DocumentKind, DocumentVersion
from app.extensions import db
from app.plans.models import ActionPlan


def plan(slug: str) -> ActionPlan:
    return db.session.scalar(sa.select(ActionPlan).where(ActionPlan.slug == slug))


def documents(slug: str) -> list[Document]:
    return list(db.session.scalars(sa.select(Document).where(Document.plan_id == plan(slug).id)
                                   .order_by(Document.id)))


def stored(version: DocumentVersion) -> bytes:
    return storage.path_of(version.stored_name).read_bytes()


def test_the_archived_declaratoria_lists_its_signatories_on_the_seed_date(demo, client):
    declaration = db.session.scalar(sa.select(Declaration).where(
        Declaration.plan_id == plan("durango-3").id))
    html = client.get("/declaratoria?plan=durango-3").get_data(as_text=True)

    assert declaration.signed_on == date(2020, 12, 15)
    assert declaration.recorded_at.date() == date(2020, 12, 15)  # recorded at its moment
    assert [(s.name, s.institution) for s in declaration.signatories] == [
        (s["name"], s["institution"]) for s in records.signatories()]
    assert {s.signed_on for s in declaration.signatories} == {date(2020, 12, 15)}
    assert not any(s.is_adhesion for s in declaration.signatories)  # the seed names none
    assert "15 de diciembre de 2020" in html and "Aún no hay adhesiones" in html
    for name in ("José Rosas Aispuro Torres", "Jorge Alejandro Salum del Palacio",
                 "Alma Marina Vitela Rodríguez", "Eder Raúl Gutiérrez Díaz", "Titular del INAI",
                 "Titular del IDAIP"):
        assert name in html
    signed = declaration.document.current
    assert signed.sha256 in html and stored(signed).startswith(b"%PDF-1.4")


def test_the_archived_plans_page_leads_to_its_declaratoria_and_documents(demo, client):
    html = client.get("/plans/durango-3/").get_data(as_text=True)

    assert 'href="/declaratoria?plan=durango-3"' in html and 'href="/documents/?plan=durango-3"' in html
    assert "Firmada el" in html and "15 de diciembre de 2020" in html
    assert "7 documentos" in html


def test_the_repository_lists_the_documents_with_sha256_matching_the_stored_files(demo, client):
    archived = documents("durango-3")
    html = client.get("/documents/?plan=durango-3").get_data(as_text=True)

    assert sorted(d.kind for d in archived) == sorted(
        [DocumentKind.call_text, DocumentKind.declaratoria, DocumentKind.minutes]
        + [DocumentKind.installation_record] * 4)
    assert 'data-total="7"' in html
    dates = {d.kind: d.document_date for d in archived}
    assert dates[DocumentKind.call_text] == date(2020, 10, 28)
    assert dates[DocumentKind.installation_record] == date(2021, 2, 26)
    assert all(f'href="/documents/{d.id}"' in html for d in archived)
    for document in archived + documents("durango-4-demo"):
        assert document.published_at.date() >= document.document_date  # published at its moment
        page = client.get(f"/documents/{document.id}").get_data(as_text=True)
        for version in document.versions:
            assert hashlib.sha256(stored(version)).hexdigest() == version.sha256
            assert version.sha256 in page
            download = client.get(f"/documents/{document.id}/versions/{version.number}/file")
            assert download.status_code == 200 and download.data == stored(version)
    installations = [d for d in archived if d.kind == DocumentKind.installation_record]
    assert len({d.committee_id for d in installations}) == 4


def test_the_second_version_of_the_minutes_shows_its_reason(demo, client):
    minutes = next(d for d in documents("durango-3") if d.kind == DocumentKind.minutes)
    page = client.get(f"/documents/{minutes.id}").get_data(as_text=True)

    assert [v.number for v in minutes.versions] == [1, 2]
    assert minutes.versions[1].reason == records.CORRECTION and records.CORRECTION in page
    assert minutes.versions[1].created_at > minutes.versions[0].created_at
    assert b"Lista de asistencia" in stored(minutes.versions[1])
    assert b"Lista de asistencia" not in stored(minutes.versions[0])


def test_the_home_page_shows_the_current_plans_announcements_linking_to_open_pages(demo, client):
    announcements = db.session.scalars(sa.select(Announcement).where(
        Announcement.plan_id == plan("durango-4-demo").id).order_by(Announcement.published_at)).all()
    html = client.get("/").get_data(as_text=True)

    assert len(announcements) == 3 and all(a.is_published for a in announcements)
    for announcement in announcements:
        assert announcement.title in html
        links = re.findall(r"\]\((/[^)]+)\)", announcement.body)
        assert len(links) == 1 and client.get(links[0]).status_code == 200
    assert [re.match(r"/(\w+)/", re.findall(r"\]\((/[^)]+)\)", a.body)[0]).group(1)
            for a in announcements] == ["consultations", "calls", "elections"]
    assert not db.session.scalar(sa.select(sa.exists().where(
        Announcement.plan_id == plan("durango-3").id)))
    current = documents("durango-4-demo")
    assert [d.kind for d in current] == [DocumentKind.call_text]


def test_a_demo_pdf_is_one_valid_page_with_its_accents():
    data = one_page_pdf(["Declaratoria conjunta: Gómez Palacio (Dgo.) \\ año", "x " * 200])

    assert data.startswith(b"%PDF-1.4") and data.rstrip().endswith(b"%%EOF")
    xref = int(data.rsplit(b"startxref\n", 1)[1].split(b"\n")[0])
    assert data[xref:].startswith(b"xref")
    offsets = [int(line[:10]) for line in data[xref:].split(b"\n")[3:8]]
    assert [data[o:].split(b"\n")[0] for o in offsets] == [b"%d 0 obj" % n for n in range(1, 6)]
    assert "Gómez".encode("cp1252") in data and b"\\(Dgo.\\) \\\\ a" in data
    with pytest.raises(ValueError):
        one_page_pdf(["línea"] * (PAGE_LINES + 1))
