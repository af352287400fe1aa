"""A person's standing on a commitment (responsible official, civil-society seat), which the
permission rules of its page ask for drafting and reviewing: one statement for both, kept for the
request until data changes."""
from app.core.db import utcnow
from app.extensions import db
from app.progress import queries
from app.progress.models import CommitmentOfficial
from tests.progress.test_oversight import loop  # noqa: F401  (the module's shared world)
from tests.querycount import count_queries


def test_both_questions_in_one_statement_kept_for_the_request(app, loop):  # noqa: F811
    for row in (loop.official, loop.titular, loop.commitment):
        db.session.refresh(row)  # loaded before counting: a page has them already
    with app.test_request_context("/"):
        with count_queries() as sent:
            official = queries.standing(loop.official, loop.commitment)
            titular = queries.standing(loop.titular, loop.commitment)
            again = queries.standing(loop.official, loop.commitment)
        assert (official.official, official.seated) == (True, False)
        assert (titular.official, titular.seated) == (False, True)
        assert again is official
        assert len(sent) == 2, sent
        outsider = queries.standing(loop.citizen, loop.commitment)
        assert (outsider.official, outsider.seated) == (False, False)


def test_a_change_in_the_request_is_seen_by_the_next_question(app, loop):  # noqa: F811
    with app.test_request_context("/"):
        assert queries.standing(loop.official, loop.commitment).official
        row = db.session.scalar(db.select(CommitmentOfficial).where(
            CommitmentOfficial.user_id == loop.official.id, CommitmentOfficial.ended_at.is_(None)))
        row.ended_at = utcnow()
        db.session.flush()
        assert not queries.standing(loop.official, loop.commitment).official
