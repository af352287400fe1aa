"""A large, realistic plan for the benchmark, the same every time for the same seed.

50,000 citizens, 3,000 organisations, 20,000 proposals, 200,000 comments, 500,000 supports,
300 dialogue tables, 500 commitments with 5,000 milestones, a closed public consultation on the
first commitment with 60 answered comments, and elections: one published with 3,000 ballots and
one open for voting (the benchmark casts ballots in it). The comments of the pages the benchmark
reads (the hot proposal's and the consultation's) are Markdown, each different, so that those
pages do the rendering a real page does.

Rows are written in bulk with Core statements (the services would take hours); the elections go
through the real services, so their roll, chain and result are the ones the app would produce.
"""
import random
import time
from datetime import timedelta

import sqlalchemy as sa

from app.accounts.models import Organisation, Role, Sector, User, Verification
from app.accounts.passwords import hash_password
from app.calls.models import ApplicationStatus, Call, CallApplication, CallCommittee
from app.comments.models import Comment
from app.commitments.models import (
    Commitment,
    CommitmentState,
    ImplementationStatus,
    Milestone,
    MilestoneStatus,
)
from app.consultations.models import Consultation, ConsultationAnswer, ConsultationOutcome
from app.core.db import utcnow
from app.core.rendered import fill_rendered, render_fields
from app.core.text import fold
from app.dialogues.models import DialogueTable, TableState
from app.elections import services as elections
from app.elections.models import Candidate, CandidateState, Election, ElectionState
from app.elections.services import voting
from app.extensions import db
from app.plans.models import ActionPlan, Committee, Theme
from app.proposals.models import OPEN_STATES, Proposal, ProposalState, Support
from app.search import indexing as search_index

SIZES = {
    "citizens": 50_000, "organisations": 3_000, "proposals": 20_000, "comments": 200_000,
    "supports": 500_000, "tables": 300, "commitments": 500, "milestones_each": 10, "ballots": 3_000,
}
PASSWORD = "Mesa-de-dialogo-2026"
HOT_COMMENTS = 200  # the proposal whose page the benchmark reads has exactly this many comments
CONSULTATION_COMMENTS = 60  # and the consultation page it reads this many, each answered
BATCH = 10_000

FIRST = ["María", "José", "Guadalupe", "Juan", "Ana", "Luis", "Rosa", "Jesús", "Carmen", "Francisco",
         "Alejandra", "Miguel", "Verónica", "Pedro", "Sofía", "Ramón", "Lucía", "Héctor", "Norma", "Iván"]
LAST = ["Hernández", "García", "Martínez", "López", "González", "Rodríguez", "Pérez", "Sánchez", "Ramírez",
        "Flores", "Gómez", "Ríos", "Soto", "Núñez", "Ibarra", "Quiñones", "Aguilar", "Castañeda"]
MUNICIPALITIES = ["Durango", "Gómez Palacio", "Lerdo", "Santiago Papasquiaro", "Pueblo Nuevo", "Canatlán",
                  "Nombre de Dios", "Vicente Guerrero", "Mezquital", "Tepehuanes", "Guadalupe Victoria"]
TOPICS = ["baches", "alumbrado público", "agua potable", "drenaje", "transporte", "seguridad", "parques",
          "basura", "banquetas", "escuelas", "salud", "transparencia", "presupuesto", "obras públicas"]
PLACES = ["colonia Centro", "colonia Guillermina", "fraccionamiento Huizache", "barrio de Analco",
          "colonia Valle del Sur", "ejido Cinco de Mayo", "colonia Jalisco", "calle Negrete"]


def markdown_comment(i: int, rng: random.Random) -> str:
    """A comment in Markdown, different for every i: bold, links, lists, quotes, code, tables."""
    topic, place = rng.choice(TOPICS), rng.choice(PLACES)
    kinds = [
        f"**Coincido:** {topic} es un problema en la _{place}_. Ver https://example.org/reportes/{i}",
        f"Propongo:\n\n1. Atender {topic} en la {place}\n2. Publicar el avance\n3. Informar en "
        f"[el portal](https://durango.gob.mx/obras/{i})",
        f"> Lo dijo una vecina de la {place}\n\nY añado el `folio-{i}` de mi reporte de {topic}.",
        f"### Resumen {i}\n\n- {topic}\n- {place}\n  - desde hace meses\n\n```\nreporte {i}: pendiente\n```",
        f"| colonia | reportes |\n|---|---|\n| {place} | {i % 97} |\n\nEscríbannos: vecinos{i}@example.org",
    ]
    return kinds[i % len(kinds)]


