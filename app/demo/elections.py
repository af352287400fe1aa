"""The demo's public call of 28 October 2020 and the elections of the civil-society seats.

What it holds
- The Durango call (registration 28 Oct – 14 Dec 2020) for the four committees, with its
  declarations; 26 invented civil-society organisations (verified, confirmed accounts) and
  their approved applications: many for the Poder Ejecutivo and the Municipio de Durango, two
  or three for Gómez Palacio and Tepehuanes.
- A finished, published election for the Poder Ejecutivo and one for the Municipio de Durango
  (voting on 25 February 2021), with validated candidates, the frozen roll, a real ballot box
  (hash chain) and the result; their winners are the titular and suplente the seed names.
- Published self-selection agreements for Gómez Palacio and Tepehuanes (too few organisations
  for a vote), each with a small generated PDF as its signed record under UPLOAD_DIR.

Why rows and not services
The services enforce the windows against the current time (nobody can apply in 2020 or vote on
25 Feb 2021 today), so this history is written directly with the models, with the same rules
the services follow: the roll is ordered and hashed as open_voting does, the ballots are
chained with app/elections/chain.py, the close entry seals the voted flags, the tally and the
box come from app.elections.services.compute_tally/box_document and the box is checked with the
standalone verifier before anything is committed (a demo box that does not verify is an error).
Receipts are random and thrown away, as in a real vote. No audit entry is written: the audit
log is append-only and in time order, so it cannot hold backdated acts; the dates of this
history live in the rows themselves (created, nominated, decided, opened, closed, published).

The winners already sit on the committees (the seed's CommitteeMember rows, term from 25 Feb
2021): publishing here adds no CommitteeMember row, it only links the elected people's accounts
to their existing rows, so the committee pages list each titular and suplente once.

Idempotent: nothing is done when the plan already has this call.
"""
import random
import secrets
from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

import sqlalchemy as sa

from app.accounts.models import Organisation, Role, Sector, User, Verification
from app.accounts.passwords import hash_password
from app.calls.models import ApplicationStatus, Call, CallApplication, CallCommittee
from app.calls.queries import calls_covering
from app.core.text import fold
from app.elections import chain, queries, services
from app.elections.models import (
    DEFAULT_SEATS,
    Ballot,
    Candidate,
    CandidateState,
    Election,
    ElectionResult,
    ElectionState,
    RollEntry,
    SelfSelectionAgreement,
)
from app.extensions import db
from app.plans.models import ActionPlan, Committee, CommitteeMember, MemberKind

LOCAL = ZoneInfo("America/Monterrey")
GARANTE = "organo.garante@example.org"

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


def _slug(name: str) -> str:
    return "".join(ch if ch.isalnum() else "." for ch in fold(name)).strip(".")[:40].strip(".")


def _email(name: str) -> str:
    parts = [p for p in _slug(name).split(".") if p and p not in {"a", "c", "de", "del", "la", "por"}]
    return f"{'.'.join(parts[:4])}@example.org"


def load_elections(plan: ActionPlan, password: str | None = None) -> str:
    """Load the call and the elections (once); `password` for the accounts added (organisations
    and candidates; a random one, that nobody knows, by default). Returns a summary."""
    password = password or secrets.token_urlsafe(24)
    existing = db.session.scalar(
        sa.select(Call).where(Call.plan_id == plan.id, Call.title == CALL_TITLE))
    if existing is None:
        _load(plan, password)
    return summary(plan)


def summary(plan: ActionPlan) -> str:
    def count(statement):
        return db.session.scalar(statement) or 0

    call_ids = sa.select(Call.id).where(Call.plan_id == plan.id).scalar_subquery()
    organisations = count(sa.select(sa.func.count(sa.distinct(CallApplication.organisation_id)))
                          .where(CallApplication.call_id.in_(call_ids),
                                 CallApplication.status == ApplicationStatus.approved))
    committee_ids = sa.select(Committee.id).where(Committee.plan_id == plan.id).scalar_subquery()
    elections = count(sa.select(sa.func.count(Election.id))
                      .where(Election.committee_id.in_(committee_ids),
                             Election.state == ElectionState.published))
    agreements = count(sa.select(sa.func.count(Election.id))
                       .where(Election.committee_id.in_(committee_ids),
                              Election.state == ElectionState.self_selected))
    ballots = count(sa.select(sa.func.count(Ballot.id)).join(Election)
                    .where(Election.committee_id.in_(committee_ids)))
    return (f"{organisations} registered organisations, {elections} published elections "
            f"({ballots} ballots), {agreements} self-selection agreements")


