"""The dashboard and the printable plan issue a fixed number of SQL statements, whatever the
number of commitments and milestones."""
import os

import pytest

from app.extensions import db
from tests.dashboard.factories import bulk_commitments
from tests.dashboard.helpers import counted
from tests.factories import make_committee, make_plan, make_theme

# Filled by the tests, for the closing note (pytest -s shows them).
MEASURED: dict[str, int] = {}


@pytest.fixture
def world():
    plan = make_plan()
    committees = [make_committee(plan) for _ in range(3)]
    themes = [make_theme(plan, f"Tema {i}") for i in range(4)]
    return plan, committees, themes


def statements_for(client, url: str) -> int:
    client.get(url)  # warm: the first request of a client may load its session
    db.session.expire_all()
    with counted() as statements:
        response = client.get(url)
    assert response.status_code == 200, url
    return len(statements)


def urls(committees) -> list[str]:
    return ["/dashboard/", f"/dashboard/committee/{committees[0].slug}", "/dashboard/plan/print"]


def test_statements_do_not_grow_from_10_to_200_commitments(client, world):
    plan, committees, themes = world
    bulk_commitments(plan, committees, themes, 10, milestones_each=4)
    small = {url: statements_for(client, url) for url in urls(committees)}

    bulk_commitments(plan, committees, themes, 190, milestones_each=4)
    large = {url: statements_for(client, url) for url in urls(committees)}

    assert large == small
    for url in small:
        MEASURED[f"{url} at 10"] = small[url]
        MEASURED[f"{url} at 200"] = large[url]
    print("\nSQL statements per page:", MEASURED)


@pytest.mark.skipif(not os.environ.get("COCREA_MEASURE_1000"),
                    reason="slow: set COCREA_MEASURE_1000=1 to measure 1,000 commitments")
def test_statements_at_1000_commitments_are_those_at_10(client, world):
    plan, committees, themes = world
    bulk_commitments(plan, committees, themes, 10, milestones_each=4)
    small = {url: statements_for(client, url) for url in urls(committees)}

    bulk_commitments(plan, committees, themes, 990, milestones_each=4)
    large = {url: statements_for(client, url) for url in urls(committees)}

    print("\nSQL statements at 10:", small, "\nat 1,000:", large)
    assert large == small
