"""Consultation services: the window (validated, one at a time, enforced by the server before,
after and after an early close), sections, answers (unique, double submits, notification) and the
report's exact counts."""
from datetime import UTC, datetime, timedelta

import pytest
import sqlalchemy as sa

from app.accounts.permissions import blocked_message
from app.comments import services as comment_services
from app.comments.models import Comment
from app.commitments.models import CommitmentState
from app.consultations import queries, services
from app.consultations.models import Consultation, ConsultationAnswer, ConsultationOutcome
from app.core.audit import AuditEntry
from app.core.clock import utc_to_local
from app.core.db import utcnow
from app.core.errors import InvalidTransition, NotFound, PermissionDenied, ValidationError
from app.extensions import db
from app.notifications.models import Notification
from tests.comments.factories import make_comment as make_proposal_comment
from tests.comments.factories import make_proposal
from tests.consultations.factories import (
    World,
    count_rows,
    make_answer,
    make_comment,
    make_consultation,
    milestone_key,
    move_window,
)
from tests.factories import make_user


@pytest.fixture(scope="module")
def world(module_worlds):
    """Built once per module; each test is rolled back to it (tests/README.md, "Isolation")."""
    return module_worlds.share(World)


def local(year, month, day, hour, minute=0):
    """A naive local date-time, as the form gives it."""
    return datetime(year, month, day, hour, minute)


# ---------------------------------------------------------------- opening


def test_open_stores_the_local_window_in_utc_and_makes_the_draft_public(world):
    # Monterrey is UTC-6 all year (no daylight saving time since 2022).
    consultation = services.open_consultation(
        world.facilitator, world.commitment, local(2099, 5, 10, 18), local(2099, 5, 24, 18)
    )

    assert consultation.opens_at == datetime(2099, 5, 11, 0, 0, tzinfo=UTC)
    assert consultation.closes_at == datetime(2099, 5, 25, 0, 0, tzinfo=UTC)
    assert consultation.opened_by_id == world.facilitator.id
    assert world.commitment.state == CommitmentState.consultation
    assert world.commitment.is_public
    entry = db.session.scalars(sa.select(AuditEntry).where(AuditEntry.action == "consultation.opened")).one()
    assert entry.public and entry.committee_id == world.committee.id


def test_open_may_start_now_a_start_typed_a_minute_ago_counts_as_now(world):
    before = utcnow()
    a_minute_ago = utc_to_local(before - timedelta(minutes=1))
    consultation = services.open_consultation(
        world.admin, world.commitment, a_minute_ago, a_minute_ago + timedelta(days=7)
    )
    assert consultation.opens_at >= before
    assert queries.window_state(consultation) == "open"


def test_open_accepts_aware_datetimes(world):
    start = utcnow() + timedelta(days=1)
    consultation = services.open_consultation(world.facilitator, world.commitment, start,
                                              start + timedelta(days=3))
    assert consultation.opens_at == start
    assert queries.window_state(consultation) == "scheduled"


def test_open_refuses_a_start_in_the_past(world):
    past = utc_to_local(utcnow() - timedelta(hours=2))
    with pytest.raises(ValidationError) as exc:
        services.open_consultation(world.facilitator, world.commitment, past, past + timedelta(days=5))
    assert exc.value.field == "opens_at"
    assert count_rows(Consultation) == 0
    assert db.session.get(type(world.commitment), world.commitment.id).state == CommitmentState.draft


@pytest.mark.parametrize("hours", [0, -1])
def test_open_refuses_a_close_not_after_the_start(world, hours):
    start = local(2099, 1, 1, 10)
    with pytest.raises(ValidationError) as exc:
        services.open_consultation(world.facilitator, world.commitment, start,
                                   start + timedelta(hours=hours))
    assert exc.value.field == "closes_at"
    assert count_rows(Consultation) == 0


@pytest.mark.parametrize("missing", ["opens_at", "closes_at"])
def test_open_refuses_a_missing_end(world, missing):
    ends = {"opens_at": local(2099, 1, 1, 10), "closes_at": local(2099, 1, 8, 10), missing: None}
    with pytest.raises(ValidationError) as exc:
        services.open_consultation(world.facilitator, world.commitment, **ends)
    assert exc.value.field == missing


