"""Moderation services: reports (one per account, auto-hide at three), hide, restore, dismiss and
block, their counters, and their public accountability entries."""
from datetime import timedelta

import pytest
import sqlalchemy as sa
from flask_babel import gettext as _

from app.accounts.permissions import _participate
from app.comments import services as comment_services
from app.core.audit import AuditEntry
from app.core.db import utcnow
from app.core.errors import InvalidTransition, PermissionDenied, ValidationError
from app.extensions import db
from app.moderation import services
from app.moderation.models import AUTO_HIDE_THRESHOLD, Report
from tests.comments.factories import World, make_comment, stored_count, visible_count
from tests.factories import make_user


@pytest.fixture(scope="module")
def world(module_worlds):
    return module_worlds.share(World)


@pytest.fixture
def comment(world):
    return make_comment(world.proposal, author=world.author, body="Comentario reportado")


def entries(action: str) -> list[AuditEntry]:
    return db.session.scalars(sa.select(AuditEntry).where(AuditEntry.action == action)).all()


def open_reports_of(item) -> list[Report]:
    return db.session.scalars(
        sa.select(Report).where(Report.target_id == item.id, Report.resolved_at.is_(None))
    ).all()


def report_by(n: int, item, reason="spam"):
    reporters = [make_user() for _ in range(n)]
    for reporter in reporters:
        services.report_content(reporter, item, reason)
    return reporters


# --- Reports -------------------------------------------------------------------------------------


def test_a_report_is_stored_with_its_committee_and_counted(world, comment):
    report = services.report_content(world.citizen, comment, "offensive")

    assert report.committee_id == world.committee.id
    assert report.target_type.value == "comment"
    assert comment.open_reports == 1
    assert not comment.is_hidden
    assert entries("report.created")[0].public is False


def test_one_report_per_account_and_item_a_second_one_is_no_error(world, comment):
    assert services.report_content(world.citizen, comment, "spam") is not None

    assert services.report_content(world.citizen, comment, "offensive") is None
    db.session.refresh(comment)
    assert comment.open_reports == 1
    assert db.session.scalar(sa.select(sa.func.count(Report.id))) == 1


def test_the_same_account_may_report_a_proposal_and_its_comment(world, comment):
    services.report_content(world.citizen, comment, "spam")
    services.report_content(world.citizen, world.proposal, "spam")
    assert world.proposal.open_reports == 1


def test_other_requires_details(world, comment):
    with pytest.raises(ValidationError) as error:
        services.report_content(world.citizen, comment, "other", "   ")
    assert error.value.field == "details"

    services.report_content(world.citizen, comment, "other", "Publica un teléfono")
    assert open_reports_of(comment)[0].details == "Publica un teléfono"


def test_an_unknown_reason_is_refused(world, comment):
    with pytest.raises(ValidationError) as error:
        services.report_content(world.citizen, comment, "boring")
    assert error.value.field == "reason"


def test_nobody_reports_their_own_content(world, comment):
    with pytest.raises(PermissionDenied) as error:
        services.report_content(world.author, comment, "spam")
    assert error.value.message == _("You cannot report what you wrote yourself.")
    with pytest.raises(PermissionDenied):
        services.report_content(world.author, world.proposal, "spam")


def test_a_deleted_comment_cannot_be_reported(world, comment):
    comment_services.delete_comment(world.author, comment)
    with pytest.raises(InvalidTransition) as error:  # the state of the comment, not who asks
        services.report_content(world.citizen, comment, "spam")
    assert error.value.message == _("Its author deleted this content: there is nothing left to report.")


def test_two_reports_do_not_hide_and_the_third_distinct_account_does(world, comment):
    report_by(AUTO_HIDE_THRESHOLD - 1, comment)
    db.session.refresh(comment)
    assert not comment.is_hidden
    assert stored_count(world.proposal) == 1

    report_by(1, comment)
    db.session.refresh(comment)
    assert comment.open_reports == AUTO_HIDE_THRESHOLD
    assert comment.is_hidden
    assert comment.hidden_by_id is None
    assert comment.hidden_reason == services.AUTO_HIDE_REASON
    assert stored_count(world.proposal) == 0 == visible_count(world.proposal)
    [entry] = entries("content.auto_hidden")
    assert entry.public is True
    assert entry.actor_id is None
    assert entry.committee_id == world.committee.id


