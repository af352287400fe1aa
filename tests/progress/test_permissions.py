"""Who may report progress, change the status and follow: the rules, and direct POSTs to every
action route (a facilitator of another committee included)."""
import io
from datetime import date, timedelta

import pytest
import sqlalchemy as sa

from app.commitments.models import Commitment, CommitmentState, Milestone
from app.core.audit import AuditEntry
from app.core.db import utcnow
from app.core.errors import NotFound, PermissionDenied
from app.core.permissions import can
from app.extensions import db
from app.follows import services as follows
from app.follows.models import Follow
from app.progress.models import ProgressNote
from tests.conftest import login
from tests.factories import make_user
from tests.progress import samples
from tests.progress.factories import World, make_commitment

ACTORS = ["anonymous", "citizen", "organisation", "facilitator", "other_facilitator", "admin",
          "unconfirmed", "blocked"]
FACILITATORS = ["facilitator", "admin"]
PARTICIPANTS = ["citizen", "organisation", "facilitator", "other_facilitator", "admin"]


class Cast(World):
    def __init__(self):
        super().__init__()
        self.anonymous = None
        self.unconfirmed = make_user(confirmed=False)
        self.blocked = make_user(blocked_until=utcnow() + timedelta(days=3))
        self.commitment = make_commitment(self)
        self.milestone = self.commitment.milestones[0]


@pytest.fixture(scope="module")
def cast(module_worlds):
    """Built once per module; each test is rolled back to it (tests/README.md, "Isolation")."""
    return module_worlds.share(Cast)


def allowed(*names):
    return {actor: actor in names for actor in ACTORS}


RULES = {
    "progress.report": allowed(*FACILITATORS),
    "progress.set_status": allowed(*FACILITATORS),
    "follows.follow": allowed(*PARTICIPANTS),
    # Anyone with an account may stop receiving news, blocked or unconfirmed.
    "follows.unfollow": allowed(*PARTICIPANTS, "unconfirmed", "blocked"),
}


@pytest.mark.parametrize("rule", list(RULES))
def test_rules_table(cast, rule):
    got = {actor: can(getattr(cast, actor), rule, cast.commitment) for actor in ACTORS}
    assert got == RULES[rule]


def test_report_rule_also_takes_a_milestone(cast):
    assert can(cast.facilitator, "progress.report", cast.milestone)
    assert not can(cast.other_facilitator, "progress.report", cast.milestone)


@pytest.mark.parametrize("state", [CommitmentState.draft, CommitmentState.consultation,
                                   CommitmentState.withdrawn])
def test_nobody_reports_or_sets_the_status_outside_a_formal_commitment(cast, state):
    cast.commitment.state = state
    for actor in ACTORS:
        assert not can(getattr(cast, actor), "progress.report", cast.commitment)
        assert not can(getattr(cast, actor), "progress.set_status", cast.commitment)
    db.session.rollback()


def test_a_draft_cannot_be_followed_by_anyone(cast):
    cast.commitment.state = CommitmentState.draft
    db.session.flush()
    for actor in ACTORS:
        with pytest.raises((NotFound, PermissionDenied)):
            follows.follow(getattr(cast, actor), "commitment", cast.commitment.id)
    assert db.session.scalar(sa.select(sa.func.count(Follow.id))) == 0
    db.session.rollback()


def test_a_facilitator_without_confirmed_email_is_not_a_facilitator(cast):
    cast.facilitator.email_confirmed_at = None
    assert not can(cast.facilitator, "progress.report", cast.commitment)
    db.session.rollback()


# ---------------------------------------------------------------- direct POSTs

def _post(client, cast, action):
    cid, mid = cast.commitment.id, cast.milestone.id
    if action == "report":
        data = {"status": "complete", "noted_on": date(2026, 3, 1).isoformat(),
                "note": "Se publicó el informe.", "links": "https://example.org/informe",
                "files": [(io.BytesIO(samples.pdf()), "informe.pdf")]}
        return client.submit(f"/progress/milestone/{mid}/report", data, page="/",
                             content_type="multipart/form-data")
    if action == "status":
        return client.submit(f"/progress/commitment/{cid}/status",
                             {"impl-status": "limited", "impl-note": "Avance limitado."}, page="/")
    if action in ("follow", "unfollow"):
        return client.submit(f"/following/commitment/{cid}/{action}", {}, page="/")
    raise AssertionError(action)


OK = 302
DIRECT_POSTS = {
    "report": {a: OK if a in FACILITATORS else 403 for a in ACTORS},
    "status": {a: OK if a in FACILITATORS else 403 for a in ACTORS},
    "follow": {a: OK if RULES["follows.follow"][a] else 403 for a in ACTORS},
    "unfollow": {a: OK if RULES["follows.unfollow"][a] else 403 for a in ACTORS},
}
CASES = [(action, actor) for action in DIRECT_POSTS for actor in ACTORS]


def _snapshot(cast):
    db.session.expire_all()
    return (
        db.session.get(Milestone, cast.milestone.id).status,
        db.session.get(Commitment, cast.commitment.id).implementation_status,
        db.session.scalar(sa.select(sa.func.count(ProgressNote.id))),
        db.session.scalar(sa.select(sa.func.count(Follow.id))),
        db.session.scalar(sa.select(sa.func.count(AuditEntry.id))
                          .where(AuditEntry.action.like("progress.%"))),
    )


@pytest.mark.parametrize("action, actor", CASES, ids=[f"{a}-{b}" for a, b in CASES])
def test_direct_posts(cast, client, uploads, action, actor):
    """Anonymous visitors go to the login page; everyone else not allowed gets 403 and no change."""
    if action == "unfollow" and actor != "anonymous":
        db.session.add(Follow(target_type="commitment", target_id=cast.commitment.id,
                              user_id=getattr(cast, actor).id))
        db.session.commit()
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
        assert not uploads.exists() or not any(uploads.iterdir())
    else:
        assert response.status_code == 302, response.get_data(as_text=True)[:3000]
        assert "/account/login" not in response.headers["Location"]
        assert after != before


@pytest.mark.parametrize("action", ["report", "status"])
def test_facilitator_of_another_committee_gets_403_even_with_commitments_of_their_own(
    cast, client, uploads, action
):
    make_commitment(cast, committee=cast.other_committee)
    login(client, cast.other_facilitator.email)
    before = _snapshot(cast)
    assert _post(client, cast, action).status_code == 403
    assert _snapshot(cast) == before
    page = (f"/progress/milestone/{cast.milestone.id}/report" if action == "report"
            else f"/progress/commitment/{cast.commitment.id}/status")
    assert client.get(page).status_code == 403


@pytest.mark.parametrize("action", ["report", "status", "follow"])
def test_a_draft_is_not_found_even_for_its_facilitator(cast, client, uploads, action):
    db.session.execute(sa.update(Commitment).values(state=CommitmentState.draft))
    db.session.commit()
    login(client, cast.facilitator.email)
    assert _post(client, cast, action).status_code == 404


@pytest.mark.parametrize("action", ["report", "status"])
def test_a_withdrawn_commitment_takes_no_more_progress(cast, client, uploads, action):
    db.session.execute(sa.update(Commitment).values(state=CommitmentState.withdrawn))
    db.session.commit()
    login(client, cast.facilitator.email)
    before = _snapshot(cast)
    assert _post(client, cast, action).status_code == 403
    assert _snapshot(cast) == before