@pytest.mark.parametrize("window", ["open", "scheduled"])
def test_only_one_consultation_open_or_scheduled_at_a_time(world, window):
    if window == "open":
        make_consultation(world.commitment, opened_hours_ago=1, closes_in_hours=24)
    else:
        make_consultation(world.commitment, opened_hours_ago=-24, closes_in_hours=48)

    with pytest.raises(InvalidTransition):
        services.open_consultation(world.facilitator, world.commitment,
                                   local(2099, 1, 1, 10), local(2099, 1, 8, 10))
    assert count_rows(Consultation) == 1


def test_a_lingering_window_on_a_draft_still_blocks_a_second_one(world):
    # A draft moved back to draft while its consultation is still scheduled.
    make_consultation(world.commitment, opened_hours_ago=-24, closes_in_hours=48, move_state=False)
    with pytest.raises(InvalidTransition):
        services.open_consultation(world.facilitator, world.commitment,
                                   local(2099, 1, 1, 10), local(2099, 1, 8, 10))
    assert count_rows(Consultation) == 1


@pytest.mark.parametrize("closed", ["naturally", "early"])
def test_a_new_round_may_open_after_the_previous_closed(world, closed):
    if closed == "naturally":
        make_consultation(world.commitment, opened_hours_ago=72, closes_in_hours=-1)
    else:
        make_consultation(world.commitment, opened_hours_ago=2, closes_in_hours=24,
                          closed_early_hours_ago=1)
    services.open_consultation(world.facilitator, world.commitment,
                               local(2099, 1, 1, 10), local(2099, 1, 8, 10))
    assert count_rows(Consultation) == 2


@pytest.mark.parametrize("state", [CommitmentState.published, CommitmentState.withdrawn])
def test_a_formal_commitment_cannot_go_to_consultation(world, state):
    world.commitment.state = state
    db.session.commit()
    with pytest.raises(InvalidTransition):
        services.open_consultation(world.facilitator, world.commitment,
                                   local(2099, 1, 1, 10), local(2099, 1, 8, 10))
    assert count_rows(Consultation) == 0


@pytest.mark.parametrize("actor", ["citizen", "other_facilitator", "unconfirmed"])
def test_only_the_committees_facilitators_open(world, actor):
    with pytest.raises(PermissionDenied):
        services.open_consultation(getattr(world, actor), world.commitment,
                                   local(2099, 1, 1, 10), local(2099, 1, 8, 10))
    assert count_rows(Consultation) == 0


# ---------------------------------------------------------------- closing early


def test_close_early_records_when_and_why_publicly(world):
    consultation = make_consultation(world.commitment)
    services.close_consultation_early(world.facilitator, consultation, "Se incorporó todo ya.")

    assert consultation.closed_early_at is not None
    assert consultation.close_reason == "Se incorporó todo ya."
    assert queries.window_state(consultation) == "closed"
    entry = db.session.scalars(
        sa.select(AuditEntry).where(AuditEntry.action == "consultation.closed_early")
    ).one()
    assert entry.public and entry.reason == "Se incorporó todo ya."
    # The commitment stays public, with its page and report.
    assert world.commitment.state == CommitmentState.consultation


def test_close_early_needs_a_reason(world):
    consultation = make_consultation(world.commitment)
    with pytest.raises(ValidationError) as exc:
        services.close_consultation_early(world.facilitator, consultation, "  ya ")
    assert exc.value.field == "reason"
    db.session.refresh(consultation)
    assert consultation.closed_early_at is None


@pytest.mark.parametrize("how", ["twice", "after_its_close"])
def test_closing_a_closed_consultation_is_refused(world, how):
    consultation = make_consultation(world.commitment)
    if how == "twice":
        services.close_consultation_early(world.facilitator, consultation, "Primera vez, cerrada.")
    else:
        move_window(consultation, opened_hours_ago=48, closes_in_hours=-1)
    with pytest.raises(InvalidTransition):
        services.close_consultation_early(world.admin, consultation, "Segunda vez, cerrada.")


def test_another_committees_facilitator_cannot_close(world):
    consultation = make_consultation(world.commitment)
    with pytest.raises(PermissionDenied):
        services.close_consultation_early(world.other_facilitator, consultation, "No es mío cerrar.")
    db.session.refresh(consultation)
    assert consultation.closed_early_at is None


# ---------------------------------------------------------------- the window, enforced