def _load(plan: ActionPlan, password: str) -> None:
    garante = db.session.scalar(sa.select(User).where(User.email == GARANTE))
    committees = {c.slug: c for c in db.session.scalars(
        sa.select(Committee).where(Committee.plan_id == plan.id))}
    call = Call(plan_id=plan.id, title=CALL_TITLE, body=CALL_BODY, requirements=CALL_REQUIREMENTS,
                declarations=list(DECLARATIONS), opens_at=CALL_OPENS, closes_at=CALL_CLOSES,
                published_at=CALL_OPENS, created_by_id=garante.id if garante else None,
                created_at=CALL_OPENS - timedelta(days=2))
    db.session.add(call)
    db.session.flush()
    for slug in (PE, MD, GP, TP):
        db.session.add(CallCommittee(call_id=call.id, committee_id=committees[slug].id))

    password_hash = hash_password(password)  # one slow hash for every demo account added here
    organisations = _organisations(password_hash)
    _applications(call, committees, organisations, garante)
    db.session.flush()
    rng = random.Random(20210225)
    for slug, spec in ELECTIONS.items():
        _voted_election(committees[slug], spec, organisations, garante, password_hash, rng)
    for slug, spec in AGREEMENTS.items():
        _agreement(committees[slug], spec, organisations, garante)
    db.session.commit()


def _organisations(password_hash: str) -> list[User]:
    users = []
    for index, (name, sector, municipality, _committees) in enumerate(ORGANISATIONS):
        registered = CALL_OPENS + timedelta(days=1 + index, hours=index % 5)
        user = User(email=_email(name), name=name, municipality=municipality,
                    role=Role.organisation, password_hash=password_hash,
                    email_confirmed_at=registered, locale="es_MX", created_at=registered)
        user.organisation = Organisation(
            legal_name=name, sector=sector, contact_person=f"Enlace de {name.split(',')[0]}",
            description="Organización registrada en la convocatoria del Tercer Plan de Acción "
                        "Local de Gobierno Abierto de Durango.",
            verification=Verification.verified, verified_at=registered + timedelta(days=2),
        )
        db.session.add(user)
        users.append(user)
    db.session.flush()
    return users


def _applications(call, committees, organisations, garante) -> None:
    for index, (org, spec) in enumerate(zip(organisations, ORGANISATIONS, strict=True)):
        applied = CALL_OPENS + timedelta(days=3 + index, hours=2)
        for slug in spec[3]:
            db.session.add(CallApplication(
                call_id=call.id, organisation_id=org.id, committee_id=committees[slug].id,
                status=ApplicationStatus.approved, declarations=list(DECLARATIONS),
                created_at=applied, decided_at=CALL_CLOSES + timedelta(days=1, hours=index % 8),
                decided_by_id=garante.id if garante else None,
            ))


def _election(committee, garante, state) -> Election:
    election = Election(
        committee_id=committee.id, call_id=db.session.scalar(calls_covering(committee.id).limit(1)),
        title=f"Elección de la representación de la sociedad civil — {committee.name}",
        seats=list(DEFAULT_SEATS), nominations_open_at=NOMINATIONS[0],
        nominations_close_at=NOMINATIONS[1], voting_opens_at=VOTING[0], voting_closes_at=VOTING[1],
        min_participants=5, state=state, created_by_id=garante.id if garante else None,
        created_at=ELECTIONS_CREATED,
    )
    db.session.add(election)
    db.session.flush()
    return election


def _person(name: str, password_hash: str, when: datetime) -> User:
    user = User(email=_email(name), name=name, municipality="Durango", role=Role.citizen,
                password_hash=password_hash, email_confirmed_at=when, locale="es_MX",
                created_at=when)
    db.session.add(user)
    db.session.flush()
    return user


def _link_member(committee, kind: MemberKind, name: str, user_id: int | None) -> None:
    member = db.session.scalar(sa.select(CommitteeMember).where(
        CommitteeMember.committee_id == committee.id, CommitteeMember.name == name,
        CommitteeMember.kind == kind))
    if member is not None and member.user_id is None and user_id is not None:
        member.user_id = user_id


