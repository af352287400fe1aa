"""A large, realistic plan for the benchmark, the same every time for the same seed.

At 1× (SIZES): 50,000 citizens, 3,000 organisations, 20,000 proposals, 200,000 comments, 500,000 supports,
300 dialogue tables, 500 commitments with 5,000 milestones, a closed public consultation on the
first commitment with 60 answered comments, and elections: one published with 3,000 ballots and
one open for voting (the benchmark casts ballots in it). The comments of the pages the benchmark
reads (the hot proposal's and the consultation's) are Markdown, each different, so that those
pages do the rendering a real page does.

At 10× (`scaled(10)`): 500,000 citizens, 30,000 organisations, 200,000 proposals, 2,000,000
comments, 5,000,000 supports, 3,000 tables, 5,000 commitments with 50,000 milestones. `extend`
grows a 1× plan to 10× in place (the same pages, ten times the rows around them), so the
benchmark measures both sizes in one run and generates once.

Rows are written in bulk (COPY on PostgreSQL, from generators: constant memory; the services would
take hours); the elections go through the real services, so their roll, chain and result are the
ones the app would produce. The search index is written by the indexer's own builders, in bulk.
"""
import contextlib
import enum
import itertools
import json
import random
import re
import time
from collections.abc import Iterable
from datetime import timedelta

import sqlalchemy as sa
from flask import current_app

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
from app.core.rendered import render_fields
from app.core.text import RENDERER_VERSION, fold
from app.dialogues.models import DialogueTable, TableState
from app.elections import services as elections
from app.elections.models import Candidate, CandidateState, Election, ElectionState
from app.elections.services import voting
from app.extensions import db
from app.fulltext.analyser import words as analyser_words
from app.fulltext.models import SearchEntry
from app.plans.models import ActionPlan, Committee, Theme
from app.proposals.models import OPEN_STATES, Proposal, ProposalState, Support
from app.search import indexing as search_index

SIZES = {
    "citizens": 50_000, "organisations": 3_000, "proposals": 20_000, "comments": 200_000,
    "supports": 500_000, "tables": 300, "commitments": 500, "milestones_each": 10, "ballots": 3_000,
}
PASSWORD = "Mesa-de-dialogo-2026"
PLAN_SLUG = "tercer-plan-durango"
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


def scaled(scale: float) -> dict:
    """SIZES times `scale` (milestones per commitment stay 10; elections stay at their 1× size:
    their ballots go through the real services, and the benchmark casts its own in them)."""
    fixed = ("milestones_each", "ballots")
    return {k: (v if k in fixed else max(1, int(v * scale))) for k, v in SIZES.items()}


# ------------------------------------------------------------------ writing rows in bulk


def _postgresql() -> bool:
    return db.engine.dialect.name == "postgresql"


# "… Comentario 123456." : Markdown reads a number in mid-line as text, so such a text renders as
# its shape with the number put back (one render per shape instead of one per comment).
_NUMBERED = re.compile(r"([^\n\d]*) (\d+)\.")


def _with_rendered(model, columns: tuple[str, ...], rows: Iterable[tuple]):
    """(columns, rows) with the stored HTML and plain text of the model's Markdown fields, as the
    services store them (app/core/rendered.py); bulk rows bypass the flush events that fill them.
    Each distinct text is rendered once (a bounded memo), numbered comments once per shape."""
    fields = [name for name in getattr(model, "rendered_fields", ()) if name in columns]
    if not fields:
        return columns, rows
    at = [columns.index(name) for name in fields]
    memo: dict = {}

    def rendered(values: tuple) -> dict:
        found = memo.get(values)
        if found is None:
            numbered = _NUMBERED.fullmatch(values[0] or "") if len(values) == 1 else None
            if numbered:
                head = numbered.group(1)
                shape = memo.get(("shape", head))
                if shape is None:
                    shape = memo[("shape", head)] = render_fields({fields[0]: f"{head} N0."})
                ending = f"{numbered.group(2)}."
                return {part: {fields[0]: shape[part][fields[0]].replace("N0.", ending)} for part in shape}
            if len(memo) > 50_000:
                memo.clear()
            found = memo[values] = render_fields(dict(zip(fields, values, strict=True)))
        return found

    def rows_with(rows):
        for row in rows:
            yield (*row, rendered(tuple(row[i] for i in at)), RENDERER_VERSION)

    return (*columns, "rendered", "rendered_version"), rows_with(rows)