def test_a_comment_in_an_open_window_is_stored_on_its_section(world):
    make_consultation(world.commitment)
    comment = services.comment_on_draft(world.citizen, world.commitment, "  Buen objetivo  ", "objective")

    assert comment.commitment_id == world.commitment.id
    assert comment.proposal_id is None
    assert comment.committee_id == world.committee.id
    assert comment.section == "objective"
    assert comment.body == "Buen objetivo"


def test_before_the_window_opens_comments_are_refused_with_the_local_window(world):
    consultation = make_consultation(world.commitment)
    # 10 May 2099, 18:00 in Durango is 11 May 2099, 00:00 UTC.
    consultation.opens_at = datetime(2099, 5, 11, 0, 0, tzinfo=UTC)
    consultation.closes_at = datetime(2099, 5, 25, 0, 0, tzinfo=UTC)
    db.session.commit()

    with pytest.raises(InvalidTransition) as exc:
        services.comment_on_draft(world.citizen, world.commitment, "Demasiado pronto", None)
    assert services.local_when(consultation.opens_at) in exc.value.message
    assert "2099" in exc.value.message and "10" in exc.value.message and "11 " not in exc.value.message
    assert count_rows(Comment) == 0


def test_after_the_window_closes_comments_are_refused(world):
    consultation = make_consultation(world.commitment)
    move_window(consultation, opened_hours_ago=48, closes_in_hours=-0.01)

    with pytest.raises(InvalidTransition) as exc:
        services.comment_on_draft(world.citizen, world.commitment, "Demasiado tarde", "problem")
    assert services.local_when(consultation.closes_at) in exc.value.message
    assert count_rows(Comment) == 0


def test_after_an_early_close_comments_are_refused(world):
    consultation = make_consultation(world.commitment, closes_in_hours=240)
    services.close_consultation_early(world.facilitator, consultation, "Cerrada antes de tiempo.")

    with pytest.raises(InvalidTransition) as exc:
        services.comment_on_draft(world.citizen, world.commitment, "Tarde", None)
    assert services.local_when(consultation.closed_early_at) in exc.value.message
    assert count_rows(Comment) == 0


def test_without_a_consultation_comments_are_refused(world):
    with pytest.raises(InvalidTransition):
        services.comment_on_draft(world.citizen, world.commitment, "Hola", None)
    assert count_rows(Comment) == 0


def test_the_window_opens_and_closes_with_the_clock(world):
    consultation = make_consultation(world.commitment, opened_hours_ago=-1, closes_in_hours=2)
    with pytest.raises(InvalidTransition):
        services.comment_on_draft(world.citizen, world.commitment, "Antes", None)
    move_window(consultation, opened_hours_ago=0.01)
    services.comment_on_draft(world.citizen, world.commitment, "Durante", None)
    move_window(consultation, closes_in_hours=-0.01)
    with pytest.raises(InvalidTransition):
        services.comment_on_draft(world.citizen, world.commitment, "Después", None)
    assert [c.body for c in db.session.scalars(sa.select(Comment))] == ["Durante"]


def test_post_comment_itself_refuses_a_commitment_outside_its_window(world):
    """The server's rule holds at the lowest layer too, for any caller of post_comment."""
    consultation = make_consultation(world.commitment)
    move_window(consultation, opened_hours_ago=48, closes_in_hours=-1)
    with pytest.raises(InvalidTransition):
        comment_services.post_comment(world.citizen, world.commitment, "Por la puerta de atrás")
    assert count_rows(Comment) == 0


def test_a_published_commitment_takes_no_more_consultation_comments(world):
    make_consultation(world.commitment)
    world.commitment.state = CommitmentState.published
    db.session.commit()
    with pytest.raises((InvalidTransition, PermissionDenied)):
        services.comment_on_draft(world.citizen, world.commitment, "Hola", None)
    assert count_rows(Comment) == 0


@pytest.mark.parametrize("actor", ["unconfirmed", "blocked"])
def test_accounts_that_may_not_take_part_cannot_comment(world, actor):
    make_consultation(world.commitment)
    with pytest.raises(PermissionDenied) as exc:
        services.comment_on_draft(getattr(world, actor), world.commitment, "Hola", None)
    if actor == "blocked":  # says why and until when
        assert exc.value.message == blocked_message(world.blocked)
    assert count_rows(Comment) == 0


