"""The demo's calls and elections of civil-society seats, acted through the calls and elections
services at their moments (app.core.clock.use), as the guarantor body, the organisations and the
candidates would act them.

The Third Plan (archived): the call of 28 October 2020 for the four committees; 26 invented
organisations register, are verified and apply; the guarantor body approves them on 15 December;
the elections of the Poder Ejecutivo and the Municipio de Durango (nominations in January, voting
on 25 February 2021, the seed's titular and suplente win) and the self-selection agreements of
Gómez Palacio and Tepehuanes (too few organisations for a vote), each with a small generated PDF
as its signed record. Publishing seats the winners on the committees.

The current (fictitious) plan, dated from the day of loading: a closed call whose approved
organisations (the demo organisation among them) form the roll of the Municipio de Durango's
election, in voting now, some ballots already cast; and a call open now for Gómez Palacio and
Tepehuanes with applications waiting for the guarantor body's decision.

Idempotent: each part is skipped when its call already exists.
"""
import random
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import sqlalchemy as sa

from app.accounts.models import Sector, User
from app.calls.models import ApplicationStatus, Call, CallApplication
from app.calls.services import apply_to_call, decide_application, publish_call
from app.core.text import fold
from app.demo import people
from app.demo.pdf import pdf_upload
from app.demo.timeline import Story
from app.elections import queries
from app.elections.models import Ballot, Election, ElectionState
from app.elections.services import (
    accept_nomination,
    cast_ballot,
    close_election,
    create_election,
    nominate_candidate,
    open_nominations,
    open_voting,
    publish_agreement,
    publish_result,
    record_agreement,
    validate_candidate,
)
from app.extensions import db
from app.plans.models import ActionPlan, Committee

LOCAL = ZoneInfo("America/Monterrey")

CALL_TITLE = ("Convocatoria pública y abierta para la implementación del Tercer Plan de Acción Local "
              "de Gobierno Abierto y la conformación del Secretariado Técnico Local")
CALL_BODY = (
    "El Órgano Garante (IDAIP) convoca a las organizaciones de la sociedad civil, la academia, "
    "los sindicatos y demás sectores del estado de Durango a registrarse para participar en la "
    "co-creación del **Tercer Plan de Acción Local de Gobierno Abierto** y a integrar los comités "
    "coordinadores del Poder Ejecutivo y de los municipios de Durango, Gómez Palacio y "
    "Tepehuanes.\n\n"
    "Las organizaciones registradas en cada comité eligen, entre las personas que propongan, a "
    "quien las represente como titular y a su suplente."
)
CALL_REQUIREMENTS = (
    "- Estar constituida o tener actividad comprobable en el estado de Durango.\n"
    "- Designar a una persona de contacto.\n"
    "- Aceptar las declaraciones de la convocatoria para cada comité en que se registre."
)
DECLARATIONS = [
    "No tenemos conflicto de interés con los entes obligados del comité.",
    "Conocemos y aceptamos las bases de la convocatoria y los principios de Gobierno Abierto.",
    "La información proporcionada en este registro es verídica.",
]

PE, MD, GP, TP = "poder-ejecutivo", "municipio-durango", "gomez-palacio", "tepehuanes"

