"""Self-selection: with fewer approved organisations than the minimum, the guarantor body records
the organisations' agreement (with its signed record) instead of a vote, and publishes it like a
result.

The signed record's file is written once everything is validated, and follows the unit of work:
it is deleted again if the unit rolls back, and the file it replaces is deleted only once the
unit has committed (until then the stored row still names it).
"""
from datetime import date

from flask_babel import gettext as _
from sqlalchemy import event

from app.core import storage
from app.core.clock import now, today
from app.core.errors import InvalidTransition, ValidationError
from app.core.permissions import require
from app.core.text import clean_line, clean_text
from app.elections import queries
from app.elections.models import ElectionResult, ElectionState, SelfSelectionAgreement
from app.elections.services.common import audit, lock, move, require_not_started
from app.elections.services.results import first_day_of_term, seat_holders
from app.extensions import db
from app.plans.models import MemberKind

NAME_MAX = 200
RECORD_TYPES = frozenset({
    "application/pdf", "image/png", "image/jpeg",
    "application/vnd.oasis.opendocument.text",
    "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
})


def self_selection_allowed(election) -> tuple[bool, int]:
    """(allowed, number of organisations approved for the committee now)."""
    approved = queries.electorate_size(election)
    return approved < election.min_participants, approved


def check_self_selection(election) -> None:
    """An agreement replaces the vote only before voting opens and with fewer organisations
    approved than the minimum (the page asks before showing its form, the act under the lock)."""
    require_not_started(election)
    allowed, approved = self_selection_allowed(election)
    if not allowed:
        raise InvalidTransition(_(
            "%(approved)d organisations are approved for this committee; self-selection is possible "
            "only with fewer than %(minimum)d. Hold the vote instead.",
            approved=approved, minimum=election.min_participants))


def _participants(election, data: dict) -> list[dict]:
    electorate = {u.id: u for u in queries.electorate(election)}
    try:
        ids = [int(i) for i in data.get("participants") or []]
    except (TypeError, ValueError):
        ids = []
    if not ids or any(i not in electorate for i in ids):
        raise ValidationError(_("Choose the participating organisations among those approved for "
                                "the committee."), field="participants")
    return [{"id": i, "name": queries.organisation_name(electorate[i])} for i in sorted(set(ids))]


def _person(data: dict, prefix: str, required: bool, names: dict[int, str]):
    """(name, organisation) of the person chosen for a seat; (None, None) for an empty seat."""
    name = clean_line(data.get(f"{prefix}_name"), NAME_MAX)
    org_id = data.get(f"{prefix}_organisation_id")
    try:
        org_id = int(org_id) if org_id not in (None, "") else None
    except (TypeError, ValueError):
        org_id = None
    if not name:
        if required:
            raise ValidationError(_("Give the name of the person chosen."), field=f"{prefix}_name")
        return None, None
    if org_id not in names:
        raise ValidationError(_("Choose the organisation among the participants."),
                              field=f"{prefix}_organisation_id")
    return name, names[org_id]


def _files_follow_the_unit(written: str | None, replaced: str | None) -> None:
    """When the unit of work commits, the replaced file goes; when it rolls back, the file written
    for it goes. Until then the stored row names the one it names."""
    settled = []

    def committed(session):
        if not settled and not session.in_nested_transaction():  # a savepoint is not the end
            settled.append(True)
            storage.delete([replaced] if replaced else [])

    def rolled_back(session, previous_transaction):
        if not settled and previous_transaction.parent is None:
            settled.append(True)
            storage.delete([written] if written else [])

    session = db.session()
    event.listen(session, "after_commit", committed)
    event.listen(session, "after_soft_rollback", rolled_back)


