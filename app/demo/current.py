"""The current (fictitious) plan's commitments, dated from the day of loading: a draft of the
Municipio de Durango in public consultation now (open four days ago, closing in ten), with a few
comments, and two commitments in implementation whose milestones are complete, overdue, on time
and not started yet. Told through the drafting, consultation and progress services, each act at
its moment (app.core.clock.use). Idempotent: nothing is told when the plan has commitments."""
from datetime import UTC, date, datetime, time, timedelta

import sqlalchemy as sa

from app.accounts.models import User
from app.commitments.models import Commitment, MilestoneStatus
from app.commitments.services import create_draft, publish_commitment
from app.consultations.services import answer_comment, comment_on_draft, open_consultation
from app.core import clock as app_clock
from app.demo.locations import commitment_location
from app.demo.participation import DEMO_CAST, RESIDENTS
from app.demo.timeline import Story
from app.extensions import db
from app.follows.services import follow
from app.plans.models import ActionPlan, Committee, CommitteeMember, Theme
from app.progress.oversight import (
    answer_dispute,
    appoint_official,
    publish_report,
    return_report,
    review_report,
)
from app.progress.services import report_progress, set_implementation_status
from app.proposals.models import OPEN_STATES, Proposal, ProposalState

# The personal account the story names responsible official of the Obra pública abierta (one of
# the demo logins, app/demo/loader.py).
OFFICIAL_EMAIL = "enlace@example.org"

TEMPLATE = {
    "lead_institution": "Dependencia responsable (demostración)",
    "responsible_official": "Persona servidora pública responsable (demostración)",
    "official_contact": "enlace.gobierno.abierto@demostracion.invalid",
    "other_actors_government": "- Unidad de Transparencia.",
    "other_actors_civil_society": "- Organizaciones registradas en el comité.",
    "baseline": "Cifras ilustrativas de la demostración.",
    "causes": "- La información existe, pero dispersa y en formatos cerrados.",
    "status_quo": "La información se publica en documentos escaneados y trimestrales.",
    "how_it_helps": "Con datos abiertos y reportes ciudadanos, la ciudadanía puede dar seguimiento.",
    "value_transparency": "Publica de oficio la información en datos abiertos.",
    "value_participation": "Las organizaciones participan en el diseño y en el seguimiento.",
    "value_accountability": "La dependencia responde públicamente cada reporte.",
    "budget": "Recursos propios (demostración).",
    "additional_info": ("**Compromiso de demostración**: sus datos son ficticios. Véanse los "
                        "[Objetivos de Desarrollo Sostenible](https://www.un.org/"
                        "sustainabledevelopment/es/objetivos-de-desarrollo-sostenible/)."),
}

# key: committee, theme, title, problem, objective, description, (first, last day) offsets,
# milestones [(description, first, last, status)], implementation status.
COMMITMENTS = {
    "consulta-alumbrado": (
        "municipio-durango", "seguridad-publica",
        "Mapa abierto de luminarias y calendario público de reparación por colonia",
        "Los reportes de luminarias fundidas se registran, pero nadie sabe si se atienden ni cuándo.",
        "Que cualquier persona consulte el estado de cada luminaria y la fecha de su reparación.",
        "1. Inventario de luminarias en datos abiertos.\n2. Calendario de reparación por colonia.\n"
        "3. Recorridos nocturnos con los comités de vecinos.",
        (20, 200),
        [("Inventario de luminarias publicado en datos abiertos", 20, 80, None),
         ("Calendario de reparación por colonia", 60, 140, None),
         ("Recorridos nocturnos mensuales con los comités de vecinos", 80, 200, None)],
        None,
    ),
    "obra-abierta": (
        "poder-ejecutivo", "obra-publica",
        "Obra pública abierta: ficha, avance y reportes ciudadanos de cada obra estatal",
        "La información de las obras está dispersa y no permite vigilar su avance.",
        "Publicar en un solo sitio, en datos abiertos, cada obra estatal y su avance.",
        "1. Estándar de datos.\n2. Micrositio con mapa.\n3. Canal de reportes ciudadanos.",
        (-29, 150),
        [("Estándar de datos de obra pública acordado con la sociedad civil", -29, -20,
          MilestoneStatus.complete),
         ("Micrositio de obra pública con mapa y descarga de datos", -28, -6,
          MilestoneStatus.in_progress),
         ("Avance físico y financiero trimestral de cada obra", -10, 30, MilestoneStatus.in_progress),
         ("Canal de reportes ciudadanos con respuesta pública", 20, 120, None)],
        "limited",
    ),
    "senaletica": (
        "tepehuanes", "obra-publica",
        "Señalética vial preventiva en las calles de la cabecera municipal de Tepehuanes",
        "Faltan señales preventivas e informativas en cruces escolares y caminos.",
        "Señalizar los cruces escolares y las entradas de la cabecera municipal.",
        "1. Diagnóstico con las escuelas.\n2. Instalación de señales.\n3. Reporte público.",
        (-29, 120),
        [("Diagnóstico de cruces escolares con las escuelas", -29, -12, MilestoneStatus.in_progress),
         ("Instalación de señales en los cruces prioritarios", -8, 45, MilestoneStatus.in_progress),
         ("Reporte público de señales instaladas", 40, 120, None)],
        "limited",
    ),
}

