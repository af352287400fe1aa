"""The repository's pages through the client: the list and its filters, a document's page, the
downloads' headers, and the publishing forms (errors re-shown with what was typed)."""
import hashlib
import io
from datetime import date

import pytest
import sqlalchemy as sa
from markupsafe import escape

from app.documents import services
from app.documents.models import Document
from app.extensions import db
from tests.conftest import login
from tests.documents.conftest import PDF, pdf_file
from tests.factories import HOSTILE, make_plan
from tests.querycount import count_queries

pytestmark = pytest.mark.usefixtures("uploads")


def publish(records, n=1, **changes):
    values = {"kind": "minutes", "committee_id": records.committee.id, "title": f"Acta {n} {HOSTILE}",
              "description": f"Descripción {HOSTILE}", "document_date": date(2026, 3, n % 28 + 1)}
    values.update(changes)
    return services.publish_document(records.admin, changes.pop("plan", records.plan), values,
                                     pdf_file())


def text(response) -> str:
    return response.get_data(as_text=True)


def test_the_list_shows_documents_escaped(records, client):
    publish(records)
    response = client.get("/documents/")
    assert response.status_code == 200
    html = text(response)
    assert "Acta 1 &lt;script&gt;" in html
    assert "<script>alert" not in html and "<img src=x" not in html


def test_filters_by_kind_committee_and_year(records, client):
    publish(records, 1, title="Minuta uno")
    publish(records, 2, kind="report", committee_id=None, title="Informe anual")
    publish(records, 3, kind="agreement", committee_id=records.other_committee.id,
            title="Acuerdo viejo", document_date=date(2025, 5, 1))
    html = text(client.get("/documents/?kind=report"))
    assert "Informe anual" in html and "Minuta uno" not in html
    html = text(client.get(f"/documents/?committee={records.other_committee.slug}"))
    assert "Acuerdo viejo" in html and "Minuta uno" not in html
    html = text(client.get("/documents/?year=2025"))
    assert "Acuerdo viejo" in html and "Informe anual" not in html
    assert client.get("/documents/?kind=<x>&year=abc&committee=nope&page=-4").status_code == 200


def test_the_list_pages_and_its_queries_do_not_grow(records, client):
    publish(records, 1)
    with count_queries() as few:
        assert client.get("/documents/").status_code == 200
    for n in range(2, 26):
        publish(records, n, committee_id=records.other_committee.id if n % 2 else records.committee.id)
    with count_queries() as many:
        response = client.get("/documents/")
    assert len(many) == len(few)
    html = text(response)
    assert "25 documentos" in html and 'rel="next"' in html
    page_two = text(client.get("/documents/?page=2"))
    assert page_two.count('data-document="') == 5


def test_another_plans_documents_by_its_slug(records, client):
    other = make_plan(slug="plan-anterior", current=False)
    services.publish_document(records.admin, other, {
        "kind": "report", "title": "Informe del plan anterior", "document_date": date(2022, 1, 1)},
        pdf_file())
    assert "Informe del plan anterior" not in text(client.get("/documents/"))
    assert "Informe del plan anterior" in text(client.get("/documents/?plan=plan-anterior"))
    assert client.get("/documents/?plan=no-such-plan").status_code == 404


def test_a_document_page_shows_versions_fingerprints_and_publisher(records, client):
    document = publish(records)
    services.add_version(records.admin, document, {"reason": f"Corrección {HOSTILE}"},
                         pdf_file("v2.pdf", PDF + b"%2\n"))
    response = client.get(f"/documents/{document.id}")
    assert response.status_code == 200
    html = text(response)
    assert hashlib.sha256(PDF).hexdigest() in html
    assert hashlib.sha256(PDF + b"%2\n").hexdigest() in html
    assert "Corrección &lt;script&gt;" in html
    assert str(escape(records.admin.name)) in html  # who published it
    assert 'data-version="1"' in html and 'data-version="2"' in html
    assert "<script>alert" not in html
    assert client.get("/documents/999999").status_code == 404


def test_every_version_downloads_with_its_headers(records, client):
    document = publish(records)
    services.add_version(records.admin, document, {"reason": "Nueva"},
                         pdf_file("Acta firmada ñ.pdf", PDF + b"%2\n"))
    first = client.get(f"/documents/{document.id}/versions/1/file")
    assert first.status_code == 200 and first.get_data() == PDF
    assert first.mimetype == "application/pdf"
    assert first.headers["Content-Disposition"].startswith('attachment; filename="acta.pdf"')
    assert first.headers["X-Content-Type-Options"] == "nosniff"
    second = client.get(f"/documents/{document.id}/versions/2/file")
    assert second.get_data() == PDF + b"%2\n"
    assert "filename*=UTF-8''Acta%20firmada%20%C3%B1.pdf" in second.headers["Content-Disposition"]
    assert client.get(f"/documents/{document.id}/versions/3/file").status_code == 404


# ---------------------------------------------------------------- the forms

