"""Election services: set-up, nominations, the vote, the close, results and agreements."""
import io
from datetime import date, timedelta

import pytest
import sqlalchemy as sa

from app.accounts.models import Role
from app.core.audit import AuditEntry
from app.core.clock import utc_to_local
from app.core.db import utcnow
from app.core.errors import InvalidTransition, PermissionDenied, ValidationError
from app.core.mail import OutboxMessage
from app.elections import chain, queries, services, verify
from app.elections.models import (
    Ballot,
    Candidate,
    CandidateState,
    Election,
    ElectionResult,
    ElectionState,
    RollEntry,
)
from app.elections.permissions import already_voted_message
from app.extensions import db
from app.plans.models import CommitteeMember, MemberKind
from tests.conftest import PASSWORD
from tests.elections.factories import (
    end_voting_window,
    make_candidate,
    make_election,
    voting_election,
)
from tests.factories import make_organisation, make_user

NOW = utcnow


def local(dt):
    return utc_to_local(dt)


def window_data(start_in=timedelta(days=1)):
    start = utcnow() + start_in
    return {
        "nominations_open_at": local(start),
        "nominations_close_at": local(start + timedelta(days=3)),
        "voting_opens_at": local(start + timedelta(days=4)),
        "voting_closes_at": local(start + timedelta(days=5)),
    }


def audit(action):
    return list(db.session.scalars(
        sa.select(AuditEntry).where(AuditEntry.action == action).order_by(AuditEntry.id)))


def nominating(world, **extra):
    now = utcnow()
    return make_election(world.committee, state=ElectionState.nominating,
                         nominations_open_at=now - timedelta(days=1),
                         nominations_close_at=now + timedelta(days=2),
                         voting_opens_at=now + timedelta(days=3),
                         voting_closes_at=now + timedelta(days=4), **extra)


def nomination(person, **extra):
    return {"name": "María Ñandú", "email": person.email, "bio": "Activista <b>local</b>",
            "statement": "Transparencia **ya**", **extra}


def close_and_publish(world, election, reason=None):
    if reason is None:
        end_voting_window(election)
    services.close_election(world.admin, election, reason)
    return services.publish_result(world.admin, election, date(2026, 6, 1))


# ---------------------------------------------------------------- set-up


def test_the_guarantor_body_creates_an_election_with_default_seats_and_a_public_record(world):
    election = services.create_election(world.admin, world.committee,
                                        {**window_data(), "min_participants": 4, "title": ""})
    assert election.state == ElectionState.draft
    assert election.seats == ["cs_titular", "cs_suplente"]
    assert election.min_participants == 4
    assert world.committee.name in election.title
    [entry] = audit("election.created")
    assert entry.public and entry.committee_id == world.committee.id


@pytest.mark.parametrize("field, broken", [
    ("nominations_close_at", lambda d: d["nominations_open_at"] - timedelta(hours=1)),
    ("voting_opens_at", lambda d: d["nominations_close_at"] - timedelta(hours=1)),
    ("voting_closes_at", lambda d: d["voting_opens_at"]),
])
def test_windows_must_follow_each_other(world, field, broken):
    data = window_data()
    data[field] = broken(data)
    with pytest.raises(ValidationError) as exc:
        services.create_election(world.admin, world.committee, data)
    assert exc.value.field == field


def test_local_times_are_read_in_durango_and_stored_in_utc(world):
    data = window_data()
    data["voting_opens_at"] = data["voting_opens_at"].replace(hour=9, minute=0)
    data["voting_closes_at"] = data["voting_opens_at"] + timedelta(days=1)
    election = services.create_election(world.admin, world.committee, data)
    # America/Monterrey is UTC-6 all year since 2022.
    assert election.voting_opens_at.hour == 15


def test_only_the_guarantor_body_sets_up_elections(world):
    for actor in (world.citizen, world.organisation, world.facilitator, None):
        with pytest.raises(PermissionDenied):
            services.create_election(actor, world.committee, window_data())


