"""The demo's participation in the current plan (the last six weeks): proposals in every state,
supports, comments, two dialogue tables and moderation history, told through the services, loaded
once, and served by the public pages. The archived plan's story is the same, told in March and
April 2021 without the table still ahead."""
from collections import Counter
from datetime import UTC, datetime, timedelta

import pytest
import sqlalchemy as sa

from app.accounts.models import User
from app.comments.models import Comment
from app.core import clock
from app.core.audit import AuditEntry
from app.core.db import utcnow
from app.core.mail import OutboxMessage
from app.demo import elections as demo_elections
from app.demo import participation
from app.demo.loader import load_demo
from app.dialogues.models import (
    AgendaItem,
    DialogueTable,
    MinutesVersion,
    RegistrationStatus,
    TableRegistration,
    TableState,
)
from app.extensions import db
from app.moderation.models import Report
from app.notifications.models import Notification
from app.plans.models import ActionPlan, Committee
from app.proposals.models import Proposal, ProposalAnswer, ProposalState, Support

# The current plan's proposals; the drafts of its commitments accept one more (of the Poder
# Ejecutivo and Tepehuanes each: app/demo/current.py).
EXPECTED_STATES = {
    ProposalState.submitted: 5,
    ProposalState.under_review: 2,
    ProposalState.in_dialogue: 2,
    ProposalState.accepted: 5,
    ProposalState.not_accepted: 1,
    ProposalState.merged: 1,
}
COUNTED = {
    "proposals": Proposal, "answers": ProposalAnswer, "supports": Support, "comments": Comment,
    "reports": Report, "tables": DialogueTable, "registrations": TableRegistration,
    "agenda": AgendaItem, "minutes": MinutesVersion, "audit": AuditEntry, "users": User,
    "notifications": Notification, "mail": OutboxMessage,
}


def current_id() -> int:
    return db.session.scalar(sa.select(ActionPlan.id).where(ActionPlan.slug == "durango-4-demo"))


def current_proposals() -> list[Proposal]:
    return list(db.session.scalars(sa.select(Proposal).where(Proposal.plan_id == current_id())))


def counts() -> dict[str, int]:
    db.session.expire_all()
    return {
        name: db.session.scalar(sa.select(sa.func.count()).select_from(model))
        for name, model in COUNTED.items()
    }


def proposal(title_start: str) -> Proposal:
    return db.session.scalar(sa.select(Proposal).where(Proposal.title.startswith(title_start),
                                                       Proposal.plan_id == current_id()))


def table(title_start: str) -> DialogueTable:
    return db.session.scalar(
        sa.select(DialogueTable).join(Committee).where(
            DialogueTable.title.startswith(title_start), Committee.plan_id == current_id())
    )


def audit(action: str) -> list[AuditEntry]:
    """The current plan's entries of `action` (those after its first day)."""
    first = db.session.scalar(sa.select(sa.func.min(Proposal.created_at))
                              .where(Proposal.plan_id == current_id()))
    return list(db.session.scalars(sa.select(AuditEntry).where(
        AuditEntry.action == action, AuditEntry.created_at >= first)))


def test_proposals_in_every_state_with_reasoned_answers_and_one_merge(demo):
    states = Counter(p.state for p in current_proposals())

    assert states == EXPECTED_STATES
    assert sum(states.values()) == len(participation.PROPOSALS) == 16
    committees = {p.committee.slug for p in current_proposals()}
    assert committees == {"municipio-durango", "gomez-palacio", "tepehuanes", "poder-ejecutivo"}
    assert all(10 <= len(p.title) <= 150 for p in current_proposals())
    # Every change of state carries a public, reasoned answer.
    changed = [p for p in current_proposals() if p.state != ProposalState.submitted]
    answered = set(db.session.scalars(sa.select(ProposalAnswer.proposal_id)))

    assert {p.id for p in changed} <= answered
    entries = audit("proposal.state_changed")
    # 12 changes by hand (facilitator and admin), 4 by putting proposals on agendas, and the
    # proposal the drafts of the Poder Ejecutivo and Tepehuanes accept.
    assert len(entries) == 17 and all(e.public and e.reason for e in entries)
    assert {e.actor.email for e in entries} == {"facilitador@example.org",
                                               "organo.garante@example.org"}
    # One proposal is merged into another, its supports kept where they were.
    merged = next(p for p in current_proposals() if p.state == ProposalState.merged)
    into = proposal("Alumbrado público insuficiente")

    assert merged.merged_into_id == into.id and into.state == ProposalState.accepted
    assert merged.support_count == 2
    assert len(audit("proposal.merged")) == 1