def _voted_election(committee, spec, organisations, garante, password_hash, rng) -> None:
    election = _election(committee, garante, ElectionState.published)
    candidates = []
    codes = set()
    for offset, (name, org_index, bio) in enumerate(spec["candidates"]):
        nominated = NOMINATIONS[0] + timedelta(days=3 + offset)
        person = _person(name, password_hash, nominated - timedelta(days=1))
        code = chain.new_candidate_code()
        while code in codes:
            code = chain.new_candidate_code()
        codes.add(code)
        candidate = Candidate(
            election_id=election.id, organisation_id=organisations[org_index].id,
            user_id=person.id, public_code=code, name=name, bio=bio,
            statement="Me comprometo a llevar la voz de las organizaciones al comité y a rendir "
                      "cuentas de cada sesión.",
            state=CandidateState.validated, nominated_at=nominated,
            answered_at=nominated + timedelta(days=1), decided_at=NOMINATIONS[1] + timedelta(days=3),
            decided_by_id=garante.id if garante else None)
        db.session.add(candidate)
        candidates.append(candidate)
    db.session.flush()

    # The roll, frozen and hashed as open_voting does.
    electorate = queries.electorate(election)
    listed = sorted(((queries.organisation_name(u), u.id) for u in electorate),
                    key=lambda pair: (fold(pair[0]), pair[0], pair[1]))
    voters = {oid for _name, oid in listed[:len(listed) - ABSTAINED]}
    for position, (name, oid) in enumerate(listed, start=1):
        db.session.add(RollEntry(election_id=election.id, organisation_id=oid, name=name[:300],
                                 position=position, voted=oid in voters))
    roll_hash = chain.roll_hash([{"id": oid, "name": name[:300]} for name, oid in listed])
    seed = chain.new_seed()
    header = chain.box_header(
        election_id=election.id, title=election.title, committee=committee.name,
        seats=election.seats,
        candidates=[{"code": c.public_code, "name": c.name, "organisation": c.organisation_name}
                    for c in candidates],
        roll_hash_=roll_hash, commitment=chain.seed_commitment(seed),
        voting_opens_at=services.iso(election.voting_opens_at),
        voting_closes_at=services.iso(election.voting_closes_at))
    election.seed = seed
    election.seed_commitment = header["seed_commitment"]
    election.roll_hash = roll_hash
    election.box_header = header
    election.genesis_hash = chain.genesis_hash(header)
    election.voting_opened_at = VOTING[0]

    # The ballots, in a shuffled order, chained one after the other; receipts are not kept.
    choices = [c.public_code for c, n in zip(candidates, spec["votes"], strict=True)
               for _ in range(n)] + [None] * spec["blank"]
    if len(choices) != len(voters):
        raise ValueError(f"{committee.slug}: {len(choices)} ballots for {len(voters)} voters")
    rng.shuffle(choices)
    entries = chain.build_entries(
        election.id, election.genesis_hash,
        [(chain.receipt_digest(chain.new_receipt()), choice) for choice in choices])
    for entry in entries:
        db.session.add(Ballot(election_id=election.id, position=entry["position"],
                              receipt_digest=entry["receipt_digest"], choice=entry["choice"],
                              prev_hash=entry["prev_hash"], entry_hash=entry["entry_hash"]))
    head = entries[-1]["entry_hash"] if entries else election.genesis_hash
    election.ballot_count = len(entries)

    # The close entry, at the end of the window, sealing who voted.
    voted_hash = chain.voted_hash(sorted(voters))
    close = chain.close_entry(election.id, len(entries) + 1, head, voted_hash,
                              services.iso(VOTING[1]), None)
    election.close_prev_hash = head
    election.head_hash = close["entry_hash"]
    election.voted_hash = voted_hash
    election.closed_at = VOTING[1]
    election.closed_early_reason = None
    election.state = ElectionState.closed
    db.session.flush()

    # The result: the services' own count and box, checked by the independent verifier.
    counted, report = services.verified_count(election)
    if counted is None:
        raise RuntimeError(f"the demo box of {committee.slug} does not verify:\n{report}")
    for seat, winner in services.record_result(election, counted, candidates, PUBLISHED):
        if winner is not None:
            _link_member(committee, MemberKind(seat.kind), winner.name, winner.user_id)
    election.published_at = PUBLISHED
    election.term_start = TERM_START
    election.state = ElectionState.published
    db.session.flush()


