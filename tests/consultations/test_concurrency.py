"""Parallel requests: facilitators opening a consultation at the same moment get one window,
and an answer sent several times at once (a double click) is stored once.

Each thread has its own app context, hence its own session and connection, and all are released
together by a barrier. On SQLite writers are serialised by the database lock; on PostgreSQL by
the commitment's row lock (open) and the unique constraint (answers).
"""
from datetime import timedelta

import pytest

from app.accounts.models import User
from app.comments.models import Comment
from app.commitments.models import Commitment
from app.consultations import services
from app.consultations.models import Consultation, ConsultationAnswer
from app.core.db import utcnow
from app.extensions import db
from tests.concurrency import at_once
from tests.consultations.factories import World, count_rows, make_comment, make_consultation
from tests.factories import make_moderator


@pytest.fixture
def world():
    return World()


def run_together(app, jobs):
    """Run each (callable, user_id) at once: what each returned, or the refusal's class name."""
    return [value if kind == "ok" else (f"crash: {value}" if kind == "crash" else kind)
            for kind, value in at_once(app, [lambda j=job, u=user_id: j(db.session.get(User, u))
                                             for job, user_id in jobs])]


def test_facilitators_opening_at_once_get_one_consultation(app, world):
    facilitators = [world.facilitator, world.admin, make_moderator(world.committee),
                    make_moderator(world.committee)]
    commitment_id = world.commitment.id
    start = utcnow() + timedelta(days=1)

    def open_window(user):
        commitment = db.session.get(Commitment, commitment_id)
        services.open_consultation(user, commitment, start, start + timedelta(days=10))
        return "opened"

    outcomes = run_together(app, [(open_window, f.id) for f in facilitators])
    assert not [o for o in outcomes if str(o).startswith("crash")], outcomes
    assert sorted(outcomes) == ["InvalidTransition"] * 3 + ["opened"], outcomes
    assert count_rows(Consultation) == 1


def test_an_answer_sent_four_times_at_once_is_stored_once(app, world):
    make_consultation(world.commitment)
    comment_id = make_comment(world.commitment, world.author, "problem").id

    def answer(user):
        comment = db.session.get(Comment, comment_id)
        return services.answer_comment(user, comment, "incorporated", "Se incorporó al texto.").status

    outcomes = run_together(app, [(answer, world.facilitator.id)] * 4)
    assert not [o for o in outcomes if str(o).startswith("crash")], outcomes
    assert sorted(outcomes) == ["created"] + ["unchanged"] * 3, outcomes
    assert count_rows(ConsultationAnswer) == 1
