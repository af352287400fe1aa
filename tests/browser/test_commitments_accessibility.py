"""axe-core finds no serious or critical problem on the pages of commitments, public
consultations, implementation and «¿Cómo vamos?», filled with real content through the areas'
services; screenshots of the main pages at desktop and phone width, for a human to look at."""

import io
from dataclasses import dataclass
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
import sqlalchemy as sa
from werkzeug.datastructures import FileStorage

from app.accounts.models import User
from app.commitments import services as commitments
from app.commitments.models import Commitment, Milestone
from app.consultations import services as consultations
from app.consultations.queries import TEXT_SECTIONS
from app.demo.pdf import one_page_pdf
from app.extensions import db
from app.follows import services as follows
from app.plans.models import Committee
from app.progress import services as progress
from app.progress.models import Evidence, ProgressNote
from app.proposals import services as proposals
from tests.browser.conftest import (
    assert_no_sideways_scroll,
    check_axe,
    screenshot,
    sign_in,
)
from tests.factories import (
    make_committee,
    make_moderator,
    make_organisation,
    make_plan,
    make_theme,
    make_user,
)

pytestmark = [pytest.mark.browser, pytest.mark.shared_context]

DURANGO = ZoneInfo("America/Monterrey")
FACILITATOR_EMAIL = "lucia.facilitadora@example.org"
CITIZEN_EMAIL = "ana.lopez@example.org"


@dataclass
class World:
    committee: Committee
    other_committee: Committee
    facilitator: User
    published: Commitment  # consulted, answered, published, with progress, evidence and a late milestone
    consulting: Commitment  # in an open consultation, with section comments and answers
    complete_milestone: Milestone
    evidence_id: int


def _text(**changes) -> dict:
    data = {
        "title": "Directorio abierto de atención en salud mental comunitaria",
        "lead_institution": "Secretaría de Salud del Estado de Durango",
        "responsible_official": "Dra. Ana Pérez Gallegos, Directora de Salud Mental",
        "official_contact": "saludmental@example.org · 618 123 4567",
        "other_actors_government": "Instituto Duranguense de Acceso a la Información Pública",
        "other_actors_civil_society": "Colectivo Mentes Sanas Durango; Universidad Juárez",
        "problem": "No existe un **registro público** de los servicios de salud mental.",
        "baseline": "En 2025, solo 3 de cada 10 personas encuestadas sabían dónde acudir.",
        "causes": "Los servicios dependen de instituciones distintas que no comparten datos.",
        "status_quo": "Cada institución publica, cuando lo hace, un PDF distinto.",
        "objective": "Que cada persona sepa dónde recibir atención cerca de su casa.",
        "description": "Un directorio en datos abiertos y una red de promotoras comunitarias.",
        "how_it_helps": "Acorta el tiempo entre una crisis y la atención.",
        "value_transparency": "Publica en datos abiertos dónde y cómo se atiende.",
        "value_participation": "Las promotoras y el colectivo revisan el directorio cada trimestre.",
        "value_accountability": "",
        "value_technology": "",
        "budget": "$350,000 MXN del presupuesto estatal de salud.",
        "additional_info": "ODS 3: salud y bienestar. [Programa Sectorial de Salud](https://example.org/pss)",
    }
    data.update(changes)
    return data


def _milestone(description: str, starts, ends, deliverable: str, **extra) -> dict:
    return {"description": description, "responsible": "Dirección de Salud Mental",
            "starts_on": starts, "ends_on": ends, "deliverable": deliverable, **extra}


def _pdf_upload(name: str) -> FileStorage:
    return FileStorage(stream=io.BytesIO(one_page_pdf(["Directorio de centros"])), filename=name,
                       content_type="application/pdf")


