"""The second half of co-creation, in a real browser, as people would do it: the facilitator
drafts a commitment from two proposals, opens a public consultation, a citizen comments on its
objective, the facilitator answers, closes the consultation early and publishes; then reports a
milestone complete with a PDF as evidence, and «¿Cómo vamos?» shows the new progress."""

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
import sqlalchemy as sa

from app.comments.models import Comment
from app.commitments.models import (
    Commitment,
    CommitmentProposal,
    CommitmentState,
    Milestone,
    MilestoneStatus,
)
from app.consultations.models import Consultation, ConsultationAnswer, ConsultationOutcome
from app.demo.pdf import one_page_pdf
from app.extensions import db
from app.progress.models import Evidence
from app.proposals import services as proposals
from app.proposals.models import Proposal, ProposalState
from tests.browser.conftest import DESKTOP, _new_page, _problems, browser_problems, log_in
from tests.factories import make_committee, make_moderator, make_plan, make_theme, make_user

pytestmark = pytest.mark.browser

DURANGO = ZoneInfo("America/Monterrey")
TITLE = "Registro abierto de atención en salud mental comunitaria"
OBJECTIVE = "Que cada persona sepa dónde recibir atención en salud mental cerca de su casa."
MILESTONE_1 = "Publicar el directorio de los centros de atención en datos abiertos"
MILESTONE_2 = "Capacitar a 40 promotoras comunitarias en primeros auxilios psicológicos"
COMMENT = "El objetivo debería incluir a las comunidades serranas, no solo la capital."
ANSWER = "Se amplía el alcance del directorio a los municipios de la sierra en el hito 1."
CLOSE_REASON = "El comité aprobó el texto en su sesión extraordinaria de hoy."
PUBLISH_NOTE = "Aprobado en la sesión extraordinaria del comité."
PROGRESS_NOTE = "El directorio está publicado con 57 centros, con horarios y teléfonos."
PDF_NAME = "directorio-centros-salud-mental.pdf"


@pytest.fixture
def citizen_page(browser, live_server):
    """The citizen's own browser: a separate context with its own cookies."""
    context, page = _new_page(browser, live_server, DESKTOP)
    yield page
    _problems.pop(page, None)
    context.close()


def _fresh_read():
    # The browser's requests commit in the server thread; start a new transaction to see them.
    db.session.rollback()


def _submit(page, button):
    """Click a submit button and wait for the page the server answers with."""
    with page.expect_navigation() as navigation:
        button.click()
    response = navigation.value
    return response.status if response else None


