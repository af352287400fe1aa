"""Reads for search: proposals like a text being written (a simple stand-in: shared title words)."""
import re

import sqlalchemy as sa

from app.core.text import fold
from app.extensions import db
from app.proposals.models import Proposal, ProposalState

# Words too common to make two titles alike (folded: no accents).
_STOPWORDS = frozenset("""
    para pero como esta este estos estas esos esas desde hasta donde cuando porque sobre entre
    tiene tienen hace hacen muy mas menos todo todos toda todas otro otra otros otras sin con
    falta faltan problema problemas nuestra nuestro nuestras nuestros colonia calle calles
""".split())
_WORD = re.compile(r"\w+")
MIN_WORD = 4
# Candidates read per call; the most alike of them are returned.
CANDIDATES = 200


def _significant(text: str) -> set[str]:
    return {w for w in _WORD.findall(fold(text)) if len(w) >= MIN_WORD and w not in _STOPWORDS
            and not w.isdigit()}


def similar_proposals(plan_id: int, text: str, *, limit: int = 5,
                      exclude_id: int | None = None) -> list[Proposal]:
    """Public proposals of the plan whose title shares a significant word with `text`, the most
    shared words first, then the most supported."""
    words = sorted(_significant(text or ""))[:20]
    if not words or limit <= 0:
        return []
    stmt = (
        sa.select(Proposal)
        .where(Proposal.plan_id == plan_id, Proposal.hidden_at.is_(None),
               Proposal.state.not_in((ProposalState.withdrawn, ProposalState.merged)),
               sa.or_(*(Proposal.search_text.contains(w, autoescape=True) for w in words)))
        .order_by(Proposal.support_count.desc(), Proposal.id.desc())
        .limit(CANDIDATES)
    )
    if exclude_id is not None:
        stmt = stmt.where(Proposal.id != exclude_id)
    wanted = set(words)
    scored = []
    for proposal in db.session.scalars(stmt):
        shared = len(wanted & _significant(proposal.title))
        if shared:
            scored.append((-shared, -proposal.support_count, -proposal.id, proposal))
    scored.sort(key=lambda row: row[:3])
    return [row[3] for row in scored[:limit]]
