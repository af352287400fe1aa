"""The list's totals come from kept counts (app/proposals/counts.py): they stay right through
every path that changes a proposal's state or visibility, and the rebuild command agrees."""
import re

import pytest
import sqlalchemy as sa

from app.extensions import db
from app.moderation import services as moderation
from app.moderation.models import AUTO_HIDE_THRESHOLD
from app.proposals import counts, listing, services
from app.proposals.counts import ProposalCount
from app.proposals.models import Proposal, ProposalState
from tests.factories import make_user
from tests.proposals.factories import World, bulk_proposals, make_proposal, set_state


@pytest.fixture(scope="module")
def world(module_worlds):
    return module_worlds.share(World)


def truth() -> dict[tuple, int]:
    """The counts read the slow way, from the proposals themselves."""
    key = (Proposal.plan_id, Proposal.committee_id, sa.func.coalesce(Proposal.theme_id, 0),
           sa.func.coalesce(Proposal.municipality, ""), Proposal.state)
    rows = db.session.execute(
        sa.select(*key, sa.func.count()).where(Proposal.hidden_at.is_(None)).group_by(*key)).all()
    return {(*row[:4], str(row[4])): row[5] for row in rows}


def kept() -> dict[tuple, int]:
    db.session.expire_all()
    return {(c.plan_id, c.committee_id, c.theme_id, c.municipality, c.state): c.n
            for c in db.session.scalars(sa.select(ProposalCount)) if c.n}


def shown_total(client, url="/proposals/") -> int:
    page = client.get(url).get_data(as_text=True)
    return int(re.search(r'data-total="(\d+)"', page).group(1))


def assert_right(world, client):
    assert kept() == truth()
    listed = db.session.scalar(sa.select(sa.func.count()).where(
        Proposal.plan_id == world.plan.id, Proposal.hidden_at.is_(None),
        Proposal.state != ProposalState.withdrawn))
    assert shown_total(client) == listed


def test_counts_follow_every_change_of_state_and_visibility(world, client):
    first, second, third = (make_proposal(world) for _ in range(3))
    other = make_proposal(world, committee=world.other_committee)
    assert_right(world, client)
    db.session.execute(sa.update(Proposal).where(Proposal.id == other.id).values(theme_id=None))
    db.session.commit()  # a theme deleted (ON DELETE SET NULL): counted under "no theme"
    assert_right(world, client)
    assert shown_total(client, f"/proposals/?committee={world.other_committee.id}") == 1

    services.change_state(world.facilitator, first, ProposalState.under_review, "Lo revisamos con cuidado.")
    db.session.commit()
    assert_right(world, client)
    assert shown_total(client, "/proposals/?state=under_review") == 1

    services.withdraw_proposal(world.author, second, "Ya se resolvió por otra vía, gracias.")
    db.session.commit()
    assert_right(world, client)
    assert shown_total(client, "/proposals/?state=withdrawn") == 1

    services.merge_proposal(world.facilitator, third, first, "Es el mismo problema que la primera.")
    db.session.commit()
    assert_right(world, client)

    moderation.hide_content(world.facilitator, first, "Datos personales de terceros.")
    db.session.commit()
    assert_right(world, client)
    moderation.restore_content(world.facilitator, first, "Se quitaron los datos.")
    db.session.commit()
    assert_right(world, client)

    for _ in range(AUTO_HIDE_THRESHOLD):  # moderation's own UPDATE, not the ORM's
        moderation.report_content(make_user(), other, "spam")
        db.session.commit()
    assert db.session.get(Proposal, other.id).hidden_at is not None
    assert_right(world, client)
    assert shown_total(client, f"/proposals/?committee={world.other_committee.id}") == 0

    set_state(third, ProposalState.accepted)  # a bare UPDATE of the state
    db.session.execute(sa.delete(Proposal).where(Proposal.id == other.id))
    db.session.commit()
    assert_right(world, client)


def test_a_change_of_counters_leaves_the_counts_alone(world):
    proposal = make_proposal(world)
    before = kept()
    services.support_proposal(make_user(), proposal)
    db.session.commit()
    assert db.session.get(Proposal, proposal.id).support_count == 1
    assert kept() == before == truth()


