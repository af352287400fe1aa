"""Pages of implementation through the client: the report form, the status form, following and
the progress panel."""
import io
import re
from datetime import date, timedelta

import pytest
import sqlalchemy as sa

from app.commitments.models import (
    Commitment,
    CommitmentState,
    ImplementationStatus,
    MilestoneStatus,
)
from app.core import clock
from app.core.audit import AuditEntry
from app.extensions import db
from app.follows.models import Follow
from app.progress import services
from app.progress.models import Evidence, ProgressNote
from tests.conftest import login
from tests.factories import make_user
from tests.progress import samples
from tests.progress.factories import add_milestone, add_note, follow, make_commitment

NOTE = "Avance que debe conservarse: se instaló la mesa técnica 12345."
LINKS = "https://transparencia.durango.gob.mx/acta-1\nhttps://example.org/foto"


@pytest.fixture
def commitment(world):
    return make_commitment(world, milestones=2)


def report_url(commitment) -> str:
    return f"/progress/milestone/{commitment.milestones[0].id}/report"


def report_data(**changes) -> dict:
    data = {"status": "in_progress", "noted_on": date(2026, 3, 1).isoformat(), "note": NOTE,
            "links": LINKS, "files": [(io.BytesIO(samples.pdf()), "informe.pdf")]}
    data.update(changes)
    return data


def send_report(client, commitment, **changes):
    return client.submit(report_url(commitment), report_data(**changes),
                         content_type="multipart/form-data")


def count(model) -> int:
    return db.session.scalar(sa.select(sa.func.count()).select_from(model))


# ---------------------------------------------------------------- the report form

def test_the_report_form_takes_files_links_and_a_date(world, client, commitment):
    login(client, world.facilitator.email)
    response = client.get(report_url(commitment))
    html = response.get_data(as_text=True)
    assert response.status_code == 200
    assert 'enctype="multipart/form-data"' in html
    file_input = re.search(r"<input[^>]*type=\"file\"[^>]*>", html).group(0)
    assert "multiple" in file_input and 'name="files"' in file_input
    accept = re.search(r'accept="([^"]+)"', file_input).group(1)
    for ext in (".pdf", ".png", ".jpg", ".webp", ".gif", ".csv", ".txt", ".odt", ".docx", ".xls"):
        assert ext in accept.split(",")
    assert f'type="date" value="{clock.today().isoformat()}"' in html
    assert re.search(r'<textarea[^>]*name="links"', html)


def test_a_report_is_published_and_leads_back_to_the_milestone(world, client, commitment, uploads):
    login(client, world.facilitator.email)
    response = send_report(client, commitment)
    milestone = commitment.milestones[0]
    assert response.status_code == 302
    assert response.headers["Location"].endswith(f"/commitments/{commitment.id}#progress-milestone-{milestone.id}")
    note = db.session.scalars(sa.select(ProgressNote)).one()
    assert note.note == NOTE and note.status == MilestoneStatus.in_progress
    assert sorted(e.url or e.original_name for e in note.evidence) == sorted(
        LINKS.splitlines() + ["informe.pdf"]
    )
    assert len(list(uploads.iterdir())) == 1


def test_a_refused_file_is_named_and_the_note_is_kept(world, client, commitment, uploads):
    login(client, world.facilitator.email)
    response = send_report(client, commitment, files=[
        (io.BytesIO(samples.EXE), "virus-disfrazado.pdf"),
        (io.BytesIO(samples.png()), "foto-buena.png"),
    ])
    html = response.get_data(as_text=True)
    assert response.status_code == 400
    assert "virus-disfrazado.pdf" in html
    assert NOTE in html and "https://transparencia.durango.gob.mx/acta-1" in html
    assert 'aria-invalid="true"' in html
    assert count(ProgressNote) == 0 and not (uploads.exists() and any(uploads.iterdir()))


def test_too_many_files_are_refused_with_the_form_shown_again(world, client, commitment, uploads):
    login(client, world.facilitator.email)
    files = [(io.BytesIO(samples.png()), f"foto{i}.png") for i in range(6)]
    response = send_report(client, commitment, files=files)
    assert response.status_code == 400
    assert NOTE in response.get_data(as_text=True)
    assert count(ProgressNote) == 0


def test_an_oversized_file_is_refused_with_the_form_shown_again(app, world, client, commitment, uploads):
    app.config["UPLOAD_MAX_BYTES"] = 2048  # restored by the uploads fixture
    login(client, world.facilitator.email)
    response = send_report(client, commitment, files=[(io.BytesIO(b"a" * 3000), "grande.txt")])
    assert response.status_code == 400
    html = response.get_data(as_text=True)
    assert "grande.txt" in html and NOTE in html
    assert count(ProgressNote) == 0


