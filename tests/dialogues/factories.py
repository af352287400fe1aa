"""Factories of the dialogue tables tests: a committee world, tables and proposals as plain rows."""
import itertools
from datetime import timedelta

import sqlalchemy as sa

from app.core.db import utcnow
from app.dialogues.models import DialogueTable, RegistrationStatus, TableRegistration, TableState
from app.extensions import db
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
ONLINE_URL = "https://meet.example.org/mesa-salud?sala=1&clave=abc"


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


def make_table(committee, *, starts_in=timedelta(days=7), deadline_before=timedelta(days=1),
               capacity: int = 10, state: TableState = TableState.scheduled, **extra) -> DialogueTable:
    """A table as a plain row; starts_in may be negative for a table that already began."""
    now = utcnow()
    starts_at = now + starts_in
    values = {
        "committee_id": committee.id,
        "title": f"Mesa {HOSTILE} {next(_seq)}",
        "objective": f"**Objetivo** {HOSTILE}",
        "starts_at": starts_at,
        "ends_at": starts_at + timedelta(hours=2),
        "place": f"Sala de cabildo, {HOSTILE}",
        "online_url": ONLINE_URL,
        "capacity": capacity,
        "registration_deadline": starts_at - deadline_before,
        "state": state,
        "confirmed_count": 0,
        "created_at": now,
        "updated_at": now,
    }
    values.update(extra)
    table = DialogueTable(**values)
    db.session.add(table)
    db.session.commit()
    return table


def make_registration(table, user, status=RegistrationStatus.confirmed, *, queued_at=None,
                      attended=None) -> TableRegistration:
    """A registration row with the seat counter kept as the service keeps it."""
    registration = TableRegistration(table_id=table.id, user_id=user.id, status=status,
                                     queued_at=queued_at or utcnow(), attended=attended)
    db.session.add(registration)
    if status == RegistrationStatus.confirmed:
        db.session.execute(
            sa.update(DialogueTable).where(DialogueTable.id == table.id)
            .values(confirmed_count=DialogueTable.confirmed_count + 1)
        )
    db.session.commit()
    db.session.refresh(table)
    return registration


def make_proposal(committee, author, *, state: ProposalState = ProposalState.submitted,
                  **extra) -> Proposal:
    n = next(_seq)
    values = {
        "plan_id": committee.plan_id,
        "committee_id": committee.id,
        "author_id": author.id,
        "reference": f"DGO-2026-{n:04d}",
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


__all__ = [
    "World", "make_table", "make_registration", "make_proposal", "make_user", "make_admin",
    "make_moderator", "make_committee", "make_plan", "make_theme", "HOSTILE", "ONLINE_URL",
]