def test_facilitator_drafts_consults_answers_publishes_and_reports_progress_with_evidence(
    page, citizen_page
):
    plan = make_plan()
    committee = make_committee(plan, name="Comité Estatal de Durango")
    make_committee(plan, name="Comité Municipal de Durango")
    theme = make_theme(plan, name="Salud mental")
    facilitator = make_moderator(committee, email="lucia@example.org", name="Lucía Facilitadora")
    make_user(email="ana@example.org", name="Ana López Rentería")
    author = make_user(email="beto@example.org", name="Beto Soto Quiñones")
    first = proposals.create_proposal(author, plan, {
        "title": "No hay un directorio de dónde atienden la salud mental",
        "body": "Nadie sabe a qué centro acudir en una crisis.",
        "committee_id": committee.id, "theme_id": theme.id,
    })
    second = proposals.create_proposal(author, plan, {
        "title": "Faltan promotoras de salud mental en las colonias",
        "body": "Las promotoras comunitarias no tienen capacitación en crisis.",
        "committee_id": committee.id, "theme_id": theme.id,
    })
    db.session.commit()  # services flush; the browser's server thread reads committed rows
    refs = [first.reference, second.reference]
    committee_id, facilitator_id = committee.id, facilitator.id
    db.session.commit()  # the proposals' service only flushes: committed as its request would be

    today = datetime.now(DURANGO).date()
    starts, ends = today - timedelta(days=30), today + timedelta(days=365)

    # --- The facilitator drafts the commitment through the form, from both proposals.
    log_in(page, "lucia@example.org")
    page.goto(f"/commitments/new?committee={committee_id}")
    for ref in refs:
        page.locator(f"input[name=proposals][value='{ref}']").check()
    page.locator("#title").fill(TITLE)
    page.locator("#theme_id").select_option(str(theme.id))
    page.locator("#lead_institution").fill("Secretaría de Salud del Estado de Durango")
    page.locator("#responsible_official").fill("Dra. Ana Pérez, Directora de Salud Mental")
    page.locator("#official_contact").fill("saludmental@example.org")
    page.locator("#problem").fill("No existe un registro público de los servicios de salud mental.")
    page.locator("#baseline").fill("En 2025 solo 3 de cada 10 personas sabían dónde acudir.")
    page.locator("#objective").fill(OBJECTIVE)
    page.locator("#description").fill("Un directorio abierto y una red de promotoras.")
    page.locator("#how_it_helps").fill("Acorta el tiempo entre la crisis y la atención.")
    page.locator("#value_transparency").fill("Publica en datos abiertos dónde y cómo se atiende.")
    page.locator("#starts_on").fill(starts.isoformat())
    page.locator("#ends_on").fill(ends.isoformat())
    for i, (text, until) in enumerate(((MILESTONE_1, today + timedelta(days=60)),
                                        (MILESTONE_2, today + timedelta(days=200)))):
        page.locator(f"#milestones-{i}-description").fill(text)
        page.locator(f"#milestones-{i}-responsible").fill("Dirección de Salud Mental")
        page.locator(f"#milestones-{i}-starts_on").fill(starts.isoformat())
        page.locator(f"#milestones-{i}-ends_on").fill(until.isoformat())
        page.locator(f"#milestones-{i}-deliverable").fill("Enlace público al entregable")
    assert _submit(page, page.locator("form.commitment-form button[type=submit]")) == 200
    assert "/commitments/new" not in page.url, page.locator(".error-summary, .error-message").all_inner_texts()

    _fresh_read()
    commitment = db.session.scalar(sa.select(Commitment).where(Commitment.title == TITLE))
    assert commitment is not None and commitment.state == CommitmentState.draft
    commitment_id = commitment.id
    assert page.url.endswith(f"/commitments/{commitment_id}")
    assert [m.description for m in commitment.milestones] == [MILESTONE_1, MILESTONE_2]
    linked = set(db.session.scalars(sa.select(CommitmentProposal.proposal_id).where(
        CommitmentProposal.commitment_id == commitment_id)))
    assert linked == {first.id, second.id}
    for proposal in db.session.scalars(sa.select(Proposal).where(Proposal.id.in_(linked))):
        assert proposal.state == ProposalState.accepted, "drafting accepts its proposals"
    assert page.locator("ul.commitment-proposals a[data-reference]").count() == 2

    # --- It opens a public consultation on the draft, from now until the day after tomorrow.
    now_local = datetime.now(DURANGO)
    page.locator("#consultation-opens_at").fill(now_local.strftime("%Y-%m-%dT%H:%M"))
    page.locator("#consultation-closes_at").fill(
        (now_local + timedelta(days=2)).strftime("%Y-%m-%dT%H:%M"))
    panel = page.locator("section.consultation-panel")
    assert _submit(page, panel.locator("form button[type=submit]").last) == 200
    assert page.url.endswith(f"/consultations/commitment/{commitment_id}")
    assert page.locator("dl.consultation-window").get_attribute("data-window-state") == "open"
    _fresh_read()
    assert db.session.get(Commitment, commitment_id).state == CommitmentState.consultation

    # --- A citizen, in her own browser, comments on the objective.
    log_in(citizen_page, "ana@example.org")
    citizen_page.goto(f"/consultations/commitment/{commitment_id}")
    section = citizen_page.locator("#section-objective")
    assert OBJECTIVE in section.locator(".consultation-text").inner_text()
    section.locator("details.consultation-comment-form > summary").click()
    citizen_page.locator("#comment-objective-body").fill(COMMENT)
    assert _submit(citizen_page, section.locator("form button[type=submit]")) == 200
    _fresh_read()
    comment = db.session.scalar(sa.select(Comment).where(Comment.commitment_id == commitment_id))
    assert comment is not None and comment.section == "objective" and comment.body == COMMENT
    comment_id = comment.id
    assert citizen_page.url.endswith(f"#comment-{comment_id}")
    assert citizen_page.locator(f"#section-objective #comment-{comment_id}").count() == 1

    # --- The facilitator answers it: partially incorporated, with a reason.
    page.goto(f"/consultations/commitment/{commitment_id}")
    article = page.locator(f"#comment-{comment_id}")
    assert COMMENT in article.locator(".comment-body").inner_text()
    article.locator("details.consultation-answer-form > summary").click()
    page.locator(f"#answer-{comment_id}-partially_incorporated").check()
    page.locator(f"#answer-{comment_id}-reason").fill(ANSWER)
    assert _submit(page, article.locator("details.consultation-answer-form button[type=submit]")) == 200
    answered = page.locator(f"#comment-{comment_id}")
    assert answered.get_attribute("data-answered") == "true"
    assert answered.locator(".consultation-answer [data-outcome]").get_attribute(
        "data-outcome") == "partially_incorporated"
    assert ANSWER in answered.locator(".consultation-answer").inner_text()
    _fresh_read()
    answer = db.session.scalar(sa.select(ConsultationAnswer).where(
        ConsultationAnswer.comment_id == comment_id))
    assert answer.outcome == ConsultationOutcome.partially_incorporated
    assert answer.reason == ANSWER and answer.answered_by_id == facilitator_id

    # The citizen sees the answer under her comment.
    citizen_page.reload()
    assert ANSWER in citizen_page.locator(f"#comment-{comment_id} .consultation-answer").inner_text()

    # --- It closes the consultation early, with a reason, from the commitment page.
    page.goto(f"/commitments/{commitment_id}")
    page.locator("details.consultation-close > summary").click()
    page.locator("#close-reason").fill(CLOSE_REASON)
    assert _submit(page, page.locator("details.consultation-close button[type=submit]")) == 200
    assert page.locator("dl.consultation-window").get_attribute("data-window-state") == "closed"
    assert CLOSE_REASON in page.locator("dl.consultation-window").inner_text()
    _fresh_read()
    consultation = db.session.scalar(sa.select(Consultation).where(
        Consultation.commitment_id == commitment_id))
    assert consultation.closed_early_at is not None and consultation.close_reason == CLOSE_REASON

    # The report is public now: one participant, one comment, its answer.
    citizen_page.goto(f"/consultations/commitment/{commitment_id}/report")
    assert ANSWER in citizen_page.locator("main").inner_text()

    # --- It publishes the commitment: a formal commitment of the plan.
    page.goto(f"/commitments/{commitment_id}")
    assert page.locator("section.consultation-panel").get_attribute("data-window-state") == "closed"
    with page.expect_navigation():
        page.locator(".facilitator-panel a[href$='/publish']").click()
    page.locator("#reason").fill(PUBLISH_NOTE)
    assert _submit(page, page.locator("main form button[type=submit]")) == 200
    assert page.url.endswith(f"/commitments/{commitment_id}")
    assert page.locator("article.commitment").get_attribute("data-state") == "published"
    _fresh_read()
    published = db.session.get(Commitment, commitment_id)
    assert published.state == CommitmentState.published and published.is_locked
    milestone_id = published.milestones[0].id

    # --- It reports the first milestone complete, with a PDF as evidence.
    with page.expect_navigation():
        page.locator(f"#progress-milestone-{milestone_id} a[href$='/report']").click()
    assert page.url.endswith(f"/progress/milestone/{milestone_id}/report")
    page.locator("#status").select_option("complete")
    page.locator("#noted_on").fill(today.isoformat())
    page.locator("#note").fill(PROGRESS_NOTE)
    pdf = one_page_pdf(["Directorio de centros"])  # small but valid
    page.locator("#files").set_input_files(
        files=[{"name": PDF_NAME, "mimeType": "application/pdf", "buffer": pdf}]
    )
    assert _submit(page, page.locator("form.progress-report-form button[type=submit]")) == 200
    assert f"/commitments/{commitment_id}" in page.url, page.locator("main").inner_text()[:2000]
    _fresh_read()
    milestone = db.session.get(Milestone, milestone_id)
    assert milestone.status == MilestoneStatus.complete and milestone.completed_on == today
    evidence = db.session.scalar(sa.select(Evidence).where(Evidence.original_name == PDF_NAME))
    assert evidence is not None and evidence.size_bytes == len(pdf)
    assert evidence.content_type == "application/pdf"

    item = page.locator(f"#progress-milestone-{milestone_id}")
    assert item.get_attribute("data-status") == "complete"
    assert PROGRESS_NOTE in item.locator(".progress-note-body").inner_text()
    assert page.locator("[data-progress-panel] .progress-value").get_attribute("data-progress") == "50"

    # --- Anyone can download the evidence from the commitment page: the same bytes.
    citizen_page.goto(f"/commitments/{commitment_id}")
    link = citizen_page.locator(f"a[data-evidence-id='{evidence.id}']")
    assert link.inner_text().strip() == PDF_NAME
    with citizen_page.expect_download() as download_info:
        link.click()
    download = download_info.value
    assert download.suggested_filename == PDF_NAME
    assert download.failure() is None
    with open(download.path(), "rb") as downloaded:
        assert downloaded.read() == pdf

    # --- «¿Cómo vamos?» shows the commitment with one of two milestones complete: 50 %.
    citizen_page.goto("/dashboard/")
    item = citizen_page.locator(f"li.dash-item[data-commitment-id='{commitment_id}']")
    assert item.count() == 1
    assert item.get_attribute("data-progress") == "50"
    assert TITLE in item.locator("h3").inner_text()
    assert "50" in item.locator(".dash-progress-text strong").inner_text()
    assert citizen_page.locator("[data-figure=complete] strong").inner_text() == "1"

    # --- The proposals' pages show the commitment they became part of.
    for ref in refs:
        citizen_page.goto(f"/proposals/{ref}")
        links = citizen_page.locator(f"section.proposal-commitments a[data-commitment='{commitment_id}']")
        assert links.count() == 1
        assert links.inner_text().strip() == TITLE

    assert browser_problems(page) == []
    assert browser_problems(citizen_page) == []
