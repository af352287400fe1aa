"""Setting up the vote: nominations (one per approved organisation), the person's answer, the
guarantor body's validation or rejection, and the roll frozen when voting opens."""
import sqlalchemy as sa
from flask import current_app
from flask_babel import gettext as _
from sqlalchemy.exc import IntegrityError

from app.accounts.models import Role
from app.accounts.services import find_by_email
from app.core.audit import record
from app.core.clock import now
from app.core.errors import InvalidTransition, ValidationError
from app.core.mail import queue_mail
from app.core.permissions import require
from app.core.text import clean_line, clean_text, fold
from app.core.uow import savepoint
from app.elections import chain, queries
from app.elections.models import Candidate, CandidateState, Election, RollEntry
from app.elections.services.common import audit, lock, require_not_started
from app.extensions import db

NAME_MAX, BIO_MAX, STATEMENT_MAX, REASON_MAX = 200, 2_000, 6_000, 2_000


def _unique_code(election_id: int) -> str:
    """A candidate's public code not yet taken in the election (the ballot names it)."""
    taken = set(db.session.scalars(
        sa.select(Candidate.public_code).where(Candidate.election_id == election_id)
    ))
    while True:
        code = chain.new_candidate_code()
        if code not in taken:
            return code


def _nomination_text(data: dict) -> tuple[str, str, str]:
    name = clean_line(data.get("name"), NAME_MAX + 1)
    if not name:
        raise ValidationError(_("Give the candidate's name."), field="name")
    if len(name) > NAME_MAX:
        raise ValidationError(_("The name has at most %(n)d characters.", n=NAME_MAX), field="name")
    bio = clean_text(data.get("bio"))
    if not bio:
        raise ValidationError(_("Write a short biography."), field="bio")
    if len(bio) > BIO_MAX:
        raise ValidationError(_("The biography has at most %(n)d characters.", n=BIO_MAX), field="bio")
    statement = clean_text(data.get("statement"))
    if not statement:
        raise ValidationError(_("Write the candidate's statement."), field="statement")
    if len(statement) > STATEMENT_MAX:
        raise ValidationError(_("The statement has at most %(n)d characters.", n=STATEMENT_MAX),
                              field="statement")
    return name, bio, statement


def nominate_candidate(actor, election: Election, data: dict) -> Candidate:
    """An approved organisation nominates its one candidate, or replaces it before validation."""
    require(actor, "elections.nominate", election)
    name, bio, statement = _nomination_text(data)
    person = find_by_email(data.get("email") or "")
    if person is None or not person.is_confirmed:
        raise ValidationError(_("There is no confirmed account with that email address. The "
                                "candidate must first create an account and confirm it."), field="email")
    if person.role in (Role.organisation, Role.admin):
        raise ValidationError(_("A candidate is a person: nominate a personal account, not an "
                                "organisation's or the guarantor body's."), field="email")

    candidate = queries.nomination_of(election.id, actor.id)
    if candidate is not None and candidate.state == CandidateState.validated:
        raise InvalidTransition(_("Your candidate is already validated and can no longer change."))
    other = db.session.scalar(sa.select(Candidate.id).where(
        Candidate.election_id == election.id, Candidate.user_id == person.id,
        Candidate.organisation_id != actor.id))
    if other is not None:
        raise ValidationError(_("This person is already nominated by another organisation."),
                              field="email")
    try:
        # Two windows of one organisation, or two organisations naming one person at once: the
        # unique constraints answer, and only this step is undone.
        with savepoint():
            if candidate is None:
                candidate = Candidate(election_id=election.id, organisation_id=actor.id,
                                      public_code=_unique_code(election.id))
                db.session.add(candidate)
            candidate.user_id = person.id
            candidate.name = name
            candidate.bio = bio
            candidate.statement = statement
            candidate.state = CandidateState.pending
            candidate.reason = None
            candidate.answered_at = None
            candidate.decided_at = None
            candidate.decided_by_id = None
            candidate.nominated_at = now()
    except IntegrityError:
        raise ValidationError(_("This nomination changed at the same time in another window. "
                                "Reload the page and try again."), field="email") from None
    record(actor, "election.nominated", election, committee_id=election.committee_id,
           candidate_id=candidate.id)
    if person.email:
        path = current_app.url_map.bind("localhost").build("elections.my_nominations", {})
        queue_mail(person.email, "election_nomination", locale=person.locale, person=person,
                   candidate=candidate, organisation=queries.organisation_name(actor),
                   election=election, url=current_app.config["BASE_URL"].rstrip("/") + path)
    db.session.flush()
    return candidate