def test_a_window_can_change_only_before_it_opens(world):
    election = nominating(world)
    new = window_data(timedelta(days=2))
    with pytest.raises(ValidationError) as exc:
        services.update_election(world.admin, election,
                                 {"nominations_open_at": new["nominations_open_at"]})
    assert exc.value.field == "nominations_open_at"
    db.session.rollback()
    later = local(election.voting_closes_at + timedelta(days=1))
    services.update_election(world.admin, election, {"voting_closes_at": later})
    [entry] = audit("election.edited")
    assert "voting_closes_at" in entry.data["changes"]


def test_nothing_changes_once_voting_opened(world):
    election = voting_election(world)
    candidate = queries.validated_candidates(election.id)[0]
    with pytest.raises(InvalidTransition):
        services.update_election(world.admin, election, {"title": "Otra"})
    db.session.rollback()
    with pytest.raises(InvalidTransition):
        services.reject_candidate(world.admin, candidate, "tarde")
    db.session.rollback()
    with pytest.raises(InvalidTransition):
        services.nominate_candidate(world.organisations[2], election, nomination(make_user()))


# ---------------------------------------------------------------- nominations


def test_an_approved_organisation_nominates_and_the_person_is_told(world):
    election = nominating(world)
    person = make_user()
    candidate = services.nominate_candidate(world.organisation, election, nomination(person))
    assert candidate.state == CandidateState.pending and candidate.user_id == person.id
    assert len(candidate.public_code) == 6
    assert db.session.scalar(sa.select(sa.func.count(OutboxMessage.id))
                             .where(OutboxMessage.recipient == person.email)) == 1


def test_one_nomination_per_organisation_a_second_one_replaces_it(world):
    election = nominating(world)
    services.nominate_candidate(world.organisation, election, nomination(make_user()))
    other = make_user()
    services.nominate_candidate(world.organisation, election, nomination(other, name="Otra"))
    rows = db.session.scalars(sa.select(Candidate).where(Candidate.election_id == election.id)).all()
    assert len(rows) == 1 and rows[0].user_id == other.id and rows[0].name == "Otra"


def test_the_database_refuses_two_nominations_of_one_organisation(world):
    election = nominating(world)
    make_candidate(election, world.organisation)
    with pytest.raises(sa.exc.IntegrityError):
        make_candidate(election, world.organisation)
    db.session.rollback()


def test_one_person_cannot_be_nominated_by_two_organisations(world):
    election = nominating(world)
    person = make_user()
    services.nominate_candidate(world.organisations[0], election, nomination(person))
    with pytest.raises(ValidationError) as exc:
        services.nominate_candidate(world.organisations[1], election, nomination(person))
    assert exc.value.field == "email"


@pytest.mark.parametrize("who", ["citizen", "pending_organisation", "other_organisation",
                                 "unverified_organisation", "admin"])
def test_only_organisations_approved_for_the_committee_nominate(world, who):
    election = nominating(world)
    with pytest.raises(PermissionDenied) as exc:
        services.nominate_candidate(getattr(world, who), election, nomination(make_user()))
    assert exc.value.message


def test_nominations_outside_the_window_are_refused(world):
    election = nominating(world)
    election.nominations_close_at = utcnow() - timedelta(minutes=1)
    election.nominations_open_at = utcnow() - timedelta(days=2)
    db.session.commit()
    with pytest.raises(InvalidTransition):
        services.nominate_candidate(world.organisation, election, nomination(make_user()))


@pytest.mark.parametrize("kind", ["unknown", "unconfirmed", "organisation"])
def test_the_candidate_must_be_a_person_with_a_confirmed_account(world, kind):
    election = nominating(world)
    email = {
        "unknown": "nadie@example.org",
        "unconfirmed": make_user(confirmed=False).email,
        "organisation": make_organisation().email,
    }[kind]
    with pytest.raises(ValidationError) as exc:
        services.nominate_candidate(world.organisation, election,
                                    {**nomination(world.citizen), "email": email})
    assert exc.value.field == "email"


def test_the_person_accepts_then_the_guarantor_body_validates(world):
    election = nominating(world)
    person = make_user()
    candidate = services.nominate_candidate(world.organisation, election, nomination(person))
    db.session.commit()  # as the request that nominated did
    with pytest.raises(InvalidTransition):
        services.validate_candidate(world.admin, candidate)
    db.session.rollback()
    with pytest.raises(PermissionDenied):
        services.accept_nomination(world.citizen, candidate)
    services.accept_nomination(person, candidate)
    assert queries.validated_candidates(election.id) == []
    services.validate_candidate(world.admin, candidate)
    assert queries.validated_candidates(election.id) == [candidate]
    assert audit("election.candidate_validated")[0].public