def _render_numbered(rows: list[dict]) -> None:
    """Stored HTML of the bulk comments "… Comentario <n>.", rendered once per text but its number
    (a number in mid-line is only text to Markdown), which is then put in: 1 ms a render × 200,000."""
    shapes = {}
    for row in rows:
        head, number = row["body"].rsplit(" ", 1) if row["body"].startswith("Coincido: ") else ("", "")
        if not number.rstrip(".").isdigit():
            continue
        if head not in shapes:
            shapes[head] = render_fields({"body": f"{head} N0."})
        row["rendered"] = {part: {"body": shapes[head][part]["body"].replace("N0.", number)}
                           for part in ("html", "text")}


def _insert(model, rows: list[dict]) -> None:
    fill_rendered(model, rows)  # stored HTML, as the services write it (app/core/rendered.py)
    for start in range(0, len(rows), BATCH):
        db.session.execute(sa.insert(model), rows[start:start + BATCH])
    db.session.commit()


def _ids(model, where=None) -> list[int]:
    stmt = sa.select(model.id).order_by(model.id)
    if where is not None:
        stmt = stmt.where(where)
    return list(db.session.scalars(stmt))


def generate(seed: int = 2026, sizes: dict | None = None, log=print) -> dict:
    """Fill an empty database; returns what the benchmark needs to find (ids, references)."""
    sizes = {**SIZES, **(sizes or {})}
    rng = random.Random(seed)
    now = utcnow()
    started = time.perf_counter()
    password_hash = hash_password(PASSWORD)

    plan = ActionPlan(slug="tercer-plan-durango", name="Tercer Plan de Acción Local de Gobierno Abierto de Durango",
                      period="2026–2027", description="Plan de prueba del benchmark.", is_current=True,
                      # Required since the plans got reference prefixes and publication.
                      reference_prefix="DGO", published_at=now)
    committees = [Committee(plan=plan, slug=slug, name=name, scope=scope, position=i)
                  for i, (slug, name, scope) in enumerate([
                      ("poder-ejecutivo", "Comité del Poder Ejecutivo", "Poder Ejecutivo del Estado"),
                      ("municipio-durango", "Comité del Municipio de Durango", "Municipio de Durango"),
                      ("municipio-gomez-palacio", "Comité de Gómez Palacio", "Municipio de Gómez Palacio"),
                      ("municipio-tepehuanes", "Comité de Tepehuanes", "Municipio de Tepehuanes")])]
    themes = [Theme(plan=plan, slug=fold(t).replace(" ", "-"), name=t.capitalize()) for t in TOPICS[:8]]
    admin = User(email="organo.garante@example.org", name="Órgano Garante", role=Role.admin,
                 password_hash=password_hash, email_confirmed_at=now)
    db.session.add_all([plan, *committees, *themes, admin])
    db.session.commit()

    _insert(User, [{
        "email": f"ciudadana{i}@example.org", "name": f"{rng.choice(FIRST)} {rng.choice(LAST)} {rng.choice(LAST)}",
        "municipality": rng.choice(MUNICIPALITIES), "role": Role.citizen, "password_hash": password_hash,
        "locale": "es_MX", "created_at": now - timedelta(days=rng.randint(1, 400)), "email_confirmed_at": now,
        "failed_logins": 0, "session_version": 1,
    } for i in range(sizes["citizens"])])
    _insert(User, [{
        "email": f"organizacion{i}@example.org", "name": f"Colectivo {rng.choice(TOPICS).title()} {i}, A.C.",
        "municipality": rng.choice(MUNICIPALITIES), "role": Role.organisation, "password_hash": password_hash,
        "locale": "es_MX", "created_at": now - timedelta(days=rng.randint(1, 400)), "email_confirmed_at": now,
        "failed_logins": 0, "session_version": 1,
    } for i in range(sizes["organisations"])])
    citizens = _ids(User, User.role == Role.citizen)
    organisations = _ids(User, User.role == Role.organisation)
    names = dict(db.session.execute(sa.select(User.id, User.name).where(User.role == Role.organisation)).all())
    sectors = list(Sector)
    _insert(Organisation, [{
        "user_id": org, "legal_name": names[org], "sector": rng.choice(sectors), "contact_person": "Contacto",
        "verification": Verification.verified, "verified_at": now, "verified_by_id": admin.id,
    } for org in organisations])
    log(f"  people: {len(citizens):,} citizens, {len(organisations):,} organisations "
        f"({time.perf_counter() - started:.0f} s)")

    call = Call(plan_id=plan.id, title="Convocatoria 2026", body="Bases de la convocatoria.", requirements="",
                declarations=["Sin conflicto de interés"], opens_at=now - timedelta(days=90),
                closes_at=now - timedelta(days=60), published_at=now - timedelta(days=91))
    db.session.add(call)
    db.session.flush()
    for committee in committees[:2]:
        db.session.add(CallCommittee(call_id=call.id, committee_id=committee.id))
    db.session.commit()
    _insert(CallApplication, [{
        "call_id": call.id, "organisation_id": org, "committee_id": committee.id,
        "status": ApplicationStatus.approved, "declarations": ["Sin conflicto de interés"],
        "created_at": now - timedelta(days=70), "decided_at": now - timedelta(days=65),
    } for committee in committees[:2] for org in organisations])

    states = [ProposalState.submitted] * 5 + [ProposalState.under_review] * 3 + [
        ProposalState.in_dialogue, ProposalState.accepted, ProposalState.not_accepted, ProposalState.withdrawn]
    proposal_rows = []
    for i in range(1, sizes["proposals"] + 1):
        topic = rng.choice(TOPICS)
        title = f"Problemas de {topic} en la {rng.choice(PLACES)} ({i})"
        body = (f"Vecinas y vecinos reportamos {topic} desde hace meses. " * rng.randint(2, 6)).strip()
        reference = f"DGO-2026-{i:05d}"
        created = now - timedelta(minutes=rng.randint(1, 60 * 24 * 300))
        proposal_rows.append({
            "plan_id": plan.id, "committee_id": rng.choice(committees).id, "theme_id": rng.choice(themes).id,
            "author_id": rng.choice(citizens), "reference": reference, "year": 2026, "sequence": i,
            "title": title, "body": body, "place": rng.choice(PLACES), "municipality": rng.choice(MUNICIPALITIES),
            "state": rng.choice(states), "search_text": fold(f"{title} {body} {reference}"),
            "created_at": created, "updated_at": created, "support_count": 0, "comment_count": 0,
            "open_reports": 0,
        })
    _insert(Proposal, proposal_rows)
    proposals = dict(db.session.execute(sa.select(Proposal.id, Proposal.committee_id)).all())
    proposal_ids = sorted(proposals)
    hot = proposal_ids[0]

    comment_counts = dict.fromkeys(proposal_ids, 0)
    comment_rows = []
    for i in range(sizes["comments"]):
        proposal = hot if i < HOT_COMMENTS else rng.choice(proposal_ids[1:])
        comment_counts[proposal] += 1
        comment_rows.append({
            "proposal_id": proposal, "committee_id": proposals[proposal], "author_id": rng.choice(citizens),
            "body": markdown_comment(i, rng) if i < HOT_COMMENTS else
            f"Coincido: {rng.choice(TOPICS)} es un problema en la {rng.choice(PLACES)}. Comentario {i}.",
            "created_at": now - timedelta(minutes=rng.randint(1, 60 * 24 * 200)), "open_reports": 0,
        })
    _render_numbered(comment_rows)
    _insert(Comment, comment_rows)
    del comment_rows

    pairs = set()
    voters = citizens + organisations
    while len(pairs) < sizes["supports"]:
        pairs.add((rng.choice(proposal_ids), rng.choice(voters)))
    support_counts = dict.fromkeys(proposal_ids, 0)
    for proposal, _user in pairs:
        support_counts[proposal] += 1
    _insert(Support, [{"proposal_id": p, "user_id": u, "created_at": now} for p, u in sorted(pairs)])
    del pairs
    for start in range(0, len(proposal_ids), BATCH):
        chunk = proposal_ids[start:start + BATCH]
        db.session.execute(sa.update(Proposal), [
            {"id": p, "support_count": support_counts[p], "comment_count": comment_counts[p]} for p in chunk])
    db.session.commit()
    log(f"  participation: {len(proposal_ids):,} proposals, {sizes['comments']:,} comments, "
        f"{sizes['supports']:,} supports ({time.perf_counter() - started:.0f} s)")

    _insert(DialogueTable, [{
        "committee_id": rng.choice(committees).id, "theme_id": rng.choice(themes).id,
        "title": f"Mesa de diálogo sobre {rng.choice(TOPICS)} {i}", "objective": "Construir el compromiso.",
        "starts_at": now + timedelta(days=rng.randint(-200, 60)), "place": "Sala de cabildo", "capacity": 40,
        "registration_deadline": now + timedelta(days=rng.randint(-200, 59)), "state": TableState.scheduled,
        "confirmed_count": 0, "revision": 0, "created_at": now, "updated_at": now,
    } for i in range(sizes["tables"])])

    numbers = {c.id: 0 for c in committees}
    commitment_rows = []
    for i in range(sizes["commitments"]):
        committee = rng.choice(committees)
        numbers[committee.id] += 1
        topic = rng.choice(TOPICS)
        commitment_rows.append({
            "plan_id": plan.id, "committee_id": committee.id, "theme_id": rng.choice(themes).id,
            "number": numbers[committee.id], "title": f"Compromiso sobre {topic} ({i + 1})",
            "lead_institution": "Secretaría de la Contraloría", "responsible_official": "Titular de la unidad",
            "official_contact": "transparencia@durango.gob.mx", "problem": f"Falta información sobre {topic}.",
            "objective": f"Publicar datos abiertos de {topic}.", "description": "Portal y mesas de seguimiento.",
            "starts_on": (now - timedelta(days=100)).date(), "ends_on": (now + timedelta(days=300)).date(),
            "state": CommitmentState.published, "implementation_status": rng.choice(list(ImplementationStatus)),
            "version": 1, "created_at": now, "updated_at": now, "published_at": now - timedelta(days=100),
        })
    _insert(Commitment, commitment_rows)
    statuses = list(MilestoneStatus)
    _insert(Milestone, [{
        "commitment_id": commitment, "position": position, "description": f"Hito {position + 1}",
        "responsible": "Unidad de Transparencia", "starts_on": (now + timedelta(days=30 * position - 100)).date(),
        "ends_on": (now + timedelta(days=30 * position - 70)).date(), "deliverable": "Informe publicado",
        "status": rng.choice(statuses),
    } for commitment in _ids(Commitment) for position in range(sizes["milestones_each"])])
    consulted = _consultation(admin, citizens, rng)
    log(f"  plan record: {sizes['tables']} tables, {sizes['commitments']} commitments, a consultation "
        f"with {CONSULTATION_COMMENTS} comments ({time.perf_counter() - started:.0f} s)")

    published = _election(committees[0], organisations, admin, rng, ballots=sizes["ballots"])
    voting = _election(committees[1], organisations, admin, rng, ballots=0)
    log(f"  elections: {sizes['ballots']:,} ballots in #{published.id}, #{voting.id} open for voting "
        f"({time.perf_counter() - started:.0f} s)")
    # Rows written in bulk bypass the ORM, so the search index is built once at the end, as
    # `flask search reindex` does after an import.
    indexed = search_index.rebuild()
    db.session.commit()
    log(f"  search index: {sum(indexed.values()):,} entries ({time.perf_counter() - started:.0f} s)")
    # A bulk load leaves the planner's statistics empty; autovacuum would gather them in time.
    db.session.execute(sa.text("ANALYZE"))
    db.session.commit()
    # Where a person may support or comment: open proposals, with their authors (who may not).
    open_proposals = [tuple(row) for row in db.session.execute(
        sa.select(Proposal.id, Proposal.reference, Proposal.author_id)
        .where(Proposal.state.in_(OPEN_STATES)).order_by(Proposal.id)).all()]
    return {"hot_proposal": db.session.get(Proposal, hot).reference, "commitment": consulted,
            "published_election": published.id, "voting_election": voting.id,
            "committee": committees[1].slug, "citizens": citizens, "organisations": organisations,
            "proposals": proposal_ids, "open_proposals": open_proposals}