def test_a_repeated_report_from_the_same_account_does_not_reach_the_threshold(world, comment):
    services.report_content(world.citizen, comment, "spam")
    services.report_content(world.organisation, comment, "spam")
    assert services.report_content(world.citizen, comment, "spam") is None
    db.session.refresh(comment)
    assert not comment.is_hidden


def test_a_proposal_is_hidden_automatically_too(world):
    report_by(AUTO_HIDE_THRESHOLD, world.proposal)
    db.session.refresh(world.proposal)
    assert world.proposal.is_hidden
    assert world.proposal.hidden_by_id is None


def test_more_reports_after_the_threshold_hide_only_once(world, comment):
    report_by(AUTO_HIDE_THRESHOLD + 2, comment)
    assert len(entries("content.auto_hidden")) == 1
    assert stored_count(world.proposal) == 0


def test_the_twenty_first_report_in_an_hour_is_refused(world):
    comments = [make_comment(world.proposal) for _ in range(services.REPORT_LIMIT_COUNT + 1)]
    for comment in comments[:-1]:
        services.report_content(world.citizen, comment, "spam")

    with pytest.raises(ValidationError) as error:
        services.report_content(world.citizen, comments[-1], "spam")
    assert "20" in error.value.message


def test_older_reports_do_not_count_towards_the_limit(world):
    comments = [make_comment(world.proposal) for _ in range(services.REPORT_LIMIT_COUNT + 1)]
    for comment in comments[:-1]:
        services.report_content(world.citizen, comment, "spam")
    db.session.execute(sa.update(Report).values(created_at=utcnow() - timedelta(hours=2)))
    db.session.commit()

    services.report_content(world.citizen, comments[-1], "spam")


def test_blocked_and_unconfirmed_accounts_cannot_report(world, comment):
    world.citizen.blocked_until = utcnow() + timedelta(days=1)
    world.citizen.blocked_reason = "Spam"
    db.session.commit()
    with pytest.raises(PermissionDenied) as error:
        services.report_content(world.citizen, comment, "spam")
    assert "Spam" in error.value.message
    with pytest.raises(PermissionDenied):
        services.report_content(make_user(confirmed=False), comment, "spam")
    assert comment.open_reports == 0


# --- Hide ----------------------------------------------------------------------------------------


def test_hiding_resolves_reports_uncounts_the_comment_and_is_logged_publicly(world, comment):
    report_by(2, comment)

    services.hide_content(world.facilitator, comment, "  Insulta a otra persona  ")

    assert comment.is_hidden
    assert comment.hidden_by_id == world.facilitator.id
    assert comment.hidden_reason == "Insulta a otra persona"
    assert comment.open_reports == 0
    assert open_reports_of(comment) == []
    assert {r.resolution for r in db.session.scalars(sa.select(Report))} == {"hidden"}
    assert stored_count(world.proposal) == 0 == visible_count(world.proposal)
    [entry] = entries("content.hidden")
    assert (entry.public, entry.committee_id, entry.actor_id) == (True, world.committee.id,
                                                                  world.facilitator.id)
    assert entry.reason == "Insulta a otra persona"
    assert (entry.target_type, entry.target_id) == ("Comment", comment.id)


def test_hiding_needs_a_reason(world, comment):
    with pytest.raises(ValidationError) as error:
        services.hide_content(world.facilitator, comment, "  ")
    assert error.value.field == "reason"
    assert not comment.is_hidden


def test_hiding_twice_is_refused(world, comment):
    services.hide_content(world.facilitator, comment, "Spam")
    with pytest.raises(InvalidTransition):
        services.hide_content(world.admin, comment, "Otra vez")
    assert stored_count(world.proposal) == 0
    assert len(entries("content.hidden")) == 1