def record_agreement(actor, election, data: dict, upload=None) -> SelfSelectionAgreement:
    """Record (or replace, until published) the self-selection agreement and its signed record.

    `upload` is an app.core.storage.Upload already inspected (type by extension and content).
    """
    require(actor, "elections.manage", election)
    election = lock(election)
    check_self_selection(election)
    participants = _participants(election, data)
    names = {p["id"]: p["name"] for p in participants}
    titular, titular_org = _person(data, "titular", True, names)
    suplente, suplente_org = _person(data, "suplente",
                                     MemberKind.cs_suplente.value in election.seats, names)
    agreed_on = data.get("agreed_on")
    if not isinstance(agreed_on, date):
        raise ValidationError(_("Give the date of the agreement."), field="agreed_on")
    if agreed_on > today():
        raise ValidationError(_("The agreement cannot be dated in the future."), field="agreed_on")

    agreement = queries.agreement_of(election.id)
    if agreement is not None and agreement.published:
        raise InvalidTransition(_("The agreement is already published."))
    if upload is None and agreement is None:
        raise ValidationError(_("Attach the signed record of the agreement."), field="record")
    if upload is not None and upload.content_type not in RECORD_TYPES:
        raise ValidationError(_("Send the signed record as PDF, PNG, JPEG, ODT or DOCX."),
                              field="record")
    if agreement is None:
        agreement = SelfSelectionAgreement(election_id=election.id)
        db.session.add(agreement)
    if upload is not None:
        stored = storage.write(upload)
        _files_follow_the_unit(written=stored, replaced=agreement.record_stored_name)
        agreement.record_name = upload.original_name
        agreement.record_stored_name = stored
        agreement.record_content_type = upload.content_type
        agreement.record_size = upload.size
        agreement.record_sha256 = upload.sha256
    agreement.participants = participants
    agreement.titular_name = titular
    agreement.titular_organisation = titular_org
    agreement.suplente_name = suplente
    agreement.suplente_organisation = suplente_org
    agreement.agreed_on = agreed_on
    agreement.notes = clean_text(data.get("notes"), 5_000)
    agreement.recorded_by_id = actor.id
    agreement.recorded_at = now()
    audit(actor, "agreement_recorded", election, participants=[p["id"] for p in participants],
          titular=titular, suplente=suplente, agreed_on=agreed_on.isoformat(),
          record_sha256=agreement.record_sha256)
    db.session.flush()
    return agreement


def publish_agreement(actor, election, term_start=None) -> SelfSelectionAgreement:
    require(actor, "elections.manage", election)
    election = lock(election)
    agreement = queries.agreement_of(election.id)
    if agreement is None:  # the election's state: nothing to publish yet
        raise InvalidTransition(_("No self-selection agreement is recorded for this election."))
    if agreement.published:
        raise InvalidTransition(_("The agreement is already published."))
    move(election, ElectionState.self_selected)
    first_day = first_day_of_term(term_start)
    moment = now()
    chosen = {MemberKind.cs_titular.value: (agreement.titular_name, agreement.titular_organisation),
              MemberKind.cs_suplente.value: (agreement.suplente_name, agreement.suplente_organisation)}
    # A seat chosen by agreement is held for its organisation: the seat keeps the organisation's
    # account, which acts for the seat (it confirms or disputes progress reports, app/progress).
    accounts = {p["name"]: p["id"] for p in agreement.participants}
    holders = []
    for index, kind in enumerate(election.seats):
        name, organisation = chosen.get(kind, (None, None))
        db.session.add(ElectionResult(
            election_id=election.id, seat_index=index, seat_kind=kind, winner_name=name,
            winner_organisation=organisation, self_selection=True, published_at=moment,
            roll_size=len(agreement.participants),
        ))
        holders.append((kind, name, organisation or "", accounts.get(organisation) if name else None))
    seat_holders(election, holders, first_day)
    agreement.published_at = moment
    election.published_at = moment
    election.term_start = first_day
    audit(actor, "agreement_published", election, term_start=first_day.isoformat(),
          titular=agreement.titular_name, suplente=agreement.suplente_name)
    db.session.flush()
    return agreement
