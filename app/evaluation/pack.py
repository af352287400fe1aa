"""The evidence pack of a plan for the independent reviewer: one ZIP with the plan, its
commitments with their milestones, the published progress reports, the representatives' verdicts
and answers, the committees' sessions and agreements, the opinions and self-assessments, the
standards page's figures (CSV and JSON), the plan's ledger, every document's files, and a
manifest of the SHA-256 of every file in it, which `python -m app.ledger.verify --pack PACK.zip`
checks (with the ledger inside).

Built in a temporary file (spooled to disk past 16 MiB), never whole in memory; the request that
asks for it reads the plan in a fixed number of statements per kind of record."""
import csv
import hashlib
import io
import json
import re
import tempfile
import zipfile

import sqlalchemy as sa
from sqlalchemy.orm import selectinload

from app.commitments.models import Commitment, Milestone
from app.core import storage
from app.core.clock import now, today
from app.documents.models import Document
from app.evaluation.models import Assessment, Opinion
from app.extensions import db
from app.ledger import queries as ledger_queries
from app.meetings.models import CommitteeSession
from app.plans.models import Committee, Phase
from app.progress.models import ProgressNote, ReportReview, ReportState
from app.standards import queries as standards

FORMAT = "cocrea-evidence-pack/1"
SPOOL_BYTES = 16 * 1024 * 1024


def _json(data) -> bytes:
    return json.dumps(data, ensure_ascii=False, indent=1, sort_keys=True, default=str).encode("utf-8")


def _safe(name: str) -> str:
    return re.sub(r"[^A-Za-z0-9._-]+", "_", name)[:80] or "file"