# (legal name, sector, municipality, committees); invented organisations.
ORGANISATIONS = [
    ("Red Duranguense de Transparencia y Rendición de Cuentas, A.C.", Sector.civil_society,
     "Durango", (PE,)),
    ("Mujeres Emprendedoras del Guadiana, A.C.", Sector.civil_society, "Durango", (PE,)),
    ("Colectivo Ciudadano Vigila Durango", Sector.civil_society, "Durango", (PE, MD)),
    ("Fundación Sierra Madre para el Desarrollo Comunitario, A.C.", Sector.civil_society,
     "Santiago Papasquiaro", (PE,)),
    ("Facultad de Derecho y Ciencias Políticas de la UJED", Sector.academia, "Durango", (PE,)),
    ("Instituto de Estudios Sociales y Políticas Públicas de Durango, A.C.", Sector.academia,
     "Durango", (PE, MD)),
    ("Asociación de Profesionistas por la Legalidad, A.C.", Sector.civil_society, "Durango", (PE,)),
    ("Fideicomiso Ciudadano para la Seguridad de Durango", Sector.trust, "Durango", (PE,)),
    ("Sindicato de Trabajadores Académicos Independientes", Sector.union, "Durango", (PE,)),
    ("Consejo Ciudadano de Salud Mental de Durango, A.C.", Sector.civil_society, "Durango",
     (PE, MD)),
    ("Comunidad Indígena Tepehuana Unida, A.C.", Sector.civil_society, "Mezquital", (PE,)),
    ("Jóvenes por un Durango Abierto, A.C.", Sector.civil_society, "Durango", (PE, MD)),
    ("Observatorio de Obra Pública del Estado de Durango, A.C.", Sector.civil_society, "Durango",
     (PE, MD)),
    ("Centro Empresarial de Durango (COPARMEX)", Sector.union, "Durango", (MD,)),
    ("Vecinos Unidos del Centro Histórico, A.C.", Sector.civil_society, "Durango", (MD,)),
    ("Durango Verde, Cultura Ambiental, A.C.", Sector.civil_society, "Durango", (MD,)),
    ("Red de Comités de Participación Vecinal de Durango", Sector.civil_society, "Durango", (MD,)),
    ("Colegio de Ingenieros Civiles de Durango, A.C.", Sector.civil_society, "Durango", (MD,)),
    ("Asociación de Padres de Familia por la Educación, A.C.", Sector.civil_society, "Durango",
     (MD,)),
    ("Universidad Tecnológica de Durango, Cuerpo Académico de Gestión Pública", Sector.academia,
     "Durango", (PE, MD)),
    ("Deportistas por los Espacios Públicos de Durango, A.C.", Sector.civil_society, "Durango",
     (MD,)),
    ("Laguna Limpia, Ciudadanos por el Medio Ambiente, A.C.", Sector.civil_society,
     "Gómez Palacio", (GP,)),
    ("Red Lagunera de Prevención del Suicidio, A.C.", Sector.civil_society, "Gómez Palacio",
     (GP,)),
    ("Cámara Nacional de Comercio de Gómez Palacio", Sector.union, "Gómez Palacio", (GP,)),
    ("Unión de Ejidatarios y Comuneros de Tepehuanes", Sector.civil_society, "Tepehuanes", (TP,)),
    ("Voluntariado Tepehuanes Seguro, A.C.", Sector.civil_society, "Tepehuanes", (TP,)),
]

# Per voted committee: the candidates (name, nominating organisation, bio) and the ballots cast
# for each (in list order), then blank ballots. The first two are the seed's titular and suplente.
ELECTIONS = {
    PE: {
        "candidates": [
            ("Jorge Ernesto Fabila Flores", 0,
             "Abogado; veinte años en la defensa del derecho de acceso a la información."),
            ("Manuela Vargas Hernández", 1,
             "Empresaria y promotora de proyectos productivos de mujeres en el estado."),
            ("Rosa Isela Quiñones Madrid", 3,
             "Trabajadora social en comunidades de la sierra de Durango."),
        ],
        "votes": [6, 4, 1],
        "blank": 1,
    },
    MD: {
        "candidates": [
            ("Óscar Eduardo Moreno Littleton", 13,
             "Presidente de COPARMEX Durango; impulsa la mejora regulatoria municipal."),
            ("María de Jesús Hernández Uribe", 14,
             "Coordinadora vecinal del Centro Histórico de Durango."),
            ("Héctor Manuel Soto Aguirre", 15,
             "Biólogo; educación ambiental en escuelas públicas del municipio."),
            ("Gabriela Ibarra Contreras", 18,
             "Madre de familia y promotora de becas escolares."),
        ],
        "votes": [5, 3, 2, 1],
        "blank": 0,
    },
}
# Per self-selecting committee: titular and suplente (name, index of their organisation).
AGREEMENTS = {
    GP: {"titular": ("Jesús Alberto Prado Aguilera", 21),
         "suplente": ("Armando Navarro Gutiérrez", 23), "agreed_on": date(2021, 2, 22)},
    TP: {"titular": ("Javier Benítez Muñoz", 24),
         "suplente": ("Mónica Álvarez Díaz", 25), "agreed_on": date(2021, 2, 23)},
}
# The accounts this module adds: the organisations and the candidates' own accounts.
ACCOUNTS = len(ORGANISATIONS) + sum(len(spec["candidates"]) for spec in ELECTIONS.values())
# How many organisations of each voted roll did not vote (the last ones of the roll's order).
ABSTAINED = 2