def build_world() -> World:
    plan = make_plan()
    committee = make_committee(plan, name="Comité Estatal de Durango")
    other_committee = make_committee(plan, name="Comité Municipal de Durango")
    health = make_theme(plan, name="Salud mental")
    make_theme(plan, name="Movilidad")
    facilitator = make_moderator(committee, email=FACILITATOR_EMAIL, name="Lucía Facilitadora")
    other_facilitator = make_moderator(other_committee, name="Mario Facilitador")
    ana = make_user(email=CITIZEN_EMAIL, name="Ana López Rentería")
    beto = make_user(name="Beto Soto Quiñones")
    colectivo = make_organisation(name="Colectivo Mentes Sanas")

    def proposal(committee, title):
        return proposals.create_proposal(ana, plan, {
            "title": title, "body": "Descripción del problema público.",
            "committee_id": committee.id, "theme_id": health.id,
        })

    today = datetime.now(DURANGO).date()
    starts, ends = today - timedelta(days=120), today + timedelta(days=400)

    # --- A commitment drafted, revised, consulted, answered, published, and under way.
    published = commitments.create_draft(
        facilitator, committee, {**_text(), "theme_id": health.id, "starts_on": starts,
                                 "ends_on": ends},
        [proposal(committee, "No hay un directorio de salud mental"),
         proposal(committee, "Faltan promotoras de salud mental en las colonias")],
        milestones=[
            _milestone("Publicar el directorio de centros de atención", starts,
                       today + timedelta(days=30), "Enlace al directorio en datos abiertos"),
            _milestone("Capacitar a 40 promotoras comunitarias", starts,
                       today + timedelta(days=200), "Lista de asistencia y constancias"),
            _milestone("Firmar el convenio con la Universidad Juárez", starts,
                       today - timedelta(days=10), "Convenio firmado y publicado"),
            _milestone("Hacer una encuesta de satisfacción", starts, ends, "Informe de la encuesta"),
        ],
    )
    rows = [{"id": m.id, "description": m.description, "responsible": m.responsible,
             "starts_on": m.starts_on, "ends_on": m.ends_on, "deliverable": m.deliverable}
            for m in published.milestones]
    rows[0]["description"] = "Publicar y actualizar cada trimestre el directorio de centros"
    del rows[3]  # the survey goes; a follow-up committee takes a new milestone
    rows.append(_milestone("Instalar un comité ciudadano de seguimiento", starts,
                           today + timedelta(days=300), "Acta de instalación"))
    commitments.update_draft(
        facilitator, published,
        _text(objective="Que cada persona, también en la sierra, sepa dónde recibir atención "
                        "gratuita cerca de su casa.",
              causes="Las instituciones no comparten sus datos."),
        rows, "Incorpora los acuerdos de la mesa de diálogo del 12 de marzo.",
    )
    now = datetime.now(DURANGO).replace(tzinfo=None)
    consultation = consultations.open_consultation(facilitator, published, now,
                                                   now + timedelta(days=3))
    first = consultations.comment_on_draft(
        ana, published, "El objetivo debería nombrar a los municipios de la sierra.",
        section="objective")
    second = consultations.comment_on_draft(
        beto, published, "¿Quién actualizará el directorio después de 2027?",
        section=f"milestone-{published.milestones[0].id}")
    third = consultations.comment_on_draft(
        colectivo, published, "Nos ofrecemos para revisar el directorio.")
    consultations.comment_on_draft(facilitator, published, "Gracias, lo revisamos en el comité.",
                                   parent=third)
    consultations.answer_comment(facilitator, first, "incorporated",
                                 "El objetivo ya nombra a las comunidades de la sierra.")
    consultations.answer_comment(facilitator, second, "partially_incorporated",
                                 "El hito 1 dice ahora que se actualiza cada trimestre.")
    consultations.answer_comment(facilitator, third, "not_incorporated",
                                 "La revisión la hará el comité ciudadano del hito 4.")
    consultations.close_consultation_early(facilitator, consultation,
                                           "El comité aprobó el texto en sesión extraordinaria.")
    published = db.session.get(Commitment, published.id)
    commitments.publish_commitment(facilitator, published, "Aprobado en la sesión del 20 de marzo.")
    published = db.session.get(Commitment, published.id)
    done, under_way = published.milestones[0], published.milestones[1]
    progress.report_progress(
        facilitator, done, "complete",
        "El directorio está publicado con **57 centros**, sus horarios y teléfonos.", today,
        ["https://example.org/datos/directorio-salud-mental.csv"],
        [_pdf_upload("directorio-centros-salud-mental.pdf")],
    )
    progress.report_progress(facilitator, under_way, "in_progress",
                             "Se capacitó a las primeras 15 promotoras.", today - timedelta(days=2))
    progress.set_implementation_status(facilitator, published, "limited",
                                       "Empezó la implementación: un hito completo.")
    follows.follow(ana, "commitment", published.id)

    # --- A draft in an open consultation, with comments on its sections and some answers.
    consulting = commitments.create_draft(
        facilitator, committee,
        {**_text(title="Mesas de diálogo de movilidad en las colonias del oriente"),
         "starts_on": starts, "ends_on": ends},
        [proposal(committee, "Las rutas de camión no llegan a las colonias del oriente")],
        milestones=[_milestone("Realizar seis mesas de diálogo", today, today + timedelta(days=90),
                               "Minutas públicas de cada mesa")],
    )
    consultations.open_consultation(facilitator, consulting, now, now + timedelta(days=10))
    asked = consultations.comment_on_draft(
        ana, consulting, "¿Habrá mesas en la tarde, para quienes trabajan?", section="description")
    consultations.comment_on_draft(beto, consulting, "Yo también trabajo por las mañanas.",
                                   parent=asked)
    consultations.answer_comment(facilitator, asked, "incorporated",
                                 "Tres de las seis mesas serán por la tarde.")
    consultations.comment_on_draft(
        beto, consulting, "Falta el dato de cuántas personas usan el transporte público.",
        section="problem")

    # --- Another committee's formal commitment, without progress yet.
    other = commitments.create_draft(
        other_facilitator, other_committee,
        {**_text(title="Presupuesto participativo en las juntas municipales"),
         "starts_on": starts, "ends_on": ends},
        [proposal(other_committee, "Las juntas municipales no deciden su presupuesto")],
        milestones=[_milestone("Publicar las reglas de operación", starts,
                               today + timedelta(days=60), "Reglas publicadas")],
    )
    commitments.publish_commitment(other_facilitator, other, "Aprobado por el comité municipal.")
    db.session.commit()  # the services only flush: committed as their requests would be

    db.session.expire_all()
    published = db.session.get(Commitment, published.id)
    evidence_id = db.session.scalar(
        sa.select(Evidence.id).join(ProgressNote).where(
            ProgressNote.milestone_id == published.milestones[0].id,
            Evidence.stored_name.is_not(None))
    )
    return World(
        committee=committee, other_committee=other_committee, facilitator=facilitator,
        published=published, consulting=db.session.get(Commitment, consulting.id),
        complete_milestone=published.milestones[0], evidence_id=evidence_id,
    )


