"""Two admins demoting or blocking each other at the same moment: one succeeds, one is refused,
and an active admin is left. Each thread is a request of its own (own session and connection);
a barrier releases them together. Real commits (tests/conftest.py: every test_concurrency.py)."""
import threading

import pytest
import sqlalchemy as sa

from app.accounts.models import User
from app.admin import users
from app.admin.users import active_admin_clause
from app.core.errors import CocreaError
from app.core.uow import unit_of_work
from app.extensions import db
from tests.factories import make_admin

ACTS = {
    "demote": lambda actor, target: users.change_role(actor, target, {"role": "citizen", "reason": "Relevo"}),
    "block": lambda actor, target: users.block_user(actor, target, {"reason": "Relevo"}),
}


def race(app, act, pairs):
    barrier = threading.Barrier(len(pairs))
    outcomes: list = [None] * len(pairs)

    def worker(index, actor_id, target_id):
        with app.app_context():
            try:
                actor = db.session.get(User, actor_id)
                target = db.session.get(User, target_id)
                barrier.wait(timeout=30)
                with unit_of_work():
                    act(actor, target)
                outcomes[index] = ("ok", None)
            except CocreaError as exc:
                outcomes[index] = (type(exc).__name__, exc.message)
            except Exception as exc:  # noqa: BLE001 - reported to the test, which fails
                outcomes[index] = ("crash", repr(exc))
            finally:
                db.session.remove()

    threads = [threading.Thread(target=worker, args=(i, a, t)) for i, (a, t) in enumerate(pairs)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    assert not any(t.is_alive() for t in threads), "a change hung"
    db.session.expire_all()
    return outcomes


@pytest.mark.parametrize("act", ACTS)
def test_two_admins_acting_on_each_other_at_once_leave_one_active_admin(app, act):
    first, second = make_admin(), make_admin()

    outcomes = race(app, ACTS[act], [(first.id, second.id), (second.id, first.id)])

    assert sorted(kind for kind, _message in outcomes) == ["ValidationError", "ok"], outcomes
    active = db.session.scalars(sa.select(User.id).where(active_admin_clause())).all()
    assert len(active) == 1, outcomes
