"""After the close: the published ballot box, the count, and the result that seats the winners.

Nothing counts before the close (the rule elections.see_counts holds for nobody before it), and a
result is published only when the independent verifier accepts the box.
"""
import io
import logging
from datetime import date, datetime

import sqlalchemy as sa
from flask_babel import gettext as _

from app.core.clock import now, today
from app.core.errors import InvalidTransition, ValidationError
from app.core.permissions import require
from app.elections import chain, queries, tally, verify
from app.elections.models import Election, ElectionResult, ElectionState
from app.elections.services.common import audit, iso, lock, move
from app.elections.services.voting import ballot_options
from app.extensions import db
from app.plans.models import CommitteeMember, MemberKind

log = logging.getLogger(__name__)


def box_document(election: Election) -> dict:
    """The whole ballot box as published after the close (the verifier's input)."""
    if election.state not in (ElectionState.closed, ElectionState.published):
        raise InvalidTransition(_("The ballot box is published when voting closes."))
    entries = [
        {"position": row.position, "kind": "ballot", "receipt_digest": row.receipt_digest,
         "choice": row.choice, "prev_hash": row.prev_hash, "entry_hash": row.entry_hash}
        for row in queries.ballot_rows(election.id)
    ]
    entries.append(chain.close_entry(election.id, election.ballot_count + 1,
                                     election.close_prev_hash, election.voted_hash,
                                     iso(election.closed_at), election.closed_early_reason))
    roll = [{"id": e.organisation_id, "name": e.name, "voted": bool(e.voted)}
            for e in queries.roll(election.id)]
    result = election.result_data if election.state == ElectionState.published else None
    return chain.box_document(election.box_header, roll, election.seed, entries, result,
                              genesis=election.genesis_hash)


def compute_tally(election: Election) -> tally.Tally:
    """The count, once closed (the rule elections.see_counts holds for nobody before)."""
    if election.state not in (ElectionState.closed, ElectionState.published):
        raise InvalidTransition(_("Nobody can see counts before voting closes."))
    codes = list(ballot_options(election))
    return tally.tally(queries.choices(election), codes, election.seats, seed=election.seed,
                       head_hash=election.head_hash, roll_size=queries.roll_size(election.id))


def check_publishable(election: Election) -> None:
    """A result is published once, from a closed election (the page asks before showing its
    form, the act again under the election's lock)."""
    if election.state != ElectionState.closed:
        raise InvalidTransition(_("Only a closed election's result can be published."))


def first_day_of_term(value) -> date:
    """The first day of the term of the people seated: the date given, or today where the plan is."""
    if value in (None, ""):
        return today()
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    try:
        return date.fromisoformat(str(value))
    except ValueError:
        raise ValidationError(_("Give a date."), field="term_start") from None


def seat_holders(election: Election, holders: list[tuple[str, str | None, str, int | None]],
                 start: date) -> None:
    """New CommitteeMember rows for (kind, name, organisation, user id); previous holders keep
    their rows with term_end set: the committee's history."""
    current = list(db.session.scalars(
        sa.select(CommitteeMember).where(CommitteeMember.committee_id == election.committee_id,
                                         CommitteeMember.kind.in_([h[0] for h in holders if h[1]]),
                                         CommitteeMember.term_end.is_(None))
    ))
    for member in current:
        member.term_end = start
    last = db.session.scalar(sa.select(sa.func.max(CommitteeMember.position))
                             .where(CommitteeMember.committee_id == election.committee_id)) or 0
    for offset, (kind, name, organisation, user_id) in enumerate(holders, start=1):
        if not name:
            continue  # a vacant seat: nobody replaces the previous holder
        db.session.add(CommitteeMember(committee_id=election.committee_id, name=name[:200],
                                       position_title=organisation[:300], kind=MemberKind(kind),
                                       user_id=user_id, term_start=start,
                                       position=last + offset))


def verified_count(election: Election):
    """Count the box, keep the result on the election and check the box with the independent
    verifier: (the count, "") when it verifies, else (None, the verifier's report)."""
    counted = compute_tally(election)
    result = {**counted.as_dict(), "head_hash": election.head_hash}
    election.result_data = result
    report = io.StringIO()
    box = box_document(election)
    box["result"] = result
    if not verify.verify(box, out=report):
        return None, report.getvalue()
    return counted, ""


def record_result(election: Election, counted, candidates, moment) -> list:
    """One ElectionResult row per seat of `counted`; returns [(seat, winning Candidate or None)].
    `candidates`: the election's candidates."""
    by_code = {c.public_code: c for c in candidates}
    winners = []
    for index, seat in enumerate(counted.seats):
        winner = by_code.get(seat.winner) if seat.winner else None
        draw = next((d for d in counted.draws if seat.kind in d.seats), None)
        db.session.add(ElectionResult(
            election_id=election.id, seat_index=index, seat_kind=seat.kind,
            winner_candidate_id=winner.id if winner else None, winner_code=seat.winner,
            winner_name=winner.name if winner else None,
            winner_organisation=winner.organisation_name if winner else None,
            winner_votes=seat.votes, votes=counted.counts, blank=counted.blank,
            ballots=counted.ballots, roll_size=counted.roll_size, head_hash=election.head_hash,
            tie_break={"votes": draw.votes, "order": draw.candidates, "keys": draw.keys,
                       "seats": draw.seats} if draw else None,
            self_selection=False, published_at=moment,
        ))
        winners.append((seat, winner))
    return winners


def publish_result(actor, election: Election, term_start=None) -> Election:
    """Count, check the box with the independent verifier, publish and seat the winners."""
    require(actor, "elections.manage", election)
    election = lock(election)
    check_publishable(election)
    first_day = first_day_of_term(term_start)
    counted, report = verified_count(election)
    if counted is None:
        log.error("election %s: the box does not verify:\n%s", election.id, report)
        raise InvalidTransition(_("The ballot box does not verify, so the result was not published. "
                                  "Contact the technical team."))
    moment = now()
    winners = record_result(election, counted, queries.all_candidates(election.id), moment)
    holders = [(seat.kind, winner.name if winner else None,
                winner.organisation_name if winner else "", winner.user_id if winner else None)
               for seat, winner in winners]
    seat_holders(election, holders, first_day)
    election.published_at = moment
    election.term_start = first_day
    move(election, ElectionState.published)
    audit(actor, "result_published", election, head_hash=election.head_hash,
          term_start=first_day.isoformat(),
          seats={s.kind: s.winner for s in counted.seats}, draws=len(counted.draws))
    db.session.flush()
    return election