@pytest.fixture(scope="module")
def world(world_templates):
    return world_templates.share(build_world)


def shot(page, name: str) -> None:
    screenshot(page, f"issue4/{name}")


def open_all_details(page) -> None:
    """Open every <details> (answer, reply, close, status forms), so that axe checks them too."""
    page.evaluate("document.querySelectorAll('details').forEach(d => d.open = true)")


def test_published_commitment_page_is_accessible_to_the_public_and_its_facilitator(
    page, phone_page, world
):
    path = f"/commitments/{world.published.id}"
    for p, name in ((page, "commitment-desktop"), (phone_page, "commitment-phone")):
        p.goto(path)
        assert p.locator("article.commitment").get_attribute("data-state") == "published"
        assert p.locator("table.milestones tbody tr").count() == 4
        assert p.locator("tr[data-late=true]").count() == 1, "the convention is late"
        assert p.locator(".progress-note").count() == 2
        assert p.locator(f"a[data-evidence-id='{world.evidence_id}']").count() == 1
        assert p.locator("a.evidence-link").count() == 1
        assert p.locator("ul.commitment-proposals li").count() == 2
        assert p.locator("section.consultation-panel").get_attribute("data-window-state") == "closed"
        shot(p, name)
        check_axe(p)
        assert_no_sideways_scroll(p)

    sign_in(page, FACILITATOR_EMAIL)
    page.goto(path)
    assert page.locator(".facilitator-panel").count() == 1
    assert page.locator(f"#progress-milestone-{world.complete_milestone.id} a[href$='/report']").count() == 1
    open_all_details(page)
    shot(page, "commitment-facilitator-desktop")
    check_axe(page)


def test_open_consultation_with_section_comments_and_answers_is_accessible(
    page, phone_page, world
):
    path = f"/consultations/commitment/{world.consulting.id}"
    sign_in(page, CITIZEN_EMAIL)
    page.goto(path)
    assert page.locator("dl.consultation-window").get_attribute("data-window-state") == "open"
    assert page.locator("#section-description .comment").count() == 2, "a comment and its reply"
    assert page.locator("#section-description [data-answered=true]").count() == 1
    assert page.locator("#section-problem [data-answered=false]").count() == 1
    # The whole, each of the template's texts, and the milestone: a form to comment on each.
    parts = 1 + len(TEXT_SECTIONS) + 1
    assert page.locator("section.consultation-section").count() == parts
    assert page.locator("details.consultation-comment-form").count() == parts
    shot(page, "consultation-desktop")
    open_all_details(page)
    check_axe(page)

    phone_page.goto(path)
    shot(phone_page, "consultation-phone")
    check_axe(phone_page)
    assert_no_sideways_scroll(phone_page)

    # The facilitator sees the answer forms on every comment.
    sign_in(phone_page, FACILITATOR_EMAIL)
    phone_page.goto(path)
    assert phone_page.locator("details.consultation-answer-form").count() == 3
    open_all_details(phone_page)
    check_axe(phone_page)
    assert_no_sideways_scroll(phone_page)


