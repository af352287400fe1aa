"""Images and PDFs of proposals: checked by content, images resized and stripped of metadata,
described, kept across the preview, served safely, hidden with their proposal, exported and
deleted with the account."""
import io
import re
import secrets
import struct
import zlib

import pytest
import sqlalchemy as sa
from PIL import Image

from app.accounts import services as accounts
from app.accounts.lifecycle import exported_sections
from app.core import storage
from app.core.db import utcnow
from app.extensions import db
from app.proposals.models import Proposal, ProposalAttachment
from tests.conftest import login_as
from tests.factories import PASSWORD, make_user
from tests.proposals.factories import World

GPS = 0x8825


@pytest.fixture(scope="module")
def world(module_worlds):
    return module_worlds.share(World)


def text(response) -> str:
    return response.get_data(as_text=True)


# ---------------------------------------------------------------- sample files

def jpeg_with_gps(size=(3000, 2000)) -> bytes:
    image = Image.new("RGB", size, (200, 120, 40))
    exif = Image.Exif()
    exif[0x010F] = "CamaraSecreta"  # Make
    exif[GPS] = {1: "N", 2: (24.0, 1.0, 30.0), 3: "W", 4: (104.0, 39.0, 50.0)}
    out = io.BytesIO()
    image.save(out, "JPEG", exif=exif)
    data = out.getvalue()
    assert Image.open(io.BytesIO(data)).getexif().get_ifd(GPS), "the sample carries a position"
    return data


def png_claiming(width: int, height: int) -> bytes:
    """A tiny PNG whose header claims a huge image: a decompression bomb's shape."""
    def chunk(tag, data):
        return struct.pack(">I", len(data)) + tag + data + struct.pack(">I", zlib.crc32(tag + data))

    header = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    return (b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header)
            + chunk(b"IDAT", zlib.compress(b"\x00" * 64)) + chunk(b"IEND", b""))


PDF = (b"%PDF-1.4\n1 0 obj << /Type /Catalog /Pages 2 0 R >> endobj\n"
       b"2 0 obj << /Type /Pages /Kids [] /Count 0 >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n")


# ---------------------------------------------------------------- helpers

def form(world, **changes) -> dict:
    data = {"title": "Basura acumulada junto al mercado", "body": "Se acumula desde marzo.",
            "committee_id": str(world.committee.id), "theme_id": str(world.theme.id),
            "place": "", "municipality": "", "token": secrets.token_urlsafe(24)}
    data.update(changes)
    return data


def send(client, data, step="preview", **files):
    """The form sent with files: file_1=("name", bytes, "alt text")."""
    payload = {**data, "step": step}
    for slot, (name, content, alt) in files.items():
        n = slot.split("_")[1]
        payload[f"file-{n}"] = (io.BytesIO(content), name)
        payload[f"file-{n}-alt"] = alt
    return client.submit("/proposals/new", payload, page="/proposals/new",
                         content_type="multipart/form-data")


def rows() -> list[ProposalAttachment]:
    return list(db.session.scalars(sa.select(ProposalAttachment).order_by(ProposalAttachment.id)))


def stored(attachment, thumbnail=False) -> bytes:
    name = attachment.thumb_stored_name if thumbnail else attachment.stored_name
    return storage.path_of(name).read_bytes()


def publish_with(client, world, **files) -> Proposal:
    data = form(world)
    preview = send(client, data, **files)
    assert preview.status_code == 200, text(preview)
    ids = re.findall(r'name="attachment_ids" value="(\d+)"', text(preview))
    payload = {**data, "step": "publish", "attachment_ids": ids}
    for a in rows():
        if a.alt_text:
            payload[f"alt-{a.id}"] = a.alt_text
    response = client.submit("/proposals/new", payload, page="/proposals/new")
    assert response.status_code == 302, text(response)
    return db.session.scalar(sa.select(Proposal).where(Proposal.submission_token == data["token"]))


# ---------------------------------------------------------------- images

def test_an_image_is_resized_and_loses_its_exif_and_position(world, client, uploads):
    login_as(client, world.author)
    response = send(client, form(world), file_1=("foto.jpg", jpeg_with_gps(), "Basura junto al puesto"))
    assert response.status_code == 200, text(response)
    [attachment] = rows()
    assert attachment.proposal_id is None and attachment.owner_id == world.author.id
    assert (attachment.width, attachment.height) == (1600, 1067)
    data = stored(attachment)
    image = Image.open(io.BytesIO(data))
    assert image.size == (1600, 1067) and image.format == "JPEG"
    assert not image.getexif() and b"Exif" not in data and b"CamaraSecreta" not in data
    assert max(Image.open(io.BytesIO(stored(attachment, thumbnail=True))).size) <= 480
    assert attachment.size_bytes == len(data)