def test_support_and_comment_counters_equal_their_rows(demo):
    proposals = current_proposals()
    rows = Counter(db.session.scalars(sa.select(Support.proposal_id).where(
        Support.proposal_id.in_([p.id for p in proposals]))))

    assert sum(rows.values()) == 43
    assert all(p.support_count == rows.get(p.id, 0) for p in proposals)
    assert all(p.author_id not in set(db.session.scalars(
        sa.select(Support.user_id).where(Support.proposal_id == p.id))) for p in proposals)
    # Comments on proposals (the commitments' demo adds comments on draft commitments).
    comments = list(db.session.scalars(sa.select(Comment).where(
        Comment.proposal_id.in_([p.id for p in proposals]))))
    visible = Counter(c.proposal_id for c in comments if not c.is_hidden and not c.is_deleted)

    assert len(comments) == 27
    assert sum(1 for c in comments if c.parent_id is not None) == 11
    assert all(p.comment_count == visible.get(p.id, 0) for p in proposals)


def test_moderation_history_spam_hidden_and_a_report_dismissed(demo):
    hidden = db.session.scalars(sa.select(Comment).where(
        Comment.hidden_at.is_not(None),
        Comment.proposal_id.in_([p.id for p in current_proposals()]))).all()

    assert len(hidden) == 1
    spam = hidden[0]
    facilitator = db.session.scalar(sa.select(User).filter_by(email="facilitador@example.org"))
    assert spam.hidden_by_id == facilitator.id and spam.hidden_reason and spam.open_reports == 0
    reports = db.session.scalars(
        sa.select(Report).where(Report.target_id == spam.id, Report.target_type == "comment")
    ).all()
    assert len({r.reporter_id for r in reports}) == 3
    assert {r.resolution for r in reports} == {"hidden"}
    auto = audit("content.auto_hidden")
    hide = audit("content.hidden")
    assert len(auto) == 1 and len(hide) == 1 and auto[0].public and hide[0].public
    assert auto[0].created_at < hide[0].created_at and hide[0].reason == spam.hidden_reason
    # Another report was dismissed, and its comment stays visible.
    dismissed = db.session.scalars(sa.select(Report).filter_by(resolution="dismissed")).all()

    assert len(dismissed) == 2  # one in each plan's story
    comment = db.session.get(Comment, dismissed[-1].target_id)
    assert not comment.is_hidden and comment.open_reports == 0
    entries = audit("reports.dismissed")
    assert len(entries) == 1 and entries[0].public and entries[0].reason


def test_a_held_table_with_minutes_and_an_upcoming_one_with_registrations(demo):
    held = table("Mesa de diálogo: colonias")
    minutes = db.session.scalars(sa.select(MinutesVersion).filter_by(table_id=held.id)).all()
    agenda = db.session.scalars(sa.select(AgendaItem).filter_by(table_id=held.id)).all()
    registrations = db.session.scalars(
        sa.select(TableRegistration).filter_by(table_id=held.id)).all()

    assert held.state == TableState.minutes_published and held.starts_at < utcnow()
    assert len(minutes) == 1 and len(agenda) == 3
    assert set(minutes[0].outcomes) == {str(item.proposal_id) for item in agenda}
    assert all(minutes[0].outcomes.values()) and minutes[0].summary and minutes[0].agreements
    assert minutes[0].attendance_count == 5
    assert sorted(r.attended for r in registrations) == [False] + [True] * 5
    assert held.confirmed_count == 6
    assert minutes[0].published_at > held.starts_at
    assert len(audit("dialogues.minutes")) == 1 and len(audit("dialogues.attendance")) == 1
    # The second table is a week ahead and takes registrations.
    upcoming = table("Segunda mesa")
    assert timedelta(days=5) < upcoming.starts_at - utcnow() < timedelta(days=9)
    statuses = list(db.session.scalars(
        sa.select(TableRegistration.status).filter_by(table_id=upcoming.id)))

    assert upcoming.state == TableState.scheduled
    assert upcoming.registration_deadline > utcnow() and upcoming.starts_at > utcnow()
    assert statuses == [RegistrationStatus.confirmed] * 5 and upcoming.confirmed_count == 5
    on_agenda = db.session.scalars(
        sa.select(AgendaItem).filter_by(table_id=upcoming.id)).all()
    assert {item.proposal.state for item in on_agenda} == {ProposalState.in_dialogue}


