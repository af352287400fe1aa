"""Named permission rules: small predicates, denied by default, checked inside services.

    @rule("proposals.answer")
    def _(actor, proposal): ...

    require(actor, "proposals.answer", proposal)   # raises PermissionDenied
    can(actor, "proposals.answer", proposal)       # also in templates
"""
from collections.abc import Callable

from flask_babel import gettext as _

from app.core.errors import PermissionDenied

# Thread-safe: filled only while modules are imported (before the first request); read-only after.
_RULES: dict[str, Callable] = {}


def rule(name: str):
    def register(func: Callable) -> Callable:
        if name in _RULES:
            raise RuntimeError(f"permission {name!r} registered twice")
        _RULES[name] = func
        return func

    return register


def rules() -> dict[str, Callable]:
    return dict(_RULES)


def is_authenticated(actor) -> bool:
    return actor is not None and bool(getattr(actor, "is_authenticated", False))


def can(actor, name: str, target=None) -> bool:
    check = _RULES.get(name)
    if check is None:
        return False
    if not is_authenticated(actor):
        actor = None
    return bool(check(actor, target))


def require(actor, name: str, target=None, message: str | None = None) -> None:
    if not can(actor, name, target):
        raise PermissionDenied(message or _("You do not have permission to do this."))
