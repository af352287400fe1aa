"""Exactly one ballot per organisation and an intact chain when many cast at the same moment.

Each thread has its own app context, hence its own session and database connection; all are
released together by a barrier. Runs on SQLite (writers serialised by the database's write
lock, taken by the roll UPDATE that starts the cast) and on PostgreSQL (the roll row's lock and
the election row's `SELECT ... FOR UPDATE`). Some organisations cast several times at once, as
from several tabs: exactly one of their attempts succeeds.
"""
import io
import time
from collections import Counter

import sqlalchemy as sa

from app.accounts.models import User
from app.elections import chain, services, verify
from app.elections.models import Ballot, Election
from app.elections.permissions import already_voted_message
from app.extensions import db
from tests.concurrency import at_once
from tests.conftest import PASSWORD
from tests.elections.factories import end_voting_window, voting_election

ORGANISATIONS = 24
REPEATS = {0: 4, 1: 4, 2: 3, 3: 3, 4: 2, 5: 2}  # organisation index -> attempts at once


def run_together(app, jobs):
    """Run each job (a function of a session-bound user and election) at once."""
    return at_once(app, [lambda j=job, u=user_id, e=election_id: j(db.session.get(User, u),
                                                                   db.session.get(Election, e))
                         for job, user_id, election_id in jobs], wait=60, finish=300)


def test_many_parallel_casts_give_exactly_one_ballot_per_organisation(app, world, backend):
    while len(world.organisations) < ORGANISATIONS:
        world.add_organisation()
    election = voting_election(world, candidates=3)
    codes = sorted(services.ballot_options(election))
    jobs = []
    for index, org in enumerate(world.organisations):
        choice = [*codes, None][index % (len(codes) + 1)]
        for _attempt in range(REPEATS.get(index, 1)):
            jobs.append((lambda user, e, c=choice: services.cast_ballot(user, e, c, PASSWORD),
                         org.id, election.id))
    outcomes = run_together(app, jobs)
    with app.test_request_context():
        already_voted = already_voted_message()

    crashes = [o for o in outcomes if o[0] == "crash"]
    assert not crashes, crashes
    by_org = Counter()
    receipts = []
    for (kind, value), (_job, org_id, _e) in zip(outcomes, jobs, strict=True):
        if kind == "ok":
            by_org[org_id] += 1
            receipts.append(value)
        else:
            # Refused as the election's state for that organisation (409), by the rule or by the
            # roll's conditional UPDATE, whichever saw the other cast first.
            assert (kind, value) == ("InvalidTransition", already_voted), (kind, value)
    assert all(by_org[org.id] == 1 for org in world.organisations), by_org
    ballots = db.session.scalars(sa.select(Ballot).order_by(Ballot.position)).all()
    assert [b.position for b in ballots] == list(range(1, ORGANISATIONS + 1))
    assert len({b.receipt_digest for b in ballots}) == ORGANISATIONS

    end_voting_window(election)
    services.close_election(world.admin, election)
    box = services.box_document(election)
    out = io.StringIO()
    assert verify.verify(box, out=out), out.getvalue()
    assert box["roll"]["voted"] == ORGANISATIONS
    for receipt in receipts:
        assert sum(e.get("receipt_digest") == chain.receipt_digest(receipt)
                   for e in box["entries"]) == 1
    print(f"\n[{backend}] {len(jobs)} parallel casts by {ORGANISATIONS} organisations "
          f"({sum(REPEATS.values()) - len(REPEATS)} duplicates): {len(ballots)} ballots, "
          f"{len(jobs) - len(ballots)} refused as already voted, chain verified")


def test_casts_racing_the_close_are_either_in_the_box_or_refused(app, world, backend):
    while len(world.organisations) < 12:
        world.add_organisation()
    election = voting_election(world)
    jobs = [(lambda user, e: services.cast_ballot(user, e, None, PASSWORD), org.id, election.id)
            for org in world.organisations]
    def close(user, e):
        # Close in the middle of the casts: once a few ballots are in, the others still running.
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            in_box = db.session.scalar(sa.select(sa.func.count()).select_from(Ballot))
            db.session.rollback()
            if in_box >= 3:
                break
            time.sleep(0.002)
        return services.close_election(user, e, "Cierre de prueba").state

    jobs.insert(6, (close, world.admin.id, election.id))
    outcomes = run_together(app, jobs)
    assert not [o for o in outcomes if o[0] == "crash"], outcomes
    cast = sum(1 for (kind, value), job in zip(outcomes, jobs, strict=True)
               if kind == "ok" and job[1] != world.admin.id)
    refused = [o for o in outcomes if o[0] != "ok"]
    assert all(kind == "InvalidTransition" for kind, _ in refused), refused
    assert cast + len(refused) == len(world.organisations)
    db.session.refresh(election)
    box = services.box_document(election)
    out = io.StringIO()
    assert verify.verify(box, out=out), out.getvalue()
    assert box["roll"]["voted"] == cast == election.ballot_count
    print(f"\n[{backend}] {len(world.organisations)} casts racing the close: {cast} in the box, "
          f"{len(refused)} refused after the close entry")
