"""Acts on proposals, one module per responsibility: proposing and editing (proposing.py),
supports (supports.py), answers and changes of state (answers.py), merging (merging.py).

Each act checks its permission by name, changes the state with a conditional UPDATE (so that two
tabs or two facilitators cannot both act on the same state), writes the audit entry and the
notifications in the same unit of work, and flushes: the request or command commits."""
from app.proposals import permissions as _permissions  # noqa: F401  (registers the rules)
from app.proposals.services.answers import answer_proposal, change_state
from app.proposals.services.attachments import (
    ACCEPT,
    Draft,
    max_attachments,
    pending_of,
    remove_attachment,
    stash_attachments,
)
from app.proposals.services.common import (
    ANSWER_MAX,
    ANSWER_MIN,
    BODY_MAX,
    PLACE_MAX,
    REASON_MAX,
    REASON_MIN,
    TITLE_MAX,
    TITLE_MIN,
    proposal_path,
    supporters_of,
)
from app.proposals.services.merging import merge_proposal
from app.proposals.services.proposing import (
    check_edit,
    check_proposal,
    create_proposal,
    edit_proposal,
    municipality_for,
    search_text_for,
    withdraw_proposal,
)
from app.proposals.services.supports import support_proposal, withdraw_support

__all__ = [
    "ANSWER_MAX", "ANSWER_MIN", "BODY_MAX", "PLACE_MAX", "REASON_MAX", "REASON_MIN", "TITLE_MAX",
    "TITLE_MIN", "Draft", "answer_proposal", "check_edit", "check_proposal", "max_attachments", "ACCEPT", "pending_of",
    "remove_attachment", "stash_attachments", "change_state", "create_proposal", "edit_proposal",
    "merge_proposal", "municipality_for", "proposal_path", "search_text_for", "support_proposal",
    "supporters_of", "withdraw_proposal", "withdraw_support",
]