def _consultation(admin, citizens: list[int], rng: random.Random) -> int:
    """A closed public consultation on the first commitment: comments on its sections and
    milestones, each answered. Returns the commitment's id."""
    commitment = db.session.scalars(sa.select(Commitment).order_by(Commitment.id)).first()
    now = utcnow()
    db.session.add(Consultation(commitment_id=commitment.id, opens_at=now - timedelta(days=130),
                                closes_at=now - timedelta(days=110), opened_by_id=admin.id))
    db.session.commit()
    milestones = [f"milestone-{m}" for m in _ids(Milestone, Milestone.commitment_id == commitment.id)]
    sections = [None, "problem", "objective", "description", *milestones]
    _insert(Comment, [{
        "commitment_id": commitment.id, "committee_id": commitment.committee_id,
        "section": sections[i % len(sections)], "author_id": rng.choice(citizens),
        "body": markdown_comment(HOT_COMMENTS + i, rng),
        "created_at": now - timedelta(days=125, minutes=i), "open_reports": 0,
    } for i in range(CONSULTATION_COMMENTS)])
    outcomes = list(ConsultationOutcome)
    _insert(ConsultationAnswer, [{
        "comment_id": comment, "outcome": outcomes[n % len(outcomes)], "answered_by_id": admin.id,
        "reason": f"**{'Se incorpora' if n % 3 else 'No se incorpora'}** en la versión 2: ver "
                  f"[el hito {n}](https://example.org/hitos/{n}).\n\n- motivo uno\n- motivo dos",
        "answered_at": now - timedelta(days=105),
    } for n, comment in enumerate(_ids(Comment, Comment.commitment_id == commitment.id))])
    return commitment.id