CONSULTATION_COMMENTS = [
    ("maria", -3, "19:10", "objective",
     "Pedimos que el mapa incluya también los postes sin luminaria, no sólo las fundidas."),
    ("joseluis", -2, "21:05", None,
     "Muy buena idea. ¿Podrían publicar el calendario también en los centros comunitarios?"),
]
ANSWER = ("incorporated", "Se incluirán los postes sin luminaria en el inventario del primer hito.")


def summary(plan: ActionPlan) -> str:
    count = db.session.scalar(sa.select(sa.func.count(Commitment.id)).where(Commitment.plan_id == plan.id))
    return f"{count} current commitments"


def _users() -> dict[str, User]:
    """The story's actors by key (garante, facilitador, lucia, the residents' keys)."""
    emails = {**DEMO_CAST, **{key: email for key, email, _name, _place in RESIDENTS}}
    found = {u.email: u for u in db.session.scalars(sa.select(User).where(User.email.in_(emails.values())))}
    return {key: found[email] for key, email in emails.items()}


def commitments_story(plan: ActionPlan, today: date) -> Story:
    """The current plan's commitments, once (nothing when it has some), as a story for
    app.demo.timeline.run_together: yields each act's moment before doing it."""
    if db.session.scalar(sa.select(sa.exists().where(Commitment.plan_id == plan.id))):
        return

    def day(offset: int, hhmm: str = "10:00") -> datetime:
        hours, minutes = (int(p) for p in hhmm.split(":"))
        return datetime.combine(today + timedelta(days=offset), time(hours, minutes),
                                tzinfo=app_clock.local_zone()).astimezone(UTC)

    yield day(-5)
    users = _users()
    committees = {c.slug: c for c in db.session.scalars(sa.select(Committee).filter_by(plan_id=plan.id))}
    themes = {t.slug: t.id for t in db.session.scalars(sa.select(Theme).filter_by(plan_id=plan.id))}
    actor = {"municipio-durango": users["facilitador"]}

    def draft(key: str) -> Commitment:
        slug, theme, title, problem, objective, description, span, milestones, _s = COMMITMENTS[key]
        return create_draft(actor.get(slug, users["garante"]), committees[slug], {
            **TEMPLATE, "title": title, "theme_id": themes[theme], "problem": problem,
            "objective": objective, "description": description,
            "starts_on": today + timedelta(days=span[0]), "ends_on": today + timedelta(days=span[1]),
            **commitment_location(key)},
            sources(committees[slug], themes[theme]),
            milestones=[{"description": text, "responsible": "Área responsable (demostración)",
                         "deliverable": "Entregable publicado en el portal",
                         "starts_on": today + timedelta(days=a), "ends_on": today + timedelta(days=b)}
                        for text, a, b, _status in milestones])

    consulted = draft("consulta-alumbrado")
    yield day(-4, "09:00")
    open_consultation(users["facilitador"], consulted, day(-4, "09:00"), day(10, "23:59"))
    drafted = {}
    for number, key in enumerate(("obra-abierta", "senaletica")):
        yield day(-3, f"{10 + number}:00")
        drafted[key] = draft(key)
    yield day(-3, "12:00")
    yield from _implementation(drafted, users, today, day)
    comments = []
    for who, offset, hhmm, section, body in CONSULTATION_COMMENTS:
        yield day(offset, hhmm)
        comments.append(comment_on_draft(users[who], consulted, body, section))
    follow(users["lucia"], "commitment", drafted["obra-abierta"].id)
    yield day(-1, "12:00")
    for key in ("obra-abierta", "senaletica"):
        set_implementation_status(users["garante"], drafted[key], COMMITMENTS[key][8],
                                  "Avance limitado: un hito está retrasado.")
    yield day(-1, "13:00")
    answer_comment(users["facilitador"], comments[0], *ANSWER)


