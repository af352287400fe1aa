"""Counters stay exact when requests arrive at the same moment (separate sessions, real threads)."""
import threading

import sqlalchemy as sa

from app.accounts.models import User
from app.comments import services as comment_services
from app.comments.models import Comment
from app.core.audit import AuditEntry
from app.core.uow import unit_of_work
from app.extensions import db
from app.moderation import services
from app.moderation.models import AUTO_HIDE_THRESHOLD
from app.proposals.models import Proposal
from tests.comments.factories import World, make_comment, stored_count
from tests.factories import make_user


def in_parallel(app, jobs) -> list:
    """Run each job (a function of no arguments) in its own thread, app context and session."""
    barrier = threading.Barrier(len(jobs))
    errors = []

    def run(job):
        with app.app_context():
            try:
                barrier.wait()
                with unit_of_work():  # each thread is a request of its own: one commit
                    job()
            except Exception as exc:  # collected and asserted by the test
                errors.append(exc)
            finally:
                db.session.remove()

    threads = [threading.Thread(target=run, args=(job,)) for job in jobs]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(60)
    return errors


def test_parallel_reports_count_exactly_and_hide_once(app):
    world = World()
    comment = make_comment(world.proposal, author=world.author)
    reporter_ids = [make_user().id for _ in range(AUTO_HIDE_THRESHOLD + 2)]
    comment_id = comment.id

    def report(uid):
        return lambda: services.report_content(db.session.get(User, uid),
                                               db.session.get(Comment, comment_id), "spam")

    errors = in_parallel(app, [report(uid) for uid in reporter_ids])

    assert errors == []
    db.session.expire_all()
    comment = db.session.get(Comment, comment_id)
    assert comment.open_reports == len(reporter_ids)
    assert comment.is_hidden
    assert db.session.scalar(
        sa.select(sa.func.count(AuditEntry.id)).where(AuditEntry.action == "content.auto_hidden")
    ) == 1
    assert stored_count(world.proposal) == 0


def test_parallel_comments_keep_the_counter_exact(app):
    world = World()
    author_ids = [make_user().id for _ in range(6)]
    proposal_id = world.proposal.id

    def post(uid):
        return lambda: comment_services.post_comment(db.session.get(User, uid),
                                                     db.session.get(Proposal, proposal_id), "Hola")

    errors = in_parallel(app, [post(uid) for uid in author_ids])

    assert errors == []
    db.session.expire_all()
    assert stored_count(world.proposal) == len(author_ids)