def test_confirming_an_automatic_hide_does_not_uncount_twice(world, comment):
    make_comment(world.proposal)
    report_by(AUTO_HIDE_THRESHOLD, comment)
    assert stored_count(world.proposal) == 1

    services.hide_content(world.facilitator, comment, "Confirmado: spam")

    db.session.refresh(comment)
    assert comment.hidden_by_id == world.facilitator.id
    assert comment.hidden_reason == "Confirmado: spam"
    assert stored_count(world.proposal) == 1 == visible_count(world.proposal)


def test_a_proposal_is_hidden_and_restored(world):
    services.hide_content(world.facilitator, world.proposal, "Datos personales")
    assert world.proposal.is_hidden
    services.restore_content(world.facilitator, world.proposal, "Se revisó de nuevo")
    assert not world.proposal.is_hidden
    assert world.proposal.hidden_reason is None


# --- Restore and dismiss -------------------------------------------------------------------------


def test_restoring_shows_the_comment_again_and_counts_it(world, comment):
    services.hide_content(world.facilitator, comment, "Spam")
    services.restore_content(world.admin, comment, "Fue un error")

    assert not comment.is_hidden
    assert comment.hidden_by_id is None
    assert stored_count(world.proposal) == 1 == visible_count(world.proposal)
    [entry] = entries("content.restored")
    assert (entry.public, entry.committee_id, entry.reason) == (True, world.committee.id, "Fue un error")


def test_restoring_visible_content_is_refused(world, comment):
    with pytest.raises(InvalidTransition):
        services.restore_content(world.facilitator, comment)


def test_restoring_a_deleted_hidden_comment_keeps_it_uncounted(world, comment):
    services.hide_content(world.facilitator, comment, "Spam")
    comment_services.delete_comment(world.author, comment)
    services.restore_content(world.facilitator, comment)
    assert stored_count(world.proposal) == 0 == visible_count(world.proposal)


def test_dismissing_reports_resolves_them_and_resets_the_counter(world, comment):
    report_by(2, comment)

    services.dismiss_reports(world.facilitator, comment, "No infringe las reglas")

    assert comment.open_reports == 0
    assert open_reports_of(comment) == []
    assert {r.resolution for r in db.session.scalars(sa.select(Report))} == {"dismissed"}
    [entry] = entries("reports.dismissed")
    assert (entry.public, entry.committee_id) == (True, world.committee.id)


def test_dismissing_the_reports_of_an_automatic_hide_restores_the_content(world, comment):
    report_by(AUTO_HIDE_THRESHOLD, comment)

    services.dismiss_reports(world.facilitator, comment)

    assert not comment.is_hidden
    assert stored_count(world.proposal) == 1 == visible_count(world.proposal)


def test_after_a_dismissal_three_new_accounts_are_needed_to_hide_again(world, comment):
    report_by(AUTO_HIDE_THRESHOLD, comment)
    services.dismiss_reports(world.facilitator, comment)
    report_by(AUTO_HIDE_THRESHOLD - 1, comment)
    db.session.refresh(comment)
    assert not comment.is_hidden
    report_by(1, comment)
    db.session.refresh(comment)
    assert comment.is_hidden


def test_dismissing_without_reports_is_refused(world, comment):
    with pytest.raises(InvalidTransition):
        services.dismiss_reports(world.facilitator, comment)


def test_dismissing_keeps_a_hide_by_a_facilitator(world, comment):
    services.hide_content(world.facilitator, comment, "Spam")
    report_by(1, comment)
    services.dismiss_reports(world.facilitator, comment)
    assert comment.is_hidden


# --- Block ---------------------------------------------------------------------------------------


