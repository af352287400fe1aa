"""What the committee sessions write to their plan's public ledger (app/ledger): the content of
an agreement, of an agreement done and of published minutes; and, for `flask ledger backfill`,
every such record."""
from collections.abc import Iterator

import sqlalchemy as sa
from sqlalchemy.orm import selectinload

from app.extensions import db
from app.ledger.records import Record, published_records
from app.meetings.models import CommitteeSession, SessionAgreement
from app.plans.models import Committee


def agreement_content(agreement: SessionAgreement) -> dict:
    session = agreement.session
    return {"session": session.id, "committee": session.committee_id, "text": agreement.text,
            "owner": agreement.owner, "due_on": agreement.due_on.isoformat()}


def agreement_done_content(agreement: SessionAgreement) -> dict:
    return {"session": agreement.session_id, "done_on": agreement.done_on.isoformat(),
            "note": agreement.done_note or ""}


def minutes_content(session: CommitteeSession) -> dict:
    return {"committee": session.committee_id, "held_on": session.held_on.isoformat(), "agenda": session.agenda,
            "attendance": [{"name": a.name, "seat": a.kind, "present": a.present, "stood_in_for": a.stood_in_for}
                           for a in session.attendance],
            "seats": session.seats, "present": session.present, "quorum": session.quorum,
            "minutes": session.minutes}


@published_records
def _published(plan_id: int | None) -> Iterator[Record]:
    query = (sa.select(CommitteeSession, Committee.plan_id)
             .join(Committee, Committee.id == CommitteeSession.committee_id)
             .options(selectinload(CommitteeSession.attendance), selectinload(CommitteeSession.agreements)))
    if plan_id is not None:
        query = query.where(Committee.plan_id == plan_id)
    for session, plan in db.session.execute(query):
        # Agreements are chained as they are added, before the minutes that list them.
        for agreement in session.agreements:
            item = f"session_agreement:{agreement.id}"
            yield Record(session.recorded_at, plan, "session_agreement", item, agreement_content(agreement))
            if agreement.done_on is not None:
                yield Record(session.recorded_at, plan, "agreement_done", item, agreement_done_content(agreement))
        if session.minutes_published_at is not None:
            yield Record(session.minutes_published_at, plan, "session_minutes", f"committee_session:{session.id}",
                         minutes_content(session))
