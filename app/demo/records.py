"""The demo plans' official records and news, through the documents and announcements services,
each at its moment (stories for app.demo.timeline.run_together, told beside the plan's calls,
elections and participation so that the audit log stays in time order).

The Third Plan (archived): the text of the call of 28 October 2020; the Declaratoria conjunta of
15 December 2020 with its signed document and signatories (the governments' heads the seed names;
the INAI and the IDAIP by their office, since the seed names nobody for them; the seed names no
later adhesion); the installation record of each committee after the elections of February 2021;
the minutes of the held dialogue table, and a week later their second version with the attendance
list (to show versions and their reasons).

The current (fictitious) plan: the text of its call, and three announcements of the guarantor
body, dated from the day of loading and linking to their pages: the consultation open, the second
call open, the election in voting.

The files are small PDFs generated here (app/demo/pdf.py), each saying it is a demonstration copy.
Idempotent: nothing is told when the plan already has documents."""
from datetime import UTC, date, datetime, time, timedelta

import sqlalchemy as sa
from babel.dates import format_date
from flask import url_for

from app.accounts.models import User
from app.announcements.services import create_announcement, publish_announcement
from app.calls.models import Call
from app.commitments.models import Commitment
from app.consultations.models import Consultation
from app.core import clock
from app.demo import durango
from app.demo.current import COMMITMENTS as CURRENT_COMMITMENTS
from app.demo.elections import CALL_TITLE, CURRENT_CALL, OPEN_CALL
from app.demo.participation import TABLES
from app.demo.pdf import pdf_upload
from app.demo.timeline import Story, local
from app.dialogues.models import DialogueTable, MinutesVersion, TableRegistration
from app.documents.models import Document, DocumentKind
from app.documents.services import add_signatory, add_version, publish_document, record_declaration
from app.elections.models import Election, ElectionState
from app.extensions import db
from app.plans.models import ActionPlan, Committee

DEMO_COPY = ("[Copia de demostración generada por la plataforma a partir del resumen publicado del "
             "plan; no es el documento original firmado.]")
FICTITIOUS = "*Aviso de demostración: este plan y sus datos son ficticios.*"

CALL_ISSUED = date(2020, 10, 28)
DECLARED = ("Con la participación de más de 24 organizaciones de la sociedad civil, el Gobierno del "
            "Estado y los ayuntamientos de Durango, Gómez Palacio y Tepehuanes, el INAI y el IDAIP "
            "suscribieron la Declaratoria conjunta el 15 de diciembre de 2020.")
DECLARATION = {
    "signed_on": date(2020, 12, 15),
    # The seed does not say where it was signed: the seat of the guarantor body.
    "place": "Victoria de Durango, Durango",
    "title": "Declaratoria conjunta para promover e impulsar acciones para un Gobierno Abierto",
    "description": f"{DECLARED} El archivo es una copia de demostración, no el documento firmado.",
}
# The government each committee's first official (the seed's head of it) signs for.
GOVERNMENTS = {
    "poder-ejecutivo": "Gobierno del Estado de Durango",
    "municipio-durango": "Ayuntamiento de Durango",
    "gomez-palacio": "Ayuntamiento de Gómez Palacio",
    "tepehuanes": "Ayuntamiento de Tepehuanes",
}
# The seed names nobody for these two: their office stands for the name.
UNNAMED = "Nombre no consignado en el plan publicado"
INSTITUTIONS = [
    ("Titular del INAI", "Instituto Nacional de Transparencia, Acceso a la Información y "
                         "Protección de Datos Personales (INAI)"),
    ("Titular del IDAIP", durango.GUARANTOR["guarantor_name"]),
]
INSTALLED_ON = date(2021, 2, 26)
HELD_TABLE = "mesa-colonias"
# Days after the held table: its minutes in the repository, then their second version.
MINUTES_AFTER, CORRECTED_AFTER = 2, 7
CORRECTION = ("Se agrega la lista de asistencia, que faltaba en la primera versión; el resto del "
              "texto no cambia.")


def signatories() -> list[dict]:
    """The Declaratoria's signatories: the head of each government as the seed names them, then
    the INAI and the IDAIP."""
    heads = [{"name": spec["members"][0][0], "position": spec["members"][0][1],
              "institution": GOVERNMENTS[spec["slug"]]} for spec in durango.COMMITTEES]
    return heads + [{"name": UNNAMED, "position": position, "institution": institution}
                    for position, institution in INSTITUTIONS]


def _spanish(day: date) -> str:
    return format_date(day, format="long", locale="es_MX")