def test_the_comments_rate_limit_applies(world):
    make_consultation(world.commitment)
    for _ in range(comment_services.RATE_LIMIT_COUNT):
        make_comment(world.commitment, world.citizen)
    with pytest.raises(ValidationError) as exc:
        services.comment_on_draft(world.citizen, world.commitment, "Uno más", None)
    assert exc.value.field == "body"


@pytest.mark.parametrize("body", ["", "   ", "x" * (comment_services.MAX_LENGTH + 1)])
def test_empty_or_too_long_comments_are_refused(world, body):
    make_consultation(world.commitment)
    with pytest.raises(ValidationError) as exc:
        services.comment_on_draft(world.citizen, world.commitment, body, None)
    assert exc.value.field == "body"


# ---------------------------------------------------------------- sections


def test_every_section_of_the_draft_is_accepted(world):
    make_consultation(world.commitment)
    keys = ["general", *queries.TEXT_SECTIONS, *(milestone_key(m) for m in world.milestones)]
    for key in keys:
        services.comment_on_draft(world.citizen if key != "values" else world.author,
                                  world.commitment, f"Sobre {key}", key)
    stored = set(db.session.scalars(sa.select(Comment.section)))
    assert stored == {None, *queries.TEXT_SECTIONS, *(milestone_key(m) for m in world.milestones)}


@pytest.mark.parametrize("section", ["budget", "title", "milestone-abc", "milestone-", "MILESTONE-1",
                                     "Problem", "other_milestone"])
def test_sections_the_draft_does_not_have_are_refused(world, section):
    make_consultation(world.commitment)
    if section == "other_milestone":
        section = milestone_key(world.other_commitment.milestones[0])
    with pytest.raises(ValidationError) as exc:
        services.comment_on_draft(world.citizen, world.commitment, "Hola", section)
    assert exc.value.field == "section"
    assert count_rows(Comment) == 0


def test_a_milestone_of_another_commitment_is_refused(world):
    make_consultation(world.commitment)
    foreign = world.other_commitment.milestones[0]
    with pytest.raises(ValidationError):
        services.comment_on_draft(world.citizen, world.commitment, "Hola", milestone_key(foreign))
    assert count_rows(Comment) == 0


def test_a_reply_joins_its_threads_section_and_notifies_its_author(world):
    make_consultation(world.commitment)
    top = services.comment_on_draft(world.author, world.commitment, "Sobre el hito", milestone_key(world.milestones[0]))
    reply = services.comment_on_draft(world.citizen, world.commitment, "De acuerdo", "problem", parent=top)

    assert reply.parent_id == top.id
    assert reply.section == milestone_key(world.milestones[0])
    note = db.session.scalars(sa.select(Notification).where(Notification.user_id == world.author.id)).one()
    assert note.kind == "comment_reply"
    assert note.url == f"/consultations/commitment/{world.commitment.id}#comment-{reply.id}"


def test_a_reply_to_a_comment_of_another_commitment_is_refused(world):
    make_consultation(world.commitment)
    make_consultation(world.other_commitment)
    foreign = make_comment(world.other_commitment)
    with pytest.raises(NotFound):
        services.comment_on_draft(world.citizen, world.commitment, "Hola", None, parent=foreign)
    assert count_rows(Comment) == 1


def test_sections_list_the_template_then_each_milestone_in_order(world):
    keys = [s.key for s in queries.sections_for(world.commitment)]
    assert keys == ["general", "problem", "causes", "status_quo", "objective", "description",
                    "how_it_helps", "values", *(milestone_key(m) for m in world.milestones)]


# ---------------------------------------------------------------- answers


@pytest.fixture
def answered(world):
    make_consultation(world.commitment)
    return make_comment(world.commitment, world.author, "problem")


def test_an_answer_is_stored_audited_and_its_author_notified(world, answered):
    result = services.answer_comment(world.facilitator, answered, "partially_incorporated",
                                     "Se incorporó la parte de datos.")

    assert result.status == "created"
    answer = db.session.scalars(sa.select(ConsultationAnswer)).one()
    assert answer.comment_id == answered.id
    assert answer.outcome == ConsultationOutcome.partially_incorporated
    assert answer.answered_by_id == world.facilitator.id
    entry = db.session.scalars(sa.select(AuditEntry).where(AuditEntry.action == "consultation.answered")).one()
    assert entry.public and entry.committee_id == world.committee.id
    note = db.session.scalars(sa.select(Notification)).one()
    assert note.user_id == world.author.id
    assert note.kind == "consultation_answer"
    assert note.params == {"title": world.commitment.title, "outcome": "partially_incorporated"}
    assert note.url.endswith(f"#comment-{answered.id}")