def _write(model, columns: tuple[str, ...], rows: Iterable[tuple]) -> int:
    """Rows (tuples in the order of `columns`) written in one transaction, in constant memory:
    COPY on PostgreSQL (foreign-key triggers off for the load when the role may: every key is
    made from ids just read), batched INSERTs elsewhere. Returns the number of rows."""
    table = model.__table__
    written = 0
    columns, rows = _with_rendered(model, columns, rows)
    if _postgresql():
        # COPY knows nothing of the model's Python-side defaults (INSERT through SQLAlchemy does):
        # each column left out that has one gets its value, once, at the end of every row.
        defaults = _python_defaults(table, columns)
        columns = (*columns, *defaults)
        extra = tuple(defaults.values())
        json_at = [i for i, name in enumerate(columns) if isinstance(table.c[name].type, sa.JSON)]
        raw = db.session.connection().connection.driver_connection
        with raw.cursor() as cursor:
            if cursor.execute("SELECT current_setting('is_superuser')").fetchone()[0] == "on":
                cursor.execute("SET LOCAL session_replication_role = replica")
            with cursor.copy(f"COPY {table.name} ({', '.join(columns)}) FROM STDIN") as copy:
                for row in rows:
                    if extra:
                        row = (*row, *extra)
                    if json_at:
                        row = tuple(json.dumps(v) if i in json_at else v for i, v in enumerate(row))
                    copy.write_row(row)
                    written += 1
    else:
        rows = iter(rows)
        while batch := list(itertools.islice(rows, BATCH)):
            db.session.execute(sa.insert(model), [dict(zip(columns, row, strict=True)) for row in batch])
            written += len(batch)
    db.session.commit()
    return written


def _python_defaults(table, given) -> dict:
    """{column: value} for the columns not given that have a Python-side default."""
    found = {}
    for column in table.columns:
        default = column.default
        if column.name in given or default is None or column.server_default is not None:
            continue
        if default.is_scalar:
            value = default.arg
        elif default.is_callable:
            value = default.arg(None)
        else:
            continue
        found[column.name] = value.value if isinstance(value, enum.Enum) else value
    return found


def _insert(model, rows: list[dict]) -> None:
    """A few ORM-shaped rows (enum members, lists) in one statement: for the small tables."""
    fields = getattr(model, "rendered_fields", ())
    if fields:  # the stored HTML, as for _write
        rows = [{**row, "rendered": render_fields({name: row.get(name) for name in fields}),
                 "rendered_version": RENDERER_VERSION} for row in rows]
    db.session.execute(sa.insert(model), rows)
    db.session.commit()


def _ids(model, where=None) -> list[int]:
    stmt = sa.select(model.id).order_by(model.id)
    if where is not None:
        stmt = stmt.where(where)
    return list(db.session.scalars(stmt))


def _max_id(model) -> int:
    return db.session.scalar(sa.select(sa.func.coalesce(sa.func.max(model.id), 0)))


# ------------------------------------------------------------------ the plan


