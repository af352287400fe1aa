"""The commitment page and its history issue a fixed number of SQL statements, whatever the
number of milestones, versions or source proposals."""
from datetime import date, timedelta

import pytest
import sqlalchemy as sa

from app.commitments import services
from app.commitments.models import Commitment, CommitmentState
from app.core.db import utcnow
from app.extensions import db
from tests.commitments.factories import (
    make_draft,
    make_proposal,
    make_published,
    milestone,
    milestones_of,
)
from tests.conftest import login
from tests.querycount import count_queries

# Filled by the tests, for the closing note (run with -s to see them).
MEASURED: dict[str, int] = {}


def statements_for(client, url: str) -> int:
    client.get(url)  # warm: the first request of a client may load its session's user
    db.session.expire_all()
    with count_queries() as statements:
        response = client.get(url)
    assert response.status_code == 200, url
    return len(statements)


def _milestones(n: int) -> list[dict]:
    start = date(2026, 3, 1)
    return [milestone(i, starts_on=start + timedelta(days=i), ends_on=start + timedelta(days=30 + i))
            for i in range(n)]


def _with_versions(world, commitment, n: int):
    """Edits until the commitment has `n` versions (it starts with 2: draft and publication)."""
    for i in range(n - commitment.version):
        services.update_draft(world.facilitator, commitment, {"budget": f"Presupuesto {i}"}, None,
                              f"Ajuste presupuestal número {i} aprobado por el cabildo")


@pytest.mark.parametrize("who", ["anonymous", "facilitator"])
def test_commitment_page_statements_do_not_grow(world, client, who):
    if who == "facilitator":
        login(client, world.facilitator.email)
    # One version and one milestone: published directly, without the publication's version.
    small = make_draft(world, milestones=_milestones(1))
    db.session.execute(sa.update(Commitment).where(Commitment.id == small.id)
                       .values(state=CommitmentState.published, published_at=utcnow()))
    db.session.commit()
    proposals = [make_proposal(world.committee, world.author) for _ in range(6)]
    large = make_published(world, milestones=_milestones(12), proposals=proposals)
    _with_versions(world, large, 10)
    assert len(large.milestones) == 12 and large.version == 10 and small.version == 1
    few = statements_for(client, f"/commitments/{small.id}")
    many = statements_for(client, f"/commitments/{large.id}")
    assert few == many
    MEASURED[f"commitment page ({who})"] = many


def test_history_and_diff_statements_do_not_grow(world, client):
    small = make_published(world, milestones=_milestones(1))
    _with_versions(world, small, 3)
    large = make_published(world, milestones=_milestones(12))
    _with_versions(world, large, 10)
    rows = milestones_of(large)[:6] + _milestones(3)
    services.update_draft(world.facilitator, large, {}, rows,
                          "Replanteamos los hitos con el comité en pleno")
    versions = statements_for(client, f"/commitments/{large.id}/versions")
    assert statements_for(client, f"/commitments/{small.id}/versions") == versions
    diff = statements_for(client, f"/commitments/{large.id}/diff?from=1&to=11")
    assert statements_for(client, f"/commitments/{small.id}/diff?from=1&to=3") == diff
    MEASURED["versions page"], MEASURED["diff page"] = versions, diff
    print(MEASURED)


def test_list_statements_do_not_grow(world, client):
    make_published(world)
    small = statements_for(client, "/commitments/")
    for _ in range(5):
        make_published(world)
    assert statements_for(client, "/commitments/") == small
    MEASURED["list page"] = small