def form_data(records, **changes) -> dict:
    values = {"kind": "minutes", "committee_id": str(records.committee.id),
              "title": "Acta de la sesión que debe conservarse", "description": "Texto conservado",
              "document_date": "2026-03-01", "file": (io.BytesIO(PDF), "acta.pdf")}
    values.update(changes)
    return values


@pytest.mark.parametrize("who, status", [
    (None, 302), ("citizen", 403), ("organisation", 403), ("facilitator", 200), ("admin", 200)])
def test_who_reaches_the_publishing_form(records, client, who, status):
    if who:
        login(client, getattr(records, who).email)
    assert client.get("/documents/new").status_code == status


def test_a_facilitator_is_offered_only_their_committee_and_kinds(records, client):
    login(client, records.facilitator.email)
    html = text(client.get("/documents/new"))
    assert 'value="minutes"' in html and 'value="agreement"' in html
    assert 'value="declaratoria"' not in html
    assert f'value="{records.other_committee.id}"' not in html
    response = client.submit("/documents/new", form_data(
        records, committee_id=str(records.other_committee.id)), content_type="multipart/form-data")
    assert response.status_code == 403
    assert db.session.scalar(sa.select(sa.func.count(Document.id))) == 0


def test_publishing_through_the_form(records, client):
    login(client, records.admin.email)
    response = client.submit("/documents/new", form_data(records), content_type="multipart/form-data")
    assert response.status_code == 302
    document = db.session.scalar(sa.select(Document))
    assert response.headers["Location"].endswith(f"/documents/{document.id}")
    assert document.current.sha256 == hashlib.sha256(PDF).hexdigest()


@pytest.mark.parametrize("name, content", [
    ("acta.pdf", b"<html>not a pdf</html>"), ("acta.exe", b"MZ"), ("acta.csv", b"a,b\n")])
def test_a_bad_file_is_refused_and_the_typed_fields_kept(records, client, name, content):
    login(client, records.admin.email)
    response = client.submit("/documents/new", form_data(records, file=(io.BytesIO(content), name)),
                             content_type="multipart/form-data")
    assert response.status_code == 400
    html = text(response)
    assert name in html and "error-message" in html
    assert "Acta de la sesión que debe conservarse" in html and "Texto conservado" in html
    assert db.session.scalar(sa.select(sa.func.count(Document.id))) == 0


def test_a_missing_file_is_refused(records, client):
    login(client, records.admin.email)
    data = form_data(records)
    del data["file"]
    response = client.submit("/documents/new", data, content_type="multipart/form-data")
    assert response.status_code == 400
    assert "Elige el archivo del documento" in text(response)


def test_a_new_version_through_the_form_needs_its_reason(records, client):
    document = publish(records)
    login(client, records.facilitator.email)
    url = f"/documents/{document.id}/versions/new"
    response = client.submit(url, {"reason": "", "file": (io.BytesIO(PDF), "v2.pdf")},
                             content_type="multipart/form-data")
    assert response.status_code == 400
    response = client.submit(url, {"reason": "Faltaba una firma", "file": (io.BytesIO(PDF), "v2.pdf")},
                             content_type="multipart/form-data")
    assert response.status_code == 302
    assert [v.number for v in db.session.get(Document, document.id).versions] == [1, 2]


def test_editing_details_is_for_publishers_only(records, client):
    document = publish(records)
    login(client, records.other_facilitator.email)
    assert client.get(f"/documents/{document.id}/edit").status_code == 403
    login(client, records.admin.email)
    response = client.submit(f"/documents/{document.id}/edit", {"title": "Título corregido",
                                                                "description": ""})
    assert response.status_code == 302
    assert db.session.get(Document, document.id).title == "Título corregido"


def test_the_open_data_lists_every_version_with_its_fingerprint(records, client):
    document = publish(records)
    services.add_version(records.admin, document, {"reason": "Firma"}, pdf_file("v2.pdf", PDF + b"%2"))
    rows = client.get("/open-data/documents.json").get_json()
    rows = rows["rows"]
    assert [(r["document_id"], r["version"], r["sha256"]) for r in rows] == [
        (document.id, 1, hashlib.sha256(PDF).hexdigest()),
        (document.id, 2, hashlib.sha256(PDF + b"%2").hexdigest())]
    assert rows[1]["reason"] == "Firma" and rows[0]["committee"] == records.committee.slug
    assert hashlib.sha256(PDF).hexdigest() in client.get("/open-data/documents.csv").get_data(as_text=True)
    assert client.get("/api/v1/documents?kind=report").get_json()["data"] == []
    assert len(client.get("/api/v1/documents?kind=minutes").get_json()["data"]) == 2


def test_a_fresh_installation_answers_without_a_plan(app, client):
    for path in ("/documents/", "/declaratoria", "/news/"):
        assert client.get(path).status_code == 200, path
    assert client.get("/documents/?plan=nothing").status_code == 404


def test_the_footer_and_the_administration_link_the_records(records, client):
    html = text(client.get("/"))
    for link in ('href="/documents/"', 'href="/declaratoria"', 'href="/news/"'):
        assert link in html
    login(client, records.admin.email)
    html = text(client.get("/admin/"))
    assert 'href="/documents/new"' in html and 'href="/news/manage"' in html