def generate(seed: int = 2026, sizes: dict | None = None, log=print) -> dict:
    """Fill an empty database; returns what the benchmark needs to find (ids, references)."""
    sizes = {**SIZES, **(sizes or {})}
    rng = random.Random(seed)
    now = utcnow()
    started = time.perf_counter()
    password_hash = hash_password(PASSWORD)

    plan = ActionPlan(slug=PLAN_SLUG, name="Tercer Plan de Acción Local de Gobierno Abierto de Durango",
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
    call = Call(plan_id=plan.id, title="Convocatoria 2026", body="Bases de la convocatoria.", requirements="",
                declarations=["Sin conflicto de interés"], opens_at=now - timedelta(days=90),
                closes_at=now - timedelta(days=60), published_at=now - timedelta(days=91))
    db.session.add(call)
    db.session.flush()
    for committee in committees[:2]:
        db.session.add(CallCommittee(call_id=call.id, committee_id=committee.id))
    db.session.commit()

    empty = dict.fromkeys(SIZES, 0)
    hot = _bulk(empty, sizes, seed, log, started)

    commitment = db.session.scalars(sa.select(Commitment).order_by(Commitment.id)).first()
    citizens = _ids(User, User.role == Role.citizen)
    organisations = _ids(User, User.role == Role.organisation)
    consulted = _consultation(admin, commitment, citizens, rng)
    log(f"  a consultation with {CONSULTATION_COMMENTS} comments ({time.perf_counter() - started:.0f} s)")
    published = _election(committees[0], organisations, admin, rng, ballots=sizes["ballots"])
    voting = _election(committees[1], organisations, admin, rng, ballots=0)
    log(f"  elections: {sizes['ballots']:,} ballots in #{published.id}, #{voting.id} open for voting "
        f"({time.perf_counter() - started:.0f} s)")
    # Rows written in bulk bypass the ORM, so the search index is written at the end from the
    # data, by the indexer's own builders (what `flask search reindex` writes), in bulk.
    indexed = index_new(dict.fromkeys(search_index.BUILDERS, 0))
    log(f"  search index: {indexed:,} entries ({time.perf_counter() - started:.0f} s)")
    _analyze()
    info = {"hot_proposal": db.session.get(Proposal, hot).reference, "commitment": consulted,
            "published_election": published.id, "voting_election": voting.id,
            "committee": committees[1].slug, "sizes": sizes}
    return refresh(info)


def extend(info: dict, sizes: dict, seed: int = 2026, log=print) -> dict:
    """Grow the plan `generate` made to `sizes` (e.g. from 1× to 10×) by adding the difference;
    the pages the benchmark reads keep their own data (the hot proposal its 200 comments, the
    consultation its 60), while every table they are read from grows."""
    started = time.perf_counter()
    before = {kind: _max_id(model) for kind, (model, _build) in search_index.BUILDERS.items()}
    _bulk(info["sizes"], sizes, seed, log, started)
    indexed = index_new(before)
    log(f"  search index: {indexed:,} entries added ({time.perf_counter() - started:.0f} s)")
    _analyze()
    return refresh({**info, "sizes": sizes})


def refresh(info: dict) -> dict:
    """`info` with the lists the benchmark picks people and targets from, read again."""
    citizens = _ids(User, User.role == Role.citizen)
    organisations = _ids(User, User.role == Role.organisation)
    # Where a person may support or comment: open proposals, with their authors (who may not).
    open_proposals = [tuple(row) for row in db.session.execute(
        sa.select(Proposal.id, Proposal.reference, Proposal.author_id)
        .where(Proposal.state.in_(OPEN_STATES)).order_by(Proposal.id)).all()]
    return {**info, "citizens": citizens, "organisations": organisations, "open_proposals": open_proposals}


def _analyze() -> None:
    """After a bulk load: the planner's statistics, and on PostgreSQL a VACUUM too. Autovacuum
    would otherwise start on its own, minutes later, on the millions of rows just written (the
    insert threshold), and its passes over 5,000,000 supports and 2,000,000 comments would share
    the two cores with the measurements of the 10× plan; a VACUUM also sets the rows' visibility
    bits, which the first reads would otherwise write. VACUUM runs outside a transaction."""
    db.session.commit()
    if _postgresql():
        with db.engine.connect().execution_options(isolation_level="AUTOCOMMIT") as connection:
            connection.execute(sa.text("VACUUM (ANALYZE)"))
    else:
        db.session.execute(sa.text("ANALYZE"))
        db.session.commit()


def _bulk(start: dict, stop: dict, seed: int, log, started: float) -> int:
    """The rows of the plan's large tables from the sizes `start` to `stop`: people, proposals,
    comments, supports, tables, commitments and milestones. Returns the hot proposal's id."""
    # Plain ids only from here: an expired ORM object read inside a COPY's generator would query
    # the connection the COPY holds, and wait for ever.
    plan_id = db.session.scalar(sa.select(ActionPlan.id).where(ActionPlan.slug == PLAN_SLUG))
    committees = _ids(Committee, Committee.plan_id == plan_id)
    themes = _ids(Theme, Theme.plan_id == plan_id)
    now = utcnow()
    password_hash = db.session.scalar(sa.select(User.password_hash).where(User.role == Role.admin))
    # One generator per table and range: the same plan whatever order or steps it is built in.
    def rng_for(name: str) -> random.Random:
        return random.Random(f"{seed}-{name}-{start[name if name in start else 'proposals']}")

    def people(prefix: str, role: Role, name_of, first: int, last: int, rng):
        for i in range(first, last):
            yield (f"{prefix}{i}@example.org", name_of(i, rng), rng.choice(MUNICIPALITIES), role.value,
                   password_hash, "es_MX", now - timedelta(days=rng.randint(1, 400)), now, 0, 1)

    user_columns = ("email", "name", "municipality", "role", "password_hash", "locale", "created_at",
                    "email_confirmed_at", "failed_logins", "session_version")
    _write(User, user_columns, people(
        "ciudadana", Role.citizen, lambda i, r: f"{r.choice(FIRST)} {r.choice(LAST)} {r.choice(LAST)}",
        start["citizens"], stop["citizens"], rng_for("citizens")))
    first_organisation = _max_id(User) + 1
    _write(User, user_columns, people(
        "organizacion", Role.organisation, lambda i, r: f"Colectivo {r.choice(TOPICS).title()} {i}, A.C.",
        start["organisations"], stop["organisations"], rng_for("organisations")))
    new_organisations = db.session.execute(
        sa.select(User.id, User.name).where(User.role == Role.organisation, User.id >= first_organisation)
        .order_by(User.id)).all()
    admin = db.session.scalar(sa.select(User.id).where(User.role == Role.admin))
    rng = rng_for("organisations")
    sectors = [s.value for s in Sector]
    _write(Organisation, ("user_id", "legal_name", "sector", "contact_person", "verification", "verified_at",
                          "verified_by_id"),
           ((org, name, rng.choice(sectors), "Contacto", Verification.verified.value, now, admin)
            for org, name in new_organisations))
    call_id = db.session.scalar(sa.select(Call.id).where(Call.plan_id == plan_id))
    on_call = list(db.session.scalars(sa.select(CallCommittee.committee_id).where(CallCommittee.call_id == call_id)))
    _write(CallApplication, ("call_id", "organisation_id", "committee_id", "status", "declarations", "created_at",
                             "decided_at"),
           ((call_id, org, committee, ApplicationStatus.approved.value, ["Sin conflicto de interés"],
             now - timedelta(days=70), now - timedelta(days=65))
            for committee in on_call for org, _name in new_organisations))
    citizens = _ids(User, User.role == Role.citizen)
    voters = citizens + _ids(User, User.role == Role.organisation)
    log(f"  people: {len(citizens):,} citizens, {len(voters) - len(citizens):,} organisations "
        f"({time.perf_counter() - started:.0f} s)")

    # Proposals: the sequence and reference go on from the last one.
    states = [s.value for s in [ProposalState.submitted] * 5 + [ProposalState.under_review] * 3 + [
        ProposalState.in_dialogue, ProposalState.accepted, ProposalState.not_accepted, ProposalState.withdrawn]]
    first_proposal = _max_id(Proposal) + 1

    def proposals(rng):
        for i in range(start["proposals"] + 1, stop["proposals"] + 1):
            topic = rng.choice(TOPICS)
            title = f"Problemas de {topic} en la {rng.choice(PLACES)} ({i})"
            body = (f"Vecinas y vecinos reportamos {topic} desde hace meses. " * rng.randint(2, 6)).strip()
            reference = f"DGO-2026-{i:05d}"
            created = now - timedelta(minutes=rng.randint(1, 60 * 24 * 300))
            yield (plan_id, rng.choice(committees), rng.choice(themes), rng.choice(citizens), reference, 2026, i,
                   title, body, rng.choice(PLACES), rng.choice(MUNICIPALITIES), rng.choice(states),
                   fold(f"{title} {body} {reference}"), created, created, 0, 0, 0)

    _write(Proposal, ("plan_id", "committee_id", "theme_id", "author_id", "reference", "year", "sequence",
                      "title", "body", "place", "municipality", "state", "search_text", "created_at", "updated_at",
                      "support_count", "comment_count", "open_reports"), proposals(rng_for("proposals")))
    committee_of = dict(db.session.execute(sa.select(Proposal.id, Proposal.committee_id)).all())
    proposal_ids = sorted(committee_of)
    hot = proposal_ids[0]  # the oldest: its comments are all written by the first step

    def comments(rng):
        others = proposal_ids[1:]
        for i in range(start["comments"], stop["comments"]):
            proposal = hot if i < HOT_COMMENTS else rng.choice(others)
            body = (markdown_comment(i, rng) if i < HOT_COMMENTS else
                    f"Coincido: {rng.choice(TOPICS)} es un problema en la {rng.choice(PLACES)}. Comentario {i}.")
            yield (proposal, committee_of[proposal], rng.choice(citizens), body,
                   now - timedelta(minutes=rng.randint(1, 60 * 24 * 200)), 0)

    _write(Comment, ("proposal_id", "committee_id", "author_id", "body", "created_at", "open_reports"),
           comments(rng_for("comments")))

    # Supports: each new proposal its own count, given by consecutive people from a place in the
    # list of voters that depends on the proposal, so no pair repeats (no set of pairs is kept).
    new_proposals = [p for p in proposal_ids if p >= first_proposal]
    wanted = stop["supports"] - start["supports"]
    average = wanted / max(1, len(new_proposals))
    counts = [min(len(voters), int(average * SUPPORT_SHAPE[n % len(SUPPORT_SHAPE)]))
              for n in range(len(new_proposals))]
    short = min(wanted - sum(counts), len(new_proposals) * len(voters) - sum(counts))
    for n in itertools.cycle(range(len(new_proposals))):
        if short <= 0 or not new_proposals:
            break
        if counts[n] < len(voters):
            counts[n] += 1
            short -= 1

    def supports():
        for proposal, count in zip(new_proposals, counts, strict=True):
            offset = (proposal * 7919) % len(voters)
            for k in range(count):
                yield proposal, voters[(offset + k) % len(voters)], now

    written = _write(Support, ("proposal_id", "user_id", "created_at"), supports())
    _recount(first_proposal)
    log(f"  participation: {len(proposal_ids):,} proposals, {stop['comments']:,} comments, "
        f"{start['supports'] + written:,} supports ({time.perf_counter() - started:.0f} s)")

    rng = rng_for("tables")
    _write(DialogueTable, ("committee_id", "theme_id", "title", "objective", "starts_at", "place", "capacity",
                           "registration_deadline", "state", "confirmed_count", "revision", "created_at",
                           "updated_at"),
           ((rng.choice(committees), rng.choice(themes), f"Mesa de diálogo sobre {rng.choice(TOPICS)} {i}",
             "Construir el compromiso.", now + timedelta(days=rng.randint(-200, 60)), "Sala de cabildo", 40,
             now + timedelta(days=rng.randint(-200, 59)), TableState.scheduled.value, 0, 0, now, now)
            for i in range(start["tables"], stop["tables"])))

    numbers = dict(db.session.execute(
        sa.select(Committee.id, sa.func.coalesce(sa.func.max(Commitment.number), 0))
        .outerjoin(Commitment, Commitment.committee_id == Committee.id).group_by(Committee.id)).all())
    implementation = [s.value for s in ImplementationStatus]

    def commitments(rng):
        for i in range(start["commitments"], stop["commitments"]):
            committee = rng.choice(committees)
            numbers[committee] += 1
            topic = rng.choice(TOPICS)
            yield (plan_id, committee, rng.choice(themes), numbers[committee], f"Compromiso sobre {topic} ({i + 1})",
                   "Secretaría de la Contraloría", "Titular de la unidad", "transparencia@durango.gob.mx",
                   f"Falta información sobre {topic}.", f"Publicar datos abiertos de {topic}.",
                   "Portal y mesas de seguimiento.", (now - timedelta(days=100)).date(),
                   (now + timedelta(days=300)).date(), CommitmentState.published.value, rng.choice(implementation),
                   1, now, now, now - timedelta(days=100))

    first_commitment = _max_id(Commitment) + 1
    _write(Commitment, ("plan_id", "committee_id", "theme_id", "number", "title", "lead_institution",
                        "responsible_official", "official_contact", "problem", "objective", "description",
                        "starts_on", "ends_on", "state", "implementation_status", "version", "created_at",
                        "updated_at", "published_at"), commitments(rng_for("commitments")))
    statuses = [s.value for s in MilestoneStatus]
    rng = rng_for("commitments")
    each = stop["milestones_each"]
    _write(Milestone, ("commitment_id", "position", "description", "responsible", "starts_on", "ends_on",
                       "deliverable", "status"),
           ((commitment, position, f"Hito {position + 1}", "Unidad de Transparencia",
             (now + timedelta(days=30 * position - 100)).date(), (now + timedelta(days=30 * position - 70)).date(),
             "Informe publicado", rng.choice(statuses))
            for commitment in _ids(Commitment, Commitment.id >= first_commitment) for position in range(each)))
    log(f"  plan record: {stop['tables']:,} tables, {stop['commitments']:,} commitments "
        f"({time.perf_counter() - started:.0f} s)")
    return hot


# Supports per proposal, as multiples of the average, in turn: some proposals none, some double.
SUPPORT_SHAPE = (0, 1, 2, 0.5, 1.5, 0.25, 1.75, 1)


def _recount(first_proposal: int) -> None:
    """The proposals' counters from the rows, as the services keep them: the new proposals'
    supports, and every proposal's comments (new comments go to old proposals too)."""
    supports = (sa.select(Support.proposal_id, sa.func.count().label("n")).where(Support.proposal_id >= first_proposal)
                .group_by(Support.proposal_id).subquery())
    comments = (sa.select(Comment.proposal_id, sa.func.count().label("n")).where(Comment.proposal_id.is_not(None))
                .group_by(Comment.proposal_id).subquery())
    for counted, column in ((supports, "support_count"), (comments, "comment_count")):
        db.session.execute(sa.update(Proposal).where(Proposal.id == counted.c.proposal_id)
                           .where(getattr(Proposal, column) != counted.c.n)
                           .values({column: counted.c.n}))
    db.session.commit()


def index_new(after: dict[str, int]) -> int:
    """The search entries of every item of each kind whose id is over `after[kind]`, built by the
    indexer's own builders (app/search/indexing.py) and written in bulk. Returns the count."""
    written = 0
    columns = ("kind", "item_id", "plan_id", "url", "title", "title_tokens", "body_tokens", "excerpt")
    with _bulk_indexing():
        for kind, (model, build) in search_index.BUILDERS.items():
            ids = db.session.scalars(
                sa.select(model.id).where(model.id > after.get(kind, 0)).order_by(model.id)).all()
            for start in range(0, len(ids), INDEX_BATCH):
                # Built before the COPY starts: the builders read the database on the same connection.
                entries = build(ids[start:start + INDEX_BATCH])
                written += _write(SearchEntry, columns, (tuple(entry[c] for c in columns) for entry in entries))
    return written


INDEX_BATCH = 5_000


@contextlib.contextmanager
def _bulk_indexing():
    """The indexer's analyser and URL builder, made fit for millions of rows for the length of a
    bulk build, with the same results (checked on a sample before use):
    - analysis memoised per word in a plain dict (the analyser's own cache holds 100,000 words;
      the generated comments carry a different number each, 2,000,000 at 10×), and a word of
      digits only taken as its own token (Snowball has no rule for digits; ~0.2 ms a word);
    - URLs built by one bound URL map instead of binding one for every entry.
    The builders stay the indexer's, so the rows are the ones `flask search reindex` writes."""
    original_analyse = getattr(search_index, "analyse", None)
    original_path = getattr(search_index, "_path", None)
    if original_analyse is None or original_path is None:  # the indexer changed: build it as it is
        yield
        return
    tokens: dict[str, str | None] = {}
    sample = "Comentario 12345 sobre alumbrado público en la colonia Centro, año 2026: 7 baches."
    for word in analyser_words(sample):
        if word.isdigit() and original_analyse(word) != [word.lower()]:
            yield  # the analyser treats digits otherwise now: no shortcut
            return

    def analyse(text):
        found = []
        for word in analyser_words(text):
            token = tokens.get(word, False)
            if token is False:
                token = word if word.isascii() and word.isdigit() and len(word) <= 40 else (original_analyse(word) or [None])[0]
                tokens[word] = token
            if token:
                found.append(token)
        return found

    texts = [sample, markdown_comment(1, random.Random(1)), markdown_comment(3, random.Random(3)), "Áéí ÑANDÚ ü 12 x"]
    if any(analyse(t) != original_analyse(t) for t in texts):
        yield
        return
    adapter = current_app.url_map.bind("localhost")

    def path(endpoint, anchor=None, **values):
        url = adapter.build(endpoint, values)
        return f"{url}#{anchor}" if anchor else url

    if any(path(*a, **k) != original_path(*a, **k) for a, k in (
            (("proposals.show", "comment-7"), {"reference": "DGO-2026-00007"}),
            (("commitments.show",), {"commitment_id": 3}))):
        path = original_path
    search_index.analyse, search_index._path = analyse, path
    try:
        yield
    finally:
        search_index.analyse, search_index._path = original_analyse, original_path


INDEX_BATCH = 5_000


def _consultation(admin, commitment, citizens: list[int], rng: random.Random) -> int:
    """A closed public consultation on the commitment: comments on its sections and milestones,
    each answered. Returns the commitment's id."""
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