def test_a_rejection_needs_a_reason_which_is_public(world):
    election = nominating(world)
    candidate = make_candidate(election, world.organisation, state=CandidateState.accepted)
    with pytest.raises(ValidationError):
        services.reject_candidate(world.admin, candidate, "  ")
    db.session.rollback()
    services.reject_candidate(world.admin, candidate, "No reside en el estado")
    assert candidate.state == CandidateState.rejected
    [entry] = audit("election.candidate_rejected")
    assert entry.public and entry.reason == "No reside en el estado"


def test_a_person_may_decline(world):
    election = nominating(world)
    person = make_user()
    candidate = make_candidate(election, world.organisation, person, state=CandidateState.pending)
    services.decline_nomination(person, candidate)
    assert candidate.state == CandidateState.declined


# ---------------------------------------------------------------- opening the vote


def test_opening_freezes_and_publishes_the_roll_sorted_by_name(world):
    election = voting_election(world)
    roll = queries.roll(election.id)
    approved = {o.id for o in world.organisations}
    assert {e.organisation_id for e in roll} == approved
    assert [e.position for e in roll] == list(range(1, len(roll) + 1))
    names = [e.name for e in roll]
    from app.core.text import fold
    assert names == sorted(names, key=lambda n: (fold(n), n))
    assert not any(e.voted for e in roll)
    assert election.roll_hash == chain.roll_hash([{"id": e.organisation_id, "name": e.name}
                                                  for e in roll])
    assert election.seed_commitment == chain.seed_commitment(election.seed)
    assert election.head_hash == election.genesis_hash == chain.genesis_hash(election.box_header)
    [entry] = audit("election.voting_opened")
    assert entry.public and entry.data["roll_hash"] == election.roll_hash
    assert entry.data["seed_commitment"] == election.seed_commitment
    assert "seed" not in entry.data  # secret until the close


def test_voting_cannot_open_before_nominations_close_or_without_candidates(world):
    election = nominating(world)
    make_candidate(election, world.organisation)
    with pytest.raises(InvalidTransition):
        services.open_voting(world.admin, election)
    db.session.rollback()
    empty = make_election(world.committee, state=ElectionState.nominating,
                          nominations_in=timedelta(days=-6))
    with pytest.raises(InvalidTransition):
        services.open_voting(world.admin, empty)


def test_an_organisation_approved_after_opening_is_not_on_the_roll(world):
    election = voting_election(world)
    late = world.add_organisation()
    with pytest.raises(PermissionDenied):
        services.cast_ballot(late, election, None, PASSWORD)
    assert queries.roll_size(election.id) == 3


# ---------------------------------------------------------------- casting


def test_a_ballot_is_cast_once_and_chained(world):
    election = voting_election(world)
    code = next(iter(services.ballot_options(election)))
    receipt = services.cast_ballot(world.organisation, election, code, PASSWORD)
    assert chain.is_receipt(receipt)
    ballot = db.session.scalar(sa.select(Ballot))
    assert ballot.receipt_digest == chain.receipt_digest(receipt)
    assert ballot.choice == code and ballot.position == 1
    assert ballot.prev_hash == election.genesis_hash
    assert ballot.entry_hash == chain.entry_hash(
        election.genesis_hash, chain.ballot_content(election.id, 1, ballot.receipt_digest, code))
    db.session.refresh(election)
    assert election.head_hash == ballot.entry_hash and election.ballot_count == 1
    assert queries.roll_entry_of(election.id, world.organisation.id).voted
    with pytest.raises(InvalidTransition) as exc:  # the election's state for this organisation
        services.cast_ballot(world.organisation, election, None, PASSWORD)
    assert exc.value.message == already_voted_message()
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Ballot)) == 1


