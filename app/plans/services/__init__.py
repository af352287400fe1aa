"""The guarantor body's acts on a plan's structure (every one checks "plans.manage")."""
from app.plans.services.committees import (
    add_member,
    correct_member,
    create_committee,
    create_theme,
    end_member_term,
    update_committee,
    update_theme,
)
from app.plans.services.plans import (
    add_phase,
    create_plan,
    make_current,
    move_phase,
    publish_plan,
    remove_phase,
    update_phase,
    update_plan,
)

__all__ = [
    "add_member", "add_phase", "correct_member", "create_committee", "create_plan", "create_theme", "end_member_term",
    "make_current", "move_phase", "publish_plan", "remove_phase", "update_committee", "update_phase",
    "update_plan", "update_theme",
]
