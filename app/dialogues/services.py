"""Every change to dialogue tables: scheduling, registration, agenda, attendance and minutes.

Seats are counted by one conditional UPDATE on dialogue_tables.confirmed_count in the same
transaction as the registration row, and every act that moves seats first locks the table's row
(a no-op on SQLite, where writers are serialised anyway), so capacity holds under concurrency.
"""
import re
from datetime import UTC, datetime
from urllib.parse import urlsplit
from zoneinfo import ZoneInfo

import sqlalchemy as sa
from flask import current_app
from flask_babel import force_locale, format_date, format_time
from flask_babel import gettext as _
from sqlalchemy.exc import IntegrityError

from app.core.audit import record
from app.core.db import utcnow
from app.core.errors import InvalidTransition, ValidationError
from app.core.permissions import require
from app.dialogues import permissions as _permissions  # noqa: F401  (registers the rules)
from app.dialogues import queries
from app.dialogues.models import (
    MAX_CAPACITY,
    AgendaItem,
    DialogueTable,
    MinutesVersion,
    RegistrationStatus,
    TableRegistration,
    TableState,
)
from app.extensions import db
from app.notifications.services import notify
from app.plans.models import Committee, Theme

TABLE_FIELDS = (
    "title", "objective", "theme_id", "starts_at", "ends_at", "place", "online_url", "capacity",
    "registration_deadline",
)


# ---------------------------------------------------------------- helpers


def local_zone() -> ZoneInfo:
    return ZoneInfo(current_app.config["BABEL_DEFAULT_TIMEZONE"])


def local_to_utc(value: datetime | None) -> datetime | None:
    """A naive date-time is local (America/Monterrey), as the forms give it; stored in UTC."""
    if value is None:
        return None
    if value.tzinfo is None:
        value = value.replace(tzinfo=local_zone())
    return value.astimezone(UTC)


def utc_to_local(value: datetime | None) -> datetime | None:
    """The naive local date-time a form field shows for a stored UTC time."""
    if value is None:
        return None
    return value.astimezone(local_zone()).replace(tzinfo=None)


def local_when(value: datetime | None, date_format: str = "long") -> str:
    """Local date and time to the minute, e.g. "10 de mayo de 2030, 6:00 p.m."."""
    if value is None:
        return ""
    return f"{format_date(value, date_format)}, {format_time(value, 'short')}"


def table_path(table: DialogueTable) -> str:
    """The table page's path, also outside a request (notifications from the CLI or the demo)."""
    return current_app.url_map.bind("localhost").build("dialogues.show", {"table_id": table.id})


def _rowcount(stmt) -> int:
    return db.session.execute(stmt, execution_options={"synchronize_session": False}).rowcount


def _lock_table(table: DialogueTable) -> DialogueTable:
    """Lock the table's row for this transaction (PostgreSQL) and reload it."""
    locked = db.session.scalar(
        sa.select(DialogueTable)
        .where(DialogueTable.id == table.id)
        .with_for_update()
        .execution_options(populate_existing=True)
    )
    return locked


_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")


def clean_text(value) -> str:
    """Text without control characters (PostgreSQL refuses NUL), line ends normalised, stripped."""
    if not isinstance(value, str):
        return ""
    return _CONTROL.sub("", value.replace("\r\n", "\n").replace("\r", "\n")).strip()


def _text(data: dict, name: str) -> str:
    return clean_text(data.get(name))


def _require_scheduled(table: DialogueTable) -> None:
    if table.state == TableState.cancelled:
        raise InvalidTransition(_("This dialogue table was cancelled."))
    if table.state == TableState.minutes_published:
        raise InvalidTransition(_("This dialogue table already took place and its minutes are published."))


def _notify_registered(table: DialogueTable, kind: str, actor, **params) -> None:
    users = queries.registered_users(table.id)
    notify(users, kind, table_path(table), actor=actor, title=table.title, **params)


# ---------------------------------------------------------------- scheduling