def test_a_second_ballot_racing_the_first_is_refused_by_the_roll_update(world, monkeypatch):
    """Two tabs at once: both pass the rule (their roll entry was not voted yet when it was read);
    the conditional UPDATE answers, and neither the roll nor the box changes."""
    from types import SimpleNamespace

    election = voting_election(world)
    services.cast_ballot(world.organisation, election, None, PASSWORD)
    db.session.commit()
    monkeypatch.setattr(queries, "roll_entry_of", lambda *_: SimpleNamespace(voted=False))
    with pytest.raises(InvalidTransition) as exc:
        services.cast_ballot(world.organisation, election, None, PASSWORD)
    assert exc.value.message == already_voted_message()
    db.session.rollback()
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Ballot)) == 1
    db.session.refresh(election)
    assert election.ballot_count == 1


def test_casting_writes_nothing_that_names_the_voter(world):
    election = voting_election(world)
    before = db.session.scalar(sa.select(sa.func.count(AuditEntry.id)))
    services.cast_ballot(world.organisation, election, None, PASSWORD)
    assert db.session.scalar(sa.select(sa.func.count(AuditEntry.id))) == before
    assert db.session.scalar(sa.select(sa.func.count(OutboxMessage.id))) == 0


def test_a_wrong_password_casts_nothing(world):
    election = voting_election(world)
    with pytest.raises(ValidationError) as exc:
        services.cast_ballot(world.organisation, election, None, "not-my-password")
    assert exc.value.field == "password"
    assert not queries.roll_entry_of(election.id, world.organisation.id).voted
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Ballot)) == 0


def test_a_choice_must_be_a_validated_candidate(world):
    election = voting_election(world)
    rejected = make_candidate(election, world.organisations[2], state=CandidateState.rejected)
    for choice in ("ZZZZZZ", rejected.public_code):
        with pytest.raises(ValidationError) as exc:
            services.cast_ballot(world.organisation, election, choice, PASSWORD)
        assert exc.value.field == "choice"


SEVERAL = "más de una opción"
HIDDEN = "caracteres invisibles o de control"


@pytest.mark.parametrize("choice, message", [
    pytest.param(lambda code: [code, code], SEVERAL, id="list"),
    pytest.param(lambda code: (code,), SEVERAL, id="tuple"),
    pytest.param(lambda code: code + "\x00", HIDDEN, id="nul"),
    pytest.param(lambda code: code + "\x1b", HIDDEN, id="escape"),
    pytest.param(lambda code: code + "\x7f", HIDDEN, id="delete"),
    pytest.param(lambda code: code + "\u200b", HIDDEN, id="zero-width-space"),
    pytest.param(lambda code: "\u202e" + code, HIDDEN, id="right-to-left-override"),
])
def test_a_repeated_or_altered_choice_is_refused_not_repaired(world, choice, message):
    election = voting_election(world)
    code = next(iter(services.ballot_options(election)))
    with pytest.raises(ValidationError) as exc:
        services.cast_ballot(world.organisation, election, choice(code), PASSWORD)
    assert exc.value.field == "choice" and message in exc.value.message
    assert not queries.roll_entry_of(election.id, world.organisation.id).voted
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Ballot)) == 0


@pytest.mark.parametrize("who, error", [
    ("citizen", PermissionDenied),
    ("pending_organisation", PermissionDenied),
    ("other_organisation", PermissionDenied),
    ("unverified_organisation", PermissionDenied),
    ("admin", PermissionDenied),
    ("facilitator", PermissionDenied),
])
def test_only_organisations_on_the_roll_vote(world, who, error):
    election = voting_election(world)
    with pytest.raises(error) as exc:
        services.cast_ballot(getattr(world, who), election, None, PASSWORD)
    assert exc.value.message
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Ballot)) == 0


@pytest.mark.parametrize("moment", ["before", "after", "closed"])
def test_votes_outside_the_window_are_refused(world, moment):
    election = voting_election(world)
    if moment == "before":
        election.voting_opens_at = utcnow() + timedelta(hours=1)
        db.session.commit()
    elif moment == "after":
        end_voting_window(election)
    else:
        services.close_election(world.admin, election, "Prueba de cierre anticipado")
    with pytest.raises(InvalidTransition) as exc:
        services.cast_ballot(world.organisation, election, None, PASSWORD)
    assert exc.value.message
    assert not queries.roll_entry_of(election.id, world.organisation.id).voted


def test_a_vote_before_voting_opens_is_refused(world):
    election = nominating(world)
    make_candidate(election, world.organisation)
    with pytest.raises(InvalidTransition):
        services.cast_ballot(world.organisation, election, None, PASSWORD)


