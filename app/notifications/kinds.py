"""The kinds of notification, their labels for the preferences page, and their text.

The params each kind expects are listed in KIND_PARAMS and in app/notifications/services.py. A
notification stores plain values; some are codes (a proposal's state, a commitment's status) that
the reader sees in words of their language: the area that owns the code says how to word it,
from its hooks.py (notifications import no area above them):

    word_values("state", lambda value: ...)   # the words for a stored value, or None if unknown
"""
from collections.abc import Callable

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
    "progress_oversight": _l("The progress reports of a commitment I report on, facilitate or check: "
                             "waiting, published, returned, confirmed, disputed or answered"),
}

# Reminders (app/reminders): mail only, on or off per kind ("immediate" or "none" in the same
# preferences table). Each reminder mail carries a link that turns its kind off.
REMINDER_LABELS = {
    "reminder_call": _l("Reminders of calls for organisations: when one opens and three days before it closes"),
    "reminder_voting": _l("Reminders to vote: when voting opens and a day before it closes, until my organisation votes"),
    "reminder_consultation": _l("Reminder three days before a public consultation I follow or commented on closes"),
    "reminder_table": _l("Reminder the day before a dialogue table I registered for"),
    "reminder_milestone": _l("Reminder when a milestone of a commitment I follow or facilitate is overdue"),
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
    "progress_oversight": ("title", "event"),
}


def _one_line(value) -> str:
    # Names and titles go into mail subjects: no line breaks, no runs of spaces.
    return " ".join(str(value).split())


# Thread-safe: filled only while modules are imported (before the first request); read-only after.
_VALUE_WORDS: dict[str, list[Callable[[str], str | None]]] = {}


def word_values(param: str, words: Callable[[str], str | None]) -> None:
    """Register how `param`'s stored values read (several areas may word the same param)."""
    registered = _VALUE_WORDS.setdefault(param, [])
    if words not in registered:
        registered.append(words)


def _worded(param: str, value: str) -> str:
    for words in _VALUE_WORDS.get(param, ()):
        text = words(value)
        if text is not None:
            return str(text)
    return value


def message(kind: str, params: dict) -> str:
    """One sentence in the current language; unknown kinds still say something useful."""
    p = {k: _worded(k, _one_line(v)) for k, v in (params or {}).items()}
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
        "progress_oversight": lambda: _("Progress reports of «%(title)s»: %(event)s.", **p),
    }
    try:
        return texts[kind]()
    except (KeyError, TypeError, ValueError):
        return _("You have a new notification.")
