"""Loads the demo through the same services people use, idempotently (loading twice changes
nothing): Durango's Third Local Action Plan as a concluded, archived plan (2020–2023), and a
current, fictitious plan dated from the day of loading, with a call open, an election in voting,
a consultation open, a dialogue table next week, proposals being received and commitments in
progress; each with its records and news (app/demo/records.py). Every act runs at its moment
through app.core.clock.use (app/demo/timeline.py); a plan's overlapping stories are told together,
so the audit log stays in time order."""
import secrets
from datetime import date, timedelta

import sqlalchemy as sa
from flask import current_app, has_request_context

from app.accounts.models import Sector, User
from app.accounts.services import find_by_email
from app.admin.services import grant_moderator_scope
from app.commitments.models import Commitment
from app.core import clock
from app.demo import durango, people
from app.demo.commitments import load_commitments
from app.demo.current import OFFICIAL_EMAIL, commitments_story
from app.demo.current import summary as current_summary
from app.demo.elections import archive_story, current_story
from app.demo.elections import summary as elections_summary
from app.demo.participation import participation_story
from app.demo.participation import summary as participation_summary
from app.demo.places import load_places
from app.demo.records import archive_records_story, current_records_story
from app.demo.sessions import sessions_story
from app.demo.sessions import summary as sessions_summary
from app.demo.structure import build_plan
from app.demo.timeline import Timeline, local, run_together
from app.extensions import db
from app.plans.models import ActionPlan, Committee, CommitteeMember

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
    # A personal account that the current plan names responsible official of a commitment
    # (app/demo/current.py): it drafts progress reports and answers disputes.
    {"role": "official", "email": OFFICIAL_EMAIL, "password": DEMO_PASSWORD,
     "name": "Sofía Meraz Ibarra", "municipality": "Durango"},
]
ADMIN, FACILITATOR, CITIZEN, ORGANISATION, OFFICIAL = DEMO_ACCOUNTS

# The guarantor body sets up the Third Plan and the accounts exist before its call (28 Oct 2020).
ACCOUNTS_CREATED = date(2020, 10, 1)
# The Third Plan's co-creation: its participation story starts here (inside its phase).
ARCHIVE_STORY_STARTS = date(2021, 3, 8)


def database_is_empty() -> bool:
    return db.session.scalar(sa.select(sa.func.count(ActionPlan.id))) == 0


def load_demo() -> str:
    if has_request_context():
        return _load()
    # Registration and notices build external links: a request context with the site's address.
    with current_app.test_request_context(base_url=current_app.config["BASE_URL"]):
        return _load()


def _load() -> str:
    today = clock.today()
    timeline = Timeline(local(ACCOUNTS_CREATED, "09:00"))
    with timeline.running():
        garante = people.admin(ADMIN["email"], ADMIN["name"], DEMO_PASSWORD)
        timeline.at(local(ACCOUNTS_CREATED, "10:00"))
        archive = build_plan(garante, durango.archived_spec())
        load_places(garante, archive)
        accounts = _accounts(timeline, garante, archive)
    db.session.commit()
    # Its call, elections and participation, told with its records (2020–2021).
    run_together(archive_story(archive, garante, DEMO_PASSWORD),
                 participation_story(archive, DEMO_PASSWORD, ARCHIVE_STORY_STARTS),
                 archive_records_story(archive, garante, ARCHIVE_STORY_STARTS))
    archive_participation = participation_summary(archive)
    archive_commitments = load_commitments(archive)
    db.session.commit()

    with Timeline(local(today - timedelta(days=91), "09:00")).running() as timeline:
        current = build_plan(garante, durango.current_spec(today))
        load_places(garante, current)
        timeline.at(local(today - timedelta(days=90), "09:00"))
        _facilitate(garante, current, FACILITATOR["committee"], FACILITATOR["email"])
        for slug, name in durango.CURRENT_FACILITATORS.items():
            email = f"facilitacion.{slug}.demo@example.org"
            people.citizen(email, name, "Durango", secrets.token_urlsafe(24))
            _facilitate(garante, current, slug, email)
    db.session.commit()
    # The current plan's calls and election, participation and commitments overlap in time:
    # told together, act by act in the order of their moments.
    run_together(current_story(current, garante, accounts[ORGANISATION["email"]], DEMO_PASSWORD, today),
                 participation_story(current, DEMO_PASSWORD),
                 commitments_story(current, today),
                 sessions_story(current, today),
                 current_records_story(current, garante, today))
    return (
        f"{archive.name} (archived): {archive_participation}, {archive_commitments}, "
        f"{elections_summary(archive)}. {current.name}: {participation_summary(current)}, "
        f"{current_summary(current)}, {elections_summary(current)}, {sessions_summary(current)}. "
        f"{db.session.scalar(sa.select(sa.func.count(CommitteeMember.id)))} committee members, "
        f"{db.session.scalar(sa.select(sa.func.count(Commitment.id)))} commitments"
    )


def _accounts(timeline: Timeline, garante: User, archive: ActionPlan) -> dict[str, User]:
    """The demo accounts, registered (and verified) in October 2020, so that they can take part
    in the Third Plan's story; the Third Plan's facilitators, each with a facilitator's scope on
    their committee (the demo facilitator's is the Municipio de Durango)."""
    accounts = {ADMIN["email"]: garante}
    timeline.at(local(ACCOUNTS_CREATED, "11:00"))
    accounts[CITIZEN["email"]] = people.citizen(CITIZEN["email"], CITIZEN["name"],
                                                CITIZEN["municipality"], DEMO_PASSWORD)
    timeline.at(local(ACCOUNTS_CREATED, "12:00"))
    accounts[ORGANISATION["email"]] = people.organisation(
        garante, ORGANISATION["email"], ORGANISATION["name"], Sector.civil_society.value,
        ORGANISATION["municipality"], "Ana Laura Medina Reyes",
        "Organización de la sociedad civil que da seguimiento a los compromisos de Gobierno "
        "Abierto en el estado.", DEMO_PASSWORD)
    timeline.at(local(ACCOUNTS_CREATED, "12:30"))
    accounts[OFFICIAL["email"]] = people.citizen(OFFICIAL["email"], OFFICIAL["name"],
                                                 OFFICIAL["municipality"], DEMO_PASSWORD)
    for number, (slug, name) in enumerate(durango.facilitators().items()):
        timeline.at(local(ACCOUNTS_CREATED, f"{13 + number}:00"))
        if name == FACILITATOR["name"]:
            email, password = FACILITATOR["email"], DEMO_PASSWORD
        else:  # the seed's other facilitators: nobody logs in with their accounts
            email, password = f"facilitacion.{slug}@example.org", secrets.token_urlsafe(24)
        accounts[email] = people.citizen(email, name, "Durango", password)
        _facilitate(garante, archive, slug, email)
    return accounts


def _facilitate(garante: User, plan: ActionPlan, slug: str, email: str) -> None:
    """The account facilitates the plan's committee (once)."""
    committee = db.session.scalar(sa.select(Committee).where(
        Committee.plan_id == plan.id, Committee.slug == slug))
    facilitator = find_by_email(email)
    if committee.id not in facilitator.committee_ids:
        grant_moderator_scope(garante, facilitator.email, committee.id)


__all__ = ["DEMO_ACCOUNTS", "DEMO_PASSWORD", "database_is_empty", "load_demo"]

