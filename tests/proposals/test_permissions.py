"""Who may do what with a proposal: the rules, and direct POSTs to every action route."""
from datetime import timedelta

import pytest
import sqlalchemy as sa

from app.core.db import utcnow
from app.core.permissions import can
from app.extensions import db
from app.proposals.models import Proposal, ProposalAnswer, ProposalState, Support
from tests.conftest import login
from tests.factories import make_user
from tests.proposals.factories import World, make_proposal, proposal_data

ACTORS = ["anonymous", "citizen", "organisation", "author", "facilitator", "other_facilitator",
          "admin", "unconfirmed", "blocked"]


class Cast(World):
    def __init__(self):
        super().__init__()
        self.unconfirmed = make_user(confirmed=False)
        self.blocked = make_user(blocked_until=utcnow() + timedelta(days=3))
        self.anonymous = None
        self.proposal = make_proposal(self)
        self.target = make_proposal(self, author=self.citizen)


@pytest.fixture(scope="module")
def cast(module_worlds):
    """Built once per module; each test is rolled back to it (tests/README.md, "Isolation")."""
    return module_worlds.share(Cast)


def allowed(*names):
    return {actor: actor in names for actor in ACTORS}


EVERY_PARTICIPANT = ["citizen", "organisation", "author", "facilitator", "other_facilitator", "admin"]
FACILITATORS = ["facilitator", "admin"]

RULES = {
    "proposals.create": allowed(*EVERY_PARTICIPANT),
    "proposals.edit": allowed("author"),
    "proposals.withdraw": allowed("author"),
    "proposals.answer": allowed(*FACILITATORS),
    "proposals.change_state": allowed(*FACILITATORS),
    "proposals.merge": allowed(*FACILITATORS),
    # Authors may not support their own; blocked and unconfirmed accounts may not take part.
    "proposals.support": allowed("citizen", "organisation", "facilitator", "other_facilitator", "admin"),
    "proposals.unsupport": allowed(*EVERY_PARTICIPANT, "blocked"),
}


@pytest.mark.parametrize("rule", list(RULES))
def test_rules_table(cast, rule):
    target = cast.plan if rule == "proposals.create" else cast.proposal
    got = {actor: can(getattr(cast, actor), rule, target) for actor in ACTORS}
    assert got == RULES[rule]


def test_closed_proposals_allow_no_support_edit_withdraw_or_merge(cast):
    for state in (ProposalState.accepted, ProposalState.merged, ProposalState.withdrawn):
        cast.proposal.state = state
        for actor in ACTORS:
            a = getattr(cast, actor)
            assert not can(a, "proposals.support", cast.proposal)
            assert not can(a, "proposals.edit", cast.proposal)
            assert not can(a, "proposals.withdraw", cast.proposal)
            assert not can(a, "proposals.merge", cast.proposal)
            assert not can(a, "proposals.change_state", cast.proposal)
    db.session.rollback()


def test_a_facilitator_without_confirmed_email_is_not_a_facilitator(cast):
    cast.facilitator.email_confirmed_at = None
    assert not can(cast.facilitator, "proposals.change_state", cast.proposal)
    db.session.rollback()


# ---------------------------------------------------------------- direct POSTs

ANSWER = "Respuesta razonada del comité, suficiente."


def _post(client, cast, action):
    ref = cast.proposal.reference
    if action == "new":
        return client.submit("/proposals/new", proposal_data(cast), page="/")
    if action == "edit":
        data = proposal_data(cast)
        data.pop("committee_id")
        return client.submit(f"/proposals/{ref}/edit", data, page="/")
    if action == "withdraw":
        return client.submit(f"/proposals/{ref}/withdraw", {"reason": "Motivo suficiente."}, page="/")
    if action in ("support", "unsupport"):
        return client.submit(f"/proposals/{ref}/{action}", {}, page="/")
    if action == "state":
        return client.submit(f"/proposals/{ref}/state",
                             {"state-state": "under_review", "state-answer": ANSWER}, page="/")
    if action == "merge":
        return client.submit(f"/proposals/{ref}/merge",
                             {"merge-into": cast.target.reference, "merge-answer": ANSWER}, page="/")
    raise AssertionError(action)


OK = 302
DIRECT_POSTS = {
    "new": {a: OK if a in EVERY_PARTICIPANT else 403 for a in ACTORS},
    "edit": {a: OK if a == "author" else 403 for a in ACTORS},
    "withdraw": {a: OK if a == "author" else 403 for a in ACTORS},
    "support": {a: OK if RULES["proposals.support"][a] else 403 for a in ACTORS},
    "unsupport": {a: OK if RULES["proposals.unsupport"][a] else 403 for a in ACTORS},
    "state": {a: OK if a in FACILITATORS else 403 for a in ACTORS},
    "merge": {a: OK if a in FACILITATORS else 403 for a in ACTORS},
}
CASES = [(action, actor) for action in DIRECT_POSTS for actor in ACTORS]


def _snapshot(cast):
    db.session.expire_all()
    p = db.session.get(Proposal, cast.proposal.id)
    return (
        p.state, p.title, p.support_count, p.merged_into_id,
        db.session.scalar(sa.select(sa.func.count(Proposal.id))),
        db.session.scalar(sa.select(sa.func.count(Support.id))),
        db.session.scalar(sa.select(sa.func.count(ProposalAnswer.id))),
    )


@pytest.mark.parametrize("action, actor", CASES, ids=[f"{a}-{b}" for a, b in CASES])
def test_direct_posts(cast, client, action, actor):
    """Anonymous visitors go to the login page; everyone else not allowed gets 403 and no change."""
    if actor != "anonymous":
        login(client, getattr(cast, actor).email)
    before = _snapshot(cast)
    response = _post(client, cast, action)
    after = _snapshot(cast)
    if actor == "anonymous":
        assert response.status_code == 302 and "/account/login" in response.headers["Location"]
        assert after == before
    elif DIRECT_POSTS[action][actor] == 403:
        assert response.status_code == 403
        assert after == before
    else:
        assert response.status_code == 302, response.get_data(as_text=True)[:2000]
        assert "/account/login" not in response.headers["Location"]
        if action != "unsupport":  # removing a support that is not there changes nothing
            assert after != before


@pytest.mark.parametrize("action", ["state", "merge"])
def test_facilitator_of_another_committee_gets_403_on_its_own_proposal_form_too(cast, client, action):
    """Even with a proposal of their own committee as the merge target."""
    own = make_proposal(cast, committee=cast.other_committee)
    cast.target = own
    login(client, cast.other_facilitator.email)
    assert _post(client, cast, action).status_code == 403
    assert db.session.get(Proposal, cast.proposal.id).state == ProposalState.submitted
