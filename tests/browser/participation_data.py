"""A plan with proposals, supports, threads, moderation, a table with minutes and notifications.

Built through the areas' services, as people would have made it, for the browser tests of issue 3.
`mark` is appended to every free text (and name), so the stored-XSS test can put a payload into
each field; the accessibility test leaves it empty and gets realistic Spanish text.
"""
from dataclasses import dataclass, field
from datetime import timedelta

import sqlalchemy as sa

from app.accounts.models import User
from app.comments import services as comments
from app.comments.models import Comment
from app.core.db import utcnow
from app.dialogues import services as dialogues
from app.dialogues.models import DialogueTable
from app.extensions import db
from app.moderation import services as moderation
from app.plans.models import ActionPlan, Committee, Theme
from app.proposals import services as proposals
from app.proposals.models import Proposal, ProposalState
from tests.factories import (
    make_committee,
    make_moderator,
    make_organisation,
    make_plan,
    make_theme,
    make_user,
)

AUTHOR_EMAIL = "ana.lopez@example.org"
SUPPORTER_EMAIL = "beto.soto@example.org"
ORGANISATION_EMAIL = "colectivo@example.org"
FACILITATOR_EMAIL = "facilitadora@example.org"
TROLL_EMAIL = "troll@example.org"


@dataclass
class World:
    plan: ActionPlan
    committee: Committee
    other_committee: Committee
    theme: Theme
    author: User
    supporter: User
    organisation: User
    facilitator: User
    troll: User
    proposal: Proposal  # the one with everything: versions, answers, supports, a full thread
    table: DialogueTable  # took place, with the proposal on its agenda and published minutes
    upcoming_table: DialogueTable
    cancelled_table: DialogueTable
    withdrawn: Proposal
    merged: Proposal  # merged into `proposal`
    reply: Comment
    reported_comment: Comment
    auto_hidden_comment: Comment
    hidden_comment: Comment
    texts: dict = field(default_factory=dict)  # what each field holds, by a readable name


def _proposal(actor, plan, committee, theme, title, body, place=None) -> Proposal:
    return proposals.create_proposal(
        actor, plan,
        {"title": title, "body": body, "place": place, "committee_id": committee.id,
         "theme_id": theme.id},
    )


