"""Two complete cycles on one committee through the pages, each actor with its own client:
the guarantor body publishes the call (form, review, publish), organisations apply, the guarantor
body decides, sets up the election (choosing its call), the organisations nominate and the people
accept, voting opens, organisations vote, the close, the box downloaded and verified, the result
published, the committee's page updated. Then again with a call for that committee only."""
import io
import json
import re
from datetime import timedelta

import sqlalchemy as sa
from markupsafe import escape

from app.calls.models import Call, CallApplication
from app.core.clock import now, utc_to_local
from app.elections import queries, verify
from app.elections.models import Candidate, Election, ElectionState
from app.extensions import db
from tests.conftest import PASSWORD, FormClient, login_as
from tests.factories import make_admin, make_committee, make_organisation, make_plan, make_user

HOUR, DAY = 3600, 86400
FMT = "%Y-%m-%dT%H:%M"


def local(delta: timedelta) -> str:
    return utc_to_local(now() + delta).strftime(FMT)


def html(response) -> str:
    return response.get_data(as_text=True)


class Pages:
    def __init__(self, app, clock):
        self.app, self._advance = app, clock
        self.admin = make_admin()
        self.plan = make_plan()
        self.committee = make_committee(self.plan)
        self.other = make_committee(self.plan)
        self.orgs = {n: make_organisation(name=f"Organización {n}")
                     for n in ("uno", "dos", "tres", "cuatro")}
        self.people = {n: make_user(name=f"Persona {n}") for n in ("a", "b", "c", "d")}
        self._clients = {}

    def clock(self, seconds: int) -> None:
        """Time passes; sessions idle that long have expired, so everyone logs in again."""
        self._advance(seconds)
        self._clients.clear()

    def client(self, user) -> FormClient:
        if user.id not in self._clients:
            self._clients[user.id] = FormClient(self.app.test_client())
            login_as(self._clients[user.id], user)
        return self._clients[user.id]

    @property
    def garante(self) -> FormClient:
        return self.client(self.admin)

    def publish_call(self, committees, title) -> Call:
        url = f"/calls/new?plan={self.plan.id}"
        form = html(self.garante.get(url))
        assert not re.search(r'<input[^>]*name="committee_ids"[^>]*checked', form)
        data = {"title": title, "body": "Bases", "requirements": "",
                "declarations": "Sin conflicto de interés",
                "committee_ids": [str(c.id) for c in committees],
                "opens_at": local(timedelta(hours=1)), "closes_at": local(timedelta(days=2))}
        review = self.garante.submit(url, data)
        assert review.status_code == 200 and 'name="publish"' in html(review)
        for committee in (self.committee, self.other):
            assert (str(escape(committee.name)) in html(review)) is (committee in committees)
        published = self.garante.submit(url, {**data, "publish": "1"})
        assert published.status_code == 302, html(published)
        call = db.session.scalar(sa.select(Call).where(Call.title == title))
        assert [c.id for c in call.committees] == [c.id for c in committees]
        self.clock(2 * HOUR)
        return call

    def apply(self, call, committee, *names):
        for name in names:
            response = self.client(self.orgs[name]).submit(
                f"/calls/{call.id}/apply",
                {"committee_ids": [str(committee.id)], "declarations": ["0"]})
            assert response.status_code == 302, html(response)

    def decide(self, call, committee, approved=(), rejected=()):
        review = html(self.garante.get(f"/calls/{call.id}/applications"))
        for name in (*approved, *rejected):
            application = db.session.scalar(sa.select(CallApplication).where(
                CallApplication.call_id == call.id, CallApplication.committee_id == committee.id,
                CallApplication.organisation_id == self.orgs[name].id))
            assert f'action="/calls/applications/{application.id}/decide"' in review
            prefix = f"application-{application.id}"
            data = ({f"{prefix}-decision": "approve"} if name in approved else
                    {f"{prefix}-decision": "reject", f"{prefix}-reason": "Incompleta"})
            response = self.garante.submit(f"/calls/applications/{application.id}/decide", data)
            assert response.status_code == 302, html(response)

    def create_election(self, committee, call_id="") -> Election:
        form = html(self.garante.get(f"/elections/new?committee={committee.id}"))
        assert 'name="call_id"' in form
        response = self.garante.submit("/elections/new", {
            "committee_id": committee.id, "call_id": call_id, "title": "", "seats": "both",
            "nominations_open_at": local(timedelta(days=1)),
            "nominations_close_at": local(timedelta(days=3)),
            "voting_opens_at": local(timedelta(days=4)),
            "voting_closes_at": local(timedelta(days=6)), "min_participants": 2,
        })
        assert response.status_code == 303, html(response)
        return db.session.scalar(sa.select(Election).order_by(Election.id.desc()).limit(1))

    def nominate(self, election, nominations) -> dict:
        manage = f"/elections/{election.id}/manage"
        assert self.garante.submit(f"/elections/{election.id}/open-nominations",
                                   page=manage).status_code == 303
        self.clock(DAY + HOUR)
        codes = {}
        for org, person in nominations.items():
            response = self.client(self.orgs[org]).submit(f"/elections/{election.id}/nominate", {
                "name": f"Persona {person}", "email": self.people[person].email,
                "bio": "Trayectoria", "statement": "Propuesta"})
            assert response.status_code == 303, html(response)
            candidate = queries.nomination_of(election.id, self.orgs[org].id)
            assert self.client(self.people[person]).submit(
                f"/elections/candidates/{candidate.id}/accept",
                page="/elections/nominations").status_code == 303
            assert self.garante.submit(f"/elections/candidates/{candidate.id}/validate",
                                       page=manage).status_code == 303
            codes[person] = candidate.public_code
        self.clock(3 * DAY)
        assert self.garante.submit(f"/elections/{election.id}/open-voting",
                                   page=manage).status_code == 303
        db.session.refresh(election)
        assert election.state == ElectionState.voting
        return codes

    def vote_close_publish(self, election, votes, term_start):
        for org, code in votes.items():
            client = self.client(self.orgs[org])
            assert client.get(f"/elections/{election.id}/vote").status_code == 200
            response = client.submit(f"/elections/{election.id}/vote/confirm",
                                     {"choice": code, "password": PASSWORD})
            assert response.status_code == 303, html(response)
        self.clock(2 * DAY)
        assert self.garante.submit(f"/elections/{election.id}/close",
                                   {"reason": ""}).status_code == 303
        box = json.loads(self.garante.get(f"/elections/{election.id}/box.json").get_data())
        out = io.StringIO()
        assert verify.verify(box, out=out), out.getvalue()
        assert self.garante.submit(f"/elections/{election.id}/publish",
                                   {"term_start": term_start}).status_code == 303
        return box

    def members_shown(self) -> list[str]:
        page = html(self.garante.get(f"/committees/{self.committee.slug}"))
        return re.findall(r'member-cs-(titular|suplente)">\s*<p class="member-name">([^<]*)<', page)