TERM_START = date(2021, 2, 25)


def local(year, month, day, hour=0, minute=0) -> datetime:
    return datetime(year, month, day, hour, minute, tzinfo=LOCAL).astimezone(UTC)


# The seed's dates, as immutable (so thread-safe) UTC datetimes.
CALL_OPENS = local(2020, 10, 28, 9)
CALL_CLOSES = local(2020, 12, 14, 23, 59)
ELECTIONS_CREATED = local(2021, 1, 11, 10)
NOMINATIONS = (local(2021, 1, 18, 9), local(2021, 2, 12, 18))
VOTING = (local(2021, 2, 25, 9), local(2021, 2, 25, 18))
PUBLISHED = local(2021, 2, 25, 19)
AGREEMENTS_PUBLISHED = local(2021, 2, 25, 12)


def _email(name: str) -> str:
    slug = "".join(ch if ch.isalnum() else "." for ch in fold(name)).strip(".")[:40].strip(".")
    parts = [p for p in slug.split(".") if p and p not in {"a", "c", "de", "del", "la", "por"}]
    return f"{'.'.join(parts[:4])}@example.org"


def _committees(plan: ActionPlan) -> dict[str, Committee]:
    return {c.slug: c for c in db.session.scalars(sa.select(Committee).where(Committee.plan_id == plan.id))}


def _call(plan: ActionPlan, title: str) -> Call | None:
    return db.session.scalar(sa.select(Call).where(Call.plan_id == plan.id, Call.title == title))


def _organisation(garante: User, index: int, password: str) -> User:
    name, sector, municipality, _committees = ORGANISATIONS[index]
    return people.organisation(
        garante, _email(name), name, sector.value, municipality, f"Enlace de {name.split(',')[0]}",
        "Organización de la sociedad civil de Durango (inventada para la demostración).", password)


def _apply(organisation: User, call: Call, slugs, committees) -> None:
    apply_to_call(organisation, call, [committees[s].id for s in slugs],
                  list(range(len(call.declarations))))


def _window(moment: datetime) -> datetime:
    """A form's naive local date-time for a UTC moment."""
    return moment.astimezone(LOCAL).replace(tzinfo=None)


def _new_election(garante, committee, nominations, voting, minimum=5) -> Election:
    return create_election(garante, committee, {
        "title": f"Elección de la representación de la sociedad civil — {committee.name}",
        "seats": "both", "min_participants": minimum,
        "nominations_open_at": _window(nominations[0]), "nominations_close_at": _window(nominations[1]),
        "voting_opens_at": _window(voting[0]), "voting_closes_at": _window(voting[1])})


def _candidates(election: Election, nominees, password, first: datetime) -> Story:
    """Each (name, organisation, bio): the person's account, the nomination and its acceptance
    (a day apart each). A story: yields each act's moment (app/demo/timeline.py)."""
    for offset, (name, organisation, bio) in enumerate(nominees):
        yield first + timedelta(days=offset)
        person = people.citizen(_email(name), name, "Durango", password)
        candidate = nominate_candidate(organisation, election, {
            "email": person.email, "name": name, "bio": bio,
            "statement": "Me comprometo a llevar la voz de las organizaciones al comité y a rendir "
                         "cuentas de cada sesión."})
        yield first + timedelta(days=offset, hours=20)
        accept_nomination(person, candidate)


def _vote(election: Election, voters: list[User], choices: list[str | None], password: str,
          first: datetime) -> Story:
    for number, (voter, choice) in enumerate(zip(voters, choices, strict=True)):
        yield first + timedelta(minutes=17 * number)
        cast_ballot(voter, election, choice, password)


# ------------------------------------------------------------------ the Third Plan (2020–2021)