def build_world(mark: str = "") -> World:
    """Everything the pages of issue 3 show. Every free text ends with `mark`."""
    m = f" {mark}" if mark else ""
    t = {
        "author": f"Ana López Rentería{m}",
        "supporter": f"Beto Soto Quiñones{m}",
        "organisation": f"Colectivo Ñandú A.C.{m}",
        "facilitator": f"Lucía Facilitadora{m}",
        "troll": f"Usuario Conflictivo{m}",
        "reporter": f"Vecina que reporta{m}",
        "title": f"Baches y falta de alumbrado en la colonia{m}",
        "title_v1": f"Baches en la colonia del Centro{m}",
        "body": "En la colonia hay **baches profundos** y faltan luminarias desde 2023.\n\n"
                f"- Afecta a quienes caminan de noche\n- Y a quienes van en bicicleta\n\n{mark}".rstrip(),
        "place": f"Colonia Centro, Durango{m}",
        "answer": f"Revisaremos la propuesta con Obras Públicas.{m}",
        "note": f"Traigan fotos de los baches.{m}",
        "comment": f"Yo también lo he visto en la calle Negrete.{m}",
        "reply": f"Gracias, lo agrego a la descripción.{m}",
        "org_comment": f"Tenemos un mapa de las luminarias apagadas.{m}",
        "reported": f"Comentario que alguien reportó por estar fuera de tema.{m}",
        "report_details": f"No habla del alumbrado.{m}",
        "troll_comment": f"Comentario ofensivo que tres cuentas reportaron.{m}",
        "hidden_comment": f"Otro comentario con datos personales.{m}",
        "hide_reason": f"Expone datos personales de un vecino.{m}",
        "block_reason": f"Insultos repetidos a otras personas.{m}",
        "table_title": f"Mesa de alumbrado y calles seguras{m}",
        "table_objective": f"Acordar con el municipio las calles prioritarias.{m}",
        "table_place": f"Sala de Cabildo, Palacio Municipal{m}",
        "upcoming_title": f"Mesa de movilidad en bicicleta{m}",
        "summary": f"Asistieron vecinas, vecinos y Obras Públicas.{m}",
        "agreements": f"1. Recorrido conjunto en marzo.{m}",
        "outcome": f"Se incorpora al compromiso de alumbrado.{m}",
        "correction_reason": f"Faltaba un acuerdo sobre el calendario.{m}",
        "withdraw_reason": f"Lo presentaré junto con otras organizaciones.{m}",
        "duplicate_title": f"Luminarias apagadas en la colonia Centro{m}",
        "merge_answer": f"Es el mismo problema que la propuesta de alumbrado.{m}",
        "cancelled_title": f"Mesa de salud mental comunitaria{m}",
        "cancel_reason": f"El recinto no estará disponible esa semana.{m}",
    }

    plan = make_plan()
    committee = make_committee(plan, name=f"Comité Municipal de Durango{m}")
    other_committee = make_committee(plan, name=f"Comité Estatal{m}")
    theme = make_theme(plan, name="Seguridad y espacio público")
    other_theme = make_theme(plan, name="Salud Mental")

    author = make_user(email=AUTHOR_EMAIL, name=t["author"])
    supporter = make_user(email=SUPPORTER_EMAIL, name=t["supporter"])
    organisation = make_organisation(email=ORGANISATION_EMAIL, name=t["organisation"])
    facilitator = make_moderator(committee, email=FACILITATOR_EMAIL, name=t["facilitator"])
    troll = make_user(email=TROLL_EMAIL, name=t["troll"])
    reporters = [make_user(name=t["reporter"]) for _ in range(3)]

    # The main proposal: edited once (two versions), then supported and discussed.
    proposal = _proposal(author, plan, committee, theme, t["title_v1"], t["body"], t["place"])
    proposals.edit_proposal(author, proposal, {"title": t["title"], "body": t["body"],
                                               "place": t["place"], "theme_id": theme.id})
    proposals.support_proposal(supporter, proposal)
    proposals.support_proposal(organisation, proposal)
    first = comments.post_comment(supporter, proposal, t["comment"])
    reply = comments.post_comment(author, proposal, t["reply"], parent=first)
    comments.post_comment(organisation, proposal, t["org_comment"])
    reported = comments.post_comment(reporters[0], proposal, t["reported"])
    moderation.report_content(reporters[1], reported, "off_topic", t["report_details"])
    troll_comment = comments.post_comment(troll, proposal, t["troll_comment"])
    for reporter in reporters:
        moderation.report_content(reporter, troll_comment, "offensive")
    hidden = comments.post_comment(troll, proposal, t["hidden_comment"])
    moderation.hide_content(facilitator, hidden, t["hide_reason"])
    moderation.block_account(facilitator, hidden, t["block_reason"], 7)
    proposals.change_state(facilitator, proposal, ProposalState.under_review, t["answer"])

    # More proposals for the list: other states, committees, themes and authors.
    others = [
        _proposal(supporter, plan, committee, other_theme,
                  f"Falta atención psicológica en los centros de salud{m}",
                  f"Las citas tardan meses.{m}", f"Centro de Salud Valle del Sur{m}"),
        _proposal(organisation, plan, other_committee, theme,
                  f"Datos abiertos sobre obra pública estatal{m}",
                  f"No se publican los contratos.{m}"),
        _proposal(author, plan, other_committee, other_theme,
                  f"Transparencia en el presupuesto de salud{m}", f"Sin desglose por hospital.{m}"),
        _proposal(supporter, plan, committee, theme,
                  f"Ciclovías desconectadas en el oriente de la ciudad{m}",
                  f"Las ciclovías terminan de golpe.{m}", f"Bulevar Domingo Arrieta{m}"),
    ]
    proposals.support_proposal(author, others[0])
    comments.post_comment(author, others[0], f"Me pasó en enero.{m}")
    proposals.change_state(facilitator, others[3], ProposalState.not_accepted,
                           f"Ya está en el programa municipal de movilidad.{m}")
    proposals.withdraw_proposal(author, others[2], t["withdraw_reason"])
    duplicate = _proposal(organisation, plan, committee, theme, t["duplicate_title"],
                          f"Hay diez luminarias apagadas.{m}")
    proposals.merge_proposal(facilitator, duplicate, proposal, t["merge_answer"])

    # A table that took place: registrations, agenda, attendance and published minutes.
    soon = utcnow() + timedelta(days=3)
    table_data = {
        "title": t["table_title"], "objective": t["table_objective"], "theme_id": theme.id,
        "starts_at": soon, "ends_at": soon + timedelta(hours=2), "place": t["table_place"],
        "online_url": None, "capacity": 30, "registration_deadline": soon - timedelta(days=1),
    }
    table = dialogues.create_table(facilitator, committee, table_data)
    registrations = [dialogues.register(user, table) for user in (author, supporter, organisation)]
    dialogues.add_to_agenda(facilitator, table, [proposal.reference], note=t["note"])
    started = utcnow() - timedelta(hours=3)
    db.session.execute(
        sa.update(DialogueTable).where(DialogueTable.id == table.id).values(
            starts_at=started, ends_at=started + timedelta(hours=2),
            registration_deadline=started - timedelta(days=1),
        )
    )
    db.session.commit()
    table = db.session.get(DialogueTable, table.id)
    db.session.refresh(table)
    dialogues.record_attendance(facilitator, table, [r.id for r in registrations[:2]])
    minutes = {"summary": t["summary"], "agreements": t["agreements"],
               "outcomes": {str(proposal.id): t["outcome"]}}
    dialogues.publish_minutes(facilitator, table, minutes)
    dialogues.correct_minutes(facilitator, table, {
        **minutes, "agreements": f"{t['agreements']}\n2. Calendario de obra en abril.",
        "reason": t["correction_reason"],
    })

    later = utcnow() + timedelta(days=10)
    upcoming = dialogues.create_table(facilitator, committee, {
        **table_data, "title": t["upcoming_title"], "starts_at": later,
        "ends_at": later + timedelta(hours=2), "registration_deadline": later - timedelta(days=2),
    })

    cancelled = dialogues.create_table(facilitator, committee, {
        **table_data, "title": t["cancelled_title"], "starts_at": later,
        "ends_at": later + timedelta(hours=2), "registration_deadline": later - timedelta(days=2),
    })
    dialogues.cancel_table(facilitator, cancelled, t["cancel_reason"])
    db.session.commit()  # services only flush: the world is committed as its requests would be

    db.session.expire_all()
    return World(
        plan=plan, committee=committee, other_committee=other_committee, theme=theme,
        author=author, supporter=supporter, organisation=organisation, facilitator=facilitator,
        troll=troll, proposal=db.session.get(Proposal, proposal.id), table=table,
        upcoming_table=upcoming, cancelled_table=cancelled, withdrawn=others[2],
        merged=duplicate, reply=reply, reported_comment=reported,
        auto_hidden_comment=troll_comment, hidden_comment=hidden, texts=t,
    )

