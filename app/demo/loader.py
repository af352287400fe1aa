"""Loads the demo plan idempotently: running it twice changes nothing."""
from datetime import UTC, datetime

import sqlalchemy as sa

from app.accounts.models import ModeratorScope, Organisation, Role, Sector, User, Verification
from app.accounts.passwords import hash_password
from app.commitments.models import Commitment, CommitmentState, ImplementationStatus
from app.core.db import utcnow
from app.demo import durango
from app.demo.commitments import load_commitments
from app.demo.elections import load_elections
from app.demo.participation import load_participation
from app.demo.places import load_places
from app.extensions import db
from app.plans.models import (
    ActionPlan,
    Committee,
    CommitteeMember,
    MemberKind,
    Phase,
    PhaseKind,
    Theme,
)

DEMO_PASSWORD = "Mesa-de-dialogo-2026"

DEMO_ACCOUNTS = [
    {"role": "admin", "email": "organo.garante@example.org", "password": DEMO_PASSWORD,
     "name": "Órgano Garante (IDAIP)"},
    {"role": "moderator", "email": "facilitador@example.org", "password": DEMO_PASSWORD,
     "name": "Jaime Adrián Arreola Varela", "committee": "municipio-durango"},
    {"role": "citizen", "email": "ciudadana@example.org", "password": DEMO_PASSWORD,
     "name": "Lucía Hernández Soto", "municipality": "Durango"},
    {"role": "organisation", "email": "organizacion@example.org", "password": DEMO_PASSWORD,
     "name": "Observatorio Ciudadano de Durango, A.C.", "municipality": "Durango"},
]


def database_is_empty() -> bool:
    return db.session.scalar(sa.select(sa.func.count(ActionPlan.id))) == 0


def _get_or_add(model, lookup: dict, **values):
    instance = db.session.scalar(sa.select(model).filter_by(**lookup))
    if instance is None:
        instance = model(**lookup, **values)
        db.session.add(instance)
        db.session.flush()
    return instance


def load_demo() -> str:
    plan = _get_or_add(
        ActionPlan,
        {"slug": durango.PLAN["slug"]},
        **{k: v for k, v in durango.PLAN.items() if k != "slug"},
        is_current=True,
    )
    for position, (kind, starts, ends, description) in enumerate(durango.PHASES):
        _get_or_add(
            Phase,
            {"plan_id": plan.id, "kind": PhaseKind(kind)},
            position=position,
            starts_on=starts,
            ends_on=ends,
            description=description,
        )
    themes = {
        slug: _get_or_add(Theme, {"plan_id": plan.id, "slug": slug}, name=name)
        for slug, name in durango.THEMES
    }
    published_at = datetime.combine(durango.COMMITMENTS_PUBLISHED_ON, datetime.min.time(), UTC)
    committees = {}
    for c_pos, spec in enumerate(durango.COMMITTEES):
        committee = _get_or_add(
            Committee,
            {"plan_id": plan.id, "slug": spec["slug"]},
            name=spec["name"],
            scope=spec["scope"],
            position=c_pos,
        )
        committees[spec["slug"]] = committee
        for m_pos, (name, title, kind) in enumerate(spec["members"]):
            _get_or_add(
                CommitteeMember,
                {"committee_id": committee.id, "name": name},
                position_title=title,
                kind=MemberKind(kind),
                position=m_pos,
                term_start=durango.PHASES[1][2] if kind in ("cs_titular", "cs_suplente") else None,
            )
        for number, (theme_slug, title) in enumerate(spec["commitments"], start=1):
            _get_or_add(
                Commitment,
                {"committee_id": committee.id, "number": number},
                plan_id=plan.id,
                theme_id=themes[theme_slug].id,
                title=title,
                state=CommitmentState.published,
                implementation_status=ImplementationStatus.not_started,
                published_at=published_at,
            )
    _load_accounts(committees)
    load_places(db.session.scalar(sa.select(User).where(User.role == Role.admin).limit(1)), plan)
    db.session.commit()
    # Proposals, comments, dialogue tables and moderation, through the services (they commit).
    participation = load_participation(plan, password=DEMO_PASSWORD)
    # The commitments' full template, milestones, progress, consultation and versions (2021–2022).
    commitments = load_commitments(plan)
    # The call of 28 Oct 2020, its organisations, the 2021 elections and self-selection agreements.
    elections = load_elections(plan, DEMO_PASSWORD)
    return (
        f"{plan.name}: {len(committees)} committees, "
        f"{db.session.scalar(sa.select(sa.func.count(CommitteeMember.id)))} members, "
        f"{len(themes)} themes, "
        f"{db.session.scalar(sa.select(sa.func.count(Commitment.id)))} commitments, "
        f"{participation}, {commitments}, {elections}"
    )


def _load_accounts(committees: dict) -> None:
    now = utcnow()
    for spec in DEMO_ACCOUNTS:
        user = db.session.scalar(sa.select(User).where(User.email == spec["email"]))
        if user is not None:
            continue
        user = User(
            email=spec["email"],
            name=spec["name"],
            municipality=spec.get("municipality", "Durango"),
            role=Role(spec["role"]),
            password_hash=hash_password(spec["password"]),
            email_confirmed_at=now,
            locale="es_MX",
        )
        if spec["role"] == "organisation":
            user.organisation = Organisation(
                legal_name=spec["name"],
                sector=Sector.civil_society,
                contact_person="Ana Laura Medina Reyes",
                description="Organización de la sociedad civil que da seguimiento a los compromisos de "
                "Gobierno Abierto en el estado.",
                verification=Verification.verified,
                verified_at=now,
            )
        db.session.add(user)
        db.session.flush()
        if spec.get("committee"):
            committee = committees[spec["committee"]]
            db.session.add(ModeratorScope(user_id=user.id, committee_id=committee.id))
            member = db.session.scalar(
                sa.select(CommitteeMember).where(
                    CommitteeMember.committee_id == committee.id, CommitteeMember.name == spec["name"]
                )
            )
            if member is not None:
                member.user_id = user.id