def archive_story(plan: ActionPlan, garante: User, password: str) -> Story:
    """The call of 28 Oct 2020, its organisations, the 2021 elections and agreements (once), as a
    story for app.demo.timeline.run_together: yields each act's moment before doing it."""
    if _call(plan, CALL_TITLE) is not None:
        return
    committees = _committees(plan)
    yield CALL_OPENS
    call = publish_call(garante, plan, {
        "title": CALL_TITLE, "body": CALL_BODY, "requirements": CALL_REQUIREMENTS,
        "declarations": DECLARATIONS, "committee_ids": [committees[s].id for s in (PE, MD, GP, TP)],
        "opens_at": _window(CALL_OPENS), "closes_at": _window(CALL_CLOSES)})
    organisations = []
    for index, spec in enumerate(ORGANISATIONS):
        yield CALL_OPENS + timedelta(days=1 + index, hours=index % 5)
        organisation = _organisation(garante, index, password)
        organisations.append(organisation)
        yield CALL_OPENS + timedelta(days=1 + index, hours=6)
        _apply(organisation, call, spec[3], committees)
    decided = CALL_CLOSES + timedelta(hours=10)
    for number, application in enumerate(db.session.scalars(
            sa.select(CallApplication).where(CallApplication.call_id == call.id)
            .order_by(CallApplication.id))):
        yield decided + timedelta(minutes=6 * number)
        decide_application(garante, application, "approve")

    yield ELECTIONS_CREATED
    voted = {slug: _new_election(garante, committees[slug], NOMINATIONS, VOTING) for slug in ELECTIONS}
    agreed = {slug: _new_election(garante, committees[slug], NOMINATIONS, VOTING) for slug in AGREEMENTS}
    yield NOMINATIONS[0]
    for election in voted.values():
        open_nominations(garante, election)
    candidates = {}
    for number, (slug, spec) in enumerate(ELECTIONS.items()):
        nominees = [(name, organisations[index], bio) for name, index, bio in spec["candidates"]]
        yield from _candidates(voted[slug], nominees, password,
                               NOMINATIONS[0] + timedelta(days=3 + 5 * number))
        candidates[slug] = queries.all_candidates(voted[slug].id)
    yield NOMINATIONS[1] + timedelta(days=3)
    for slug in ELECTIONS:
        for candidate in candidates[slug]:
            validate_candidate(garante, candidate)
    yield from _record_agreements(agreed, organisations, garante)

    yield VOTING[0]
    for election in voted.values():
        open_voting(garante, election)
    rng = random.Random(20210225)
    for slug, spec in ELECTIONS.items():
        election = voted[slug]
        by_name = {c.name: c.public_code for c in candidates[slug]}
        choices = [by_name[name] for (name, _i, _b), n in zip(spec["candidates"], spec["votes"],
                                                              strict=True) for _ in range(n)]
        choices += [None] * spec["blank"]
        rng.shuffle(choices)
        roll = queries.roll(election.id)
        voters = [db.session.get(User, e.organisation_id) for e in roll[:len(roll) - ABSTAINED]]
        yield from _vote(election, voters, choices, password, VOTING[0] + timedelta(minutes=30))
    yield AGREEMENTS_PUBLISHED
    for election in agreed.values():
        publish_agreement(garante, election, TERM_START)
    yield VOTING[1]
    for election in voted.values():
        close_election(garante, election)
    yield PUBLISHED
    for election in voted.values():
        publish_result(garante, election, TERM_START)


def _record_agreements(agreed: dict, organisations: list[User], garante) -> Story:
    for slug, spec in AGREEMENTS.items():
        election = agreed[slug]
        yield datetime.combine(spec["agreed_on"], time(18), tzinfo=LOCAL).astimezone(UTC)
        electorate = queries.electorate(election)
        participants = [queries.organisation_name(u) for u in sorted(electorate, key=lambda u: u.id)]
        upload = pdf_upload(f"acta-autoseleccion-{slug}.pdf",
                            record_lines(election.committee.name, spec, participants))
        titular, titular_org = spec["titular"]
        suplente, suplente_org = spec["suplente"]
        record_agreement(garante, election, {
            "participants": [u.id for u in electorate], "agreed_on": spec["agreed_on"],
            "titular_name": titular, "titular_organisation_id": organisations[titular_org].id,
            "suplente_name": suplente, "suplente_organisation_id": organisations[suplente_org].id,
            "notes": "Con menos de cinco organizaciones registradas en el comité, las organizaciones "
                     "participantes acordaron por unanimidad a su titular y a su suplente."},
            upload)


