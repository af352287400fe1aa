"""The demo loader (`make run`) ends with a complete search index: rebuilding it changes nothing."""
import sqlalchemy as sa

from app.extensions import db
from app.fulltext.models import SearchEntry
from app.search.indexing import rebuild
from app.search.queries import search


def _snapshot():
    return set(db.session.execute(sa.select(
        SearchEntry.kind, SearchEntry.item_id, SearchEntry.title, SearchEntry.title_tokens,
        SearchEntry.body_tokens, SearchEntry.url)).all())


def test_demo_is_searchable_and_its_index_complete(demo):
    loaded = _snapshot()
    assert {kind for kind, *_ in loaded} >= {"proposal", "commitment", "table", "comment", "document"}
    assert search("basura").total > 0
    rebuild()
    assert _snapshot() == loaded
