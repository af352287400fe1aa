"""Reads of proposals shared by pages (and later the API), with a fixed number of statements."""
import functools
from dataclasses import dataclass

import sqlalchemy as sa
from sqlalchemy.orm import defer, joinedload, lazyload, load_only

from app.accounts.models import User
from app.core import read_along
from app.core.text import clean_line, clean_text, fold
from app.extensions import db
from app.plans.models import ActionPlan, Committee, Theme
from app.proposals.models import (
    Proposal,
    ProposalAnswer,
    ProposalAttachment,
    ProposalState,
    ProposalVersion,
    Support,
)


# Pages show people's names only: their facilitator scopes (eager by default) stay unloaded.
def person_of(relationship):
    return joinedload(relationship).options(lazyload(User.moderator_scopes))


# A search of many words costs one LIKE each; more than this is not a search, it is a paste.
MAX_SEARCH_WORDS = 12


def visible():
    """What public lists may show: hidden proposals are left out (their page says why)."""
    return Proposal.hidden_at.is_(None)


def matching(stmt, text: str | None):
    """Proposals whose title and text contain every word (accents and case ignored): the API's
    and open data's `q`, which also reach withdrawn proposals (the list page uses app/search)."""
    for word in fold(text or "").split()[:MAX_SEARCH_WORDS]:
        # search_text is folded when written, the words when asked: same LIKE on every database.
        stmt = stmt.where(Proposal.search_text.contains(word, autoescape=True))
    return stmt


def _normalised_reference(reference: str) -> str | None:
    reference = (reference or "").strip().upper()
    return reference if reference and len(reference) <= 32 else None


def _detail(*columns):
    """The proposal (with what its page shows of it) and `columns`, by reference."""
    return sa.select(Proposal, *columns).options(
        person_of(Proposal.author),
        joinedload(Proposal.committee),
        joinedload(Proposal.theme),
        joinedload(Proposal.plan),
        joinedload(Proposal.merged_into),
    )


def proposal_detail(reference: str) -> Proposal | None:
    """A proposal by its public reference (any letter case), hidden or not: its page says which."""
    reference = _normalised_reference(reference)
    if reference is None:
        return None
    return db.session.scalar(_detail().where(Proposal.reference == reference))


@functools.cache
def _act_statement():
    """proposal_to_act_on's statement, built once per process (thread-safe: immutable)."""
    return (sa.select(Proposal).where(Proposal.reference == sa.bindparam("reference"))
            .options(defer(Proposal.body), defer(Proposal.search_text), defer(Proposal.rendered),
                     defer(Proposal.withdrawal_reason)))


def proposal_to_act_on(reference: str) -> Proposal | None:
    """A proposal by its reference for a support or its withdrawal: its own columns, without its
    texts or what its page shows beside it (its rules read the state, the author and whether it
    is hidden; the answer is a redirect to its page)."""
    reference = _normalised_reference(reference)
    if reference is None:
        return None
    return db.session.scalar(_act_statement(), {"reference": reference})


@dataclass(frozen=True)
class ProposalPage:
    """A proposal with the figures its page shows beside it."""

    proposal: Proposal
    version_count: int
    supported: bool  # by the reader


@functools.cache
def _page_statement(signed_in: bool):
    """proposal_page's statement, built once per process per kind of reader, with the reference
    and the reader as parameters (building it costs more than running it). Thread-safe: a
    statement is immutable; two threads building it at once build the same one."""
    versions = (sa.select(sa.func.count(ProposalVersion.id))
                .where(ProposalVersion.proposal_id == Proposal.id).scalar_subquery())
    supported = sa.exists().where(Support.proposal_id == Proposal.id,
                                  Support.user_id == sa.bindparam("reader_id")) if signed_in else sa.false()
    # What the page shows of the proposal it was merged into: its reference, title and whether it
    # is hidden. The statement stays short enough for the driver to keep it parsed (psycopg
    # parses statements of over 4 KB anew on every execution).
    merged_into = joinedload(Proposal.merged_into).load_only(Proposal.reference, Proposal.title,
                                                             Proposal.hidden_at, Proposal.hidden_by_id,
                                                             Proposal.hidden_reason)
    return (sa.select(Proposal, versions, supported)
            .where(Proposal.reference == sa.bindparam("reference"))
            .options(person_of(Proposal.author), joinedload(Proposal.committee), joinedload(Proposal.theme),
                     merged_into, defer(Proposal.search_text)))  # the search's text: not on the page