# ------------------------------------------------------------------ the current plan (now)

CURRENT_CALL = "Convocatoria a las organizaciones para integrar los comités del Cuarto Plan (demostración)"
OPEN_CALL = "Segunda convocatoria: Gómez Palacio y Tepehuanes (demostración)"
CURRENT_BODY = ("**Convocatoria de demostración.** El Órgano Garante convoca a las organizaciones "
                "a registrarse en los comités coordinadores del plan de demostración.")
# The organisations of the closed call (indexes of ORGANISATIONS) and their committees.
CURRENT_APPLICANTS = [(2, (PE, MD)), (5, (PE, MD)), (9, (MD,)), (11, (PE, MD)), (12, (MD,)),
                      (13, (MD,)), (14, (MD,)), (15, (MD,)), (16, (PE,)), (19, (MD,))]
# Of the open call: organisations that applied and wait for the decision.
OPEN_APPLICANTS = [(21, (GP,)), (22, (GP,)), (24, (TP,))]
CURRENT_CANDIDATES = [
    ("Lorena Patricia Ávila Reyes", 13, "Contadora pública; vigila el gasto municipal desde 2019."),
    ("Esteban Giacomán Salcido", 15, "Ingeniero ambiental; coordina brigadas de limpieza de ríos."),
    ("Fernanda Nevárez Soto", 11, "Estudiante de ciencia política y voluntaria en su colonia."),
]
# How many organisations of the roll have voted already (the demo organisation has not).
CURRENT_VOTES = [0, 1, 0, None]
# The Poder Ejecutivo's five organisations chose their representatives by agreement (fewer than
# the six its call asks for an election): the demo organisation holds the titular seat, so that
# its login confirms and disputes the progress reports of that committee's commitments.
CURRENT_AGREEMENT = {"titular": ("Ana Laura Medina Reyes", None),
                     "suplente": ("Rodrigo Quiñones Salas", 2), "minimum": 6}


def current_story(plan: ActionPlan, garante: User, demo_organisation: User, password: str,
                  today: date) -> Story:
    """A closed call, an election in voting in the Municipio de Durango (the demo organisation
    on the roll, not yet voted), an open call with pending applications (once). A story for
    app.demo.timeline.run_together: yields each act's moment before doing it."""
    if _call(plan, CURRENT_CALL) is not None:
        return
    committees = _committees(plan)

    def day(offset: int, hhmm: str = "09:00") -> datetime:
        return datetime.combine(today + timedelta(days=offset), time(*map(int, hhmm.split(":"))),
                                tzinfo=LOCAL).astimezone(UTC)

    yield day(-90)
    call = publish_call(garante, plan, {
        "title": CURRENT_CALL, "body": CURRENT_BODY, "requirements": CALL_REQUIREMENTS,
        "declarations": DECLARATIONS, "committee_ids": [committees[s].id for s in (PE, MD)],
        "opens_at": _window(day(-90)), "closes_at": _window(day(-61, "23:59"))})
    applicants = [(_organisation(garante, i, password), slugs) for i, slugs in CURRENT_APPLICANTS]
    applicants.append((demo_organisation, (PE, MD)))
    for number, (organisation, slugs) in enumerate(applicants):
        yield day(-88 + number, "11:00")
        _apply(organisation, call, slugs, committees)
    yield day(-59, "10:00")
    for application in db.session.scalars(sa.select(CallApplication).where(
            CallApplication.call_id == call.id).order_by(CallApplication.id)):
        decide_application(garante, application, "approve")

    yield day(-58, "09:00")
    yield from _current_agreement(garante, committees[PE], demo_organisation, password, day)
    yield day(-58, "10:00")
    election = _new_election(garante, committees[MD], (day(-55), day(-5, "18:00")),
                             (day(-1, "09:00"), day(6, "18:00")), minimum=5)
    yield day(-55)
    open_nominations(garante, election)
    nominees = [(name, _organisation(garante, i, password), bio) for name, i, bio in CURRENT_CANDIDATES]
    yield from _candidates(election, nominees, password, day(-50, "12:00"))
    candidates = queries.all_candidates(election.id)
    yield day(-4, "10:00")
    for candidate in candidates:
        validate_candidate(garante, candidate)
    yield day(-3, "09:00")
    open_call = publish_call(garante, plan, {
        "title": OPEN_CALL, "body": CURRENT_BODY, "requirements": CALL_REQUIREMENTS,
        "declarations": DECLARATIONS, "committee_ids": [committees[s].id for s in (GP, TP)],
        "opens_at": _window(day(-3, "09:00")), "closes_at": _window(day(25, "23:59"))})
    for number, (index, slugs) in enumerate(OPEN_APPLICANTS):
        yield day(-3, f"{11 + 2 * number}:00")
        _apply(_organisation(garante, index, password), open_call, slugs, committees)
    yield day(-1, "09:00")
    open_voting(garante, election)
    roll = [db.session.get(User, e.organisation_id) for e in queries.roll(election.id)]
    voters = [u for u in roll if u.id != demo_organisation.id][:len(CURRENT_VOTES)]
    choices = [candidates[i].public_code if i is not None else None for i in CURRENT_VOTES]
    yield from _vote(election, voters, choices, password, day(-1, "10:30"))