def test_recount_rebuilds_what_was_lost(world, app):
    bulk_proposals(world, 5)
    db.session.execute(sa.update(ProposalCount).values(n=99))
    db.session.commit()
    assert kept() != truth()
    result = app.test_cli_runner().invoke(args=["proposals", "recount"])
    assert result.exit_code == 0, result.output
    assert kept() == truth()


def test_a_search_counts_up_to_the_cap_and_then_says_more_than(world, client, monkeypatch):
    bulk_proposals(world, 7)
    monkeypatch.setattr(listing, "COUNT_CAP", 3)
    monkeypatch.setattr(listing, "PER_PAGE", 2)
    page = listing.list_proposals(world.plan, listing.ProposalFilters(text="colonia"), per_page=2)
    assert (page.total, page.capped) == (3, True)
    assert page.has_next
    # Past the cap the pages go on while there are rows: the fourth page holds the seventh.
    fourth = listing.list_proposals(world.plan, listing.ProposalFilters(text="colonia"), page=4, per_page=2)
    assert [p.sequence for p in fourth.items] == [1] and not fourth.has_next
    body = client.get("/proposals/?q=colonia").get_data(as_text=True)
    assert "Más de 3 propuestas" in body  # the site speaks Spanish unless asked otherwise


def test_count_matching_sums_only_the_filters_given(world):
    bulk_proposals(world, 4)
    make_proposal(world, committee=world.other_committee)
    plan = world.plan.id
    assert counts.count_matching(plan) == 5
    assert counts.count_matching(plan, committee_id=world.committee.id) == 4
    assert counts.count_matching(plan, municipality="Gómez Palacio", committee_id=world.committee.id) == 4
    assert counts.count_matching(plan, state=ProposalState.accepted) == 0
    assert counts.count_matching(plan, exclude_state=ProposalState.submitted) == 0


@pytest.mark.parametrize("sort", ["newest", "supported", "commented"])
def test_pages_cover_the_order_once_even_with_ties(world, sort):
    """The page's ids are read first and the rows loaded by id: every proposal appears on exactly
    one page, in the order (created_at, id) breaks ties, and hidden or withdrawn ones on none."""
    proposals = bulk_proposals(world, 23)
    same_moment = proposals[0].created_at
    db.session.execute(sa.update(Proposal).values(created_at=same_moment, support_count=2, comment_count=1))
    db.session.execute(sa.update(Proposal).where(Proposal.id == proposals[5].id).values(support_count=9))
    db.session.execute(sa.update(Proposal).where(Proposal.id == proposals[7].id)
                       .values(hidden_at=same_moment))
    db.session.execute(sa.update(Proposal).where(Proposal.id == proposals[8].id)
                       .values(state=ProposalState.withdrawn))
    db.session.commit()
    seen = []
    for number in range(1, 5):
        seen += [p.id for p in listing.list_proposals(world.plan, sort=sort, page=number, per_page=6).items]
    expected = db.session.scalars(
        sa.select(Proposal.id).where(Proposal.hidden_at.is_(None), Proposal.state != ProposalState.withdrawn)
        .order_by(*listing.SORTS[sort])).all()
    assert seen == list(expected) and len(seen) == 21
    if sort == "supported":
        assert seen[0] == proposals[5].id
    else:
        assert seen[:3] == [proposals[22].id, proposals[21].id, proposals[20].id]  # id breaks the tie


def test_a_bulk_load_with_triggers_off_for_replicas_is_still_counted(world):
    """The benchmark's generator COPYs with session_replication_role = replica (foreign keys off):
    the counts' triggers fire ALWAYS, so the list's totals hold after such a load too."""
    if db.engine.dialect.name != "postgresql":
        pytest.skip("session_replication_role is PostgreSQL's")
    db.session.execute(sa.text("SET LOCAL session_replication_role = replica"))
    bulk_proposals(world, 6)  # commits: the setting ends with the transaction
    db.session.execute(sa.text("SET LOCAL session_replication_role = replica"))
    db.session.execute(sa.delete(Proposal).where(Proposal.sequence <= 2))
    db.session.commit()
    assert kept() == truth()
    assert counts.count_matching(world.plan.id) == 4