def proposal_page(reference: str, user) -> ProposalPage | None:
    """proposal_detail, its number of versions and whether `user` supports it, in one statement."""
    reference = _normalised_reference(reference)
    if reference is None:
        return None
    signed_in = user is not None and getattr(user, "is_authenticated", False)
    parameters = {"reference": reference, "reader_id": user.id} if signed_in else {"reference": reference}
    row = db.session.execute(_page_statement(signed_in), parameters).unique().one_or_none()
    if row is None:
        return None
    return ProposalPage(row[0], int(row[1] or 0), bool(row[2]))


# What the page's shared body shows of the proposal's own row: every column but the counters
# (the support section and the comments' heading are per request: a support does not make the
# body render again), the search's text (not loaded) and the HTML kept of the text (its source
# and renderer's version are read).
_BODY_EXCLUDED = {"support_count", "comment_count", "search_text", "submission_token", "rendered"}


def _merged_into(other: Proposal | None) -> tuple:
    if other is None:
        return ()
    return (other.reference, other.title, str(other.hidden_at), other.hidden_reason)


@functools.cache
def _page_version_statement(*alongside: sa.Select) -> tuple[sa.Select, list[int]]:
    """The version's one statement, with the statements `alongside` it as more columns (app/core/
    read_along.py), and the widths of its parts; built once per process and set of statements
    alongside (themselves built once), with the proposal's id as a parameter (building it costs
    more than running it). Thread-safe: a statement is immutable; the registered sections are
    fixed once the app is made; two threads building it at once build the same one."""
    from app.core.fragments import fingerprint
    from app.proposals import related

    proposal_id = sa.bindparam("proposal_id", type_=sa.Integer)
    answers = (sa.select(fingerprint(ProposalAnswer.id, ProposalAnswer.rendered_version,
                                     User.name, User.deleted_at))
               .select_from(ProposalAnswer).outerjoin(User, User.id == ProposalAnswer.actor_id)
               .where(ProposalAnswer.proposal_id == proposal_id))
    merged = (sa.select(fingerprint(Proposal.id, Proposal.reference, Proposal.title, Proposal.support_count,
                                    Proposal.hidden_at))
              .where(Proposal.merged_into_id == proposal_id))
    attachments = (sa.select(fingerprint(ProposalAttachment.id, ProposalAttachment.alt_text,
                                         ProposalAttachment.original_name, ProposalAttachment.size_bytes,
                                         ProposalAttachment.content_type))
                   .where(ProposalAttachment.proposal_id == proposal_id))
    return read_along.side_by_side([answers, merged, attachments, *related.version_parts(proposal_id)], alongside)


def page_version(page: "ProposalPage", reader) -> tuple:
    """What changes whenever the shared body of the proposal's page would (app/proposals/views.py),
    in one statement: the proposal, its committee, theme, author and the proposal it was merged
    into are loaded already and read as they are; its answers, the proposals merged into it, its
    attachments and what the related sections show (app/proposals/related.py) are read as the
    values they show. The fragment's lifetime bounds what a change could still slip past.

    The same statement reads the version of the comments' thread, the follow box's state for
    `reader` and, for a signed-in reader, how many of the comments are theirs, which the page
    shows next (each would be a statement of its own)."""
    from app.comments import queries as comments
    from app.core.fragments import row_values
    from app.follows import queries as follows

    proposal = page.proposal
    signed_in = reader is not None and getattr(reader, "is_authenticated", False)
    thread, thread_parameters = comments.thread_version_alongside(proposal)
    follow, follow_parameters = follows.follow_state_alongside(reader, "proposal", proposal.id)
    parameters = {"proposal_id": proposal.id, **thread_parameters, **follow_parameters}
    if signed_in:  # an anonymous reader has no comments of their own to count
        mine, mine_parameters = comments.own_count_alongside(proposal, reader)
        statement, widths = _page_version_statement(thread, follow, mine)
        row = db.session.execute(statement, {**parameters, **mine_parameters}).one()
        own, thread_values, follow_values, mine_values = read_along.split(row, widths)
        comments.remember_own_count(proposal, reader, mine_values)
    else:
        statement, widths = _page_version_statement(thread, follow)
        row = db.session.execute(statement, parameters).one()
        own, thread_values, follow_values = read_along.split(row, widths)
    comments.remember_thread_version(proposal, thread_values)
    follows.remember_follow_state(reader, "proposal", proposal.id, follow_values)
    author = proposal.author
    return (
        row_values(proposal, _BODY_EXCLUDED), row_values(proposal.committee), row_values(proposal.theme),
        (author.display_name, str(author.deleted_at)), _merged_into(proposal.merged_into),
        page.version_count, tuple(str(value) for value in own),
    )


