"""A committee goes through two complete cycles, through the services: call → applications →
decisions → nominations → voting → close → result → membership, twice, each election with its
own roll (its own call's approved organisations) and its own ballot box that verifies.

Also the old dead ends, one test each: a later call's applications locked by the first call's
election, an election's roll taken from the latest call, a new call emptying the electorate of
committees it does not concern."""
import io
from datetime import date, timedelta

import pytest
import sqlalchemy as sa

from app.calls import services as calls
from app.calls.locks import applications_locked
from app.core.clock import now
from app.core.errors import InvalidTransition, ValidationError
from app.core.permissions import check
from app.elections import queries, services, verify
from app.elections.models import ElectionState
from app.extensions import db
from app.plans.models import CommitteeMember, MemberKind
from tests.conftest import PASSWORD
from tests.elections.factories import make_election
from tests.factories import make_admin, make_committee, make_organisation, make_plan, make_user

HOUR, DAY = 3600, 86400


class Cycles:
    """A plan with two committees; the first goes through the cycles, the second only shares the
    first call (its electorate must not move)."""

    def __init__(self, clock):
        self.clock = clock
        self.admin = make_admin()
        self.plan = make_plan()
        self.committee = make_committee(self.plan)
        self.other = make_committee(self.plan)
        self.orgs = {name: make_organisation(name=f"Organización {name}")
                     for name in ("uno", "dos", "tres", "cuatro", "vecina")}
        self.people = {name: make_user(name=f"Persona {name}") for name in ("a", "b", "c", "d")}

    def publish_call(self, committees, title):
        start = now()
        call = calls.publish_call(self.admin, self.plan, {
            "title": title, "body": "Bases de la convocatoria", "requirements": "",
            "declarations": "Sin conflicto de interés",
            "committee_ids": [c.id for c in committees],
            "opens_at": start + timedelta(hours=1), "closes_at": start + timedelta(days=2),
        })
        self.clock(2 * HOUR)  # registration is open
        return call

    def apply_and_decide(self, call, committee, approved=(), rejected=()):
        for name in (*approved, *rejected):
            calls.apply_to_call(self.orgs[name], call, [committee.id], [0])
        for application in calls_applications(call, committee):
            name = next(n for n, o in self.orgs.items() if o.id == application.organisation_id)
            if name in approved:
                assert calls.decide_application(self.admin, application, "approve")
            elif name in rejected:
                assert calls.decide_application(self.admin, application, "reject", "Incompleta")

    def create_election(self, committee, **data):
        start = now()
        return services.create_election(self.admin, committee, {
            "nominations_open_at": start + timedelta(days=1),
            "nominations_close_at": start + timedelta(days=3),
            "voting_opens_at": start + timedelta(days=4),
            "voting_closes_at": start + timedelta(days=6), **data,
        })

    def nominate(self, election, nominations):
        """{organisation name: person name}; each person accepts and is validated. Only the
        organisations approved in the election's own call may nominate."""
        services.open_nominations(self.admin, election)
        self.clock(DAY + HOUR)
        for name, org in self.orgs.items():
            approved = org.id in {u.id for u in queries.electorate(election)}
            assert bool(check(org, "elections.nominate", election)) is approved, name
        codes = {}
        for org, person in nominations.items():
            candidate = services.nominate_candidate(self.orgs[org], election, {
                "name": f"Persona {person}", "email": self.people[person].email,
                "bio": "Trayectoria", "statement": "Propuesta"})
            services.accept_nomination(self.people[person], candidate)
            services.validate_candidate(self.admin, candidate)
            codes[person] = candidate.public_code
        self.clock(3 * DAY)  # the nomination window has ended, voting is open
        return codes

    def vote_close_publish(self, election, votes, term_start):
        """{organisation name: candidate code}; returns the box, which must verify."""
        for org, code in votes.items():
            services.cast_ballot(self.orgs[org], election, code, PASSWORD)
        self.clock(2 * DAY)  # the voting window has ended
        services.close_election(self.admin, election)
        services.publish_result(self.admin, election, term_start)
        box = services.box_document(election)
        out = io.StringIO()
        assert verify.verify(box, out=out), out.getvalue()
        return box


def calls_applications(call, committee):
    from app.calls.models import CallApplication
    return list(db.session.scalars(sa.select(CallApplication).where(
        CallApplication.call_id == call.id, CallApplication.committee_id == committee.id)
        .order_by(CallApplication.id)))


def roll_ids(election):
    return sorted(e.organisation_id for e in queries.roll(election.id))


def ids(*orgs):
    return sorted(o.id for o in orgs)