def test_an_image_without_its_description_is_kept_and_the_description_asked_for(world, client, uploads):
    login_as(client, world.author)
    data = form(world)
    response = send(client, data, file_1=("foto.png", jpeg_with_gps((40, 30)), ""))
    page = text(response)
    # The file is a JPEG named .png: refused by its content.
    assert response.status_code == 400 and "su contenido no es un archivo PNG" in page
    assert rows() == []

    response = send(client, data, file_1=("foto.jpg", jpeg_with_gps((40, 30)), ""))
    page = text(response)
    assert response.status_code == 400
    assert "Describe la imagen «foto.jpg» en pocas palabras" in page
    assert "Basura acumulada junto al mercado" in page  # what was typed is kept
    [pending] = rows()
    assert f'name="attachment_ids" value="{pending.id}"' in page  # kept: not chosen again

    # The description given on the re-shown form: the preview shows the image with it.
    again = client.submit("/proposals/new", {**data, "step": "preview",
                                             "attachment_ids": str(pending.id),
                                             f"alt-{pending.id}": "Bolsas de basura en la banqueta"},
                          page="/proposals/new")
    assert again.status_code == 200
    assert 'alt="Bolsas de basura en la banqueta"' in text(again)
    assert len(rows()) == 1


def test_publishing_refuses_an_image_without_description(world, client, uploads):
    login_as(client, world.author)
    data = form(world)
    send(client, data, file_1=("foto.jpg", jpeg_with_gps((40, 30)), ""))
    [pending] = rows()
    response = client.submit("/proposals/new", {**data, "step": "publish",
                                                "attachment_ids": str(pending.id)},
                             page="/proposals/new")
    assert response.status_code == 400 and "Describe la imagen «foto.jpg»" in text(response)
    assert db.session.scalar(sa.select(sa.func.count(Proposal.id))) == 0


@pytest.mark.parametrize("name, content, message", [
    ("foto.jpg", b"esto no es una imagen, es texto", "su contenido no es un archivo JPEG"),
    ("informe.pdf", b"<html><script>alert(1)</script></html>", "su contenido no es un archivo PDF"),
    ("informe.pdf", b"%PDF-1.4\n<html><script>alert(1)</script></html>", "contiene una página web"),
    ("bomba.png", png_claiming(30_000, 30_000), "tiene demasiados píxeles"),
    ("grande.png", png_claiming(8_000, 6_000), "tiene demasiados píxeles"),
    ("programa.exe", b"MZ\x90\x00", "adjunta imágenes (JPEG, PNG o WebP) o documentos PDF"),
    ("animacion.gif", b"GIF89a\x01\x00\x01\x00", "adjunta imágenes (JPEG, PNG o WebP)"),
])
def test_files_that_are_not_what_they_claim_are_refused_clearly(world, client, uploads, name,
                                                                  content, message):
    login_as(client, world.author)
    response = send(client, form(world), file_1=(name, content, "Una descripción"))
    assert response.status_code == 400
    assert message in text(response)
    assert "Basura acumulada junto al mercado" in text(response)
    assert rows() == []


def test_at_most_the_configured_number_of_files(world, client, uploads, app):
    app.config["PROPOSAL_MAX_ATTACHMENTS"] = 2
    try:
        login_as(client, world.author)
        response = send(client, form(world), file_1=("a.pdf", PDF, ""), file_2=("b.pdf", PDF, ""),
                        file_3=("c.pdf", PDF, ""))
        assert response.status_code == 400
        assert "como máximo 2 archivos" in text(response)
        assert rows() == []
    finally:
        app.config.pop("PROPOSAL_MAX_ATTACHMENTS")


# ---------------------------------------------------------------- published

def test_a_pdf_and_an_image_are_published_and_shown_and_served_safely(world, client, uploads):
    login_as(client, world.author)
    proposal = publish_with(client, world, file_1=("Informe técnico.pdf", PDF, ""),
                            file_2=("foto.jpg", jpeg_with_gps((800, 600)), "Contenedor desbordado"))
    image, document = sorted(rows(), key=lambda a: a.kind.value)
    assert {image.proposal_id, document.proposal_id} == {proposal.id}

    page = text(client.get(f"/proposals/{proposal.reference}"))
    assert 'alt="Contenedor desbordado"' in page
    assert f'href="/proposals/attachments/{document.id}"' in page and "Informe técnico.pdf" in page
    assert "(PDF, " in page

    served = client.get(f"/proposals/attachments/{document.id}")
    assert served.status_code == 200 and served.mimetype == "application/pdf"
    assert served.headers["X-Content-Type-Options"] == "nosniff"
    assert served.headers["Content-Disposition"].startswith("attachment;")
    assert "sandbox" in served.headers["Content-Security-Policy"]
    assert served.data == PDF
    assert client.get(f"/proposals/attachments/{image.id}/thumbnail").mimetype == "image/jpeg"