def test_blocking_sets_until_and_reason_and_is_logged_publicly(world, comment):
    before = utcnow()
    services.block_account(world.facilitator, comment, "Acoso reiterado", 7)

    author = world.author
    db.session.refresh(author)
    assert author.blocked_reason == "Acoso reiterado"
    assert before + timedelta(days=7) <= author.blocked_until <= utcnow() + timedelta(days=7)
    assert author.is_blocked()
    assert not _participate(author)
    [entry] = entries("account.blocked")
    assert (entry.public, entry.committee_id, entry.target_type, entry.target_id) == (
        True, world.committee.id, "User", author.id)
    assert entry.reason == "Acoso reiterado"


@pytest.mark.parametrize("days", [0, 2, 10000, "x", None])
def test_blocking_needs_a_listed_duration(world, comment, days):
    with pytest.raises(ValidationError) as error:
        services.block_account(world.facilitator, comment, "Acoso", days)
    assert error.value.field == "days"
    assert not world.author.is_blocked()


def test_blocking_needs_a_reason(world, comment):
    with pytest.raises(ValidationError):
        services.block_account(world.facilitator, comment, "", 7)


def test_a_blocked_account_is_refused_everywhere_in_comments_and_reports(world, comment):
    target = make_comment(world.proposal)
    services.block_account(world.facilitator, comment, "Acoso", 1)
    author = world.author

    with pytest.raises(PermissionDenied) as error:
        comment_services.post_comment(author, world.proposal, "Hola")
    assert "Acoso" in error.value.message
    with pytest.raises(PermissionDenied):
        comment_services.post_comment(author, world.proposal, "Hola", parent=target)
    with pytest.raises(PermissionDenied):
        comment_services.edit_comment(author, comment, "Cambio")
    with pytest.raises(PermissionDenied):
        services.report_content(author, target, "spam")


def test_facilitators_cannot_block_admins_or_each_other_but_admins_can(world):
    by_facilitator = make_comment(world.proposal, author=world.other_facilitator)
    by_admin = make_comment(world.proposal, author=world.admin)

    with pytest.raises(PermissionDenied) as error:
        services.block_account(world.facilitator, by_facilitator, "No", 1)
    assert error.value.message == _("Only the guarantor body can block a facilitator.")
    with pytest.raises(PermissionDenied) as error:
        services.block_account(world.facilitator, by_admin, "No", 1)
    assert error.value.message == _("Accounts of the guarantor body cannot be blocked.")
    services.block_account(world.admin, by_facilitator, "Abuso de su función", 1)
    assert world.other_facilitator.is_blocked()


def test_nobody_blocks_themselves(world):
    own = make_comment(world.proposal, author=world.facilitator)
    with pytest.raises(PermissionDenied) as error:
        services.block_account(world.facilitator, own, "Yo", 1)
    assert error.value.message == _("You cannot block your own account.")


# --- Scope ---------------------------------------------------------------------------------------


@pytest.mark.parametrize("act", ["hide", "restore", "dismiss", "block"])
def test_a_facilitator_of_another_committee_is_refused_every_act(world, comment, act):
    report_by(1, comment)
    if act == "restore":
        services.hide_content(world.facilitator, comment, "Spam")
    calls = {
        "hide": lambda: services.hide_content(world.other_facilitator, comment, "Ajeno"),
        "restore": lambda: services.restore_content(world.other_facilitator, comment),
        "dismiss": lambda: services.dismiss_reports(world.other_facilitator, comment),
        "block": lambda: services.block_account(world.other_facilitator, comment, "Ajeno", 1),
    }
    audit_before = db.session.scalar(sa.select(sa.func.count(AuditEntry.id)))

    with pytest.raises(PermissionDenied):
        calls[act]()
    assert db.session.scalar(sa.select(sa.func.count(AuditEntry.id))) == audit_before
    assert not world.author.is_blocked()


def test_the_blocked_message_reads_well_in_spanish():
    """The local time ends in "a.m."/"p.m." in Spanish; the sentence must not show "a.m..". """
    from app.accounts.permissions import blocked_message

    user = make_user(blocked_until=utcnow() + timedelta(days=3), blocked_reason="Spam repetido")
    message = blocked_message(user)
    assert message.startswith("Tu cuenta está bloqueada hasta el ")
    assert ".." not in message and "m. Motivo: Spam repetido" in message
