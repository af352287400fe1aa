"""The benchmark's plan generator (bench/generate.py) at a tiny size: the rows it writes in bulk
agree with the counters the pages show, and growing a plan in place keeps the pages it reads."""
import pytest
import sqlalchemy as sa

from app.comments.models import Comment
from app.extensions import db
from app.fulltext.models import SearchEntry
from app.proposals.models import Proposal, Support
from bench import generate as plan

TINY = {"citizens": 40, "organisations": 8, "proposals": 30, "comments": 260, "supports": 120, "tables": 3,
        "commitments": 3, "milestones_each": 2, "ballots": 5}
GROWN = {**TINY, "citizens": 80, "organisations": 12, "proposals": 70, "comments": 400, "supports": 500,
         "tables": 5, "commitments": 6}


def _counters_disagree() -> list:
    supports = (sa.select(sa.func.count()).where(Support.proposal_id == Proposal.id).scalar_subquery())
    comments = (sa.select(sa.func.count()).where(Comment.proposal_id == Proposal.id).scalar_subquery())
    return db.session.execute(sa.select(Proposal.id).where(
        sa.or_(Proposal.support_count != supports, Proposal.comment_count != comments))).all()


def _count(model, *where) -> int:
    return db.session.scalar(sa.select(sa.func.count()).select_from(model).where(*where))


@pytest.mark.real_commits
def test_a_generated_plan_grown_in_place_keeps_its_counters_and_its_pages():
    info = plan.generate(sizes=TINY, log=lambda line: None)
    hot = db.session.scalar(sa.select(Proposal.id).where(Proposal.reference == info["hot_proposal"]))
    assert _count(Proposal) == 30
    assert _count(Support) == 120
    assert _count(Comment, Comment.proposal_id.is_not(None)) == 260
    assert _count(Comment, Comment.proposal_id == hot) == plan.HOT_COMMENTS
    assert _counters_disagree() == []
    indexed = _count(SearchEntry)
    assert indexed > 30 + 200  # proposals (but the withdrawn) and their comments, tables, commitments

    info = plan.extend(info, GROWN, log=lambda line: None)
    assert _count(Proposal) == 70
    assert _count(Support) == 500
    assert _count(Comment, Comment.proposal_id.is_not(None)) == 400
    assert _count(Comment, Comment.proposal_id == hot) == plan.HOT_COMMENTS
    assert _counters_disagree() == []
    # Support pairs are unique by construction (the table's constraint would have refused them).
    assert db.session.scalar(sa.select(sa.func.count(sa.distinct(Proposal.reference)))) == 70
    assert len(info["citizens"]) >= 80 and len(info["organisations"]) == 12
    # The new items are searchable like the old, with the rows the indexer itself writes.
    newest = db.session.scalar(sa.select(sa.func.max(Comment.id)))
    entry = db.session.scalars(sa.select(SearchEntry).where(SearchEntry.kind == "comment",
                                                            SearchEntry.item_id == newest)).one()
    from app.search import indexing

    expected = {k: v for k, v in indexing.BUILDERS["comment"][1]([newest])[0].items()}
    assert {k: getattr(entry, k) for k in expected} == expected
    assert _count(SearchEntry) > indexed


def test_scaled_sizes_multiply_the_plan_but_not_the_elections():
    ten = plan.scaled(10)
    assert (ten["proposals"], ten["comments"], ten["supports"], ten["citizens"], ten["commitments"]) == (
        200_000, 2_000_000, 5_000_000, 500_000, 5_000)
    assert ten["milestones_each"] == plan.SIZES["milestones_each"] and ten["ballots"] == plan.SIZES["ballots"]
