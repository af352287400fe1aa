"""The electorate's reads that pages ask once per request: whether one organisation is approved
and how many are, answered in SQL without loading the electorate."""
from app.core.db import utcnow
from app.elections import queries
from app.extensions import db
from tests.elections.factories import make_election
from tests.querycount import count_queries


def test_one_organisations_approval_and_the_number_approved_match_the_electorate(world):
    election = make_election(world.committee)
    gone = world.add_organisation()
    gone.deleted_at = utcnow()
    db.session.commit()
    electorate = {user.id for user in queries.electorate(election)}
    assert gone.id not in electorate and world.organisation.id in electorate
    assert queries.electorate_size(election) == len(electorate) == 3
    for organisation in (*world.organisations, world.pending_organisation, world.other_organisation,
                         world.unverified_organisation):
        assert queries.is_approved(election, organisation.id) is (organisation.id in electorate)
    other = make_election(world.other_committee)
    assert queries.is_approved(other, world.other_organisation.id)
    assert not queries.is_approved(other, world.organisation.id)
    assert queries.electorate_size(make_election(world.committee, call_id=None)) == 0


def test_asking_about_one_organisation_reads_one_row_whatever_the_electorate(world):
    election = make_election(world.committee)
    for _ in range(10):
        world.add_organisation()
    organisation_id = world.organisation.id
    db.session.refresh(election)  # read before counting, as a page's loader has
    with count_queries() as statements:
        assert queries.is_approved(election, organisation_id)
        assert queries.electorate_size(election) == 13
    assert len(statements) == 2
    assert "count(" in statements[1].lower() and "exists" in statements[0].lower()