def test_two_complete_cycles_through_the_pages(app, clock):
    w = Pages(app, clock)
    o = w.orgs
    first = w.publish_call([w.committee, w.other], "Convocatoria 2027")
    w.apply(first, w.committee, "uno", "dos", "tres")
    w.decide(first, w.committee, approved=("uno", "dos", "tres"))
    w.clock(2 * DAY)
    election1 = w.create_election(w.committee)
    assert election1.call_id == first.id
    codes = w.nominate(election1, {"uno": "a", "dos": "b"})
    box1 = w.vote_close_publish(election1, {"uno": codes["a"], "dos": codes["a"],
                                            "tres": codes["b"]}, "2027-03-01")
    assert box1["roll"]["size"] == 3
    assert w.members_shown() == [("titular", "Persona a"), ("suplente", "Persona b")]
    # The first call's decisions are frozen now: its review page offers none.
    review = html(w.garante.get(f"/calls/{first.id}/applications"))
    assert "/decide" not in review

    w.clock(30 * DAY)
    second = w.publish_call([w.committee], "Convocatoria 2029")
    w.apply(second, w.committee, "cuatro", "dos", "uno")
    w.decide(second, w.committee, approved=("cuatro", "dos"), rejected=("uno",))
    w.clock(2 * DAY)
    # A call that does not include the committee is refused next to the field, input kept.
    other_only = w.publish_call([w.other], "Solo la otra")
    refused = w.garante.submit("/elections/new", {
        "committee_id": w.committee.id, "call_id": other_only.id, "title": "Mal", "seats": "both",
        "nominations_open_at": local(timedelta(days=1)),
        "nominations_close_at": local(timedelta(days=3)),
        "voting_opens_at": local(timedelta(days=4)),
        "voting_closes_at": local(timedelta(days=6)), "min_participants": 2})
    assert refused.status_code == 400
    assert 'id="call_id-error"' in html(refused) and 'value="Mal"' in html(refused)
    election2 = w.create_election(w.committee, call_id=str(second.id))
    assert election2.call_id == second.id
    # Organisation "tres", approved in the first call only, cannot nominate in the second.
    codes = w.nominate(election2, {"cuatro": "c", "dos": "d"})
    assert w.client(o["tres"]).get(f"/elections/{election2.id}/nominate").status_code in (403, 409)
    page = html(w.garante.get(f"/elections/{election2.id}"))
    assert f'data-call-id="{second.id}"' in page and "Convocatoria 2029" in page
    assert 'data-roll-size="2"' in page[page.index('class="election-roll"'):]
    roll = html(w.garante.get(f"/elections/{election2.id}/roll"))
    assert re.findall(r'<tr data-position="\d+"><td>\d+</td><td>([^<]*)</td>', roll) == [
        "Organización cuatro", "Organización dos"]
    assert sorted(e.organisation_id for e in queries.roll(election2.id)) == sorted(
        [o["cuatro"].id, o["dos"].id])
    assert w.client(o["uno"]).get(f"/elections/{election2.id}/vote").status_code == 403
    box2 = w.vote_close_publish(election2, {"cuatro": codes["c"], "dos": codes["d"]},
                                "2029-03-01")
    assert box2["roll"]["size"] == 2 and box2["header"]["roll_hash"] != box1["header"]["roll_hash"]
    shown = w.members_shown()
    assert sorted(name for _kind, name in shown) == ["Persona c", "Persona d"]
    assert len(db.session.scalars(sa.select(Candidate)).all()) == 4
