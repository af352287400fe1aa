"""Acts of implementation: report progress on a milestone, set a commitment's status (the acts of
the officials, facilitators and representatives around a report: app/progress/oversight.py).

Each act checks its permission by name, validates, changes, writes the public audit entry and
the followers' notifications in the same unit of work, and flushes (the request commits). Evidence
files are written only after everything is validated, and deleted again if the unit of work is
rolled back, so the database and the uploads directory never disagree.
"""
from datetime import date
from urllib.parse import urlsplit

import sqlalchemy as sa
from flask_babel import gettext as _

from app.commitments.models import Commitment, ImplementationStatus, Milestone, MilestoneStatus
from app.commitments.services import commitment_path
from app.core import clock, storage
from app.core.audit import record
from app.core.db import utcnow
from app.core.errors import ValidationError
from app.core.permissions import can, require
from app.core.text import clean_text
from app.extensions import db
from app.ledger import services as ledger
from app.notifications.services import notify
from app.progress import permissions as _permissions  # noqa: F401  (registers the rules)
from app.progress import queries, records
from app.progress.models import Evidence, ProgressNote, ReportState

NOTE_MAX = 10_000
STATUS_NOTE_MAX = 5_000
MAX_LINKS = 5
URL_MAX = 1000


# ---------------------------------------------------------------- validation helpers (pure)

def link_lines(text: str | None) -> list[str]:
    """The non-empty lines of the links box."""
    return [line.strip() for line in (text or "").splitlines() if line.strip()]


def check_links(links) -> tuple[list[str], list[str]]:
    """(valid http/https addresses without repeats, one message per refused one)."""
    urls, errors = [], []
    links = [str(link).strip() for link in (links or []) if link and str(link).strip()]
    if len(links) > MAX_LINKS:
        return [], [_("You can add at most %(max)d links to a note; you gave %(count)d.",
                      max=MAX_LINKS, count=len(links))]
    for link in links:
        try:
            parts = urlsplit(link)
            valid = (
                parts.scheme.lower() in ("http", "https")
                and bool(parts.hostname)
                and len(link) <= URL_MAX
                and not any(c.isspace() or ord(c) < 32 or ord(c) == 127 for c in link)
            )
        except ValueError:
            valid = False
        if not valid:
            errors.append(_("«%(link)s» is not a web address: it must start with http:// or https://.",
                            link=link[:200]))
        elif link not in urls:
            urls.append(link)
    return urls, errors


def check_noted_on(noted_on) -> str | None:
    if not isinstance(noted_on, date):
        return _("Give the date of the progress.")
    if noted_on > clock.today():
        return _("The date cannot be in the future.")
    return None


def _milestone_status(value) -> MilestoneStatus | None:
    try:
        return MilestoneStatus(value)
    except ValueError:
        return None


def _raise_if(errors: dict[str, list[str]]) -> None:
    errors = {name: messages for name, messages in errors.items() if messages}
    if errors:
        name, messages = next(iter(errors.items()))
        raise ValidationError(messages[0], field=name, errors=errors)


# ---------------------------------------------------------------- progress notes

def checked_report(status, note: str, noted_on: date, links, files) -> tuple:
    """A report's fields checked together: (milestone status, text, link URLs, inspected files).
    Raises ValidationError whose `details["errors"]` maps each field (status, note, noted_on,
    links, files) to its messages, every refused file named."""
    errors: dict[str, list[str]] = {"status": [], "noted_on": [], "note": [], "links": [],
                                    "files": []}
    new_status = _milestone_status(status)
    if new_status is None:
        errors["status"].append(_("Choose the milestone's status."))
    text = clean_text(note).strip()
    if not text:
        errors["note"].append(_("Write what was done."))
    elif len(text) > NOTE_MAX:
        errors["note"].append(_("The note can have at most %(max)d characters.", max=NOTE_MAX))
    date_error = check_noted_on(noted_on)
    if date_error:
        errors["noted_on"].append(date_error)
    urls, errors["links"] = check_links(links)
    uploads, errors["files"] = storage.inspect_all(files)
    _raise_if(errors)
    return new_status, text, urls, uploads


def add_evidence(progress_note: ProgressNote, urls, uploads, written: list[str]) -> None:
    """The links and the files (stored now; each stored name added to `written`, for the caller
    to delete if the unit of work fails) as the report's evidence."""
    progress_note.evidence.extend(Evidence(url=url) for url in urls)
    for upload in uploads:
        stored_name = storage.write(upload)
        written.append(stored_name)
        progress_note.evidence.append(Evidence(
            original_name=upload.original_name, stored_name=stored_name,
            content_type=upload.content_type, size_bytes=upload.size, sha256=upload.sha256,
        ))