def test_nobody_counts_before_the_close_not_even_the_guarantor_body(world):
    from app.core.permissions import can

    election = voting_election(world)
    services.cast_ballot(world.organisation, election, None, PASSWORD)
    assert not can(world.admin, "elections.see_counts", election)
    with pytest.raises(InvalidTransition):
        services.compute_tally(election)
    with pytest.raises(InvalidTransition):
        queries.choices(election)
    with pytest.raises(InvalidTransition):
        services.box_document(election)


def test_the_ballot_table_has_no_column_for_who_when_or_where():
    columns = Ballot.__table__.columns
    assert set(columns.keys()) == {"id", "election_id", "position", "receipt_digest", "choice",
                                   "prev_hash", "entry_hash"}
    forbidden = {"user", "organisation", "org", "voter", "roll", "time", "date", "at", "ip",
                 "address", "agent", "session", "created", "cast"}
    for column in columns:
        assert not set(column.name.split("_")) & forbidden, column.name
        assert not isinstance(column.type, sa.DateTime | sa.Date)
        assert "DateTime" not in type(column.type).__name__
        for fk in column.foreign_keys:
            assert fk.column.table.name == "elections"
    assert isinstance(columns["id"].type, sa.String)  # random, not an autoincrement


def test_the_roll_keeps_a_voted_flag_only():
    columns = RollEntry.__table__.columns
    assert set(columns.keys()) == {"id", "election_id", "organisation_id", "name", "position", "voted"}
    assert isinstance(columns["voted"].type, sa.Boolean)


def test_ballots_are_append_only(world):
    election = voting_election(world)
    services.cast_ballot(world.organisation, election, None, PASSWORD)
    db.session.commit()
    ballot = db.session.scalar(sa.select(Ballot))
    ballot.choice = "ZZZZZZ"
    with pytest.raises(RuntimeError):
        db.session.flush()
    db.session.rollback()
    ballot = db.session.scalar(sa.select(Ballot))
    db.session.delete(ballot)
    with pytest.raises(RuntimeError):
        db.session.flush()
    db.session.rollback()


# ---------------------------------------------------------------- closing and publishing


def test_an_early_close_needs_a_reason_which_is_sealed_in_the_box(world):
    election = voting_election(world)
    with pytest.raises(ValidationError) as exc:
        services.close_election(world.admin, election, "")
    assert exc.value.field == "reason"
    db.session.rollback()
    services.close_election(world.admin, election, "Falla de energía en la sede")
    box = services.box_document(election)
    assert box["entries"][-1]["early_reason"] == "Falla de energía en la sede"
    assert audit("election.closed")[0].reason == "Falla de energía en la sede"
    assert verify.verify(box, out=io.StringIO())


def test_the_whole_election_verifies_and_every_receipt_appears_exactly_once(world):
    for _ in range(3):
        world.add_organisation()
    election = voting_election(world, candidates=3)
    codes = sorted(services.ballot_options(election))
    choices = [codes[0], codes[1], codes[0], None, codes[2]]
    receipts = [services.cast_ballot(org, election, choice, PASSWORD)
                for org, choice in zip(world.organisations, choices, strict=False)]
    opened = audit("election.voting_opened")[0].data
    election = close_and_publish(world, election)
    closed = audit("election.closed")[0].data
    assert closed["roll_hash_at_close"] == opened["roll_hash"] == election.roll_hash
    assert chain.seed_commitment(closed["seed"]) == opened["seed_commitment"]
    box = services.box_document(election)
    digests = [e["receipt_digest"] for e in box["entries"][:-1]]
    for receipt in receipts:
        assert digests.count(chain.receipt_digest(receipt)) == 1
        out = io.StringIO()
        assert verify.verify(box, receipt=receipt, out=out), out.getvalue()
    assert box["roll"]["voted"] == len(receipts) == len(digests)
    assert box["result"]["counts"] == {codes[0]: 2, codes[1]: 1, codes[2]: 1}
    assert box["result"]["blank"] == 1
    seats = queries.results(election.id)
    assert [s.winner_code for s in seats][0] == codes[0]
    assert seats[0].votes == box["result"]["counts"] and seats[0].head_hash == election.head_hash


