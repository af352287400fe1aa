"""Named permission rules: small predicates, denied by default, that carry their reason.

    @rule("proposals.answer")
    def _(actor, proposal):
        if not ...:
            return deny(_("Only the committee's facilitators answer proposals."))
        return True

    check(actor, "proposals.answer", proposal)     # a Decision: allowed, or denied with a reason
    require(actor, "proposals.answer", proposal)   # raises PermissionDenied with that reason
    can(actor, "proposals.answer", proposal)       # a boolean; also in templates

A rule returns a bool or a Decision. The reason of a denial is what the person reads (on the 403
page, or next to a button they cannot use); views never rebuild it.
"""
from collections.abc import Callable
from typing import NamedTuple

from flask_babel import gettext as _

from app.core.errors import PermissionDenied

# Thread-safe: filled only while modules are imported (before the first request); read-only after.
_RULES: dict[str, Callable] = {}


class Decision(NamedTuple):
    """A rule's answer: true when allowed; when denied, `reason` may say why (None: not said).
    Immutable (a tuple), so the two shared answers below are thread-safe."""

    allowed: bool
    reason: str | None = None

    def __bool__(self) -> bool:
        return self.allowed


ALLOWED = Decision(True)  # immutable, thread-safe
DENIED = Decision(False)  # immutable, thread-safe


def deny(reason: str | None = None) -> Decision:
    return Decision(False, reason)


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


def check(actor, name: str, target=None) -> Decision:
    """The named rule's decision for `actor` on `target`; an unknown name is denied."""
    evaluate = _RULES.get(name)
    if evaluate is None:
        return DENIED
    if not is_authenticated(actor):
        actor = None
    result = evaluate(actor, target)
    if isinstance(result, Decision):
        return result
    return ALLOWED if result else DENIED


def can(actor, name: str, target=None) -> bool:
    return check(actor, name, target).allowed


def require(actor, name: str, target=None, message: str | None = None) -> None:
    """Raise PermissionDenied, with the rule's reason, unless the rule allows.

    `message` is transitional: reasons belong in the rules; it goes once every caller is moved."""
    decision = check(actor, name, target)
    if not decision:
        raise PermissionDenied(decision.reason or message or _("You do not have permission to do this."))