def test_consultation_report_is_accessible(page, phone_page, world):
    path = f"/consultations/commitment/{world.published.id}/report"
    for p, name in ((page, "consultation-report-desktop"), (phone_page, "consultation-report-phone")):
        p.goto(path)
        assert "La revisión la hará el comité ciudadano del hito 4." in p.locator("main").inner_text()
        assert p.locator("[data-answer-for]").count() == 3
        assert p.locator("[data-participants]").get_attribute("data-participants") == "4"
        shot(p, name)
        check_axe(p)
        assert_no_sideways_scroll(p)


def test_versions_list_and_diff_with_insertions_and_deletions_are_accessible(
    page, phone_page, world
):
    for p in (page, phone_page):
        p.goto(f"/commitments/{world.published.id}/versions")
        assert p.locator("table.commitment-versions tbody tr").count() == 3
        check_axe(p)
        assert_no_sideways_scroll(p)

    path = f"/commitments/{world.published.id}/diff?from=1&to=2"
    for p, name in ((page, "diff-desktop"), (phone_page, "diff-phone")):
        p.goto(path)
        assert p.locator(".diff-field[data-field=objective] ins").count() >= 1
        assert p.locator(".diff-field[data-field=causes] del").count() >= 1
        kinds = sorted(p.locator("[data-milestone-change]").evaluate_all(
            "els => els.map(e => e.dataset.milestoneChange)"))
        assert kinds == ["added", "changed", "removed"]
        shot(p, name)
        check_axe(p)
        assert_no_sideways_scroll(p)


def test_dashboards_of_the_plan_and_a_committee_are_accessible(page, phone_page, world):
    for p, name in ((page, "dashboard-desktop"), (phone_page, "dashboard-phone")):
        p.goto("/dashboard/")
        assert p.locator("li.dash-item").count() == 2
        item = p.locator(f"li.dash-item[data-commitment-id='{world.published.id}']")
        # One complete and one in progress out of four: (1 + 0.5) / 4 = 37.5, rounded half up.
        assert item.get_attribute("data-progress") == "38"
        assert item.get_attribute("data-late") == "1"
        assert p.locator("svg").count() >= 3, "the three charts"
        shot(p, name)
        check_axe(p)
        assert_no_sideways_scroll(p)

    page.goto(f"/dashboard/committee/{world.other_committee.slug}")
    assert page.locator("li.dash-item").count() == 1
    check_axe(page)


def test_printable_plan_is_accessible(page, world):
    page.goto("/dashboard/plan/print")
    assert page.locator("article.doc-commitment").count() == 2, "formal commitments only"
    check_axe(page)


def test_drafting_form_after_a_failed_submission_is_accessible(page, world):
    sign_in(page, FACILITATOR_EMAIL)
    page.goto(f"/commitments/new?committee={world.committee.id}")
    check_axe(page)
    page.locator("#title").fill("Un título suficiente")
    page.locator("#starts_on").fill("2026-13-45")  # not a date
    page.locator("#milestones-0-description").fill("Un hito sin responsable ni fechas")
    with page.expect_navigation() as navigation:
        page.locator("form.commitment-form button[type=submit]").click()
    assert navigation.value.status == 400
    assert page.locator("#starts_on").input_value() == "2026-13-45" or page.locator(
        "#starts_on").get_attribute("aria-invalid") == "true"
    assert page.locator("[aria-invalid=true]").count() >= 3
    assert page.locator("#milestones-0-description").input_value() == "Un hito sin responsable ni fechas"
    shot(page, "commitment-form-errors-desktop")
    check_axe(page)


def test_progress_report_form_after_a_refused_upload_is_accessible(page, world):
    sign_in(page, FACILITATOR_EMAIL)
    milestone_id = world.published.milestones[1].id
    page.goto(f"/progress/milestone/{milestone_id}/report")
    check_axe(page)
    page.locator("#note").fill("Se capacitó a 10 promotoras más.")
    page.locator("#files").set_input_files(files=[
        {"name": "informe.pdf", "mimeType": "application/pdf",
         "buffer": b"<html><script>alert(1)</script></html>"},
    ])
    with page.expect_navigation() as navigation:
        page.locator("form.progress-report-form button[type=submit]").click()
    assert navigation.value.status == 400
    assert page.locator("#files").get_attribute("aria-invalid") == "true"
    assert "informe.pdf" in page.locator("#files-error").inner_text()
    assert page.locator("#note").input_value() == "Se capacitó a 10 promotoras más."
    db.session.rollback()  # see what the server committed
    notes = db.session.scalar(sa.select(sa.func.count(ProgressNote.id)).where(
        ProgressNote.milestone_id == milestone_id))
    assert notes == 1, "the refused report stored nothing"
    shot(page, "progress-form-refused-upload-desktop")
    check_axe(page)