def _answer(actor, candidate: Candidate, answer: CandidateState, waiting: tuple, refusal: str,
            action: str) -> Candidate:
    require(actor, "elections.answer_nomination", candidate)
    if candidate.state not in waiting:
        raise InvalidTransition(refusal)
    candidate.state = answer
    candidate.answered_at = now()
    record(actor, action, candidate.election, committee_id=candidate.election.committee_id,
           candidate_id=candidate.id)
    db.session.flush()
    return candidate


def accept_nomination(actor, candidate: Candidate) -> Candidate:
    return _answer(actor, candidate, CandidateState.accepted, (CandidateState.pending,),
                   _("This nomination is not waiting for your answer."),
                   "election.nomination_accepted")


def decline_nomination(actor, candidate: Candidate) -> Candidate:
    return _answer(actor, candidate, CandidateState.declined,
                   (CandidateState.pending, CandidateState.accepted),
                   _("This nomination can no longer be declined."), "election.nomination_declined")


def validate_candidate(actor, candidate: Candidate) -> Candidate:
    require(actor, "elections.manage", candidate.election)
    lock(candidate.election)
    require_not_started(candidate.election)
    if candidate.state != CandidateState.accepted:
        raise InvalidTransition(_("Only a nomination that the candidate accepted can be validated."))
    candidate.state = CandidateState.validated
    candidate.decided_at = now()
    candidate.decided_by_id = actor.id
    audit(actor, "candidate_validated", candidate.election, candidate_id=candidate.id,
          candidate=candidate.name, code=candidate.public_code)
    db.session.flush()
    return candidate


def reject_candidate(actor, candidate: Candidate, reason: str) -> Candidate:
    require(actor, "elections.manage", candidate.election)
    lock(candidate.election)
    require_not_started(candidate.election)
    reason = clean_text(reason, REASON_MAX)
    if not reason:
        raise ValidationError(_("Give the reason for rejecting the candidate."), field="reason")
    if candidate.state not in (CandidateState.pending, CandidateState.accepted, CandidateState.validated):
        raise InvalidTransition(_("This nomination can no longer be rejected."))
    candidate.state = CandidateState.rejected
    candidate.reason = reason
    candidate.decided_at = now()
    candidate.decided_by_id = actor.id
    audit(actor, "candidate_rejected", candidate.election, reason=reason,
          candidate_id=candidate.id, candidate=candidate.name)
    db.session.flush()
    return candidate


def freeze_roll(election: Election) -> tuple[int, str]:
    """Write the roll when voting opens: the organisations approved for the committee in the
    election's call now, in name order. Returns its size and the hash that is published."""
    if election.call_id is None:
        raise InvalidTransition(_("This election belongs to no call: edit it and choose the call "
                                  "whose approved organisations vote."))
    organisations = queries.electorate(election)
    if not organisations:
        raise InvalidTransition(_("No organisation is approved for this committee: the roll would "
                                  "be empty."))
    listed = sorted(((queries.organisation_name(user), user.id) for user in organisations),
                    key=lambda pair: (fold(pair[0]), pair[0], pair[1]))
    for position, (name, organisation_id) in enumerate(listed, start=1):
        db.session.add(RollEntry(election_id=election.id, organisation_id=organisation_id,
                                 name=name[:300], position=position, voted=False))
    return len(listed), chain.roll_hash([{"id": oid, "name": name[:300]} for name, oid in listed])