def _local_day(moment: datetime) -> date:
    return moment.astimezone(clock.local_zone()).date()


def _has_records(plan: ActionPlan) -> bool:
    return bool(db.session.scalar(sa.select(sa.exists().where(Document.plan_id == plan.id))))


def _call(plan: ActionPlan, title: str) -> Call:
    return db.session.scalar(sa.select(Call).where(Call.plan_id == plan.id, Call.title == title))


def _user(email: str) -> User:
    return db.session.scalar(sa.select(User).where(User.email == email))


def _publish_call_text(actor: User, plan: ActionPlan, call: Call) -> Document:
    opens, closes = _local_day(call.opens_at), _local_day(call.closes_at)
    paragraphs = [call.title.upper(), plan.guarantor_name, _spanish(opens), "",
                  *call.body.replace("**", "").split("\n\n"), "", "Requisitos:",
                  *call.requirements.splitlines(), "",
                  f"Registro en la plataforma: del {_spanish(opens)} al {_spanish(closes)}.", "",
                  DEMO_COPY]
    return publish_document(actor, plan, {
        "kind": DocumentKind.call_text.value, "title": call.title, "document_date": opens,
        "description": f"Texto de la convocatoria emitida por el Órgano Garante el {_spanish(opens)}."},
        pdf_upload("convocatoria.pdf", paragraphs))


# ------------------------------------------------------------------ the Third Plan (2020–2021)

def archive_records_story(plan: ActionPlan, garante: User, participation_starts: date) -> Story:
    """The Third Plan's records (once). `participation_starts` is the first day of its
    participation story (app/demo/participation.py), whose held table the minutes record."""
    if _has_records(plan):
        return
    yield local(CALL_ISSUED, "09:30")
    _publish_call_text(garante, plan, _call(plan, CALL_TITLE))

    yield local(DECLARATION["signed_on"], "17:00")
    _record_declaration(garante, plan)

    committees = db.session.scalars(sa.select(Committee).where(Committee.plan_id == plan.id)
                                    .order_by(Committee.position)).all()
    for number, committee in enumerate(committees):
        yield local(INSTALLED_ON, f"{10 + 2 * number}:00")
        _publish_installation(garante, committee)

    held = participation_starts + timedelta(days=TABLES[HELD_TABLE]["starts"][0])
    yield local(held + timedelta(days=MINUTES_AFTER), "10:00")
    table = db.session.scalar(sa.select(DialogueTable).join(Committee).where(
        Committee.plan_id == plan.id, DialogueTable.title == TABLES[HELD_TABLE]["title"]))
    facilitator = _user("facilitador@example.org")
    minutes = publish_document(facilitator, plan, {
        "kind": DocumentKind.minutes.value, "committee_id": table.committee_id,
        "title": f"Minuta de la {table.title[0].lower()}{table.title[1:]}", "document_date": held,
        "description": "Minuta firmada de la mesa de diálogo, con sus acuerdos."},
        pdf_upload("minuta-mesa-de-dialogo.pdf", _minutes(table, with_attendance=False)))
    yield local(held + timedelta(days=CORRECTED_AFTER), "10:00")
    add_version(facilitator, minutes, {"reason": CORRECTION},
                pdf_upload("minuta-mesa-de-dialogo-v2.pdf", _minutes(table, with_attendance=True)))


def _record_declaration(garante: User, plan: ActionPlan) -> None:
    people = signatories()
    paragraphs = [DECLARATION["title"].upper(), plan.name, "",
                  f"{DECLARATION['place']}, a {_spanish(DECLARATION['signed_on'])}.", "",
                  DECLARED, "", "Firman:",
                  *(f"- {p['name']}, {p['position']}. {p['institution']}." for p in people), "",
                  DEMO_COPY]
    declaration = record_declaration(garante, plan, DECLARATION,
                                     pdf_upload("declaratoria-conjunta.pdf", paragraphs))
    for person in people:
        add_signatory(garante, declaration, person)


def _publish_installation(garante: User, committee: Committee) -> None:
    members = [m for m in committee.members if m.term_start and m.term_start <= INSTALLED_ON]
    facilitator = durango.facilitators().get(committee.slug)
    paragraphs = [
        "ACTA DE INSTALACIÓN", committee.name, f"Fecha: {_spanish(INSTALLED_ON)}.", "",
        f"Se instala el {committee.name} del Secretariado Técnico Local de Gobierno Abierto, que "
        "coordinará la co-creación de los compromisos del plan en su ámbito. Lo integran:",
        *(f"- {m.name}: {m.position_title or m.kind_label}" for m in members),
        *([f"- {facilitator}: facilitación"] if facilitator else []), "", DEMO_COPY]
    publish_document(garante, committee.plan, {
        "kind": DocumentKind.installation_record.value, "committee_id": committee.id,
        "title": f"Acta de instalación del {committee.name}", "document_date": INSTALLED_ON,
        "description": "Acta de la sesión de instalación del comité, con sus integrantes."},
        pdf_upload(f"acta-instalacion-{committee.slug}.pdf", paragraphs))