def _election(committee, organisations, admin, rng, ballots: int) -> Election:
    now = utcnow()
    election = Election(
        committee_id=committee.id, title=f"Elección de representantes de sociedad civil — {committee.name}",
        nominations_open_at=now - timedelta(days=10), nominations_close_at=now - timedelta(days=5),
        voting_opens_at=now - timedelta(hours=1), voting_closes_at=now + timedelta(days=2),
        min_participants=3, state=ElectionState.nominating, created_by_id=admin.id,
        # Every election belongs to a call: its roll is that call's approved organisations.
        call_id=db.session.scalar(sa.select(CallCommittee.call_id)
                                  .where(CallCommittee.committee_id == committee.id)),
    )
    db.session.add(election)
    db.session.commit()
    people = [User(email=f"candidata{election.id}-{n}@example.org", name=f"{rng.choice(FIRST)} {rng.choice(LAST)}",
                   role=Role.citizen, password_hash="!", email_confirmed_at=now) for n in range(4)]
    db.session.add_all(people)
    db.session.commit()
    for n, person in enumerate(people):
        db.session.add(Candidate(election_id=election.id, organisation_id=organisations[n], user_id=person.id,
                                 public_code=elections._unique_code(election.id), name=person.name,
                                 bio="Trayectoria en participación ciudadana.", statement="Propuesta de trabajo.",
                                 state=CandidateState.validated))
    db.session.commit()
    elections.open_voting(admin, election)
    if not ballots:
        return election
    codes = [None, *elections.ballot_options(election)]
    # The password check is the one shortcut: every organisation's password is the same, known one.
    check, voting.verify_password = voting.verify_password, lambda stored, given: True
    try:
        for org_id in organisations[:ballots]:
            elections.cast_ballot(db.session.get(User, org_id), election, rng.choice(codes), PASSWORD)
    finally:
        voting.verify_password = check
    election.voting_closes_at = utcnow() - timedelta(seconds=1)
    db.session.commit()
    elections.close_election(admin, election)
    return elections.publish_result(admin, election)