def test_a_double_submit_keeps_one_answer_and_says_it_was_saved(world, answered):
    first = services.answer_comment(world.facilitator, answered, "incorporated", "Ya está en el texto.")
    second = services.answer_comment(world.facilitator, answered, "incorporated", "Ya está en el texto.")

    assert (first.status, second.status) == ("created", "unchanged")
    assert count_rows(ConsultationAnswer) == 1
    assert count_rows(Notification) == 1


def test_a_second_different_new_answer_replaces_nothing(world, answered):
    services.answer_comment(world.facilitator, answered, "incorporated", "Ya está en el texto.")
    with pytest.raises(services.AlreadyAnswered):
        services.answer_comment(world.admin, answered, "not_incorporated", "Otra respuesta distinta.")
    answer = db.session.scalars(sa.select(ConsultationAnswer)).one()
    assert answer.outcome == ConsultationOutcome.incorporated
    assert answer.answered_by_id == world.facilitator.id


@pytest.mark.parametrize("same", [True, False], ids=["same-answer", "different-answer"])
def test_a_concurrent_insert_is_caught_by_the_unique_constraint(world, answered, monkeypatch, same):
    """Two requests both saw no answer; the second insert hits the constraint, not a 500."""
    make_answer(answered, ConsultationOutcome.incorporated, by=world.admin, reason="Ya está en el texto.")
    real = queries.answer_of
    calls = []

    def stale_then_real(comment_id):
        calls.append(comment_id)
        return None if len(calls) == 1 else real(comment_id)

    monkeypatch.setattr(queries, "answer_of", stale_then_real)
    outcome = "incorporated" if same else "not_incorporated"
    if same:
        result = services.answer_comment(world.facilitator, answered, outcome, "Ya está en el texto.")
        assert result.status == "unchanged"
    else:
        with pytest.raises(services.AlreadyAnswered):
            services.answer_comment(world.facilitator, answered, outcome, "Ya está en el texto.")
    assert count_rows(ConsultationAnswer) == 1
    assert len(calls) == 2


def test_the_database_allows_one_answer_per_comment(world, answered):
    make_answer(answered)
    db.session.add(ConsultationAnswer(comment_id=answered.id, outcome=ConsultationOutcome.incorporated,
                                      reason="Otra"))
    with pytest.raises(sa.exc.IntegrityError):
        db.session.commit()
    db.session.rollback()


def test_changing_an_answer_is_audited_and_told_to_the_author(world, answered):
    services.answer_comment(world.facilitator, answered, "not_incorporated", "Fuera del alcance.")
    result = services.answer_comment(world.admin, answered, "incorporated",
                                     "Tras revisarlo, se incorporó.", update=True)

    assert result.status == "updated"
    answer = db.session.scalars(sa.select(ConsultationAnswer)).one()
    assert answer.outcome == ConsultationOutcome.incorporated
    assert answer.reason == "Tras revisarlo, se incorporó."
    assert answer.answered_by_id == world.admin.id
    entry = db.session.scalars(
        sa.select(AuditEntry).where(AuditEntry.action == "consultation.answer_changed")
    ).one()
    assert entry.public and entry.data["previous_outcome"] == "not_incorporated"
    outcomes = [n.params["outcome"] for n in db.session.scalars(sa.select(Notification).order_by(Notification.id))]
    assert outcomes == ["not_incorporated", "incorporated"]


@pytest.mark.parametrize("outcome, reason, field", [
    ("maybe", "Una razón suficiente.", "outcome"),
    ("", "Una razón suficiente.", "outcome"),
    ("incorporated", "corta", "reason"),
    ("incorporated", "x" * (services.REASON_MAX + 1), "reason"),
])
def test_an_answer_needs_a_known_outcome_and_a_reason(world, answered, outcome, reason, field):
    with pytest.raises(ValidationError) as exc:
        services.answer_comment(world.facilitator, answered, outcome, reason)
    assert exc.value.field == field
    assert count_rows(ConsultationAnswer) == 0


