"""Acts of the call, one module per responsibility: publishing and changing a call (calls.py),
applying with documents (applications.py), deciding on applications (decisions.py).

Each act checks its permission by name (the rule says why not), validates, changes, writes its
audit entry and queues its mail, and flushes; the request (or command) commits once
(app/core/uow.py). The registration window is enforced by the rules and the acts (never only by
the pages), and every message about it gives the times in the plan's time zone.
"""
from app.calls.services.applications import (
    DOCUMENT_ACCEPT,
    MAX_DOCUMENTS,
    ApplyResult,
    apply_to_call,
    check_documents,
)
from app.calls.services.calls import (
    DECLARATIONS_MAX,
    TEXT_MAX,
    TITLE_MAX,
    call_data,
    changeable_window,
    declaration_lines,
    preview_call,
    publish_call,
    update_call,
)
from app.calls.services.decisions import REASON_MAX, decide_application

__all__ = [
    "DECLARATIONS_MAX", "DOCUMENT_ACCEPT", "MAX_DOCUMENTS", "REASON_MAX", "TEXT_MAX", "TITLE_MAX",
    "ApplyResult", "apply_to_call", "call_data", "changeable_window", "check_documents",
    "decide_application", "declaration_lines", "preview_call", "publish_call", "update_call",
]