def _records(plan) -> dict[str, bytes]:
    committees = db.session.scalars(sa.select(Committee).where(Committee.plan_id == plan.id)
                                    .options(selectinload(Committee.members))).all()
    phases = db.session.scalars(sa.select(Phase).where(Phase.plan_id == plan.id).order_by(Phase.starts_on)).all()
    commitments = db.session.scalars(sa.select(Commitment).where(Commitment.plan_id == plan.id,
                                                                  Commitment.state != "draft")
                                     .options(selectinload(Commitment.milestones))
                                     .order_by(Commitment.committee_id, Commitment.number)).all()
    ids = [c.id for c in commitments]
    notes = db.session.scalars(
        sa.select(ProgressNote).join(Milestone, Milestone.id == ProgressNote.milestone_id)
        .where(Milestone.commitment_id.in_(ids), ProgressNote.state == ReportState.published)
        .options(selectinload(ProgressNote.evidence)).order_by(ProgressNote.id)).all()
    reviews = db.session.scalars(sa.select(ReportReview).where(
        ReportReview.note_id.in_([n.id for n in notes])).order_by(ReportReview.id)).all()
    sessions = db.session.scalars(
        sa.select(CommitteeSession).where(CommitteeSession.committee_id.in_([c.id for c in committees]))
        .options(selectinload(CommitteeSession.attendance), selectinload(CommitteeSession.agreements))
        .order_by(CommitteeSession.held_on, CommitteeSession.id)).all()
    opinions = db.session.scalars(sa.select(Opinion).where(Opinion.commitment_id.in_(ids)).order_by(Opinion.id)).all()
    assessments = db.session.scalars(sa.select(Assessment).where(Assessment.commitment_id.in_(ids))).all()
    figures = standards.figures(plan, today())
    table = io.StringIO()
    writer = csv.writer(table)
    writer.writerow(["key", "title", "met", "done", "total", "rate", "falling_short"])
    for figure in figures:
        writer.writerow([figure.key, str(figure.title), int(figure.met), figure.done, figure.total,
                         "" if figure.rate is None else figure.rate, figure.short_count])
    return {
        "plan.json": _json({
            "id": plan.id, "name": plan.name, "period": plan.period, "jurisdiction": plan.jurisdiction,
            "phases": [{"kind": p.kind.value, "starts_on": p.starts_on, "ends_on": p.ends_on} for p in phases],
            "committees": [{"id": c.id, "name": c.name, "quorum": c.quorum, "members": [
                {"name": m.name, "seat": m.kind.value, "institution": m.institution, "term_start": m.term_start,
                 "term_end": m.term_end} for m in c.members]} for c in committees]}),
        "commitments.json": _json([{
            "id": c.id, "committee": c.committee_id, "number": c.number, "title": c.title, "state": c.state.value,
            "implementation_status": c.implementation_status.value, "lead_institution": c.lead_institution,
            "milestones": [{"id": m.id, "description": m.description, "responsible": m.responsible,
                            "starts_on": m.starts_on, "ends_on": m.ends_on, "status": m.status.value,
                            "completed_on": m.completed_on} for m in c.milestones]} for c in commitments]),
        "reports.json": _json([{
            "id": n.id, "milestone": n.milestone_id, "status": n.status.value, "noted_on": n.noted_on,
            "note": n.note, "published_at": n.published_at,
            "evidence": [{"url": e.url} if e.url else {"file": e.original_name, "sha256": e.sha256}
                         for e in n.evidence]} for n in notes]),
        "verdicts.json": _json([{
            "id": r.id, "report": r.note_id, "round": r.round, "seat": r.seat, "seat_holder": r.seat_holder,
            "verdict": r.verdict.value, "reason": r.reason, "created_at": r.created_at, "answer": r.answer,
            "answered_at": r.answered_at} for r in reviews]),
        "sessions.json": _json([{
            "id": s.id, "committee": s.committee_id, "held_on": s.held_on, "agenda": s.agenda, "seats": s.seats,
            "present": s.present, "quorum": s.quorum, "has_quorum": s.has_quorum, "minutes": s.minutes,
            "minutes_published_at": s.minutes_published_at,
            "attendance": [{"name": a.name, "seat": a.kind, "present": a.present, "stood_in_for": a.stood_in_for}
                           for a in s.attendance],
            "agreements": [{"text": a.text, "owner": a.owner, "due_on": a.due_on, "done_on": a.done_on,
                            "note": a.done_note} for a in s.agreements]} for s in sessions]),
        "evaluation.json": _json({
            "opinions": [{"commitment": o.commitment_id, "seat": o.seat, "seat_holder": o.seat_holder,
                          "completion": o.completion.value, "text": o.text} for o in opinions],
            "assessments": [{"commitment": a.commitment_id, "completion": a.completion.value,
                             "opened_government": a.opened_government.value, "evidence": a.evidence,
                             "recorded_at": a.recorded_at} for a in assessments]}),
        "standards.json": _json([figure.as_dict() for figure in figures]),
        "standards.csv": ("\ufeff" + table.getvalue()).encode("utf-8"),
        "ledger.json": _json(ledger_queries.document(plan)),
    }


def build(plan):
    """The pack as a file object positioned at its start (the caller sends and closes it)."""
    spooled = tempfile.SpooledTemporaryFile(max_size=SPOOL_BYTES)
    manifest = []
    with zipfile.ZipFile(spooled, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, data in _records(plan).items():
            archive.writestr(name, data)
            manifest.append({"path": name, "sha256": hashlib.sha256(data).hexdigest(), "size": len(data)})
        for document in db.session.scalars(sa.select(Document).where(Document.plan_id == plan.id)
                                           .options(selectinload(Document.versions)).order_by(Document.id)):
            for version in document.versions:
                path = storage.path_of(version.stored_name)
                if path is None:
                    continue  # a file missing on disk: the manifest lists only what the pack holds
                name = f"documents/{document.id}-v{version.number}-{_safe(version.original_name)}"
                digest, size = hashlib.sha256(), 0
                with path.open("rb") as source, archive.open(name, "w") as target:
                    for chunk in iter(lambda: source.read(1 << 20), b""):
                        digest.update(chunk)
                        size += len(chunk)
                        target.write(chunk)
                manifest.append({"path": name, "sha256": digest.hexdigest(), "size": size,
                                 "published_sha256": version.sha256})
        archive.writestr("manifest.json", _json({
            "format": FORMAT, "plan": {"id": plan.id, "name": plan.name},
            "built_at": now().strftime("%Y-%m-%dT%H:%M:%SZ"), "files": manifest}))
    spooled.seek(0)
    return spooled
