"""The thread of a proposal costs a fixed number of SQL statements, whatever its size."""
from flask import render_template
from flask_login import login_user

from app.comments.queries import thread_for
from app.core.db import utcnow
from app.extensions import db
from tests.comments.factories import QueryCounter, World, make_comment
from tests.factories import make_user


def build_thread(world: World, comments: int) -> None:
    """Half top-level, half replies, by different authors; one hidden and one deleted."""
    tops = []
    for i in range(comments):
        author = make_user()
        if i % 2 == 0 or not tops:
            tops.append(make_comment(world.proposal, author=author))
        else:
            make_comment(world.proposal, author=author, parent=tops[-1])
    tops[0].hidden_at = utcnow()
    tops[0].hidden_reason = "Spam"
    tops[-1].deleted_at = utcnow()
    db.session.commit()


def statements_to_show(app, world: World) -> tuple[int, int]:
    """(statements of thread_for, statements of rendering the thread partial)."""
    db.session.expire_all()
    proposal = db.session.get(type(world.proposal), world.proposal.id)
    viewer = db.session.get(type(world.citizen), world.citizen.id)
    _ = viewer.moderator_scopes
    with QueryCounter() as loading:
        thread = thread_for(proposal)
    with app.test_request_context("/"), QueryCounter() as rendering:
        login_user(viewer)
        html = render_template("comments/_thread.html", thread=thread, proposal=proposal)
    assert html.count("data-comment-id=") == sum(1 + len(t.replies) for t in thread)
    return loading.count, rendering.count


def test_thread_statements_do_not_grow_with_comments(app):
    small, large = World(), World()
    build_thread(small, 2)
    build_thread(large, 30)

    small_counts = statements_to_show(app, small)
    large_counts = statements_to_show(app, large)

    assert small_counts == large_counts, (small_counts, large_counts)
    print("thread statements (load, render):", small_counts)
    assert small_counts[0] <= 5
    assert small_counts[1] == 2  # the thread's version (its fragment's key), the viewer's own comments


def test_an_empty_thread_is_cheap(app):
    world = World()
    _ = world.proposal.id  # loaded before counting
    with QueryCounter() as counter:
        assert thread_for(world.proposal) == []
    assert counter.count == 1