def _minutes(table: DialogueTable, with_attendance: bool) -> list[str]:
    minutes = db.session.scalar(sa.select(MinutesVersion).where(MinutesVersion.table_id == table.id)
                                .order_by(MinutesVersion.number.desc()).limit(1))
    zone = clock.local_zone()
    starts, ends = table.starts_at.astimezone(zone), table.ends_at.astimezone(zone)
    paragraphs = ["MINUTA DE LA MESA DE DIÁLOGO", table.title, table.committee.name,
                  f"{_spanish(starts.date())}, de {starts:%H:%M} a {ends:%H:%M} h. {table.place}.", "",
                  "Resumen:", *minutes.summary.split("\n\n"), "", "Acuerdos:",
                  *minutes.agreements.splitlines()]
    if with_attendance:
        names = db.session.scalars(sa.select(User.name).join(
            TableRegistration, TableRegistration.user_id == User.id).where(
            TableRegistration.table_id == table.id, TableRegistration.attended.is_(True))
            .order_by(User.name)).all()
        paragraphs += ["", "Lista de asistencia:", *(f"- {name}" for name in names)]
    return [*paragraphs, "", DEMO_COPY]


# ------------------------------------------------------------------ the current plan (now)

def current_records_story(plan: ActionPlan, garante: User, today: date) -> Story:
    """The current plan's call text and the guarantor body's three announcements (once)."""
    if _has_records(plan):
        return

    def day(offset: int, hhmm: str) -> datetime:
        hours, minutes = (int(part) for part in hhmm.split(":"))
        return datetime.combine(today + timedelta(days=offset), time(hours, minutes),
                                tzinfo=clock.local_zone()).astimezone(UTC)

    yield day(-90, "09:30")
    _publish_call_text(garante, plan, _call(plan, CURRENT_CALL))

    yield day(-4, "09:30")
    title = CURRENT_COMMITMENTS["consulta-alumbrado"][2]
    commitment = db.session.scalar(sa.select(Commitment).where(Commitment.plan_id == plan.id,
                                                               Commitment.title == title))
    consultation = db.session.scalar(sa.select(Consultation).where(
        Consultation.commitment_id == commitment.id))
    _announce(garante, plan, "Consulta pública abierta: mapa de luminarias del Municipio de Durango",
              f"Comenta hasta el {_spanish(_local_day(consultation.closes_at))} el borrador del "
              f"compromiso **«{title}»** del Comité Coordinador del Municipio de Durango: el comité "
              "responde públicamente cada comentario.",
              "Lee el borrador y comenta", url_for("consultations.show", commitment_id=commitment.id))

    yield day(-3, "09:30")
    call = _call(plan, OPEN_CALL)
    _announce(garante, plan, "Segunda convocatoria abierta para Gómez Palacio y Tepehuanes",
              "Las organizaciones de la sociedad civil pueden registrarse en los comités "
              "coordinadores de Gómez Palacio y Tepehuanes hasta el "
              f"{_spanish(_local_day(call.closes_at))}.",
              "Consulta la convocatoria y regístrate", url_for("calls.show", call_id=call.id))

    yield day(-1, "09:30")
    election = db.session.scalar(sa.select(Election).join(Committee).where(
        Committee.plan_id == plan.id, Election.state == ElectionState.voting))
    closes = election.voting_closes_at.astimezone(clock.local_zone())
    _announce(garante, plan, f"Votación abierta: {election.committee.name}",
              "Las organizaciones registradas en el comité eligen a su titular y a su suplente "
              f"hasta el {_spanish(closes.date())} a las {closes:%H:%M} h. El resultado y la caja "
              "de votos se publican al cierre, para que cualquiera los verifique.",
              "Ve las candidaturas y vota", url_for("elections.show", election_id=election.id))


def _announce(garante: User, plan: ActionPlan, title: str, text: str, link: str, url: str) -> None:
    announcement = create_announcement(garante, plan, {
        "title": title, "body": f"{text}\n\n[{link}]({url}).\n\n{FICTITIOUS}"})
    publish_announcement(garante, announcement)