def _clean_table_data(data: dict, committee: Committee, *, creating: bool) -> dict:
    """The table's fields checked and normalised; raises ValidationError naming the field."""
    title = " ".join(_text(data, "title").split())
    if not title:
        raise ValidationError(_("Give the table a title."), field="title")
    if len(title) > 200:
        raise ValidationError(_("The title has at most 200 characters."), field="title")
    objective = _text(data, "objective")
    if not objective:
        raise ValidationError(_("Describe the objective of the table."), field="objective")

    theme_id = data.get("theme_id") or None
    if theme_id is not None:
        try:
            theme = db.session.get(Theme, int(theme_id))
        except (TypeError, ValueError):
            theme = None
        if theme is None or theme.plan_id != committee.plan_id:
            raise ValidationError(_("Choose a theme of this plan."), field="theme_id")
        theme_id = theme.id

    starts_at = local_to_utc(data.get("starts_at"))
    if starts_at is None:
        raise ValidationError(_("Give the date and time of the table."), field="starts_at")
    if creating and starts_at <= utcnow():
        raise ValidationError(_("The table must start in the future."), field="starts_at")
    ends_at = local_to_utc(data.get("ends_at"))
    if ends_at is not None and ends_at <= starts_at:
        raise ValidationError(_("The end must come after the start."), field="ends_at")

    place = " ".join(_text(data, "place").split()) or None
    if place and len(place) > 300:
        raise ValidationError(_("The place has at most 300 characters."), field="place")
    online_url = _text(data, "online_url") or None
    if online_url:
        parts = urlsplit(online_url)
        if parts.scheme not in ("http", "https") or not parts.netloc or len(online_url) > 500:
            raise ValidationError(
                _("The online link must be a web address starting with https:// or http://."),
                field="online_url",
            )
    if not place and not online_url:
        raise ValidationError(_("Give a place, an online link, or both."), field="place")

    try:
        capacity = int(data.get("capacity"))
    except (TypeError, ValueError):
        capacity = 0
    if not 1 <= capacity <= MAX_CAPACITY:
        raise ValidationError(
            _("The capacity is a number between 1 and %(max)d.", max=MAX_CAPACITY), field="capacity"
        )

    deadline = local_to_utc(data.get("registration_deadline"))
    if deadline is None:
        raise ValidationError(_("Give a registration deadline."), field="registration_deadline")
    if deadline > starts_at:
        raise ValidationError(
            _("Registration must close before the table starts."), field="registration_deadline"
        )
    return {
        "title": title,
        "objective": objective,
        "theme_id": theme_id,
        "starts_at": starts_at,
        "ends_at": ends_at,
        "place": place,
        "online_url": online_url,
        "capacity": capacity,
        "registration_deadline": deadline,
    }


def create_table(actor, committee: Committee, data: dict) -> DialogueTable:
    """Schedule a table for a committee. Date-times without a zone are local time."""
    require(actor, "dialogues.create", committee)
    clean = _clean_table_data(data, committee, creating=True)
    now = utcnow()
    table = DialogueTable(
        committee_id=committee.id,
        created_by_id=actor.id,
        state=TableState.scheduled,
        confirmed_count=0,
        revision=0,
        created_at=now,
        updated_at=now,
        **clean,
    )
    db.session.add(table)
    db.session.flush()
    record(actor, "dialogues.create", table, public=True, committee_id=committee.id,
           title=table.title, starts_at=table.starts_at.isoformat())
    db.session.commit()
    return table


