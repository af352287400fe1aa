"""Values a page read alongside its version (app/core/read_along.py): kept for the request, and
forgotten when the data changes."""
from app.core import read_along
from app.extensions import db
from tests.factories import make_user


def test_what_was_read_alongside_is_recalled_until_the_data_changes(app):
    with app.test_request_context("/"):
        assert read_along.recall("thread", ("proposal_id", 7)) is None
        read_along.remember("thread", ("proposal_id", 7), ("3", "41"))
        assert read_along.recall("thread", ("proposal_id", 7)) == ("3", "41")
        assert read_along.recall("thread", ("proposal_id", 8)) is None
        make_user()
        db.session.flush()  # a write: what was read before it may be stale
        assert read_along.recall("thread", ("proposal_id", 7)) is None
    read_along.remember("thread", ("proposal_id", 7), ("3", "41"))  # outside a request: nothing kept
    assert read_along.recall("thread", ("proposal_id", 7)) is None


def test_a_side_by_side_row_is_cut_into_its_parts():
    assert read_along.split((1, 2, 3, 4, 5, 6), [3, 2]) == [(1, 2, 3), (4, 5), (6,)]