def report_progress(
    actor,
    milestone: Milestone,
    status,
    note: str,
    noted_on: date,
    links=(),
    files=(),
) -> ProgressNote:
    """A dated progress report on a milestone, with links and files as evidence.

    A facilitator's report is published at once: its status becomes the milestone's (and sets or
    clears `completed_on`) and the followers are told. A responsible official's report waits for
    a facilitator (app/progress/oversight.py publish_report), who is told. Raises ValidationError
    whose `details["errors"]` maps each field (status, note, noted_on, links, files) to its
    messages, every refused file named.
    """
    commitment = milestone.commitment
    publishes = can(actor, "progress.report", commitment)
    if not publishes:
        require(actor, "progress.draft", commitment)
    new_status, text, urls, uploads = checked_report(status, note, noted_on, links, files)

    progress_note = ProgressNote(
        milestone_id=milestone.id, author_id=actor.id, status=new_status, note=text,
        noted_on=noted_on, state=ReportState.published if publishes else ReportState.submitted,
    )
    db.session.add(progress_note)

    written: list[str] = []
    try:
        add_evidence(progress_note, urls, uploads, written)
        db.session.flush()
        if publishes:
            publish(actor, progress_note, links=len(urls), files=len(uploads))
        else:
            record(actor, "progress.submitted", progress_note, public=False,
                   committee_id=commitment.committee_id, commitment_id=commitment.id,
                   milestone_id=milestone.id, status=new_status.value,
                   noted_on=noted_on.isoformat(), links=len(urls), files=len(uploads))
            notify(queries.facilitators_of(commitment), "progress_oversight",
                   commitment_path(commitment), actor=actor, title=commitment.title,
                   event="submitted")
            db.session.flush()
    except BaseException:
        storage.delete(written)  # the unit of work is rolled back by whoever called this act
        raise
    storage.delete_if_rolled_back(written)
    return progress_note


def publish(actor, progress_note: ProgressNote, **facts) -> None:
    """Make a report public: its status becomes the milestone's, the public record says so and
    the followers are told. The caller checked the permission and the report's state."""
    milestone = progress_note.milestone
    commitment = milestone.commitment
    previous = milestone.status
    progress_note.state = ReportState.published
    progress_note.published_at = utcnow()
    if progress_note.status == MilestoneStatus.complete:
        if previous != MilestoneStatus.complete or milestone.completed_on is None:
            milestone.completed_on = progress_note.noted_on
    else:
        milestone.completed_on = None
    milestone.status = progress_note.status
    db.session.flush()
    record(
        actor, "progress.report", progress_note, public=True,
        committee_id=commitment.committee_id, commitment_id=commitment.id,
        milestone_id=milestone.id, status=progress_note.status.value, previous_status=previous.value,
        noted_on=progress_note.noted_on.isoformat(), **facts,
    )
    ledger.append(commitment.plan_id, "progress_report", f"progress_note:{progress_note.id}",
                  records.report_content(progress_note))
    notify(queries.followers_of(commitment), "commitment_progress", commitment_path(commitment),
           actor=actor, title=commitment.title)
    db.session.flush()


# ---------------------------------------------------------------- implementation status

def set_implementation_status(actor, commitment: Commitment, status, note: str) -> bool:
    """Move the commitment on the OGP scale with a public reason; False if it already had it.

    A single conditional UPDATE, so a double click or two facilitators at once record one change.
    """
    require(actor, "progress.set_status", commitment)
    errors: dict[str, list[str]] = {"status": [], "note": []}
    try:
        new_status = ImplementationStatus(status)
    except ValueError:
        new_status = None
        errors["status"].append(_("Choose a status of the scale."))
    text = clean_text(note).strip()
    if not text:
        errors["note"].append(_("Explain the change of status."))
    elif len(text) > STATUS_NOTE_MAX:
        errors["note"].append(_("The explanation can have at most %(max)d characters.",
                                max=STATUS_NOTE_MAX))
    _raise_if(errors)

    previous = db.session.scalar(
        sa.select(Commitment.implementation_status).where(Commitment.id == commitment.id)
    )
    changed = db.session.execute(
        sa.update(Commitment)
        .where(Commitment.id == commitment.id, Commitment.implementation_status != new_status)
        .values(implementation_status=new_status)
        .execution_options(synchronize_session=False)
    ).rowcount
    if not changed:
        return False
    record(
        actor, queries.STATUS_ACTION, commitment, reason=text, public=True,
        committee_id=commitment.committee_id, status=new_status.value,
        previous_status=previous.value if previous else None,
    )
    notify(queries.followers_of(commitment), "commitment_status", commitment_path(commitment),
           actor=actor, title=commitment.title, status=new_status.value)
    db.session.flush()
    db.session.refresh(commitment)
    return True
