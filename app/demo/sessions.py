"""The current plan's committee sessions, dated from the day of loading: the Poder Ejecutivo met a
month ago with its suplente standing in for the absent titular (quorum), took three agreements
(one done, one late, one open) and published its minutes; Tepehuanes met without quorum. Told
through the sessions' services (app/meetings), each act at its moment. Idempotent: nothing is
told when the plan's committees have sessions."""
from datetime import UTC, date, datetime, time, timedelta

import sqlalchemy as sa

from app.accounts.models import ModeratorScope, User
from app.core import clock as app_clock
from app.demo.timeline import Story
from app.extensions import db
from app.meetings.models import CommitteeSession
from app.meetings.services import add_agreement, complete_agreement, publish_minutes, record_session
from app.plans.models import ActionPlan, Committee, CommitteeMember, MemberKind

PE_AGENDA = ("1. Avance de los compromisos del comité.\n2. Calendario de cargas del micrositio de obra "
             "pública.\n3. Asuntos generales.")
PE_AGREEMENTS = [
    # (text, owner, due in days from the session, done days after the session or None)
    ("Publicar el calendario de cargas de datos del micrositio de obra pública.",
     "Secretaría de Comunicaciones y Obras Públicas", 10, 8),
    ("Presentar al comité la ficha técnica de las doce obras de la primera carga.",
     "Secretaría de Comunicaciones y Obras Públicas", 25, None),
    ("Convocar a una mesa de trabajo con los colegios de ingenieros civiles.",
     "Representación de la sociedad civil", 50, None),
]
PE_MINUTES = ("**Acta de la sesión ordinaria (demostración).** Asistieron la persona representante del "
              "Poder Ejecutivo y el suplente de la sociedad civil, en lugar de la titular, ausente. Con "
              "quórum, se revisó el avance de los compromisos y se tomaron tres acuerdos.")
TP_AGENDA = "1. Revisión de la señalética instalada.\n2. Asuntos generales."
TP_MINUTES = ("**Acta (demostración).** No se reunió el quórum: no asistió ningún integrante con voto. "
              "La revisión de la señalética pasa a la siguiente sesión.")


def summary(plan: ActionPlan) -> str:
    count = db.session.scalar(sa.select(sa.func.count(CommitteeSession.id)).join(
        Committee, Committee.id == CommitteeSession.committee_id).where(Committee.plan_id == plan.id))
    return f"{count} committee sessions"


def _facilitator(committee: Committee) -> User:
    return db.session.scalars(sa.select(User).join(ModeratorScope, ModeratorScope.user_id == User.id)
                              .where(ModeratorScope.committee_id == committee.id).order_by(User.id)).first()


def sessions_story(plan: ActionPlan, today: date) -> Story:
    """Once (nothing when the plan's committees have sessions); a story for run_together."""
    committees = {c.slug: c for c in db.session.scalars(sa.select(Committee).filter_by(plan_id=plan.id))}
    if db.session.scalar(sa.select(sa.exists().where(
            CommitteeSession.committee_id.in_([c.id for c in committees.values()])))):
        return

    def day(offset: int, hhmm: str = "10:00") -> datetime:
        hours, minutes = (int(p) for p in hhmm.split(":"))
        return datetime.combine(today + timedelta(days=offset), time(hours, minutes),
                                tzinfo=app_clock.local_zone()).astimezone(UTC)

    executive, tepehuanes = committees["poder-ejecutivo"], committees["tepehuanes"]
    yield day(-30, "18:00")
    members = db.session.scalars(sa.select(CommitteeMember).where(
        CommitteeMember.committee_id == executive.id, CommitteeMember.term_end.is_(None))).all()
    present = [m.id for m in members if m.kind in (MemberKind.government, MemberKind.cs_suplente)]
    facilitator = _facilitator(executive)
    session = record_session(facilitator, executive, {
        "held_on": today - timedelta(days=30), "place": "Sala de juntas del IDAIP (demostración)",
        "agenda": PE_AGENDA, "present": present, "stand_in": True})
    agreements = [add_agreement(facilitator, session, {
        "text": text, "owner": owner, "due_on": session.held_on + timedelta(days=due)})
        for text, owner, due, _done in PE_AGREEMENTS]
    yield day(-28, "12:00")
    publish_minutes(facilitator, session, PE_MINUTES)
    for agreement, (_text, _owner, _due, done) in zip(agreements, PE_AGREEMENTS, strict=True):
        if done is not None:
            yield day(-30 + done, "13:00")
            complete_agreement(facilitator, agreement, {
                "done_on": session.held_on + timedelta(days=done),
                "note": "Publicado en el micrositio; la liga está en el reporte de avance."})
    yield day(-12, "18:30")
    facilitator = _facilitator(tepehuanes)
    lacking = record_session(facilitator, tepehuanes, {
        "held_on": today - timedelta(days=12), "place": "Presidencia municipal de Tepehuanes",
        "agenda": TP_AGENDA, "present": []})
    yield day(-11, "10:00")
    publish_minutes(facilitator, lacking, TP_MINUTES)
