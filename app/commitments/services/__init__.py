"""Acts on commitments: draft from proposals, edit (every save a version), publish, withdraw.

Each act checks its permission by name, validates, changes the rows with a conditional UPDATE
where two tabs or two facilitators could collide, writes a version and the audit entry, queues
the followers' notifications, and flushes: the request (or command) commits its unit of work.

    fields      validation of the template's fields, milestones and reasons (no writes)
    versions    the snapshot a version keeps, and the version row
    drafting    create_draft, update_draft
    publishing  publish_commitment, withdraw_commitment, and what publication still lacks
"""
from app.commitments.services.common import commitment_path
from app.commitments.services.drafting import NUMBER_ATTEMPTS, create_draft, update_draft
from app.commitments.services.fields import (
    JUSTIFICATION_MIN,
    LINE_MAX,
    MAX_MILESTONES,
    MILESTONE_RESPONSIBLE_MAX,
    MILESTONE_TEXT_MAX,
    REASON_MAX,
    REASON_MIN,
    TEXT_MAX,
    TITLE_MIN,
    WITHDRAW_REASON_MIN,
)
from app.commitments.services.publishing import (
    REQUIRED_TO_PUBLISH,
    missing_for_publication,
    missing_labels,
    publish_commitment,
    withdraw_commitment,
)
from app.commitments.services.versions import build_snapshot, snapshot_of

__all__ = [
    "JUSTIFICATION_MIN", "LINE_MAX", "MAX_MILESTONES", "MILESTONE_RESPONSIBLE_MAX",
    "MILESTONE_TEXT_MAX", "NUMBER_ATTEMPTS", "REASON_MAX", "REASON_MIN", "REQUIRED_TO_PUBLISH",
    "TEXT_MAX", "TITLE_MIN", "WITHDRAW_REASON_MIN", "build_snapshot", "commitment_path",
    "create_draft", "missing_for_publication", "missing_labels", "publish_commitment",
    "snapshot_of", "update_draft", "withdraw_commitment",
]