def test_a_deleted_comment_is_not_answered(world, answered):
    answered.deleted_at = utcnow()
    db.session.commit()
    with pytest.raises(InvalidTransition):
        services.answer_comment(world.facilitator, answered, "incorporated", "Una razón suficiente.")


def test_a_hidden_comment_may_be_answered(world, answered):
    answered.hidden_at, answered.hidden_reason = utcnow(), "Ofensivo"
    db.session.commit()
    result = services.answer_comment(world.facilitator, answered, "not_incorporated", "Fuera de las reglas.")
    assert result.status == "created"


@pytest.mark.parametrize("actor", ["citizen", "author", "other_facilitator"])
def test_only_the_committees_facilitators_answer(world, answered, actor):
    with pytest.raises(PermissionDenied):
        services.answer_comment(getattr(world, actor), answered, "incorporated", "Una razón suficiente.")
    assert count_rows(ConsultationAnswer) == 0


def test_comments_on_proposals_get_no_consultation_answer(world):
    proposal_comment = make_proposal_comment(make_proposal(world.committee))
    with pytest.raises(PermissionDenied):
        services.answer_comment(world.facilitator, proposal_comment, "incorporated", "Una razón suficiente.")


# ---------------------------------------------------------------- the report


class Fixture:
    """A known consultation: 7 comments, one deleted; 4 participants."""

    def __init__(self, world):
        self.world = world
        c = world.commitment
        m1, m2 = (milestone_key(m) for m in world.milestones)
        a, b, cc, d, e = (make_user() for _ in range(5))
        make_consultation(c, opened_hours_ago=72, closes_in_hours=-1)
        f = world.facilitator
        self.general_1 = make_comment(c, a, None)
        make_answer(self.general_1, "incorporated", by=f)
        self.general_2 = make_comment(c, b, None)  # unanswered
        self.problem = make_comment(c, a, "problem")
        make_answer(self.problem, "partially_incorporated", by=f)
        self.reply = make_comment(c, cc, parent=self.problem)
        make_answer(self.reply, "not_incorporated", by=f)
        self.hidden = make_comment(c, d, m1, body="Texto ofensivo oculto", hidden_at=utcnow(),
                                   hidden_reason="Ofensivo")
        make_answer(self.hidden, "not_incorporated", by=f)
        self.deleted = make_comment(c, e, "objective", body="Texto borrado", deleted_at=utcnow())
        self.milestone = make_comment(c, b, m2)
        make_answer(self.milestone, "incorporated", by=f)
        # Another commitment's comments never count here.
        make_consultation(world.other_commitment)
        make_comment(world.other_commitment, a, None)
        self.m1, self.m2 = m1, m2


EXPECTED = {
    # section: (total, incorporated, partially, not, unanswered)
    "general": (2, 1, 0, 0, 1),
    "problem": (2, 0, 1, 1, 0),
    "causes": (0, 0, 0, 0, 0),
    "objective": (0, 0, 0, 0, 0),
    "m1": (1, 0, 0, 1, 0),
    "m2": (1, 1, 0, 0, 0),
    "total": (6, 2, 1, 2, 1),
}


def _row(counts):
    return (counts.total, counts.by_outcome.get("incorporated", 0),
            counts.by_outcome.get("partially_incorporated", 0),
            counts.by_outcome.get("not_incorporated", 0), counts.unanswered)


def test_the_report_counts_are_exact_for_a_known_consultation(world):
    fx = Fixture(world)
    counts = queries.report_counts(world.commitment, queries.sections_for(world.commitment))

    # Hidden comments count (their author took part); the deleted one does not.
    assert counts.participants == 4
    rows = {row.section.key: row for row in counts.rows}
    keys = {"m1": fx.m1, "m2": fx.m2}
    for section, expected in EXPECTED.items():
        row = counts.totals if section == "total" else rows[keys.get(section, section)]
        assert _row(row) == expected, section


def test_comments_on_a_removed_milestone_stay_in_the_report(world):
    make_consultation(world.commitment)
    milestone = world.milestones[1]
    key = milestone_key(milestone)
    make_comment(world.commitment, section=key)
    db.session.delete(milestone)
    db.session.commit()
    db.session.expire_all()
    counts = queries.report_counts(world.commitment, queries.sections_for(world.commitment))
    removed = [row for row in counts.rows if row.section.removed]
    assert [(row.section.key, row.total) for row in removed] == [(key, 1)]
