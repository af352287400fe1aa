"""The commitments' permission rules, for every actor, over a commitment in each state (the
direct POSTs are in test_permissions.py). The commitments are built once for the module:
`can` only reads them, and building one per check took most of the checks' time."""
import pytest

from app.commitments.models import CommitmentState
from app.core.permissions import can
from app.extensions import db
from tests.commitments.factories import make_draft, make_published
from tests.commitments.test_permissions import ACTORS, FACILITATION, NOBODY, actor


def _targets(world) -> dict:
    """The committee, and a commitment in each state the rules name."""
    consultation = make_draft(world)
    consultation.state = CommitmentState.consultation
    withdrawn = make_published(world)
    withdrawn.state = CommitmentState.withdrawn
    db.session.commit()
    return {"committee": world.committee, "draft": make_draft(world), "consultation": consultation,
            "published": make_published(world), "withdrawn": withdrawn}


@pytest.fixture(scope="module")
def targets(module_worlds, world):
    return module_worlds.share(_targets, world)


RULES = [
    ("commitments.draft", "committee", FACILITATION),
    ("commitments.view_draft", "draft", FACILITATION),
    ("commitments.edit", "draft", FACILITATION),
    ("commitments.edit", "consultation", FACILITATION),
    ("commitments.edit", "published", FACILITATION),
    ("commitments.edit", "withdrawn", NOBODY),
    ("commitments.publish", "draft", FACILITATION),
    ("commitments.publish", "consultation", FACILITATION),
    ("commitments.publish", "published", NOBODY),
    ("commitments.withdraw", "published", FACILITATION),
    ("commitments.withdraw", "draft", NOBODY),
    ("commitments.withdraw", "withdrawn", NOBODY),
]


@pytest.mark.parametrize("rule, target, allowed", RULES)
@pytest.mark.parametrize("who", ACTORS)
def test_rules(world, targets, rule, target, allowed, who):
    assert can(actor(world, who), rule, targets[target]) is (who in allowed)


def test_the_targets_are_in_the_states_the_rules_name(targets):
    assert {kind: getattr(target, "state", None) for kind, target in targets.items()} == {
        "committee": None, "draft": CommitmentState.draft,
        "consultation": CommitmentState.consultation, "published": CommitmentState.published,
        "withdrawn": CommitmentState.withdrawn}