@functools.cache
def _answers_statement():
    """Built once per process, the proposal as a parameter (thread-safe: a statement is immutable)."""
    return (sa.select(ProposalAnswer)
            .where(ProposalAnswer.proposal_id == sa.bindparam("proposal_id"))
            .order_by(ProposalAnswer.created_at, ProposalAnswer.id)
            .options(person_of(ProposalAnswer.actor)))


def answers_for(proposal: Proposal) -> list[ProposalAnswer]:
    """The reasoned answers, oldest first: the proposal's public timeline."""
    return list(db.session.scalars(_answers_statement(), {"proposal_id": proposal.id}))


@functools.cache
def _merged_from_statement():
    """Built once per process, the proposal as a parameter (thread-safe: a statement is immutable)."""
    return (sa.select(Proposal)
            .where(Proposal.merged_into_id == sa.bindparam("proposal_id"))
            .order_by(Proposal.reference)
            # What the page shows of them: not their texts.
            .options(load_only(Proposal.reference, Proposal.title, Proposal.support_count,
                               Proposal.hidden_at)))


def merged_from(proposal: Proposal) -> list[Proposal]:
    """Proposals merged into this one; hidden ones appear by reference only (the page decides)."""
    return list(db.session.scalars(_merged_from_statement(), {"proposal_id": proposal.id}))


def versions_for(proposal: Proposal) -> list[ProposalVersion]:
    return list(
        db.session.scalars(
            sa.select(ProposalVersion)
            .where(ProposalVersion.proposal_id == proposal.id)
            .order_by(ProposalVersion.number.desc())
        )
    )


def version_count(proposal: Proposal) -> int:
    return db.session.scalar(
        sa.select(sa.func.count(ProposalVersion.id)).where(
            ProposalVersion.proposal_id == proposal.id
        )
    ) or 0


def has_supported(user, proposal: Proposal) -> bool:
    if user is None or not getattr(user, "is_authenticated", False):
        return False
    return bool(
        db.session.scalar(
            sa.select(
                sa.exists().where(Support.proposal_id == proposal.id, Support.user_id == user.id)
            )
        )
    )


def hidden_reasons(references: set[str]) -> dict[str, str | None]:
    """{reference: hidden reason} of those of the proposals named that moderation has hidden; one
    query whatever their number (none when no reference is given)."""
    if not references:
        return {}
    return dict(db.session.execute(
        sa.select(Proposal.reference, Proposal.hidden_reason)
        .where(Proposal.reference.in_(references), Proposal.hidden_at.is_not(None))
    ).all())


# ---------------------------------------------------------------- home page and personal panel

def _listed():
    """Shown in the home page's lists: not hidden, not withdrawn."""
    return sa.and_(visible(), Proposal.state != ProposalState.withdrawn)


def latest_proposals(plan_id: int, limit: int = 3) -> list[Proposal]:
    return list(db.session.scalars(
        sa.select(Proposal).where(Proposal.plan_id == plan_id, _listed())
        .order_by(Proposal.created_at.desc(), Proposal.id.desc()).limit(limit)
        .options(joinedload(Proposal.committee), lazyload(Proposal.author))
    ))


