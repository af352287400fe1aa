"""The kinds of notification, their labels for the preferences page, and their text.

The params each kind expects are listed in KIND_PARAMS and in app/notifications/services.py.
"""
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l

KIND_LABELS = {
    "proposal_answered": _l("An answer or a change of state on a proposal of mine or one I support"),
    "proposal_merged": _l("A proposal I wrote or support was merged into another"),
    "comment_reply": _l("A reply to my comment"),
    "table_changed": _l("A change to a dialogue table I registered for"),
    "table_minutes": _l("Minutes published for a dialogue table I registered for"),
    "table_seat": _l("A seat freed for me at a dialogue table"),
    "commitment_progress": _l("Progress reported on a commitment I follow"),
    "commitment_status": _l("A change of status of a commitment I follow"),
    "commitment_version": _l("A new version of a commitment I follow"),
    "consultation_answer": _l("An answer to my comment in a public consultation"),
}

# What `notify(..., **params)` should be given for each kind (a missing one only makes the
# text fall back to a generic sentence; it never raises).
KIND_PARAMS = {
    "proposal_answered": ("reference", "title", "state"),
    "proposal_merged": ("reference", "title", "into_reference", "into_title"),
    "comment_reply": ("author", "title"),
    "table_changed": ("title",),
    "table_minutes": ("title",),
    "table_seat": ("title",),
    "commitment_progress": ("title",),
    "commitment_status": ("title", "status"),
    "commitment_version": ("title",),
    "consultation_answer": ("title", "outcome"),
}


def _one_line(value) -> str:
    # Names and titles go into mail subjects: no line breaks, no runs of spaces.
    return " ".join(str(value).split())


def _state_label(value: str) -> str:
    """A proposal state ("accepted") shown in the reader's language; other text as given."""
    from app.proposals.models import PROPOSAL_STATE_LABELS, ProposalState

    try:
        return str(PROPOSAL_STATE_LABELS[ProposalState(value)])
    except (KeyError, ValueError):
        return value


def _commitment_label(value: str) -> str:
    """An implementation status or consultation outcome in the reader's language."""
    from app.commitments.models import (
        CONSULTATION_OUTCOME_LABELS,
        IMPLEMENTATION_LABELS,
        ConsultationOutcome,
        ImplementationStatus,
    )

    if value == "withdrawn":
        from app.commitments.models import COMMITMENT_STATE_LABELS, CommitmentState

        return str(COMMITMENT_STATE_LABELS[CommitmentState.withdrawn])
    for labels, enum_cls in ((IMPLEMENTATION_LABELS, ImplementationStatus),
                             (CONSULTATION_OUTCOME_LABELS, ConsultationOutcome)):
        try:
            return str(labels[enum_cls(value)])
        except ValueError:
            continue
    return value


def message(kind: str, params: dict) -> str:
    """One sentence in the current language; unknown kinds still say something useful."""
    p = {k: _one_line(v) for k, v in (params or {}).items()}
    if "state" in p:
        p["state"] = _state_label(p["state"])
    if "status" in p:
        p["status"] = _commitment_label(p["status"])
    if "outcome" in p:
        p["outcome"] = _commitment_label(p["outcome"])
    texts = {
        "proposal_answered": lambda: _(
            "%(reference)s «%(title)s» has a new answer: %(state)s.", **p
        ),
        "proposal_merged": lambda: _(
            "%(reference)s «%(title)s» was merged into %(into_reference)s «%(into_title)s».", **p
        ),
        "comment_reply": lambda: _("%(author)s replied to your comment on «%(title)s».", **p),
        "table_changed": lambda: _("The dialogue table «%(title)s» has changed.", **p),
        "table_minutes": lambda: _("The minutes of the dialogue table «%(title)s» are published.", **p),
        "table_seat": lambda: _("A seat is now yours at the dialogue table «%(title)s».", **p),
        "commitment_progress": lambda: _("New progress reported on the commitment «%(title)s».", **p),
        "commitment_status": lambda: _("The commitment «%(title)s» changed its status: %(status)s.", **p),
        "commitment_version": lambda: _("The commitment «%(title)s» has a new version.", **p),
        "consultation_answer": lambda: _(
            "Your comment in the consultation on «%(title)s» was answered: %(outcome)s.", **p
        ),
    }
    try:
        return texts[kind]()
    except (KeyError, TypeError, ValueError):
        return _("You have a new notification.")