def test_pending_files_are_their_uploaders_alone(world, client, other_client, uploads):
    login_as(client, world.author)
    send(client, form(world), file_1=("a.pdf", PDF, ""))
    [pending] = rows()
    assert client.get(f"/proposals/attachments/{pending.id}").status_code == 200
    login_as(other_client, world.citizen)
    assert other_client.get(f"/proposals/attachments/{pending.id}").status_code == 404
    # Nor can another person publish someone's pending file with their proposal.
    data = form(world)
    response = other_client.submit("/proposals/new", {**data, "step": "publish",
                                                      "attachment_ids": str(pending.id)},
                                   page="/proposals/new")
    assert response.status_code == 302
    db.session.refresh(pending)
    assert pending.proposal_id is None


def test_attachments_are_hidden_with_their_proposal(world, client, uploads):
    login_as(client, world.author)
    proposal = publish_with(client, world, file_1=("foto.jpg", jpeg_with_gps((64, 48)), "Basura"))
    [image] = rows()
    proposal.hidden_at, proposal.hidden_reason = utcnow(), "Datos personales"
    db.session.commit()
    page = text(client.get(f"/proposals/{proposal.reference}"))
    assert f"/proposals/attachments/{image.id}" not in page and 'alt="Basura"' not in page
    assert client.get(f"/proposals/attachments/{image.id}").status_code == 404
    assert client.get(f"/proposals/attachments/{image.id}/thumbnail").status_code == 404


def test_the_author_removes_a_file_while_editing_is_allowed(world, client, other_client, uploads):
    login_as(client, world.author)
    proposal = publish_with(client, world, file_1=("a.pdf", PDF, ""))
    [document] = rows()
    url = f"/proposals/{proposal.reference}/attachments/{document.id}/remove"
    assert f'action="{url}"' in text(client.get(f"/proposals/{proposal.reference}"))

    login_as(other_client, world.citizen)
    assert other_client.submit(url, {}, page=f"/proposals/{proposal.reference}").status_code == 403
    assert len(rows()) == 1

    response = client.submit(url, {}, page=f"/proposals/{proposal.reference}")
    assert response.status_code == 302
    assert rows() == []
    assert storage.path_of(document.stored_name) is None  # the file went with its row


def test_attachments_are_in_the_export_and_go_with_the_account(world, client, uploads):
    person = make_user()
    login_as(client, person)
    proposal = publish_with(client, world, file_1=("a.pdf", PDF, ""))
    export = exported_sections(person.id)["proposal_attachments"]
    assert [(e["proposal"], e["name"], e["kind"]) for e in export] == [(proposal.reference, "a.pdf", "pdf")]

    accounts.delete_account(person, PASSWORD)
    db.session.commit()
    assert rows() == []
    assert db.session.get(Proposal, proposal.id) is not None  # the proposal's text stays


def test_the_proposal_page_sends_as_many_statements_for_four_files_as_for_one(world, client, uploads):
    from tests.querycount import count_queries

    login_as(client, world.author)
    proposal = publish_with(client, world, file_1=("a.pdf", PDF, ""))
    with count_queries() as one:
        assert client.get(f"/proposals/{proposal.reference}").status_code == 200
    for name in ("b.pdf", "c.pdf", "d.pdf"):
        url = f"/proposals/{proposal.reference}/edit"
        response = client.submit(url, {"title": proposal.title, "body": proposal.body,
                                       "theme_id": str(world.theme.id), "place": "",
                                       "step": "publish", "file-1": (io.BytesIO(PDF), name)},
                                 page=url, content_type="multipart/form-data")
        assert response.status_code == 302, text(response)
    assert len(rows()) == 4 and {a.proposal_id for a in rows()} == {proposal.id}
    with count_queries() as four:
        page = text(client.get(f"/proposals/{proposal.reference}"))
    assert page.count('class="attachment-documents"') == 1 and "d.pdf" in page
    assert len(four) <= len(one)