def record_pdf(committee_name: str, spec: dict, participants: list[str]) -> bytes:
    """A one-page PDF standing in for the signed record of the agreement (ASCII text only)."""
    def ascii_(text: str) -> str:
        return fold(text).encode("ascii", "ignore").decode().replace("(", "[").replace(")", "]")

    lines = [
        "Acta de autoseleccion de la representacion de la sociedad civil",
        ascii_(committee_name),
        f"Fecha: {spec['agreed_on'].isoformat()}",
        f"Titular: {ascii_(spec['titular'][0])}",
        f"Suplente: {ascii_(spec['suplente'][0])}",
        "Organizaciones participantes:",
        *(f"- {ascii_(p)}" for p in participants),
        "[Documento de demostracion]",
    ]
    text = "BT /F1 11 Tf 50 780 Td 14 TL " + " ".join(f"({line}) '" for line in lines) + " ET"
    objects = [
        "<< /Type /Catalog /Pages 2 0 R >>",
        "<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        "<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 842] /Contents 4 0 R "
        "/Resources << /Font << /F1 5 0 R >> >> >>",
        f"<< /Length {len(text)} >>\nstream\n{text}\nendstream",
        "<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>",
    ]
    out = b"%PDF-1.4\n"
    offsets = []
    for number, body in enumerate(objects, start=1):
        offsets.append(len(out))
        out += f"{number} 0 obj\n{body}\nendobj\n".encode("ascii")
    xref = len(out)
    out += f"xref\n0 {len(objects) + 1}\n0000000000 65535 f \n".encode("ascii")
    out += "".join(f"{o:010d} 00000 n \n" for o in offsets).encode("ascii")
    out += (f"trailer\n<< /Size {len(objects) + 1} /Root 1 0 R >>\nstartxref\n{xref}\n%%EOF\n"
            ).encode("ascii")
    return out


def _agreement(committee, spec, organisations, garante) -> None:
    import hashlib

    from app.core import storage

    election = _election(committee, garante, ElectionState.self_selected)
    electorate = queries.electorate(election)
    participants = [{"id": u.id, "name": queries.organisation_name(u)}
                    for u in sorted(electorate, key=lambda u: u.id)]
    titular, titular_org = spec["titular"]
    suplente, suplente_org = spec["suplente"]
    data = record_pdf(committee.name, spec, [p["name"] for p in participants])
    upload = storage.Upload(f"acta-autoseleccion-{committee.slug}.pdf", "application/pdf", data,
                            hashlib.sha256(data).hexdigest())
    stored = storage.write(upload)
    recorded = AGREEMENTS_PUBLISHED - timedelta(days=2)
    agreement = SelfSelectionAgreement(
        election_id=election.id, participants=participants, titular_name=titular,
        titular_organisation=queries.organisation_name(organisations[titular_org]),
        suplente_name=suplente,
        suplente_organisation=queries.organisation_name(organisations[suplente_org]),
        agreed_on=spec["agreed_on"],
        notes="Con menos de cinco organizaciones registradas en el comité, las organizaciones "
              "participantes acordaron por unanimidad a su titular y a su suplente.",
        record_name=upload.original_name, record_stored_name=stored,
        record_content_type=upload.content_type, record_size=upload.size,
        record_sha256=upload.sha256, recorded_by_id=garante.id if garante else None,
        recorded_at=recorded, published_at=AGREEMENTS_PUBLISHED)
    db.session.add(agreement)
    chosen = {MemberKind.cs_titular.value: (titular, agreement.titular_organisation),
              MemberKind.cs_suplente.value: (suplente, agreement.suplente_organisation)}
    for index, kind in enumerate(election.seats):
        name, organisation = chosen[kind]
        db.session.add(ElectionResult(
            election_id=election.id, seat_index=index, seat_kind=kind, winner_name=name,
            winner_organisation=organisation, self_selection=True,
            published_at=AGREEMENTS_PUBLISHED, roll_size=len(participants)))
    election.published_at = AGREEMENTS_PUBLISHED
    election.term_start = TERM_START
    db.session.flush()
