"""Factories of the calls tests: calls with their window placed around now, and applications,
written directly so that each test sets exactly the state it needs."""
from datetime import timedelta

from app.accounts.models import Organisation, Role, Sector, Verification
from app.calls.models import ApplicationStatus, Call, CallApplication
from app.core.db import utcnow
from app.extensions import db
from tests.factories import (
    HOSTILE,
    make_admin,
    make_committee,
    make_moderator,
    make_organisation,
    make_plan,
    make_user,
)

DECLARATIONS = [f"No tenemos conflicto de interés {HOSTILE}", "Aceptamos las bases de la convocatoria"]


def make_call(plan, committees, *, state: str = "open", declarations=None, **fields) -> Call:
    """A published call whose window is "upcoming", "open" or "closed" now."""
    now = utcnow()
    opens_at, closes_at = {
        "upcoming": (now + timedelta(days=2), now + timedelta(days=9)),
        "open": (now - timedelta(days=1), now + timedelta(days=6)),
        "closed": (now - timedelta(days=9), now - timedelta(days=2)),
    }[state]
    call = Call(
        plan_id=plan.id,
        title=fields.pop("title", f"Convocatoria {HOSTILE}"),
        body=fields.pop("body", f"Texto de la convocatoria {HOSTILE}"),
        requirements=fields.pop("requirements", f"Requisitos {HOSTILE}"),
        declarations=list(DECLARATIONS if declarations is None else declarations),
        opens_at=fields.pop("opens_at", opens_at),
        closes_at=fields.pop("closes_at", closes_at),
        published_at=fields.pop("published_at", now - timedelta(days=10)),
        **fields,
    )
    call.committees = list(committees)
    db.session.add(call)
    db.session.commit()
    return call


def make_application(call, organisation, committee, status=ApplicationStatus.pending,
                     reason=None) -> CallApplication:
    application = CallApplication(
        call_id=call.id, organisation_id=organisation.id, committee_id=committee.id,
        status=status, declarations=list(call.declarations), decision_reason=reason,
        decided_at=utcnow() if status != ApplicationStatus.pending else None,
    )
    db.session.add(application)
    db.session.commit()
    return application


def make_org(*, sector=Sector.civil_society, municipality="Durango", verified=True,
             name=None, **kwargs):
    """A verified organisation of a given sector and municipality."""
    user = make_organisation(verified=verified, **({"name": name} if name else {}), **kwargs)
    user.municipality = municipality
    user.organisation.sector = sector
    db.session.commit()
    return user


def make_unverified_org():
    user = make_user(Role.organisation)
    user.organisation = Organisation(legal_name=user.name, sector=Sector.academia,
                                     contact_person="Ana", verification=Verification.pending)
    db.session.commit()
    return user


class World:
    """A plan with three committees, an open call for two of them, and one of each actor."""

    def __init__(self, state: str = "open"):
        self.plan = make_plan()
        self.committee = make_committee(self.plan, position=1)
        self.other_committee = make_committee(self.plan, position=2)
        self.outside_committee = make_committee(self.plan, position=3)
        self.call = make_call(self.plan, [self.committee, self.other_committee], state=state)
        self.anonymous = None
        self.citizen = make_user()
        self.organisation = make_org()
        self.unverified = make_unverified_org()
        self.blocked = make_org(blocked_until=utcnow() + timedelta(days=3))
        self.unconfirmed = make_org(confirmed=False)
        self.facilitator = make_moderator(self.committee)
        self.admin = make_admin()

    def set_window(self, state: str) -> None:
        now = utcnow()
        self.call.opens_at, self.call.closes_at = {
            "upcoming": (now + timedelta(days=2), now + timedelta(days=9)),
            "open": (now - timedelta(days=1), now + timedelta(days=6)),
            "closed": (now - timedelta(days=9), now - timedelta(days=2)),
        }[state]
        db.session.commit()
