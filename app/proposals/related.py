"""What else refers to a proposal (the commitments it became part of, …), described by the areas
that refer to it: proposals import none of them.

An area registers a section of the proposal's page once, in its hooks.py (imported by create_app):

    register(Related(
        name="commitments",
        template="commitments/_for_proposal.html",      # rendered with `proposal` and the context
        context=lambda proposal, viewer: {"commitments": commitments_for_proposal(...)},
    ))

Each section costs the page a fixed number of statements (its `context`), whatever the data.
"""
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from flask import render_template
from markupsafe import Markup

# Thread-safe: filled only while modules are imported (before the first request); read-only after.
_RELATED: dict[str, "Related"] = {}


@dataclass(frozen=True)
class Related:
    name: str
    template: str
    context: Callable[[Any, Any], dict]


def register(related: Related) -> Related:
    existing = _RELATED.get(related.name)
    if existing is not None and existing != related:
        raise RuntimeError(f"related section {related.name!r} registered twice")
    _RELATED[related.name] = related
    return related


def sections(proposal, viewer) -> list[Markup]:
    """Each registered section of the proposal's page, rendered for `viewer`, in registration order."""
    return [
        Markup(render_template(related.template, proposal=proposal, **related.context(proposal, viewer)))
        for related in _RELATED.values()
    ]