def test_a_deciding_tie_is_drawn_from_public_data_and_recorded(world):
    election = voting_election(world, candidates=2)
    a, b = sorted(services.ballot_options(election))
    services.cast_ballot(world.organisations[0], election, a, PASSWORD)
    services.cast_ballot(world.organisations[1], election, b, PASSWORD)
    election = close_and_publish(world, election)
    import hashlib
    keys = {c: hashlib.sha256((election.seed + election.head_hash + c).encode()).hexdigest()
            for c in (a, b)}
    first, second = sorted((a, b), key=keys.get)
    titular, suplente = queries.results(election.id)
    assert (titular.winner_code, suplente.winner_code) == (first, second)
    assert titular.tie_break["order"] == [first, second] and titular.tie_break["keys"] == keys
    assert election.result_data["draws"][0]["seats"] == ["cs_titular", "cs_suplente"]


def test_publishing_updates_the_committee_and_keeps_its_history(world):
    old_titular = CommitteeMember(committee_id=world.committee.id, name="Titular anterior",
                                  kind=MemberKind.cs_titular, term_start=date(2024, 1, 1))
    old_suplente = CommitteeMember(committee_id=world.committee.id, name="Suplente anterior",
                                   kind=MemberKind.cs_suplente, term_start=date(2024, 1, 1))
    government = CommitteeMember(committee_id=world.committee.id, name="Funcionaria",
                                 kind=MemberKind.government)
    db.session.add_all([old_titular, old_suplente, government])
    db.session.commit()
    election = voting_election(world)
    a, b = sorted(services.ballot_options(election))
    services.cast_ballot(world.organisations[0], election, a, PASSWORD)
    services.cast_ballot(world.organisations[1], election, a, PASSWORD)
    services.cast_ballot(world.organisations[2], election, b, PASSWORD)
    close_and_publish(world, election)
    members = db.session.scalars(sa.select(CommitteeMember)
                                 .where(CommitteeMember.committee_id == world.committee.id)).all()
    current = {m.kind: m for m in members if m.term_end is None}
    assert old_titular.term_end == date(2026, 6, 1) and old_suplente.term_end == date(2026, 6, 1)
    assert government.term_end is None
    winner = db.session.scalar(sa.select(Candidate).where(Candidate.public_code == a))
    assert current[MemberKind.cs_titular].name == winner.name
    assert current[MemberKind.cs_titular].user_id == winner.user_id
    assert current[MemberKind.cs_titular].term_start == date(2026, 6, 1)
    assert current[MemberKind.cs_suplente].term_start == date(2026, 6, 1)
    assert len(members) == 5  # the previous holders stay in the history
    assert audit("election.result_published")[0].public


def test_a_result_is_published_once_and_only_after_the_close(world):
    election = voting_election(world)
    with pytest.raises(InvalidTransition):
        services.publish_result(world.admin, election)
    db.session.rollback()
    close_and_publish(world, election)
    with pytest.raises(InvalidTransition):
        services.publish_result(world.admin, election)


def test_the_roll_is_rewritten_after_the_close_with_the_same_content(world):
    election = voting_election(world)
    services.cast_ballot(world.organisations[1], election, None, PASSWORD)
    before = [(e.id, e.organisation_id, e.name, e.position, e.voted) for e in queries.roll(election.id)]
    end_voting_window(election)
    services.close_election(world.admin, election)
    after = [(e.id, e.organisation_id, e.name, e.position, e.voted) for e in queries.roll(election.id)]
    assert after == before


# ---------------------------------------------------------------- self-selection


def pdf_upload():
    from app.core.storage import Upload

    data = b"%PDF-1.4\n% acta firmada\n"
    import hashlib
    return Upload("acta firmada.pdf", "application/pdf", data, hashlib.sha256(data).hexdigest())


def agreement_data(world, **extra):
    return {"participants": [o.id for o in world.organisations],
            "titular_name": "Persona Titular", "titular_organisation_id": world.organisations[0].id,
            "suplente_name": "Persona Suplente", "suplente_organisation_id": world.organisations[1].id,
            "agreed_on": date(2026, 3, 2), "notes": "Acuerdo unánime", **extra}


