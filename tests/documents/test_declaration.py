"""The Declaratoria as a record: recorded once by the guarantor body with its signed document,
signatories and later adhesions, shown on /declaratoria with the document's SHA-256."""
import hashlib
import io
from datetime import date

import pytest
import sqlalchemy as sa

from app.core.errors import InvalidTransition, PermissionDenied, ValidationError
from app.documents import services
from app.documents.models import Declaration, DocumentKind
from app.extensions import db
from tests.conftest import login
from tests.documents.conftest import PDF, pdf_file
from tests.factories import HOSTILE

pytestmark = pytest.mark.usefixtures("uploads")
SIGNED = date(2026, 2, 10)


def record(records, actor=None):
    return services.record_declaration(actor or records.admin, records.plan,
                                       {"signed_on": SIGNED, "place": f"Durango {HOSTILE}"},
                                       pdf_file("declaratoria.pdf"))


def test_recording_publishes_the_signed_document(records):
    declaration = record(records)
    document = declaration.document
    assert document.kind == DocumentKind.declaratoria
    assert document.document_date == SIGNED
    assert document.current.sha256 == hashlib.sha256(PDF).hexdigest()


def test_only_the_guarantor_body_records_it_and_only_once(records):
    for who in ("facilitator", "citizen", "organisation"):
        with pytest.raises(PermissionDenied):
            record(records, getattr(records, who))
    record(records)
    with pytest.raises(InvalidTransition):
        record(records)


def test_signatories_and_adhesions(records):
    declaration = record(records)
    services.add_signatory(records.admin, declaration, {
        "name": f"Titular {HOSTILE}", "institution": "Órgano Garante", "position": "Comisionada"})
    with pytest.raises(ValidationError) as refused:
        services.add_signatory(records.admin, declaration, {
            "name": "Tarde", "institution": "Municipio", "is_adhesion": True,
            "signed_on": date(2026, 1, 1)})
    assert refused.value.field == "signed_on"
    with pytest.raises(ValidationError):  # a later date is an adhesion, not an original signature
        services.add_signatory(records.admin, declaration, {
            "name": "Tarde", "institution": "Municipio", "signed_on": date(2026, 3, 1)})
    services.add_signatory(records.admin, declaration, {
        "name": "Adherente", "institution": "Municipio", "is_adhesion": True,
        "signed_on": date(2026, 3, 1)})
    with pytest.raises(PermissionDenied):
        services.add_signatory(records.facilitator, declaration, {"name": "x", "institution": "y"})
    found = db.session.get(Declaration, declaration.id)
    assert [(s.name.split(" ")[0], s.is_adhesion, s.signed_on) for s in found.signatories] == [
        ("Titular", False, SIGNED), ("Adherente", True, date(2026, 3, 1))]


def test_the_public_page_lists_signatories_and_the_signed_pdf(records, client):
    assert "aún no está registrada" in client.get("/declaratoria").get_data(as_text=True)
    declaration = record(records)
    services.add_signatory(records.admin, declaration, {
        "name": f"Titular {HOSTILE}", "institution": "Órgano Garante", "position": "Comisionada"})
    services.add_signatory(records.admin, declaration, {
        "name": "Adherente Uno", "institution": "Municipio", "is_adhesion": True,
        "signed_on": date(2026, 3, 1)})
    response = client.get("/declaratoria")
    assert response.status_code == 200
    html = response.get_data(as_text=True)
    assert "Titular &lt;script&gt;" in html and "<script>alert" not in html
    assert "Adherente Uno" in html
    assert hashlib.sha256(PDF).hexdigest() in html
    assert f"/documents/{declaration.document_id}/versions/1/file" in html
    assert "Agregar un firmante" not in html  # the form is the guarantor body's


def test_recording_and_adding_through_the_pages(records, client):
    login(client, records.citizen.email)
    assert client.get("/declaratoria/record").status_code == 403
    login(client, records.admin.email)
    response = client.submit("/declaratoria/record", {
        "signed_on": "2026-02-10", "place": "Lugar conservado", "title": "",
        "file": (io.BytesIO(b"not a pdf"), "declaratoria.pdf")}, content_type="multipart/form-data")
    assert response.status_code == 400
    assert "Lugar conservado" in response.get_data(as_text=True)
    response = client.submit("/declaratoria/record", {
        "signed_on": "2026-02-10", "place": "Durango", "title": "",
        "file": (io.BytesIO(PDF), "declaratoria.pdf")}, content_type="multipart/form-data")
    assert response.status_code == 302
    response = client.submit("/declaratoria/signatories/new", {
        "name": "", "institution": "Institución conservada"})
    assert response.status_code == 400
    assert "Institución conservada" in response.get_data(as_text=True)
    response = client.submit("/declaratoria/signatories/new", {
        "name": "Persona", "institution": "Institución", "position": "Cargo"})
    assert response.status_code == 302
    assert db.session.scalar(sa.select(sa.func.count(Declaration.id))) == 1
    assert "Persona" in client.get("/declaratoria").get_data(as_text=True)


def test_an_original_signatory_shows_no_date_of_its_own_an_adhesion_does(records, client):
    """The original signatories signed on the Declaratoria's date, shown once above them."""
    declaration = record(records)
    for name in ("Primera", "Segunda"):
        services.add_signatory(records.admin, declaration, {"name": name, "institution": "Municipio"})
    services.add_signatory(records.admin, declaration, {
        "name": "Adherente", "institution": "Municipio", "is_adhesion": True,
        "signed_on": date(2026, 3, 1)})

    html = client.get("/declaratoria").get_data(as_text=True)

    assert html.count(f'datetime="{SIGNED.isoformat()}"') == 1
    assert html.count('datetime="2026-03-01"') == 1
