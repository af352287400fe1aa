"""A commitment's versions: the snapshot of its text that each version keeps, and the row."""
from app.commitments.models import (
    MILESTONE_FIELDS,
    TEMPLATE_FIELDS,
    Commitment,
    CommitmentState,
    CommitmentVersion,
)
from app.core.db import utcnow
from app.extensions import db
from app.plans.models import Theme


def _theme_name(theme_id: int | None) -> str:
    if theme_id is None:
        return ""
    theme = db.session.get(Theme, theme_id)
    return theme.name if theme else ""


def _iso(value) -> str:
    return value.isoformat() if value else ""


def build_snapshot(values: dict, milestones: list[dict]) -> dict:
    """The JSON a CommitmentVersion keeps: the text fields, dates, theme and milestones."""
    fields = {name: values.get(name) or "" for name in TEMPLATE_FIELDS}
    fields["starts_on"] = _iso(values.get("starts_on"))
    fields["ends_on"] = _iso(values.get("ends_on"))
    fields["theme"] = _theme_name(values.get("theme_id"))
    return {
        "fields": fields,
        "milestones": [
            {"id": m.get("id"), **{name: _iso(m[name]) if name.endswith("_on") else m[name]
                                   for name in MILESTONE_FIELDS}}
            for m in milestones
        ],
    }


def snapshot_of(commitment: Commitment) -> dict:
    values = {name: getattr(commitment, name) for name in TEMPLATE_FIELDS}
    values.update(starts_on=commitment.starts_on, ends_on=commitment.ends_on,
                  theme_id=commitment.theme_id)
    milestones = [
        {"id": m.id, **{name: getattr(m, name) for name in MILESTONE_FIELDS}}
        for m in commitment.milestones
    ]
    return build_snapshot(values, milestones)


def same_text(a: dict, b: dict) -> bool:
    """Snapshots equal but for the ids of milestones not yet written."""
    def strip(snapshot):
        return {"fields": snapshot["fields"],
                "milestones": [{k: v for k, v in m.items() if k != "id"} for m in snapshot["milestones"]]}
    return strip(a) == strip(b)


def add_version(actor, commitment_id: int, number: int, snapshot: dict, reason: str,
                 state: CommitmentState) -> CommitmentVersion:
    version = CommitmentVersion(
        commitment_id=commitment_id, number=number, snapshot=snapshot, reason=reason,
        state=state, author_id=actor.id, created_at=utcnow(),
    )
    db.session.add(version)
    return version
