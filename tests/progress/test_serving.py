"""Evidence files are served with safe headers, by id only, and only for public commitments."""
import io
from datetime import date
from urllib.parse import quote

import pytest
import sqlalchemy as sa
from werkzeug.datastructures import FileStorage

from app.commitments.models import Commitment, CommitmentState
from app.extensions import db
from app.progress import services
from app.progress.models import Evidence
from tests.conftest import login
from tests.progress import samples
from tests.progress.factories import make_commitment

SANDBOX = "default-src 'none'; sandbox"


def evidence_of(world, name: str, data: bytes, commitment=None) -> Evidence:
    commitment = commitment or make_commitment(world)
    note = services.report_progress(
        world.facilitator, commitment.milestones[0], "in_progress", "Avance.", date(2026, 3, 1), [],
        [FileStorage(stream=io.BytesIO(data), filename=name)],
    )
    return note.evidence[0]


def get(client, evidence_id):
    return client.get(f"/progress/evidence/{evidence_id}")


def assert_safe(response):
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert response.headers["Content-Security-Policy"] == SANDBOX
    disposition = response.headers["Content-Disposition"]
    assert "\n" not in disposition and "\r" not in disposition
    assert "filename*=UTF-8''" in disposition


@pytest.mark.parametrize("name, data, content_type", samples.ACCEPTED,
                         ids=[row[0] for row in samples.ACCEPTED])
def test_every_type_is_served_with_safe_headers(world, client, uploads, name, data, content_type):
    evidence = evidence_of(world, name, data)
    response = get(client, evidence.id)
    assert response.status_code == 200
    assert response.get_data() == data
    assert response.mimetype == content_type
    assert_safe(response)
    disposition = response.headers["Content-Disposition"]
    if content_type.startswith("image/"):
        assert disposition.startswith("inline;")
    else:
        assert disposition.startswith("attachment;")
    assert f"filename*=UTF-8''{quote(name, safe='')}" in disposition


def test_a_pdf_is_downloaded_not_shown(world, client, uploads):
    response = get(client, evidence_of(world, "informe.pdf", samples.pdf()).id)
    assert response.headers["Content-Disposition"].startswith("attachment;")


def test_a_stored_type_off_the_list_is_sent_as_an_opaque_download(world, client, uploads):
    evidence = evidence_of(world, "notas.txt", b"<script>alert(1)</script>")
    db.session.execute(sa.update(Evidence).where(Evidence.id == evidence.id)
                       .values(content_type="text/html"))
    db.session.commit()
    response = get(client, evidence.id)
    assert response.mimetype == "application/octet-stream"
    assert response.headers["Content-Disposition"].startswith("attachment;")
    assert_safe(response)


def test_hostile_names_are_sanitised_in_the_header(world, client, uploads):
    evidence = evidence_of(world, 'acta "final"; x=1 Gómez 🌵.pdf', samples.pdf())
    db.session.execute(sa.update(Evidence).where(Evidence.id == evidence.id)
                       .values(original_name='a"\r\nSet-Cookie: x=1\r\n.pdf'))
    db.session.commit()
    response = get(client, evidence.id)
    assert response.status_code == 200
    assert all("x=1" not in value for key, value in response.headers if key == "Set-Cookie")
    disposition = response.headers["Content-Disposition"]
    assert disposition.count('"') == 2  # only the quotes around the ASCII fallback
    assert_safe(response)


def test_a_non_ascii_name_gets_an_ascii_fallback_and_the_exact_name(world, client, uploads):
    name = "Informe Gómez Palacio — ñandú.csv"
    response = get(client, evidence_of(world, name, b"a,b\n").id)
    disposition = response.headers["Content-Disposition"]
    assert 'filename="Informe Gomez Palacio _ nandu.csv"' in disposition
    assert f"filename*=UTF-8''{quote(name, safe='')}" in disposition


@pytest.mark.parametrize("state", [CommitmentState.draft])
def test_evidence_of_a_draft_is_not_found(world, client, uploads, state):
    evidence = evidence_of(world, "informe.pdf", samples.pdf())
    commitment_id = evidence.note.milestone.commitment_id
    db.session.execute(sa.update(Commitment).where(Commitment.id == commitment_id).values(state=state))
    db.session.commit()
    assert get(client, evidence.id).status_code == 404
    login(client, world.facilitator.email)  # not even for its facilitator: drafts have no evidence
    assert get(client, evidence.id).status_code == 404


def test_evidence_of_a_withdrawn_commitment_stays_public(world, client, uploads):
    evidence = evidence_of(world, "informe.pdf", samples.pdf())
    db.session.execute(sa.update(Commitment).values(state=CommitmentState.withdrawn))
    db.session.commit()
    assert get(client, evidence.id).status_code == 200


def test_a_hidden_commitment_hides_its_evidence(world, client, uploads, monkeypatch):
    """Commitments have no hidden state yet; if one appears (hidden_at), evidence follows it."""
    evidence = evidence_of(world, "informe.pdf", samples.pdf())
    monkeypatch.setattr(Commitment, "hidden_at", property(lambda self: date(2026, 1, 1)), raising=False)
    assert get(client, evidence.id).status_code == 404


def test_unknown_ids_and_link_evidence_are_not_found(world, client, uploads):
    commitment = make_commitment(world)
    note = services.report_progress(world.facilitator, commitment.milestones[0], "in_progress",
                                    "Avance.", date(2026, 3, 1), ["https://example.org/a"], [])
    assert get(client, note.evidence[0].id).status_code == 404
    assert get(client, 999_999).status_code == 404


@pytest.mark.parametrize("stored_name", ["../../../etc/passwd", "/etc/passwd", "..", "",
                                         "0123456789abcdef0123456789abcdeg"])
def test_a_stored_name_that_is_not_ours_is_never_opened(world, client, uploads, stored_name, tmp_path):
    (uploads.parent / "secret.txt").write_text("secreto")
    evidence = evidence_of(world, "informe.pdf", samples.pdf())
    db.session.execute(sa.update(Evidence).where(Evidence.id == evidence.id)
                       .values(stored_name=stored_name or None))
    db.session.commit()
    response = get(client, evidence.id)
    assert response.status_code == 404
    assert b"secreto" not in response.get_data() and b"root:" not in response.get_data()


@pytest.mark.parametrize("path", ["/progress/evidence/..%2F..%2Fsecret.txt", "/progress/evidence/../secret.txt",
                                  "/progress/evidence/1%2F..%2F..%2Fsecret.txt", "/progress/evidence/-1"])
def test_paths_in_the_url_are_not_followed(world, client, uploads, path):
    (uploads.parent / "secret.txt").write_text("secreto")
    evidence_of(world, "informe.pdf", samples.pdf())
    response = client.get(path)
    assert response.status_code == 404
    assert b"secreto" not in response.get_data()


def test_a_file_missing_on_disk_is_not_found(world, client, uploads):
    evidence = evidence_of(world, "informe.pdf", samples.pdf())
    (uploads / evidence.stored_name).unlink()
    assert get(client, evidence.id).status_code == 404
