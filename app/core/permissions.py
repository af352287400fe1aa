"""Named permission rules: small predicates, denied by default, that carry their reason.

    @rule("proposals.answer")
    def _(actor, proposal):
        if not ...:
            return deny(_("Only the committee's facilitators answer proposals."))
        return True

    check(actor, "proposals.answer", proposal)     # a Decision: allowed, or denied with a reason
    require(actor, "proposals.answer", proposal)   # raises PermissionDenied (or, for a refusal
                                                   # of the state, InvalidTransition) with it
    can(actor, "proposals.answer", proposal)       # a boolean; also in templates

A rule returns a bool or a Decision. The reason of a denial is what the person reads (on the 403
page, or next to a button they cannot use); views never rebuild it.
"""
from collections.abc import Callable
from typing import NamedTuple

from flask import g, has_request_context
from flask_babel import gettext as _

from app.core import uow
from app.core.errors import InvalidTransition, PermissionDenied

# Thread-safe: filled only while modules are imported (before the first request); read-only after.
_RULES: dict[str, Callable] = {}


class Decision(NamedTuple):
    """A rule's answer: true when allowed; when denied, `reason` may say why (None: not said), and
    `not_now` tells a refusal because of the thing's state (409: a closed consultation, a full
    table) from one because of who asks (403). Immutable (a tuple), so the shared answers below
    are thread-safe."""

    allowed: bool
    reason: str | None = None
    not_now: bool = False

    def __bool__(self) -> bool:
        return self.allowed


ALLOWED = Decision(True)  # immutable, thread-safe
DENIED = Decision(False)  # immutable, thread-safe


def deny(reason: str | None = None) -> Decision:
    """Refused because of who asks (403)."""
    return Decision(False, reason)


def not_now(reason: str) -> Decision:
    """Refused because of the state the thing is in now (409), whoever asks."""
    return Decision(False, reason, not_now=True)


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


MEMO = "cocrea_permission_memo"


def _memo_key(name: str, actor, target) -> tuple:
    target_key = (type(target).__name__, getattr(target, "id", None) or id(target)) if target is not None else None
    return name, getattr(actor, "id", None), target_key


@uow.on_data_changed
def forget_decisions() -> None:
    """Data changed (a flush, a rollback): decisions taken on the old state are not reused."""
    if has_request_context():
        g.pop(MEMO, None)


def check(actor, name: str, target=None) -> Decision:
    """The named rule's decision for `actor` on `target`; an unknown name is denied.

    Within a request a decision is taken once: a view that checks before showing a form and the
    service that checks again before acting get the same answer from one evaluation, until the
    data changes (every flush and rollback forgets the decisions)."""
    evaluate = _RULES.get(name)
    if evaluate is None:
        return DENIED
    if not is_authenticated(actor):
        actor = None
    memo = g.setdefault(MEMO, {}) if has_request_context() else None
    key = _memo_key(name, actor, target) if memo is not None else None
    if memo is not None and key in memo:
        return memo[key]
    result = evaluate(actor, target)
    decision = result if isinstance(result, Decision) else (ALLOWED if result else DENIED)
    if memo is not None:
        memo[key] = decision
    return decision


def can(actor, name: str, target=None) -> bool:
    return check(actor, name, target).allowed


def require(actor, name: str, target=None) -> None:
    """Raise PermissionDenied, with the rule's reason, unless the rule allows (InvalidTransition
    when the rule refused because of the thing's state)."""
    decision = check(actor, name, target)
    if decision:
        return
    if decision.not_now:
        raise InvalidTransition(decision.reason)
    raise PermissionDenied(decision.reason or _("You do not have permission to do this."))
