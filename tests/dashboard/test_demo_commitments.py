"""The archived Third Plan's ten commitments: the whole template, milestones in various states, a
past consultation with answers, a version history (all told through the services in 2021–2022),
and a loader that can run twice; the dashboard of the current plan shows its late milestones."""
from datetime import date

import sqlalchemy as sa

from app.comments.models import Comment
from app.commitments.models import (
    OGP_VALUES,
    TEMPLATE_FIELDS,
    Commitment,
    CommitmentVersion,
    ImplementationStatus,
    Milestone,
    MilestoneStatus,
)
from app.commitments.services import snapshot_of
from app.consultations.models import Consultation, ConsultationAnswer
from app.core import clock
from app.demo.loader import load_demo
from app.extensions import db
from app.follows.models import Follow
from app.plans.models import ActionPlan
from app.progress.models import Evidence, ProgressNote
from tests.dashboard.helpers import item

REQUIRED = [f for f in TEMPLATE_FIELDS if f not in OGP_VALUES]
PLAN_START, PLAN_END = date(2021, 8, 1), date(2022, 12, 31)


def commitments(slug: str = "durango-3") -> list[Commitment]:
    return list(db.session.scalars(sa.select(Commitment).join(ActionPlan)
                                   .where(ActionPlan.slug == slug).order_by(Commitment.id)))


def archived_consultations() -> list[Consultation]:
    return list(db.session.scalars(sa.select(Consultation).where(
        Consultation.commitment_id.in_([c.id for c in commitments()]))))


def test_every_demo_commitment_has_the_whole_template_and_at_least_three_milestones(demo):
    found = commitments()

    assert len(found) == 10
    for c in found:
        empty = [name for name in REQUIRED if not (getattr(c, name) or "").strip()]
        assert not empty, (c.title, empty)
        assert any(getattr(c, name).strip() for name in OGP_VALUES), c.title
        assert PLAN_START <= c.starts_on < c.ends_on <= PLAN_END, c.title
        assert 3 <= len(c.milestones) <= 5, c.title
        for m in c.milestones:
            assert c.starts_on <= m.starts_on <= m.ends_on <= c.ends_on, (c.title, m.description)
            assert (m.completed_on is not None) == (m.status == MilestoneStatus.complete)
        assert c.version >= 1 and c.published_at is not None


def test_demo_tells_a_varied_story_with_most_milestones_complete_and_a_few_late(demo):
    found = commitments()
    today = date(2026, 1, 1)
    milestones = [m for c in found for m in c.milestones]
    statuses = {m.status for m in milestones}
    late = [m for m in milestones if m.is_late(today)]

    assert statuses == set(MilestoneStatus)
    assert {c.implementation_status for c in found} == set(ImplementationStatus)
    assert sum(m.status == MilestoneStatus.complete for m in milestones) > len(milestones) * 2 / 3
    assert 0 < len(late) <= 10
    notes = db.session.scalars(sa.select(ProgressNote).where(
        ProgressNote.milestone_id.in_([m.id for m in milestones]))).all()
    assert len(notes) >= 10
    assert all(PLAN_START <= n.noted_on <= PLAN_END and n.created_at.year in (2021, 2022)
               for n in notes)
    evidence = [e for n in notes for e in n.evidence]
    assert evidence and all(e.url and e.url.startswith("https://") and e.stored_name is None
                            for e in evidence)


def test_demo_has_one_past_consultation_with_every_comment_answered(demo):
    consultations = archived_consultations()

    assert len(consultations) == 1
    consultation = consultations[0]
    assert consultation.closes_at.year == 2021 and consultation.opens_at < consultation.closes_at
    comments = db.session.scalars(
        sa.select(Comment).where(Comment.commitment_id == consultation.commitment_id)
    ).all()
    assert len(comments) >= 3
    assert all(consultation.opens_at <= c.created_at <= consultation.closes_at for c in comments)
    answers = db.session.scalars(sa.select(ConsultationAnswer).where(
        ConsultationAnswer.comment_id.in_([c.id for c in comments]))).all()
    assert {a.comment_id for a in answers} == {c.id for c in comments}
    assert len({a.outcome for a in answers}) == 3, "incorporated, partially and not incorporated"
    assert all(a.reason.strip() for a in answers)
    sections = {c.section for c in comments}
    commitment = db.session.get(Commitment, consultation.commitment_id)
    assert None in sections and "objective" in sections
    milestone_ids = {f"milestone-{m.id}" for m in commitment.milestones}
    assert sections & milestone_ids, "one comment is on a milestone"


def test_the_consulted_commitment_has_a_consistent_version_history(demo):
    (consultation,) = archived_consultations()
    commitment = db.session.get(Commitment, consultation.commitment_id)
    versions = db.session.scalars(
        sa.select(CommitmentVersion).where(CommitmentVersion.commitment_id == commitment.id)
        .order_by(CommitmentVersion.number)
    ).all()

    assert len(versions) >= 2
    assert [v.number for v in versions] == list(range(1, len(versions) + 1))
    assert commitment.version == versions[-1].number
    assert all(v.reason.strip() for v in versions)
    assert versions[0].created_at < consultation.opens_at < versions[1].created_at
    # The last version is the text of the commitment as it stands.
    assert versions[-1].snapshot == snapshot_of(commitment)
    # What the answers incorporated is what changed between the consulted draft and the next.
    first, second = versions[0].snapshot, versions[1].snapshot
    assert first["fields"]["objective"] != second["fields"]["objective"]
    assert "30 %" in second["fields"]["objective"]
    assert len(second["milestones"]) == len(first["milestones"]) + 1


def test_every_other_commitment_has_its_published_version_matching_its_text(demo):
    for c in commitments():
        latest = db.session.scalar(
            sa.select(CommitmentVersion).where(
                CommitmentVersion.commitment_id == c.id, CommitmentVersion.number == c.version
            )
        )
        assert latest is not None and latest.snapshot == snapshot_of(c), c.title


def test_load_demo_twice_duplicates_nothing(demo):
    models = (Commitment, Milestone, ProgressNote, Evidence, CommitmentVersion, Consultation,
              Comment, ConsultationAnswer, Follow)

    def counts():
        db.session.expire_all()
        return {m.__name__: db.session.scalar(sa.select(sa.func.count()).select_from(m)) for m in models}

    first = counts()
    texts = {c.id: (c.objective, c.implementation_status) for c in commitments()}

    load_demo()

    assert counts() == first
    assert {c.id: (c.objective, c.implementation_status) for c in commitments()} == texts


def test_demo_dashboard_shows_the_current_plan_with_late_milestones(demo, client):
    response = client.get("/dashboard/")
    html = response.get_data(as_text=True)
    published = [c for c in commitments("durango-4-demo") if c.published_at is not None]

    assert response.status_code == 200 and published
    late = 0
    for c in published:
        entry = item(html, c.id)
        count = sum(m.is_late(clock.today()) for m in c.milestones)
        late += count
        assert f'data-late="{count}"' in entry
    assert late > 0
    assert client.get("/dashboard/committee/municipio-durango").status_code == 200
    assert client.get("/dashboard/plan/print").status_code == 200