def test_every_date_of_the_story_is_in_the_past_and_in_order(demo):
    """Both plans' stories, and the current plan's calls, election and commitments told together
    with its participation (app/demo/timeline.run_together): the audit log is in time order."""
    now = utcnow()
    entries = db.session.scalars(sa.select(AuditEntry).order_by(AuditEntry.id)).all()
    created = [e.created_at for e in entries]

    assert created == sorted(created) and created[-1] < now
    assert max(db.session.scalars(sa.select(Comment.created_at).where(
        Comment.proposal_id.is_not(None)))) < now
    assert max(db.session.scalars(sa.select(Proposal.created_at))) < now
    assert clock._source is None  # the real clock is back


def test_a_story_that_fails_gives_the_real_clock_back(app, monkeypatch):
    def refuse(*args, **kwargs):
        raise RuntimeError("refused")

    monkeypatch.setattr(participation, "create_proposal", refuse)

    with pytest.raises(RuntimeError, match="refused"):
        load_demo()

    assert clock._source is None
    assert abs((utcnow() - datetime.now(UTC)).total_seconds()) < 5


def test_the_story_notifies_and_queues_mail_but_sends_none(demo):
    lucia = db.session.scalar(sa.select(User).filter_by(email="ciudadana@example.org"))
    kinds = set(db.session.scalars(
        sa.select(Notification.kind).filter_by(user_id=lucia.id)))

    assert {"proposal_answered", "comment_reply", "table_minutes"} <= kinds
    assert len(audit("proposal.merged")) == 1
    assert db.session.scalar(sa.select(sa.func.count(Notification.id)).filter_by(
        kind="proposal_merged")) == 2 * 3  # the author and the two supporters, in each plan
    mail = db.session.scalars(sa.select(OutboxMessage)).all()
    assert mail and all(m.sent_at is None for m in mail)
    assert all(m.recipient.endswith("@example.org") for m in mail)


def test_loading_the_demo_twice_duplicates_nothing(demo):
    first = counts()  # the session's demo database: loaded once already

    load_demo()

    assert counts() == first
    assert first["proposals"] == 2 * 16 and first["users"] == (
        5 + 3 + 3 + len(participation.RESIDENTS) + demo_elections.ACCOUNTS
        + len(demo_elections.CURRENT_CANDIDATES))


def test_the_public_pages_of_the_demo_render(demo, client):
    accepted = proposal("Alumbrado público insuficiente")
    held = table("Mesa de diálogo: colonias")
    upcoming = table("Segunda mesa")

    for path in ("/proposals/", f"/proposals/{accepted.reference}", f"/tables/{held.id}",
                 f"/tables/{upcoming.id}", "/moderation/log", "/tables/"):
        response = client.get(path)
        assert response.status_code == 200, path
    page = client.get(f"/tables/{held.id}").get_data(as_text=True)
    assert "Recorrer las unidades deportivas del oriente" in page
    spam = db.session.scalar(sa.select(Comment).where(
        Comment.hidden_at.is_not(None), Comment.proposal_id.in_([p.id for p in current_proposals()])))
    log = client.get(f"/moderation/log?committee={spam.proposal.committee_id}").get_data(as_text=True)
    assert "Publicidad comercial sin relación con la conversación" in log
    proposal_page = client.get(f"/proposals/{accepted.reference}").get_data(as_text=True)
    assert "PRÉSTAMOS INMEDIATOS" not in proposal_page


def test_the_demo_story_ends_in_the_past_whatever_today_is():
    """The last act of the story is on its last day, yesterday; the second table is ahead."""
    days = [when[0] for when, *_ in participation.ACTS]
    days += [spec[2][0] for spec in participation.COMMENTS.values()]
    days += [spec[4][0] for spec in participation.PROPOSALS.values()]

    assert max(days) < participation.STORY_DAYS
    assert participation.TABLES["mesa-becas"]["starts"][0] > participation.STORY_DAYS
