"""Appending to a plan's ledger, inside the unit of work of the act that publishes the record.

`append` is not an act of its own: the services that publish (progress reports, verdicts,
answers, minutes, agreements, documents) call it after their own permission checks. The plan's
row is locked first (a no-op UPDATE: SQLite's write lock, PostgreSQL's row lock) so that two
acts at once are chained one after the other; the unique (plan, position) is the backstop.
"""
import sqlalchemy as sa

from app.core.clock import now
from app.extensions import db
from app.ledger import chain
from app.ledger.models import LedgerEntry
from app.plans.models import ActionPlan

# The kinds of record, and the item each names (the row kind before the colon).
KINDS = ("document_version", "document_details", "progress_report", "verdict", "dispute_answer",
         "session_minutes", "session_agreement", "agreement_done", "evaluation_opinion",
         "evaluation_assessment")


def _lock_plan(plan_id: int) -> None:
    db.session.execute(sa.update(ActionPlan).where(ActionPlan.id == plan_id).values(id=ActionPlan.id),
                       execution_options={"synchronize_session": False})


def version_of(item: str) -> int:
    """How many times the item is in the ledger already, plus one."""
    return 1 + db.session.scalar(sa.select(sa.func.count(LedgerEntry.id)).where(LedgerEntry.item == item))


def append(plan_id: int, kind: str, item: str, content: dict) -> LedgerEntry:
    """Add the record to the plan's chain: `content` is what was published (texts, dates, the
    files' SHA-256), hashed; the ledger keeps the hash, the page keeps the record."""
    if kind not in KINDS:
        raise ValueError(f"unknown ledger kind {kind!r}")
    _lock_plan(plan_id)
    head = db.session.execute(
        sa.select(LedgerEntry.position, LedgerEntry.entry_hash).where(LedgerEntry.plan_id == plan_id)
        .order_by(LedgerEntry.position.desc()).limit(1)).first()
    position, prev = (head[0] + 1, head[1]) if head else (1, chain.genesis(plan_id))
    recorded_at = now().strftime("%Y-%m-%dT%H:%M:%SZ")
    content_hash = chain.sha256_hex(chain.canonical(content))
    version = version_of(item)
    body = chain.entry_content(plan_id, position, kind, item, version, content_hash, recorded_at)
    entry = LedgerEntry(plan_id=plan_id, position=position, kind=kind, item=item, version=version,
                        content_hash=content_hash, recorded_at=recorded_at, prev_hash=prev,
                        entry_hash=chain.entry_hash(prev, body))
    db.session.add(entry)
    db.session.flush()
    return entry