def update_table(actor, table: DialogueTable, data: dict) -> list[str]:
    """Edit a scheduled table; registered people are told. Returns the names of changed fields."""
    require(actor, "dialogues.edit", table)
    table = _lock_table(table)
    _require_scheduled(table)
    clean = _clean_table_data(data, table.committee, creating=False)
    changed = [name for name in TABLE_FIELDS if getattr(table, name) != clean[name]]
    if not changed:
        return []

    promoted: list[TableRegistration] = []
    new_capacity = clean.pop("capacity")
    if "capacity" in changed:
        # Never below the seats already given: checked in the same statement that changes it.
        updated = _rowcount(
            sa.update(DialogueTable)
            .where(DialogueTable.id == table.id, DialogueTable.confirmed_count <= new_capacity)
            .values(capacity=new_capacity)
        )
        if not updated:
            db.session.rollback()
            raise ValidationError(
                _("%(count)d people already have a seat; the capacity cannot be smaller.",
                  count=table.confirmed_count),
                field="capacity",
            )
        db.session.expire(table, ["capacity", "confirmed_count"])
    for name, value in clean.items():
        setattr(table, name, value)
    table.revision = DialogueTable.revision + 1
    table.updated_at = utcnow()
    db.session.flush()
    if "capacity" in changed:
        promoted = _fill_free_seats(table)

    _notify_registered(table, "table_changed", actor)
    for registration in promoted:
        notify([registration.user], "table_seat", table_path(table), actor=actor, title=table.title)
    record(actor, "dialogues.edit", table, public=True, committee_id=table.committee_id,
           changed=changed)
    db.session.commit()
    return changed


def cancel_table(actor, table: DialogueTable, reason: str) -> DialogueTable:
    """Cancel a scheduled table with a public reason; registered people are told."""
    require(actor, "dialogues.cancel", table)
    reason = clean_text(reason)
    if not reason:
        raise ValidationError(_("Say why the table is cancelled."), field="reason")
    now = utcnow()
    updated = _rowcount(
        sa.update(DialogueTable)
        .where(DialogueTable.id == table.id, DialogueTable.state == TableState.scheduled)
        .values(
            state=TableState.cancelled,
            cancelled_at=now,
            cancellation_reason=reason,
            revision=DialogueTable.revision + 1,
            updated_at=now,
        )
    )
    if not updated:
        db.session.rollback()
        raise InvalidTransition(_("Only a scheduled table can be cancelled."))
    db.session.refresh(table)
    _notify_registered(table, "table_changed", actor, reason=reason)
    record(actor, "dialogues.cancel", table, reason=reason, public=True,
           committee_id=table.committee_id, title=table.title)
    db.session.commit()
    return table


# ---------------------------------------------------------------- registration


def _take_seat(table_id: int) -> bool:
    """One atomic statement: a seat if one is free. Exact under any number of parallel requests."""
    return bool(
        _rowcount(
            sa.update(DialogueTable)
            .where(
                DialogueTable.id == table_id,
                DialogueTable.confirmed_count < DialogueTable.capacity,
            )
            .values(confirmed_count=DialogueTable.confirmed_count + 1)
        )
    )


def _release_seat(table_id: int) -> None:
    _rowcount(
        sa.update(DialogueTable)
        .where(DialogueTable.id == table_id, DialogueTable.confirmed_count > 0)
        .values(confirmed_count=DialogueTable.confirmed_count - 1)
    )


def _fill_free_seats(table: DialogueTable) -> list[TableRegistration]:
    """Give free seats to the waiting list in its order; returns those promoted (flushed only)."""
    promoted: list[TableRegistration] = []
    skipped: set[int] = set()
    while True:
        candidate = queries.first_waiting(table.id, skip=skipped)
        if candidate is None:
            break
        if not _take_seat(table.id):
            break
        moved = _rowcount(
            sa.update(TableRegistration)
            .where(
                TableRegistration.id == candidate.id,
                TableRegistration.status == RegistrationStatus.waiting,
            )
            .values(status=RegistrationStatus.confirmed)
        )
        if not moved:  # left the list meanwhile: give the seat back and look again
            _release_seat(table.id)
            skipped.add(candidate.id)
            continue
        db.session.refresh(candidate)
        promoted.append(candidate)
    db.session.expire(table, ["confirmed_count"])
    return promoted


def _already_registered():
    return ValidationError(
        _("You are already registered for this table (or on its waiting list)."), field=None
    )