@pytest.mark.parametrize("changes, field", [
    ({"note": "   "}, "note"),
    ({"noted_on": (date.today() + timedelta(days=3)).isoformat()}, "noted_on"),
    ({"noted_on": "ayer"}, "noted_on"),
    ({"links": "javascript:alert(1)"}, "links"),
    ({"status": "finished"}, "status"),
])
def test_mistakes_give_400_with_the_input_kept(world, client, commitment, uploads, changes, field):
    login(client, world.facilitator.email)
    response = send_report(client, commitment, **changes)
    html = response.get_data(as_text=True)
    assert response.status_code == 400
    assert f'id="{field}-error"' in html
    kept = changes.get("note", NOTE).strip()
    if kept:
        assert kept in html
    assert count(ProgressNote) == 0 and count(Evidence) == 0


def test_a_request_over_the_size_limit_gets_a_clear_413_page(app, world, client, commitment, uploads):
    login(client, world.facilitator.email)
    saved = app.config["MAX_CONTENT_LENGTH"]
    app.config["MAX_CONTENT_LENGTH"] = 4096
    try:
        response = send_report(client, commitment, files=[(io.BytesIO(b"a" * 10_000), "grande.csv")])
    finally:
        app.config["MAX_CONTENT_LENGTH"] = saved
    assert response.status_code == 413
    html = response.get_data(as_text=True)
    assert 'class="error-page"' in html and "4 KB" in html  # the page states the limit
    assert count(ProgressNote) == 0


# ---------------------------------------------------------------- the status form

@pytest.mark.csrf  # this form family through a real CSRF token
def test_the_status_form_keeps_the_choice_when_the_reason_is_missing(world, client, commitment):
    login(client, world.facilitator.email)
    url = f"/progress/commitment/{commitment.id}/status"
    response = client.submit(url, {"impl-status": "substantial", "impl-note": ""})
    html = response.get_data(as_text=True)
    assert response.status_code == 400
    assert re.search(r'<option[^>]*selected[^>]*value="substantial"|<option[^>]*value="substantial"[^>]*selected', html)
    assert 'id="impl-note-error"' in html
    assert db.session.get(Commitment, commitment.id).implementation_status == ImplementationStatus.not_started


def test_changing_the_status_twice_in_a_row_records_it_once(world, client, commitment):
    login(client, world.facilitator.email)
    url = f"/progress/commitment/{commitment.id}/status"
    data = {"impl-status": "limited", "impl-note": "Se firmó el convenio."}
    first = client.submit(url, data)
    second = client.submit(url, data)
    assert first.status_code == second.status_code == 302
    assert first.headers["Location"].endswith(f"/commitments/{commitment.id}#progress")
    db.session.expire_all()
    assert db.session.get(Commitment, commitment.id).implementation_status == ImplementationStatus.limited
    assert db.session.scalar(sa.select(sa.func.count(AuditEntry.id))
                             .where(AuditEntry.action == "progress.set_status")) == 1


# ---------------------------------------------------------------- following

def test_following_by_double_click_keeps_one_follow(world, client, commitment):
    login(client, world.citizen.email)
    url = f"/following/commitment/{commitment.id}/follow"
    assert client.submit(url, {}, page="/").status_code == 302
    assert client.submit(url, {}, page="/").status_code == 302
    assert count(Follow) == 1
    page = client.get(f"/progress/commitment/{commitment.id}").get_data(as_text=True)
    assert 'data-followers="1"' in page
    assert f'action="/following/commitment/{commitment.id}/unfollow"' in page
    assert client.submit(f"/following/commitment/{commitment.id}/unfollow", {}, page="/").status_code == 302
    assert count(Follow) == 0


# ---------------------------------------------------------------- the panel

def panel_world(world):
    """Five milestones, two complete (40 %), one of them late; notes with evidence."""
    commitment = make_commitment(world, milestones=0)
    past = {"starts_on": date(2020, 1, 1), "ends_on": date(2020, 6, 30)}
    future = {"starts_on": date(2026, 1, 1), "ends_on": date(2099, 12, 31)}
    done = add_milestone(commitment, status=MilestoneStatus.complete, **past)
    late = add_milestone(commitment, status=MilestoneStatus.not_started, **past)
    add_milestone(commitment, status=MilestoneStatus.complete, **future)
    add_milestone(commitment, **future)
    add_milestone(commitment, **future)
    add_note(done, world.facilitator, status=MilestoneStatus.complete, links=1, files=1)
    return commitment, done, late


