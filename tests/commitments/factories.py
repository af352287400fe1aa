"""Factories of the commitments tests: a committee world, proposals as rows, drafts through
the real service, and complete template data with hostile text."""
import itertools
from datetime import date

from app.commitments import services
from app.commitments.models import Commitment
from app.extensions import db
from app.follows.models import Follow
from app.proposals.models import Proposal, ProposalState
from tests.factories import (
    HOSTILE,
    make_admin,
    make_committee,
    make_moderator,
    make_organisation,
    make_plan,
    make_theme,
    make_user,
)

_seq = itertools.count(1)
STARTS, ENDS = date(2026, 3, 1), date(2027, 8, 31)


class World:
    """A plan with two committees and a theme, and one person of every kind the rules name."""

    def __init__(self):
        self.plan = make_plan()
        self.committee = make_committee(self.plan)
        self.other_committee = make_committee(self.plan)
        self.theme = make_theme(self.plan)
        self.citizen = make_user()
        self.author = make_user()
        self.organisation = make_organisation()
        self.facilitator = make_moderator(self.committee)
        self.other_facilitator = make_moderator(self.other_committee)
        self.admin = make_admin()


def make_proposal(committee, author, *, state: ProposalState = ProposalState.in_dialogue,
                  **extra) -> Proposal:
    n = next(_seq)
    values = {
        "plan_id": committee.plan_id,
        "committee_id": committee.id,
        "author_id": author.id,
        "reference": f"CMP-2026-{n:04d}",
        "year": 2026,
        "sequence": n,
        "title": f"Problemática {HOSTILE} {n}",
        "body": f"Descripción {HOSTILE}",
        "search_text": f"problematica {n}",
        "state": state,
    }
    values.update(extra)
    proposal = Proposal(**values)
    db.session.add(proposal)
    db.session.commit()
    return proposal


def milestone(n: int = 1, starts_on=date(2026, 4, 1), ends_on=date(2026, 9, 30), **changes) -> dict:
    row = {
        "description": f"Hito {n}: publicar datos {HOSTILE}",
        "responsible": f"Dirección de Salud {n}",
        "starts_on": starts_on,
        "ends_on": ends_on,
        "deliverable": f"Portal con datos abiertos {n}",
    }
    row.update(changes)
    return row


def commitment_data(world, **changes) -> dict:
    n = next(_seq)
    data = {
        "title": f"Compromiso {n} {HOSTILE}",
        "theme_id": world.theme.id,
        "lead_institution": "Secretaría de Salud del Estado de Durango",
        "responsible_official": "Dra. Ana Pérez, Directora",
        "official_contact": "ana.perez@example.org",
        "other_actors_government": "Instituto de Transparencia",
        "other_actors_civil_society": f"Colectivo {HOSTILE}",
        "problem": f"**Problema** público {HOSTILE}",
        "baseline": "En 2025, 3 de cada 10 personas...",
        "causes": "Falta de datos.",
        "status_quo": "No existe un registro.",
        "objective": "Contar con un registro abierto.",
        "description": "Se creará un portal.",
        "how_it_helps": "Permite dar seguimiento.",
        "value_transparency": "Publica datos abiertos.",
        "value_participation": "",
        "value_accountability": "",
        "value_technology": "",
        "budget": "$100,000 MXN",
        "additional_info": "ODS 3",
        "starts_on": STARTS,
        "ends_on": ENDS,
    }
    data.update(changes)
    return data


def make_draft(world, *, proposals=None, tables=(), milestones=None, actor=None,
               committee=None, **changes) -> Commitment:
    committee = committee or world.committee
    if proposals is None:
        proposals = [make_proposal(committee, world.author)]
    """A draft through the real service, committed as its request would be."""
    commitment = services.create_draft(
        actor or world.facilitator, committee, commitment_data(world, **changes), proposals,
        list(tables), milestones=milestones if milestones is not None else [milestone()],
    )
    db.session.commit()
    return commitment


def make_published(world, **kwargs) -> Commitment:
    commitment = make_draft(world, **kwargs)
    services.publish_commitment(kwargs.get("actor") or world.facilitator, commitment,
                                "Aprobado en sesión del comité")
    db.session.commit()
    return commitment


def follow(commitment, *users) -> None:
    for user in users:
        db.session.add(Follow(target_type="commitment", target_id=commitment.id, user_id=user.id))
    db.session.commit()


def milestones_of(commitment) -> list[dict]:
    """The commitment's milestones as the service takes them (ids kept)."""
    return [
        {"id": m.id, "description": m.description, "responsible": m.responsible,
         "starts_on": m.starts_on, "ends_on": m.ends_on, "deliverable": m.deliverable}
        for m in commitment.milestones
    ]


__all__ = [
    "World", "make_proposal", "milestone", "commitment_data", "make_draft", "make_published",
    "follow", "milestones_of", "make_user", "make_admin", "make_moderator", "make_organisation",
    "make_committee", "make_plan", "make_theme", "HOSTILE", "STARTS", "ENDS",
]


# ---------------------------------------------------------------- what the browser sends

def _iso(value) -> str:
    return value.isoformat() if hasattr(value, "isoformat") else (value or "")


def form_data(world, proposals=(), tables=(), milestones=None, **changes) -> dict:
    """The new-draft form as a browser posts it (5 milestone rows, blank ones included)."""
    data = commitment_data(world)
    data.update(changes)
    posted = {key: ("" if value is None else _iso(value) if key.endswith("_on") else value)
              for key, value in data.items()}
    posted["theme_id"] = str(data["theme_id"] or "")
    posted["proposals"] = [p.reference for p in proposals]
    posted["tables"] = [str(t.id) for t in tables]
    rows = milestones if milestones is not None else [milestone()]
    for i in range(max(5, len(rows))):
        row = rows[i] if i < len(rows) else {}
        for name in ("id", "description", "responsible", "deliverable"):
            posted[f"milestones-{i}-{name}"] = str(row.get(name) or "")
        for name in ("starts_on", "ends_on"):
            posted[f"milestones-{i}-{name}"] = _iso(row.get(name))
    return posted


def edit_form_data(commitment, reason="Corrección de redacción", **changes) -> dict:
    """The edit form of `commitment` as shown, with `changes` applied."""
    from app.commitments.models import TEMPLATE_FIELDS

    posted = {name: getattr(commitment, name) or "" for name in TEMPLATE_FIELDS}
    posted.update(theme_id=str(commitment.theme_id or ""), starts_on=_iso(commitment.starts_on),
                  ends_on=_iso(commitment.ends_on), base_version=str(commitment.version),
                  reason=reason)
    rows = milestones_of(commitment)
    for i in range(max(5, len(rows) + 2)):
        row = rows[i] if i < len(rows) else {}
        for name in ("id", "description", "responsible", "deliverable"):
            posted[f"milestones-{i}-{name}"] = str(row.get(name) or "")
        for name in ("starts_on", "ends_on"):
            posted[f"milestones-{i}-{name}"] = _iso(row.get(name))
    posted.update(changes)
    return posted