def register(actor, table: DialogueTable) -> TableRegistration:
    """Register the actor: a seat while there is one, else the waiting list."""
    require(actor, "dialogues.register", table)
    table = _lock_table(table)
    _require_scheduled(table)
    now = utcnow()
    if now >= table.registration_deadline:
        raise InvalidTransition(
            _("Registration for this table closed on %(deadline)s.",
              deadline=local_when(table.registration_deadline))
        )
    existing = queries.registration_of(table.id, actor.id)
    if existing is not None and existing.status != RegistrationStatus.cancelled:
        raise _already_registered()

    status = RegistrationStatus.confirmed if _take_seat(table.id) else RegistrationStatus.waiting
    try:
        if existing is not None:
            # Coming back after cancelling: the same row, at the end of the queue.
            reused = _rowcount(
                sa.update(TableRegistration)
                .where(
                    TableRegistration.id == existing.id,
                    TableRegistration.status == RegistrationStatus.cancelled,
                )
                .values(status=status, queued_at=now, cancelled_at=None, attended=None)
            )
            if not reused:
                db.session.rollback()
                raise _already_registered()
            registration = existing
        else:
            registration = TableRegistration(
                table_id=table.id, user_id=actor.id, status=status, created_at=now, queued_at=now
            )
            db.session.add(registration)
        db.session.commit()
    except IntegrityError:
        # A second tab or a double click got there first.
        db.session.rollback()
        raise _already_registered() from None
    db.session.refresh(registration)
    return registration


def cancel_registration(actor, table: DialogueTable) -> TableRegistration:
    """Give up a seat or a place on the waiting list; a freed seat goes to the first waiting."""
    if actor is None or not getattr(actor, "is_authenticated", False):
        require(None, "dialogues.register", table)
    table = _lock_table(table)
    _require_scheduled(table)
    if utcnow() >= table.starts_at:
        raise InvalidTransition(_("The table has already started."))
    registration = queries.registration_of(table.id, actor.id)
    if registration is None or registration.status == RegistrationStatus.cancelled:
        raise ValidationError(_("You are not registered for this table."))
    previous = registration.status
    now = utcnow()
    updated = _rowcount(
        sa.update(TableRegistration)
        .where(TableRegistration.id == registration.id, TableRegistration.status == previous)
        .values(status=RegistrationStatus.cancelled, cancelled_at=now)
    )
    if not updated:
        db.session.rollback()
        raise ValidationError(_("You are not registered for this table."))
    promoted: list[TableRegistration] = []
    if previous == RegistrationStatus.confirmed:
        _release_seat(table.id)
        promoted = _fill_free_seats(table)
    for moved in promoted:
        notify([moved.user], "table_seat", table_path(table), title=table.title)
    db.session.commit()
    db.session.refresh(registration)
    return registration


def release_registrations_of(user) -> int:
    """For account deletion: give up the user's seats and waiting places at tables still to come.

    Freed seats go to the first waiting, who are told. Flushes only: the deleting service commits.
    """
    registrations = list(db.session.scalars(
        sa.select(TableRegistration)
        .join(DialogueTable, DialogueTable.id == TableRegistration.table_id)
        .where(
            TableRegistration.user_id == user.id,
            TableRegistration.status.in_(queries.ACTIVE),
            DialogueTable.state == TableState.scheduled,
            DialogueTable.starts_at > utcnow(),
        )
        .order_by(TableRegistration.id)
    ))
    for registration in registrations:
        table = _lock_table(registration.table)
        previous = registration.status
        moved = _rowcount(
            sa.update(TableRegistration)
            .where(TableRegistration.id == registration.id, TableRegistration.status == previous)
            .values(status=RegistrationStatus.cancelled, cancelled_at=utcnow())
        )
        if moved and previous == RegistrationStatus.confirmed:
            _release_seat(table.id)
            for promoted in _fill_free_seats(table):
                notify([promoted.user], "table_seat", table_path(table), title=table.title)
    db.session.flush()
    return len(registrations)


# ---------------------------------------------------------------- agenda

_REFERENCE_SPLIT = re.compile(r"[\s,;]+")


def parse_references(text: str) -> list[str]:
    seen: list[str] = []
    for part in _REFERENCE_SPLIT.split((text or "").upper()):
        if part and part not in seen:
            seen.append(part)
    return seen


