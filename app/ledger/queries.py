"""Reads of a plan's ledger: its entries in order, its head, and the document anyone downloads."""
import sqlalchemy as sa

from app.extensions import db
from app.ledger import chain
from app.ledger.models import LedgerEntry


def entries(plan_id: int) -> list[LedgerEntry]:
    return list(db.session.scalars(sa.select(LedgerEntry).where(LedgerEntry.plan_id == plan_id)
                                   .order_by(LedgerEntry.position)))


def document(plan) -> dict:
    """The ledger as published: format, plan, genesis, every entry, and the head."""
    rows = [entry.as_dict() for entry in entries(plan.id)]
    genesis = chain.genesis(plan.id)
    return {"format": chain.FORMAT, "plan": {"id": plan.id, "name": plan.name}, "genesis": genesis,
            "entries": rows,
            "head": {"position": rows[-1]["position"] if rows else 0,
                     "hash": rows[-1]["entry_hash"] if rows else genesis}}