def _current_agreement(garante, committee, demo_organisation, password, day) -> Story:
    """The Poder Ejecutivo's self-selection: its election created, the agreement recorded with
    its signed record the next day, published the day after (the seats begin then)."""
    spec = CURRENT_AGREEMENT
    election = _new_election(garante, committee, (day(-55), day(-5, "18:00")),
                             (day(-1, "09:00"), day(6, "18:00")), minimum=spec["minimum"])
    yield day(-57, "18:00")
    electorate = sorted(queries.electorate(election), key=lambda u: u.id)
    suplente_org = _organisation(garante, spec["suplente"][1], password)
    agreed = {"agreed_on": day(-57).date(), "titular": spec["titular"], "suplente": spec["suplente"]}
    record_agreement(garante, election, {
        "participants": [u.id for u in electorate], "agreed_on": agreed["agreed_on"],
        "titular_name": spec["titular"][0], "titular_organisation_id": demo_organisation.id,
        "suplente_name": spec["suplente"][0], "suplente_organisation_id": suplente_org.id,
        "notes": "Con cinco organizaciones registradas en el comité, menos de las seis que pide la "
                 "convocatoria para una elección, las organizaciones acordaron por unanimidad a su "
                 "titular y a su suplente."},
        pdf_upload("acta-autoseleccion-poder-ejecutivo.pdf", record_lines(
            committee.name, agreed, [queries.organisation_name(u) for u in electorate])))
    yield day(-56, "10:00")
    publish_agreement(garante, election, day(-56).date())


def summary(plan: ActionPlan) -> str:
    def count(statement):
        return db.session.scalar(statement) or 0

    call_ids = sa.select(Call.id).where(Call.plan_id == plan.id).scalar_subquery()
    organisations = count(sa.select(sa.func.count(sa.distinct(CallApplication.organisation_id)))
                          .where(CallApplication.call_id.in_(call_ids),
                                 CallApplication.status == ApplicationStatus.approved))
    committee_ids = sa.select(Committee.id).where(Committee.plan_id == plan.id).scalar_subquery()

    def elections(state):
        return count(sa.select(sa.func.count(Election.id))
                     .where(Election.committee_id.in_(committee_ids), Election.state == state))

    ballots = count(sa.select(sa.func.count(Ballot.id)).join(Election)
                    .where(Election.committee_id.in_(committee_ids)))
    return (f"{organisations} registered organisations, {elections(ElectionState.published)} "
            f"published elections, {elections(ElectionState.voting)} in voting ({ballots} ballots), "
            f"{elections(ElectionState.self_selected)} self-selection agreements")


def record_lines(committee_name: str, spec: dict, participants: list[str]) -> list[str]:
    """The text of the PDF standing in for the signed record of the agreement."""
    return [
        "Acta de autoselección de la representación de la sociedad civil",
        committee_name,
        f"Fecha: {spec['agreed_on'].isoformat()}",
        f"Titular: {spec['titular'][0]}",
        f"Suplente: {spec['suplente'][0]}",
        "Organizaciones participantes:",
        *(f"- {p}" for p in participants),
        "[Documento de demostración]",
    ]