def agenda_answer(table: DialogueTable, note: str | None = None) -> str:
    """The public, reasoned answer given to a proposal put on a table's agenda."""
    with force_locale(current_app.config["BABEL_DEFAULT_LOCALE"]):
        answer = _(
            "It will be discussed at the dialogue table «%(title)s» on %(date)s.",
            title=table.title,
            date=local_when(table.starts_at),
        )
    if answer.endswith(".."):  # the Spanish time ends with "a.m." or "p.m."
        answer = answer[:-1]
    note = clean_text(note)
    return f"{answer}\n\n{note}" if note else answer


def add_to_agenda(actor, table: DialogueTable, references, note: str | None = None) -> list[AgendaItem]:
    """Put proposals of the table's committee on its agenda, moving each to in_dialogue."""
    from app.proposals.models import FACILITATOR_TRANSITIONS, Proposal, ProposalState
    from app.proposals.services import change_state

    require(actor, "dialogues.agenda", table)
    _require_scheduled(table)
    if isinstance(references, str):
        references = parse_references(references)
    references = [r.strip().upper() for r in references if r and r.strip()]
    if not references:
        raise ValidationError(_("Give the reference of at least one proposal."), field="references")

    proposals = {
        p.reference.upper(): p
        for p in db.session.scalars(
            sa.select(Proposal).where(sa.func.upper(Proposal.reference).in_(references))
        )
    }
    missing = [r for r in references if r not in proposals]
    if missing:
        raise ValidationError(
            _("No proposal has the reference %(refs)s.", refs=", ".join(missing)), field="references"
        )
    on_agenda = set(
        db.session.scalars(
            sa.select(AgendaItem.proposal_id).where(AgendaItem.table_id == table.id)
        )
    )
    for ref in references:
        proposal = proposals[ref]
        if proposal.committee_id != table.committee_id:
            raise ValidationError(
                _("%(ref)s belongs to another committee; only proposals of this table's committee "
                  "can be on its agenda.", ref=proposal.reference),
                field="references",
            )
        if proposal.is_hidden:
            raise ValidationError(
                _("%(ref)s is hidden by moderation.", ref=proposal.reference), field="references"
            )
        if proposal.id in on_agenda:
            raise ValidationError(
                _("%(ref)s is already on this table's agenda.", ref=proposal.reference),
                field="references",
            )
        if (proposal.state != ProposalState.in_dialogue
                and ProposalState.in_dialogue not in FACILITATOR_TRANSITIONS[proposal.state]):
            raise ValidationError(
                _("%(ref)s is “%(state)s” and cannot be put in dialogue.",
                  ref=proposal.reference, state=proposal.state_label),
                field="references",
            )

    answer = agenda_answer(table, note)
    position = db.session.scalar(
        sa.select(sa.func.coalesce(sa.func.max(AgendaItem.position), 0)).where(
            AgendaItem.table_id == table.id
        )
    )
    items = []
    for ref in references:
        proposal = proposals[ref]
        if proposal.state != ProposalState.in_dialogue:
            change_state(actor, proposal, ProposalState.in_dialogue, answer, commit=False)
        position += 1
        item = AgendaItem(table_id=table.id, proposal_id=proposal.id, position=position,
                          added_at=utcnow())
        db.session.add(item)
        items.append(item)
    try:
        db.session.flush()
    except IntegrityError:
        db.session.rollback()
        raise ValidationError(
            _("Someone else changed this agenda at the same time. Reload the page and try again."),
            field="references",
        ) from None
    record(actor, "dialogues.agenda", table, public=True, committee_id=table.committee_id,
           references=[proposals[r].reference for r in references])
    db.session.commit()
    return items


# ---------------------------------------------------------------- attendance and minutes


def _require_started(table: DialogueTable, message: str) -> None:
    if utcnow() < table.starts_at:
        raise InvalidTransition(message)


