"""Factories for tests. Text fields carry hostile input by default, so escaping is always tested."""
import itertools
from datetime import date

import sqlalchemy as sa

from app.accounts.models import ModeratorScope, Organisation, Role, Sector, User, Verification
from app.accounts.passwords import hash_password
from app.core.db import utcnow
from app.extensions import db
from app.plans.models import ActionPlan, Committee, Phase, PhaseKind, Theme
from tests.conftest import PASSWORD

_HASHES: dict[tuple, str] = {}


def password_hash(password: str) -> str:
    """The default password is hashed once per set of Argon2 parameters and the hash reused (every
    user of a test run shares it); any other password gets its own hash, as the app would make."""
    if password != PASSWORD:
        return hash_password(password)
    from flask import current_app

    key = (password, current_app.config["ARGON2_TIME_COST"], current_app.config["ARGON2_MEMORY_COST"])
    if key not in _HASHES:
        _HASHES[key] = hash_password(password)
    return _HASHES[key]


HOSTILE = '<script>alert("x")</script>"><img src=x onerror=alert(1)> Ñandú Pérez 🌵'
_seq = itertools.count(1)


def make_user(role: Role = Role.citizen, *, confirmed: bool = True, email: str | None = None,
              name: str | None = None, password: str = PASSWORD, **extra) -> User:
    n = next(_seq)
    user = User(
        email=email or f"user{n}@example.org",
        name=name if name is not None else f"{HOSTILE} {n}",
        municipality="Durango",
        role=role,
        password_hash=password_hash(password),
        email_confirmed_at=utcnow() if confirmed else None,
        **extra,
    )
    db.session.add(user)
    db.session.commit()
    return user


def make_organisation(*, verified: bool = True, **kwargs) -> User:
    user = make_user(Role.organisation, **kwargs)
    user.organisation = Organisation(
        legal_name=user.name,
        sector=Sector.civil_society,
        contact_person=HOSTILE,
        verification=Verification.verified if verified else Verification.pending,
    )
    db.session.commit()
    return user


def make_plan(slug: str | None = None, *, current: bool = True, published: bool = True,
              reference_prefix: str = "DGO") -> ActionPlan:
    """A published plan, made the current one, whose one phase accepts proposals from 2000 to
    2099 (so that tests that propose need not think of phases)."""
    n = next(_seq)
    if current:  # one current plan at a time (a unique index): the newest one
        db.session.execute(sa.update(ActionPlan).where(ActionPlan.is_current).values(is_current=False))
    plan = ActionPlan(slug=slug or f"plan-{n}", name=f"Plan {HOSTILE}", period="2026–2027",
                      reference_prefix=reference_prefix, is_current=current,
                      published_at=utcnow() if published else None)
    plan.phases.append(Phase(kind=PhaseKind.cocreation, starts_on=date(2000, 1, 1),
                             ends_on=date(2099, 12, 31), accepts_proposals=True))
    db.session.add(plan)
    db.session.commit()
    return plan


def make_committee(plan: ActionPlan | None = None, **kwargs) -> Committee:
    plan = plan or make_plan()
    n = next(_seq)
    committee = Committee(plan=plan, slug=kwargs.pop("slug", f"comite-{n}"),
                          name=kwargs.pop("name", f"Comité {HOSTILE} {n}"),
                          scope=kwargs.pop("scope", "Municipio de Durango"), **kwargs)
    db.session.add(committee)
    db.session.commit()
    return committee


def make_theme(plan: ActionPlan, name: str = "Salud Mental") -> Theme:
    n = next(_seq)
    theme = Theme(plan=plan, slug=f"tema-{n}", name=name)
    db.session.add(theme)
    db.session.commit()
    return theme


def make_moderator(committee: Committee, **kwargs) -> User:
    user = make_user(Role.moderator, **kwargs)
    db.session.add(ModeratorScope(user_id=user.id, committee_id=committee.id))
    db.session.commit()
    return user


def make_admin(**kwargs) -> User:
    return make_user(Role.admin, **kwargs)