PAGES = ["/progress/commitment/{id}", "/commitments/{id}"]


@pytest.mark.parametrize("page", PAGES)
def test_the_panel_shows_progress_status_late_milestones_notes_and_evidence(world, client, page):
    commitment, done, late = panel_world(world)
    page_html = client.get(page.format(id=commitment.id)).get_data(as_text=True)
    html = panel_of(page_html)
    assert re.search(r'<progress[^>]*max="100"[^>]*value="40"', html)
    assert "40 %" in html
    assert f'data-milestone-id="{late.id}" data-status="not_started" data-late="true"' in html
    assert html.count('data-late="true"') == 1
    assert 'data-late-count="1"' in html
    assert 'data-status="not_started"' in html  # the implementation status badge
    assert "<strong>Avance</strong>" in html  # the note's Markdown
    evidence = {e.url or "file": e for e in done_evidence(done)}
    assert f'href="/progress/evidence/{evidence["file"].id}"' in html
    assert "1.5 KB" in html or "1,5 KB" in html
    assert f'href="{evidence["https://transparencia.durango.gob.mx/doc/0"].url}" rel="nofollow ugc noopener"' in html
    assert "<script>alert" not in page_html and "&lt;script&gt;" in html
    assert "&amp;lt;" not in html  # escaped once, not twice


def panel_of(html: str) -> str:
    """The panel's own markup (the commitment page around it shows milestones too)."""
    start = html.index('<section class="progress-panel"')
    return html[start:html.index("</section>", start)]


def done_evidence(milestone):
    return db.session.scalars(
        sa.select(Evidence).join(ProgressNote).where(ProgressNote.milestone_id == milestone.id)
    ).all()


@pytest.mark.parametrize("page", PAGES)
def test_facilitators_see_report_links_and_the_status_form_others_do_not(world, client, other_client, page):
    commitment, done, _late = panel_world(world)
    url = page.format(id=commitment.id)
    login(client, world.facilitator.email)
    html = client.get(url).get_data(as_text=True)
    assert f'href="/progress/milestone/{done.id}/report"' in html
    assert f'action="/progress/commitment/{commitment.id}/status"' in html
    login(other_client, world.other_facilitator.email)
    html = other_client.get(url).get_data(as_text=True)
    assert "/report" not in html and "/status" not in html
    assert f'action="/following/commitment/{commitment.id}/follow"' in html


def test_anonymous_visitors_are_invited_to_log_in_to_follow(world, client, commitment):
    html = client.get(f"/progress/commitment/{commitment.id}").get_data(as_text=True)
    assert "/account/login?next=" in html and "/follow" not in html


def test_an_unconfirmed_account_is_told_to_confirm_before_following(world, client, commitment):
    user = make_user(confirmed=False)
    login(client, user.email)
    html = client.get(f"/progress/commitment/{commitment.id}").get_data(as_text=True)
    assert "/follow\"" not in html and 'data-followers="0"' in html


def test_the_follower_count_counts_everyone(world, client, commitment):
    for _ in range(3):
        follow(make_user(), commitment)
    html = client.get(f"/progress/commitment/{commitment.id}").get_data(as_text=True)
    assert 'data-followers="3"' in html


def test_a_commitment_in_consultation_shows_following_but_no_progress(world, client):
    commitment = make_commitment(world, state=CommitmentState.consultation)
    html = client.get(f"/progress/commitment/{commitment.id}").get_data(as_text=True)
    assert "data-followers" in html and "<progress" not in html


def test_a_draft_has_no_progress_page(world, client):
    draft = make_commitment(world, state=CommitmentState.draft)
    assert client.get(f"/progress/commitment/{draft.id}").status_code == 404
    login(client, world.facilitator.email)
    assert client.get(f"/progress/milestone/{draft.milestones[0].id}/report").status_code == 404


def test_the_status_history_shows_the_public_reason(world, client, commitment):
    services.set_implementation_status(world.facilitator, commitment, "limited",
                                       "Convenio firmado con **tres** municipios.")
    html = client.get(f"/progress/commitment/{commitment.id}").get_data(as_text=True)
    assert "<strong>tres</strong>" in html and 'data-status="limited"' in html


def test_a_draft_shown_to_its_facilitator_has_no_panel(world, client):
    draft = make_commitment(world, state=CommitmentState.draft)
    login(client, world.facilitator.email)
    response = client.get(f"/commitments/{draft.id}")
    assert response.status_code == 200
    assert "data-progress-panel" not in response.get_data(as_text=True)