def seats(committee):
    members = list(db.session.scalars(sa.select(CommitteeMember).where(
        CommitteeMember.committee_id == committee.id).order_by(CommitteeMember.id)))
    current = {m.kind: m.name for m in members if m.term_end is None}
    return current, members


def test_two_complete_cycles_on_the_same_committee(app, clock):
    w = Cycles(clock)
    o = w.orgs
    # ---- cycle 1: a call for both committees
    first = w.publish_call([w.committee, w.other], "Convocatoria 2027")
    w.apply_and_decide(first, w.committee, approved=("uno", "dos", "tres"))
    w.apply_and_decide(first, w.other, approved=("vecina",))
    w.clock(2 * DAY)
    election1 = w.create_election(w.committee)
    other_election = w.create_election(w.other)
    assert election1.call_id == first.id == other_election.call_id
    codes1 = w.nominate(election1, {"uno": "a", "dos": "b"})
    services.open_voting(w.admin, election1)
    assert roll_ids(election1) == ids(o["uno"], o["dos"], o["tres"])
    box1 = w.vote_close_publish(election1, {"uno": codes1["a"], "dos": codes1["a"],
                                            "tres": codes1["b"]}, date(2027, 3, 1))
    assert election1.state == ElectionState.published
    current, members = seats(w.committee)
    assert current == {MemberKind.cs_titular: "Persona a", MemberKind.cs_suplente: "Persona b"}
    assert applications_locked(first.id, w.committee.id)

    # ---- cycle 2: a call for this committee only; one new organisation, one from cycle 1
    w.clock(30 * DAY)
    second = w.publish_call([w.committee], "Convocatoria 2029")
    assert not applications_locked(second.id, w.committee.id)
    w.apply_and_decide(second, w.committee, approved=("cuatro", "dos"), rejected=("uno",))
    w.clock(2 * DAY)
    election2 = w.create_election(w.committee)  # by default: the call without an election
    assert election2.call_id == second.id
    codes2 = w.nominate(election2, {"cuatro": "c", "dos": "d"})
    services.open_voting(w.admin, election2)
    assert roll_ids(election2) == ids(o["cuatro"], o["dos"])  # the second call's approved only
    assert roll_ids(election1) == ids(o["uno"], o["dos"], o["tres"])  # unchanged
    assert [u.id for u in queries.electorate(other_election)] == [o["vecina"].id]
    assert not check(o["uno"], "elections.vote", election2)  # on the first roll, not this one
    assert not check(o["tres"], "elections.vote", election2)
    box2 = w.vote_close_publish(election2, {"cuatro": codes2["c"], "dos": codes2["c"]},
                                date(2029, 3, 1))
    # With two ballots for c and none for d, the suplente's seat is vacant: its holder stays.
    current, members = seats(w.committee)
    assert current == {MemberKind.cs_titular: "Persona c", MemberKind.cs_suplente: "Persona b"}
    history = {(m.name, m.term_start, m.term_end) for m in members}
    assert ("Persona a", date(2027, 3, 1), date(2029, 3, 1)) in history
    assert ("Persona c", date(2029, 3, 1), None) in history
    assert ("Persona b", date(2027, 3, 1), None) in history

    # Each election has its own box, and the first still verifies after the second.
    assert (box1["header"]["election"], box2["header"]["election"]) == (election1.id, election2.id)
    assert box1["header"]["roll_hash"] != box2["header"]["roll_hash"]
    assert verify.verify(services.box_document(election1), out=io.StringIO())
    assert box2["roll"]["voted"] == 2


def test_the_second_cycle_changes_both_seats_when_both_receive_votes(app, clock):
    w = Cycles(clock)
    first = w.publish_call([w.committee], "Primera")
    w.apply_and_decide(first, w.committee, approved=("uno", "dos"))
    w.clock(2 * DAY)
    election1 = w.create_election(w.committee)
    codes = w.nominate(election1, {"uno": "a", "dos": "b"})
    services.open_voting(w.admin, election1)
    w.vote_close_publish(election1, {"uno": codes["a"], "dos": codes["a"]}, date(2027, 1, 1))
    # Cycle 1 filled only the titular seat (b had no vote).
    assert seats(w.committee)[0] == {MemberKind.cs_titular: "Persona a"}

    w.clock(30 * DAY)
    second = w.publish_call([w.committee], "Segunda")
    w.apply_and_decide(second, w.committee, approved=("cuatro", "dos", "tres"))
    w.clock(2 * DAY)
    election2 = w.create_election(w.committee)
    codes = w.nominate(election2, {"cuatro": "c", "dos": "d"})
    services.open_voting(w.admin, election2)
    w.vote_close_publish(election2, {"cuatro": codes["c"], "dos": codes["c"],
                                     "tres": codes["d"]}, date(2029, 1, 1))
    current, members = seats(w.committee)
    assert current == {MemberKind.cs_titular: "Persona c", MemberKind.cs_suplente: "Persona d"}
    assert ("Persona a", date(2029, 1, 1)) in {(m.name, m.term_end) for m in members}