def record_attendance(actor, table: DialogueTable, attended_ids) -> int:
    """Mark who came (every other registered person: did not). Returns how many attended."""
    require(actor, "dialogues.attendance", table)
    _require_scheduled(table)
    _require_started(table, _("Attendance can be recorded once the table has started."))
    attended_ids = {int(i) for i in attended_ids}
    registrations = queries.active_registrations(table.id)
    for registration in registrations:
        registration.attended = registration.id in attended_ids
    count = sum(1 for r in registrations if r.attended)
    record(actor, "dialogues.attendance", table, public=True, committee_id=table.committee_id,
           attended=count, registered=len(registrations))
    db.session.commit()
    return count


def _clean_minutes(table: DialogueTable, data: dict) -> tuple[str, str, dict[str, str]]:
    summary = _text(data, "summary")
    if not summary:
        raise ValidationError(_("Write the summary of the table."), field="summary")
    agreements = _text(data, "agreements")
    if not agreements:
        raise ValidationError(_("Write the agreements of the table."), field="agreements")
    given = {str(k): clean_text(v) for k, v in (data.get("outcomes") or {}).items()}
    outcomes = {}
    for item in queries.agenda(table.id):
        key = str(item.proposal_id)
        if not given.get(key):
            raise ValidationError(
                _("Write the outcome for %(ref)s.", ref=item.proposal.reference),
                field=f"outcome_{item.proposal_id}",
            )
        outcomes[key] = given[key]
    return summary, agreements, outcomes


def _attendance_count(table_id: int) -> int:
    return db.session.scalar(
        sa.select(sa.func.count(TableRegistration.id)).where(
            TableRegistration.table_id == table_id, TableRegistration.attended.is_(True)
        )
    )


def publish_minutes(actor, table: DialogueTable, data: dict) -> MinutesVersion:
    """Publish the minutes (summary, agreements, an outcome per agenda proposal); then locked."""
    require(actor, "dialogues.minutes", table)
    _require_scheduled(table)
    _require_started(table, _("The minutes can be published once the table has started."))
    summary, agreements, outcomes = _clean_minutes(table, data)
    now = utcnow()
    updated = _rowcount(
        sa.update(DialogueTable)
        .where(DialogueTable.id == table.id, DialogueTable.state == TableState.scheduled)
        .values(state=TableState.minutes_published, updated_at=now)
    )
    if not updated:
        db.session.rollback()
        raise InvalidTransition(_("The minutes of this table are already published."))
    version = MinutesVersion(
        table_id=table.id, number=1, summary=summary, agreements=agreements, outcomes=outcomes,
        attendance_count=_attendance_count(table.id), author_id=actor.id, published_at=now,
    )
    db.session.add(version)
    try:
        db.session.flush()
    except IntegrityError:
        db.session.rollback()
        raise InvalidTransition(_("The minutes of this table are already published.")) from None
    db.session.refresh(table)
    _notify_registered(table, "table_minutes", actor)
    record(actor, "dialogues.minutes", table, public=True, committee_id=table.committee_id,
           version=1)
    db.session.commit()
    return version


def correct_minutes(actor, table: DialogueTable, data: dict) -> MinutesVersion:
    """Published minutes stay as they were: a correction is a new version with its reason."""
    require(actor, "dialogues.minutes", table)
    if table.state != TableState.minutes_published:
        raise InvalidTransition(_("There are no published minutes to correct."))
    reason = _text(data, "reason")
    if not reason:
        raise ValidationError(_("Say why the minutes are corrected."), field="reason")
    summary, agreements, outcomes = _clean_minutes(table, data)
    latest = queries.latest_minutes(table.id)
    number = (latest.number if latest else 0) + 1
    version = MinutesVersion(
        table_id=table.id, number=number, summary=summary, agreements=agreements,
        outcomes=outcomes, attendance_count=_attendance_count(table.id),
        correction_reason=reason, author_id=actor.id, published_at=utcnow(),
    )
    db.session.add(version)
    try:
        db.session.flush()
    except IntegrityError:
        db.session.rollback()
        raise ValidationError(
            _("Someone else corrected these minutes at the same time. Reload the page and check."),
            field="reason",
        ) from None
    _notify_registered(table, "table_minutes", actor, version=number)
    record(actor, "dialogues.minutes_correct", table, reason=reason, public=True,
           committee_id=table.committee_id, version=number)
    db.session.commit()
    return version