def _implementation(drafted: dict, users: dict, today: date, day) -> Story:
    """Publication (at `published`, three days ago), then the progress notes, dated when the work
    happened: one milestone complete, one overdue (its date passed, still in progress), others
    on time or not started. The Obra pública abierta's responsible official drafts its reports and
    the guarantor body publishes them; then the committee's representatives check them
    (`_oversight`)."""
    published = day(-3, "12:00")
    for key in ("obra-abierta", "senaletica"):
        publish_commitment(users["garante"], drafted[key],
                           "Publicación como compromiso del plan de demostración.")
    official = _official()
    appoint_official(users["garante"], drafted["obra-abierta"], {
        "email": official.email, "position_title": "Directora de Información de Obra Pública"})
    events = []
    for key in ("obra-abierta", "senaletica"):
        commitment = drafted[key]
        for milestone, (_text, first, last, status) in zip(commitment.milestones, COMMITMENTS[key][7],
                                                            strict=True):
            if status is None:
                continue
            complete = status == MilestoneStatus.complete
            offset = last if complete else max(first, -15) + 2
            note = ("Hito concluido; el entregable está publicado." if complete
                    else "Avance parcial: el trabajo sigue en curso.")
            events.append((today + timedelta(days=offset), milestone, status, note))
    reports = []
    for number, (noted, milestone, status, note) in enumerate(sorted(events, key=lambda e: e[0])):
        yield published + timedelta(hours=2, minutes=10 * number)
        if milestone.commitment_id == drafted["obra-abierta"].id:
            report = report_progress(official, milestone, status.value, note, noted)
            yield published + timedelta(hours=2, minutes=10 * number + 5)
            publish_report(users["garante"], report)
            reports.append(report)
        else:
            report_progress(users["garante"], milestone, status.value, note, noted)
    yield from _oversight(drafted["obra-abierta"], reports, official, users, today, day)


def _official() -> User:
    return db.session.scalar(sa.select(User).where(User.email == OFFICIAL_EMAIL))


def _oversight(commitment: Commitment, reports: list, official: User, users: dict, today: date,
               moment) -> Story:
    """The Poder Ejecutivo's representatives check the official's published reports: the titular
    (the demo organisation) confirms the complete milestone's, the suplente disputes the on-time
    one's and the official answers; a report returned for its missing evidence, and another
    waiting for the guarantor body now."""
    seats = {m.kind.value: m.user for m in db.session.scalars(sa.select(CommitteeMember).where(
        CommitteeMember.committee_id == commitment.committee_id, CommitteeMember.term_end.is_(None),
        CommitteeMember.user_id.is_not(None)))}
    by_milestone = {report.milestone_id: report for report in reports}
    first, _late, third, _future = commitment.milestones
    yield moment(-2, "10:15")
    review_report(seats["cs_titular"], by_milestone[first.id], "confirmed",
                  "Revisamos el estándar publicado: coincide con lo acordado en la mesa del 12 de "
                  "noviembre y ya está en el portal de datos abiertos.")
    yield moment(-2, "17:40")
    disputed = review_report(
        seats["cs_suplente"], by_milestone[third.id], "disputed",
        "El reporte dice que el avance trimestral está en curso, pero el micrositio no muestra datos "
        "de ninguna obra todavía. Pedimos la liga a la primera carga de datos.")
    yield moment(-1, "11:20")
    answer_dispute(official, disputed,
                   "La primera carga (12 obras) está en el ambiente de pruebas; se publica en el "
                   "micrositio el día 15. Adjuntaremos la liga en el siguiente reporte.")
    yield moment(-1, "12:30")
    returned = report_progress(official, third, MilestoneStatus.in_progress.value,
                               "Se cargaron las primeras obras al micrositio.", today - timedelta(days=1))
    yield moment(-1, "13:10")
    return_report(users["garante"], returned,
                  "Falta la liga a las obras publicadas: agréguela como evidencia y envíe el reporte de nuevo.")
    yield moment(-1, "16:45")
    report_progress(official, third, MilestoneStatus.in_progress.value,
                    "Se cargaron 12 obras al micrositio, con su avance físico y financiero.",
                    today - timedelta(days=1), links=["https://obras.demostracion.invalid/datos"])


def sources(committee: Committee, theme_id: int | None) -> list[Proposal]:
    """The committee's proposal a commitment answers: one of its theme if there is one, else the
    committee's first proposal still open or accepted (the drafting service asks for one)."""
    candidates = [p for p in db.session.scalars(sa.select(Proposal).where(
        Proposal.committee_id == committee.id,
        Proposal.state.in_([*OPEN_STATES, ProposalState.accepted])).order_by(Proposal.id))
        if not p.is_hidden]
    same_theme = [p for p in candidates if p.theme_id == theme_id]
    return (same_theme or candidates)[:1]