# ---------------------------------------------------------------- the old dead ends


def test_a_second_calls_decisions_are_not_locked_by_the_first_calls_election(app, clock):
    w = Cycles(clock)
    first = w.publish_call([w.committee], "Primera")
    w.apply_and_decide(first, w.committee, approved=("uno",))
    make_election(w.committee, state=ElectionState.published, call_id=first.id)
    w.clock(3 * DAY)
    second = w.publish_call([w.committee], "Segunda")
    w.apply_and_decide(second, w.committee, approved=("dos",), rejected=("tres",))
    assert {a.status.value for a in calls_applications(second, w.committee)} == {
        "approved", "rejected"}
    # The first call's decisions stay frozen.
    [application] = calls_applications(first, w.committee)
    with pytest.raises(InvalidTransition):
        calls.decide_application(w.admin, application, "reject", "Tarde")


def test_an_elections_roll_comes_from_its_own_call_not_the_latest(app, clock):
    w = Cycles(clock)
    first = w.publish_call([w.committee], "Primera")
    w.apply_and_decide(first, w.committee, approved=("uno", "dos"))
    w.clock(2 * DAY)
    election = w.create_election(w.committee)
    # A later call is published while the first call's election is still being prepared.
    later = w.publish_call([w.committee], "Posterior")
    w.apply_and_decide(later, w.committee, approved=("cuatro",))
    codes = w.nominate(election, {"uno": "a"})
    services.open_voting(w.admin, election)
    assert election.call_id == first.id
    assert roll_ids(election) == ids(w.orgs["uno"], w.orgs["dos"])
    assert codes


def test_a_new_call_leaves_the_electorate_of_other_committees_alone(app, clock):
    w = Cycles(clock)
    first = w.publish_call([w.committee, w.other], "Primera")
    w.apply_and_decide(first, w.committee, approved=("uno",))
    w.apply_and_decide(first, w.other, approved=("vecina", "tres"))
    w.clock(2 * DAY)
    other_election = w.create_election(w.other)
    before = [u.id for u in queries.electorate(other_election)]
    # A new call, even one that covers both committees (as the old form ticked every one).
    w.publish_call([w.committee], "Solo un comité")
    w.publish_call([w.committee, w.other], "Las dos")
    assert [u.id for u in queries.electorate(other_election)] == before == ids(
        w.orgs["vecina"], w.orgs["tres"])
    assert services.self_selection_allowed(other_election) == (True, 2)


# ---------------------------------------------------------------- which call an election has


def test_an_election_for_a_call_that_does_not_include_the_committee_is_refused(app, clock):
    w = Cycles(clock)
    other_only = w.publish_call([w.other], "Solo la otra")
    with pytest.raises(ValidationError) as caught:
        w.create_election(w.committee, call_id=other_only.id)
    assert caught.value.field == "call_id"
    with pytest.raises(ValidationError) as caught:  # no call includes it at all
        w.create_election(w.committee)
    assert caught.value.field == "call_id"


def test_the_default_call_is_the_latest_without_an_election_and_a_call_can_be_chosen(app, clock):
    w = Cycles(clock)
    first = w.publish_call([w.committee], "Primera")
    second = w.publish_call([w.committee], "Segunda")
    assert w.create_election(w.committee).call_id == second.id
    assert w.create_election(w.committee).call_id == first.id
    with pytest.raises(ValidationError) as caught:  # both have one: choose, or publish a call
        w.create_election(w.committee)
    assert caught.value.field == "call_id"
    assert w.create_election(w.committee, call_id=second.id).call_id == second.id


def test_the_call_of_a_draft_can_change_but_not_once_nominations_opened(app, clock):
    w = Cycles(clock)
    first = w.publish_call([w.committee], "Primera")
    second = w.publish_call([w.committee], "Segunda")
    election = w.create_election(w.committee)
    services.update_election(w.admin, election, {"call_id": first.id})
    assert election.call_id == first.id
    services.open_nominations(w.admin, election)
    with pytest.raises(ValidationError):
        services.update_election(w.admin, election, {"call_id": second.id})
