"""What else refers to a proposal (the commitments it became part of, …), described by the areas
that refer to it: proposals import none of them.

An area registers a section of the proposal's page once, in its hooks.py (imported by create_app):

    register(Related(
        name="commitments",
        template="commitments/_for_proposal.html",      # rendered with `proposal` and the context
        context=lambda proposal, viewer: {"commitments": commitments_for_proposal(...)},
    ))

Each section costs the page a fixed number of statements (its `context`), whatever the data.

The page's shared body is kept as a fragment (app/proposals/views.py): a section that shows data
of its own also gives `version`, statements of one row each (aggregates over the proposal's
`proposal_id`, a bound parameter) whose values change whenever what it shows changes; they join
the page's one version statement (app/proposals/queries.py `page_version`). What a section shows
must be the same for every reader of one class (public, or one person: see the views).
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
    version: Callable[[Any], list] | None = None  # (proposal_id parameter) -> one-row statements
    # Whether the section may show this reader more than the public sees (a facilitator's drafts):
    # then the page's body is kept for them alone.
    personal: Callable[[Any], bool] | None = None


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


def version_parts(proposal_id) -> list:
    """Every registered section's version statements, for the proposal's bound `proposal_id`."""
    return [part for related in _RELATED.values() if related.version is not None
            for part in related.version(proposal_id)]


def personal(viewer) -> bool:
    """Whether any section may show `viewer` more than it shows the public."""
    return any(related.personal is not None and related.personal(viewer) for related in _RELATED.values())
