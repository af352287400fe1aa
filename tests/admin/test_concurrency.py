"""Two admins demoting or blocking each other at the same moment: one succeeds, one is refused,
and an active admin is left. Each thread is a request of its own (own session and connection);
a barrier releases them together. Real commits (tests/conftest.py: every test_concurrency.py)."""

import pytest
import sqlalchemy as sa

from app.accounts.models import User
from app.admin import users
from app.admin.users import active_admin_clause
from app.extensions import db
from tests.concurrency import at_once
from tests.factories import make_admin

ACTS = {
    "demote": lambda actor, target: users.change_role(actor, target, {"role": "citizen", "reason": "Relevo"}),
    "block": lambda actor, target: users.block_user(actor, target, {"reason": "Relevo"}),
}


def race(app, act, pairs):
    """Each (actor id, target id) acts at once: ("ok", None) or (refusal, message) per pair."""
    return [(kind, None if kind == "ok" else value) for kind, value in at_once(app, [
        lambda a=actor_id, t=target_id: act(db.session.get(User, a), db.session.get(User, t))
        for actor_id, target_id in pairs])]


@pytest.mark.parametrize("act", ACTS)
def test_two_admins_acting_on_each_other_at_once_leave_one_active_admin(app, act):
    first, second = make_admin(), make_admin()

    outcomes = race(app, ACTS[act], [(first.id, second.id), (second.id, first.id)])

    # The refused one is refused either by the last-admin rule (it read the other still an admin
    # and waited on its lock) or, when the other change committed before it loaded its actor, for
    # no longer being an admin itself. Both keep one active admin, which is what matters.
    kinds = sorted(kind for kind, _message in outcomes)
    assert kinds in (["ValidationError", "ok"], ["PermissionDenied", "ok"]), outcomes
    active = db.session.scalars(sa.select(User.id).where(active_admin_clause())).all()
    assert len(active) == 1, outcomes