def latest_answers(plan_id: int, limit: int = 3) -> list[tuple[ProposalAnswer, Proposal]]:
    """The latest reasoned answers given to the plan's listed proposals, each with its proposal."""
    return [tuple(row) for row in db.session.execute(
        sa.select(ProposalAnswer, Proposal)
        .join(Proposal, Proposal.id == ProposalAnswer.proposal_id)
        .where(Proposal.plan_id == plan_id, _listed())
        .order_by(ProposalAnswer.created_at.desc(), ProposalAnswer.id.desc()).limit(limit)
        .options(lazyload(ProposalAnswer.actor), lazyload(Proposal.author))
    )]


def proposals_of_author(user_id: int, limit: int = 20) -> list[Proposal]:
    """A person's own proposals, every state (their panel), newest first."""
    return list(db.session.scalars(
        sa.select(Proposal).where(Proposal.author_id == user_id)
        .order_by(Proposal.created_at.desc(), Proposal.id.desc()).limit(limit)
        .options(joinedload(Proposal.committee), lazyload(Proposal.author))
    ))


def answers_to_author(user_id: int, limit: int = 5) -> list[tuple[ProposalAnswer, Proposal]]:
    """The latest answers and changes of state the person's proposals received, each with its
    proposal."""
    return [tuple(row) for row in db.session.execute(
        sa.select(ProposalAnswer, Proposal)
        .join(Proposal, Proposal.id == ProposalAnswer.proposal_id)
        .where(Proposal.author_id == user_id)
        .order_by(ProposalAnswer.created_at.desc(), ProposalAnswer.id.desc()).limit(limit)
        .options(lazyload(ProposalAnswer.actor), lazyload(Proposal.author))
    )]


def located_proposals(plan: ActionPlan, limit: int) -> list[Proposal]:
    """The plan's visible proposals that have a point on the map, newest first; withdrawn ones
    are left out (as the list leaves them out by default). One statement."""
    stmt = (
        sa.select(Proposal)
        .where(Proposal.plan_id == plan.id, visible(), Proposal.state != ProposalState.withdrawn,
               Proposal.latitude.is_not(None), Proposal.longitude.is_not(None))
        .order_by(Proposal.created_at.desc(), Proposal.id.desc())
        .limit(limit)
    )
    return list(db.session.scalars(stmt))


def attachments_for(proposal: Proposal) -> list[ProposalAttachment]:
    """The proposal's images and PDFs in the order given; none while moderation hides it."""
    if proposal.is_hidden:
        return []
    return list(db.session.scalars(
        sa.select(ProposalAttachment).where(ProposalAttachment.proposal_id == proposal.id)
        .order_by(ProposalAttachment.id)
    ))


def attachment_file(attachment_id: int, user) -> ProposalAttachment | None:
    """A file anyone may fetch: one of a proposal not hidden, or a pending one to its uploader."""
    attachment = db.session.scalar(
        sa.select(ProposalAttachment).where(ProposalAttachment.id == attachment_id)
        .options(joinedload(ProposalAttachment.proposal))
    )
    if attachment is None:
        return None
    if attachment.proposal is None:
        mine = getattr(user, "is_authenticated", False) and attachment.owner_id == user.id
        return attachment if mine else None
    return None if attachment.proposal.is_hidden else attachment


@dataclass
class Preview:
    """A proposal as it will look once published (the preview page), read from the form."""

    title: str
    body: str
    place: str | None
    municipality: str | None
    committee: Committee
    theme: Theme | None


def _row(model, value):
    try:
        return db.session.get(model, int(value)) if value else None
    except (TypeError, ValueError):
        return None


def preview_of(data: dict, proposal: Proposal | None = None) -> Preview:
    """`data` as checked by the service; an edit keeps its committee and municipality."""
    return Preview(
        title=clean_line(data.get("title")), body=clean_text(data.get("body")),
        place=clean_line(data.get("place")) or None,
        municipality=proposal.municipality if proposal else (data.get("municipality") or None),
        committee=proposal.committee if proposal else _row(Committee, data.get("committee_id")),
        theme=_row(Theme, data.get("theme_id")),
    )
