"""Fixtures of the sessions' tests: a committee with government members, a titular and a suplente
(tests/README.md, "Isolation": built once per module)."""
import pytest

from app.extensions import db
from app.plans.models import CommitteeMember, MemberKind
from tests.factories import make_admin, make_committee, make_moderator, make_plan, make_user


class World:
    def __init__(self):
        self.plan = make_plan()
        self.committee = make_committee(self.plan)
        self.other_committee = make_committee(self.plan)
        self.facilitator = make_moderator(self.committee)
        self.other_facilitator = make_moderator(self.other_committee)
        self.admin = make_admin()
        self.citizen = make_user()

        def member(name, kind):
            row = CommitteeMember(committee_id=self.committee.id, name=name, kind=kind)
            db.session.add(row)
            return row

        self.mayor = member("Presidencia municipal", MemberKind.government)
        self.comptroller = member("Contraloría", MemberKind.government)
        self.treasury = member("Tesorería", MemberKind.government)
        self.titular = member("Ana Medina", MemberKind.cs_titular)
        self.suplente = member("Rodrigo Quiñones", MemberKind.cs_suplente)
        db.session.commit()


@pytest.fixture(scope="module")
def world(module_worlds):
    return module_worlds.share(World)