def test_self_selection_is_recorded_and_published_like_a_result(world):
    election = make_election(world.committee, min_participants=5)
    services.record_agreement(world.admin, election, agreement_data(world), pdf_upload())
    agreement = queries.agreement_of(election.id)
    assert not agreement.published and len(agreement.participants) == 3
    services.publish_agreement(world.admin, election, date(2026, 3, 10))
    assert election.state == ElectionState.self_selected
    seats = queries.results(election.id)
    assert [s.self_selection for s in seats] == [True, True]
    assert [s.winner_name for s in seats] == ["Persona Titular", "Persona Suplente"]
    current = db.session.scalars(sa.select(CommitteeMember).where(
        CommitteeMember.committee_id == world.committee.id, CommitteeMember.term_end.is_(None))).all()
    assert {(m.kind, m.name, m.term_start) for m in current} == {
        (MemberKind.cs_titular, "Persona Titular", date(2026, 3, 10)),
        (MemberKind.cs_suplente, "Persona Suplente", date(2026, 3, 10)),
    }
    # Each seat is held for its organisation: the seat keeps the chosen organisation's account,
    # which confirms and disputes the committee's progress reports (app/progress).
    assert {m.kind: m.user_id for m in current} == {
        MemberKind.cs_titular: world.organisations[0].id, MemberKind.cs_suplente: world.organisations[1].id}
    assert [e.action for e in audit("election.agreement_recorded") + audit("election.agreement_published")]


def test_the_signed_record_follows_the_unit_of_work(world):
    """A replaced record's file goes only once the replacement is committed; a replacement that
    is rolled back leaves the first file, still named by the stored row, and no file of its own."""
    from app.core import storage

    election = make_election(world.committee, min_participants=5)
    services.record_agreement(world.admin, election, agreement_data(world), pdf_upload())
    db.session.commit()
    first = queries.agreement_of(election.id).record_stored_name
    services.record_agreement(world.admin, election, agreement_data(world), pdf_upload())
    second = queries.agreement_of(election.id).record_stored_name
    assert storage.path_of(first) and storage.path_of(second)  # nothing settled yet
    db.session.rollback()
    assert queries.agreement_of(election.id).record_stored_name == first
    assert storage.path_of(first) and storage.path_of(second) is None
    services.record_agreement(world.admin, election, agreement_data(world), pdf_upload())
    third = queries.agreement_of(election.id).record_stored_name
    db.session.commit()
    assert storage.path_of(first) is None and storage.path_of(third)


def test_self_selection_needs_fewer_organisations_than_the_minimum(world):
    election = make_election(world.committee, min_participants=3)
    with pytest.raises(InvalidTransition):
        services.record_agreement(world.admin, election, agreement_data(world), pdf_upload())


def test_self_selection_is_impossible_once_voting_opened(world):
    election = voting_election(world)
    election.min_participants = 10
    db.session.commit()
    with pytest.raises(InvalidTransition):
        services.record_agreement(world.admin, election, agreement_data(world), pdf_upload())


def test_an_agreement_needs_participants_among_the_approved_and_a_record(world):
    election = make_election(world.committee, min_participants=5)
    with pytest.raises(ValidationError) as exc:
        services.record_agreement(world.admin, election,
                                  agreement_data(world, participants=[world.other_organisation.id]),
                                  pdf_upload())
    assert exc.value.field == "participants"
    db.session.rollback()
    with pytest.raises(ValidationError) as exc:
        services.record_agreement(world.admin, election, agreement_data(world), None)
    assert exc.value.field == "record"


def test_roles_other_than_admin_cannot_record_agreements(world):
    election = make_election(world.committee, min_participants=5)
    for actor in (world.citizen, world.organisation, world.facilitator):
        with pytest.raises(PermissionDenied):
            services.record_agreement(actor, election, agreement_data(world), pdf_upload())


def test_the_election_state_table_allows_only_forward_moves():
    from app.elections.models import TRANSITIONS

    assert TRANSITIONS[ElectionState.voting] == {ElectionState.closed}
    assert not TRANSITIONS[ElectionState.published]
    assert ElectionState.self_selected not in TRANSITIONS[ElectionState.voting]
    assert Role.organisation  # the electorate is made of organisation accounts
    assert Election.__table__.c.seats is not None
    assert ElectionResult.__table__.c.tie_break is not None
