"""Acts of the call: publish and edit it, apply to it, decide on the applications.

Each act checks its permission by name, validates, changes, writes its audit entry and queues
its mail in the same transaction, and commits once. The registration window is enforced here
(never only by the pages) and every message about it gives the times in Durango's time zone.
Uploaded documents are written only after everything is validated, and deleted again if the
transaction fails, so the database and the uploads directory never disagree.
"""
from dataclasses import dataclass, field
from datetime import UTC, datetime
from zoneinfo import ZoneInfo

import sqlalchemy as sa
from flask import current_app
from flask_babel import gettext as _
from sqlalchemy.dialects import postgresql, sqlite

from app.calls import permissions as _permissions  # noqa: F401  (registers the rules)
from app.calls import queries
from app.calls.models import (
    ApplicationDocument,
    ApplicationStatus,
    Call,
    CallApplication,
)
from app.core import storage
from app.core.audit import record
from app.core.db import utcnow
from app.core.errors import InvalidTransition, ValidationError
from app.core.i18n import local_datetime
from app.core.mail import queue_mail
from app.core.permissions import require
from app.extensions import db
from app.plans.models import ActionPlan, Committee
from app.proposals.services import clean_line, clean_text

TITLE_MAX = 300
TEXT_MAX = 50_000
DECLARATION_MAX = 500
DECLARATIONS_MAX = 20
REASON_MAX = 5_000
MAX_DOCUMENTS = 5
# PDF, images and office documents; plain text and CSV are not documents of an application.
DOCUMENT_EXTENSIONS = tuple(ext for ext in storage.TYPES if ext not in ("csv", "txt"))
DOCUMENT_ACCEPT = ",".join(
    ["." + ext for ext in DOCUMENT_EXTENSIONS]
    + sorted({storage.TYPES[ext].content_type for ext in DOCUMENT_EXTENSIONS})
)
CALL_FIELDS = ("title", "body", "requirements", "declarations", "committee_ids", "opens_at",
               "closes_at")


# ---------------------------------------------------------------- local time

def local_zone() -> ZoneInfo:
    return ZoneInfo(current_app.config.get("BABEL_DEFAULT_TIMEZONE") or "America/Monterrey")


def to_utc(value: datetime) -> datetime:
    """A date-time typed in a form (naive: Durango's local time) or an aware one, in UTC."""
    if value.tzinfo is None:
        value = value.replace(tzinfo=local_zone())
    return value.astimezone(UTC)


def to_local(value: datetime | None) -> datetime | None:
    """A stored UTC time as the naive local time a form shows."""
    if value is None:
        return None
    return value.astimezone(local_zone()).replace(tzinfo=None)


def local_time(value: datetime) -> str:
    return _("%(when)s (Durango time)", when=local_datetime(value))


# ---------------------------------------------------------------- validation (pure)

def declaration_lines(value) -> list[str]:
    """The declarations of a call: one per non-empty line (or a list), repeats dropped."""
    lines = value.splitlines() if isinstance(value, str) else list(value or [])
    found: list[str] = []
    for line in lines:
        text = clean_line(line)
        if text and text not in found:
            found.append(text)
    return found


def _ids(values) -> list[int]:
    """Integers from a form's strings; anything else is dropped (and so is not chosen)."""
    ids: list[int] = []
    for value in values or []:
        try:
            number = int(value)
        except (TypeError, ValueError):
            continue
        if number not in ids:
            ids.append(number)
    return ids


def _raise_if(errors: dict[str, list[str]]) -> None:
    errors = {name: messages for name, messages in errors.items() if messages}
    if errors:
        name, messages = next(iter(errors.items()))
        raise ValidationError(messages[0], field=name, errors=errors)


def _validated_call(plan: ActionPlan, data: dict, now: datetime) -> dict:
    """The call's fields, clean; raises ValidationError with every field's messages."""
    errors: dict[str, list[str]] = {name: [] for name in CALL_FIELDS}
    title = clean_line(data.get("title"))
    if not title:
        errors["title"].append(_("Give the call a title."))
    elif len(title) > TITLE_MAX:
        errors["title"].append(_("The title can have at most %(max)d characters.", max=TITLE_MAX))
    body = clean_text(data.get("body")).strip()
    if not body:
        errors["body"].append(_("Write the text of the call."))
    elif len(body) > TEXT_MAX:
        errors["body"].append(_("The text can have at most %(max)d characters.", max=TEXT_MAX))
    requirements = clean_text(data.get("requirements")).strip()
    if len(requirements) > TEXT_MAX:
        errors["requirements"].append(
            _("The requirements can have at most %(max)d characters.", max=TEXT_MAX))
    declarations = declaration_lines(data.get("declarations"))
    if not declarations:
        errors["declarations"].append(
            _("Write at least one declaration that organisations must make, one per line."))
    elif len(declarations) > DECLARATIONS_MAX:
        errors["declarations"].append(
            _("A call can ask for at most %(max)d declarations.", max=DECLARATIONS_MAX))
    elif any(len(line) > DECLARATION_MAX for line in declarations):
        errors["declarations"].append(
            _("Each declaration can have at most %(max)d characters.", max=DECLARATION_MAX))
    wanted = _ids(data.get("committee_ids"))
    by_id = {c.id: c for c in plan.committees}
    committees = [by_id[i] for i in wanted if i in by_id]
    if not wanted:
        errors["committee_ids"].append(_("Choose at least one committee."))
    elif len(committees) != len(wanted):
        errors["committee_ids"].append(_("Choose only committees of this plan."))
    opens_at, closes_at = data.get("opens_at"), data.get("closes_at")
    if not isinstance(opens_at, datetime):
        errors["opens_at"].append(_("Give the date and time registration opens."))
    if not isinstance(closes_at, datetime):
        errors["closes_at"].append(_("Give the date and time registration closes."))
    if isinstance(opens_at, datetime) and isinstance(closes_at, datetime):
        opens_at, closes_at = to_utc(opens_at), to_utc(closes_at)
        if closes_at <= opens_at:
            errors["closes_at"].append(_("Registration must close after it opens."))
        elif closes_at <= now:
            errors["closes_at"].append(_("The closing date has already passed."))
    _raise_if(errors)
    committees.sort(key=lambda c: (c.position, c.id))
    return {"title": title, "body": body, "requirements": requirements,
            "declarations": declarations, "committees": committees,
            "opens_at": opens_at, "closes_at": closes_at}


def _window_audit(fields: dict) -> dict:
    return {"opens_at": fields["opens_at"].isoformat(), "closes_at": fields["closes_at"].isoformat()}


# ---------------------------------------------------------------- publishing a call

def publish_call(actor, plan: ActionPlan, data: dict) -> Call:
    """Publish a call for the plan. `data`: title, body and requirements (Markdown),
    declarations (one per line, or a list), committee_ids (committees of the plan), opens_at and
    closes_at (naive = Durango's local time, or aware). Sending the same call twice (same
    title and window) returns the first one."""
    require(actor, "calls.manage", plan)
    now = utcnow()
    fields = _validated_call(plan, data, now)
    # A double click publishes once: the same title and window for the plan is the same call.
    twin = db.session.scalar(sa.select(Call).where(
        Call.plan_id == plan.id, Call.title == fields["title"],
        Call.opens_at == fields["opens_at"], Call.closes_at == fields["closes_at"],
    ).limit(1))
    if twin is not None:
        return twin
    call = Call(plan_id=plan.id, created_by_id=actor.id, published_at=now, created_at=now,
                **fields)
    db.session.add(call)
    db.session.flush()
    record(actor, "calls.publish", call, public=True, plan_id=plan.id, title=call.title,
           committees=[c.id for c in fields["committees"]], **_window_audit(fields))
    db.session.commit()
    return call


def call_data(call: Call) -> dict:
    """The call's current values, as `update_call` takes them (times in local time)."""
    return {
        "title": call.title, "body": call.body, "requirements": call.requirements,
        "declarations": list(call.declarations or []),
        "committee_ids": [c.id for c in call.committees],
        "opens_at": to_local(call.opens_at), "closes_at": to_local(call.closes_at),
    }


def _comparable(call: Call) -> dict:
    return {
        "title": call.title, "body": call.body, "requirements": call.requirements,
        "declarations": list(call.declarations or []),
        "committees": [c.id for c in call.committees],
        "opens_at": call.opens_at, "closes_at": call.closes_at,
    }


def update_call(actor, call: Call, data: dict) -> bool:
    """Change a call; False if nothing changed. Before registration opens everything can change
    (keys left out of `data` keep their value); once it is open only a later closing date is
    accepted; once it has closed nothing changes."""
    require(actor, "calls.manage", call)
    now = utcnow()
    state = queries.window_state(call, now)
    if state == queries.CLOSED:
        raise InvalidTransition(_("Registration closed on %(closes)s; the call can no longer "
                                  "change.", closes=local_time(call.closes_at)))
    if state == queries.OPEN:
        return _extend_call(actor, call, data, now)

    fields = _validated_call(call.plan, {**call_data(call), **data}, now)
    before = _comparable(call)
    after = {**fields, "committees": [c.id for c in fields["committees"]]}
    changed = [name for name in before if before[name] != after[name]]
    if not changed:
        return False
    for name, value in fields.items():
        setattr(call, name, value)
    record(actor, "calls.update", call, public=True, changed=changed, **_window_audit(fields))
    db.session.commit()
    return True


def _extend_call(actor, call: Call, data: dict, now: datetime) -> bool:
    current = call_data(call)
    others = [name for name in data if name != "closes_at" and name in current
              and _differs(name, current[name], data[name])]
    if others:
        raise ValidationError(
            _("Registration is open: only the closing date can be extended now."), field=others[0])
    closes_at = data.get("closes_at")
    if not isinstance(closes_at, datetime):
        raise ValidationError(_("Give the date and time registration closes."), field="closes_at")
    closes_at = to_utc(closes_at)
    if closes_at == call.closes_at:
        return False
    if closes_at < call.closes_at:
        raise ValidationError(
            _("Registration is open: the closing date can only move later than %(closes)s.",
              closes=local_time(call.closes_at)), field="closes_at")
    previous = call.closes_at
    # Conditional, so that two admins extending at once cannot shorten each other's extension.
    moved = db.session.execute(
        sa.update(Call)
        .where(Call.id == call.id, Call.closes_at < closes_at, Call.closes_at > now)
        .values(closes_at=closes_at)
        .execution_options(synchronize_session=False)
    ).rowcount
    if not moved:
        db.session.rollback()
        raise InvalidTransition(_("The call changed meanwhile; reload the page and try again."))
    record(actor, "calls.extend", call, public=True, previous_closes_at=previous.isoformat(),
           closes_at=closes_at.isoformat())
    db.session.commit()
    db.session.refresh(call)
    return True


def _differs(name: str, current, given) -> bool:
    if name == "declarations":
        return declaration_lines(current) != declaration_lines(given)
    if name == "committee_ids":
        return sorted(_ids(current)) != sorted(_ids(given))
    if name == "opens_at":
        return not isinstance(given, datetime) or to_utc(given) != to_utc(current)
    if name in ("body", "requirements"):
        return clean_text(current).strip() != clean_text(given).strip()
    return clean_line(current) != clean_line(given)


# ---------------------------------------------------------------- applying

@dataclass
class ApplyResult:
    """What an application did: the applications created, and the committees the organisation
    had already applied to (a double click or a second tab creates nothing twice)."""

    created: list[CallApplication] = field(default_factory=list)
    already: list[Committee] = field(default_factory=list)


def apply_refusal(actor) -> str | None:
    """Why the actor may not apply to calls, in words; None if it may."""
    if actor is None or not getattr(actor, "is_authenticated", False):
        return _("Log in with your organisation's account to apply.")
    if not actor.is_confirmed:
        return _("Confirm your email address before applying.")
    if actor.is_blocked():
        return _("Your account is blocked until %(until)s and cannot apply.",
                 until=local_time(actor.blocked_until))
    if not actor.is_organisation:
        return _("Only organisations apply to the call. Citizens can follow the registry and "
                 "take part in the dialogue tables.")
    if not actor.is_verified_organisation:
        return _("The guarantor body must verify your organisation before it can apply. "
                 "Check the state of the verification in your profile.")
    return None


def window_refusal(call: Call, now: datetime | None = None) -> str | None:
    """Why registration is not possible right now, with the window in local time."""
    state = queries.window_state(call, now)
    if state == queries.UPCOMING:
        return _("Registration has not opened yet: it opens on %(opens)s and closes on "
                 "%(closes)s.", opens=local_time(call.opens_at), closes=local_time(call.closes_at))
    if state == queries.CLOSED:
        return _("Registration closed on %(closes)s.", closes=local_time(call.closes_at))
    return None


def check_documents(files) -> tuple[list[storage.Upload], list[str]]:
    """The chosen files, read and checked; and one message for each refused file."""
    chosen = [f for f in (files or []) if f is not None and getattr(f, "filename", None)]
    if len(chosen) > MAX_DOCUMENTS:
        return [], [_("You can attach at most %(max)d documents; you chose %(count)d.",
                      max=MAX_DOCUMENTS, count=len(chosen))]
    uploads, errors = [], []
    limit = storage.max_bytes()
    for file in chosen:
        name = storage.clean_filename(file.filename)
        if storage.extension_of(name) not in DOCUMENT_EXTENSIONS:
            errors.append(_("«%(name)s»: this type of file is not accepted. Send PDF, images "
                            "(PNG, JPEG, WebP, GIF) or office documents (ODT, ODS, ODP, DOCX, "
                            "XLSX, PPTX, DOC, XLS).", name=name))
            continue
        try:
            uploads.append(storage.inspect(file, limit))
        except storage.Refused as refused:
            errors.append(refused.message)
    return uploads, errors


def _insert_application(values: dict):
    """INSERT that yields the new id, or nothing when the organisation already applied to that
    committee: the unique constraint answers, atomically, also under parallel requests."""
    dialect = db.session.get_bind().dialect.name
    insert = postgresql.insert if dialect == "postgresql" else sqlite.insert
    table = CallApplication.__table__
    return (
        insert(table).values(**values)
        .on_conflict_do_nothing(
            index_elements=[table.c.call_id, table.c.organisation_id, table.c.committee_id])
        .returning(table.c.id)
    )


def apply_to_call(actor, call: Call, committee_ids, accepted_declarations,
                  documents=()) -> ApplyResult:
    """Apply to one or more committees of the call. `accepted_declarations`: the positions
    (0, 1, ...) of the call's declarations the organisation accepts: all are required.
    `documents`: uploaded files (werkzeug FileStorage), attached to each application created.
    Raises PermissionDenied or InvalidTransition with a message, or ValidationError with
    `details["errors"]` for the fields committee_ids, declarations and documents."""
    require(actor, "calls.apply", call, apply_refusal(actor))
    now = utcnow()
    refusal = window_refusal(call, now)
    if refusal:
        raise InvalidTransition(refusal)

    errors: dict[str, list[str]] = {"committee_ids": [], "declarations": [], "documents": []}
    by_id = {c.id: c for c in call.committees}
    wanted = _ids(committee_ids)
    chosen = [by_id[i] for i in wanted if i in by_id]
    if not wanted:
        errors["committee_ids"].append(_("Choose at least one committee."))
    elif len(chosen) != len(wanted):
        errors["committee_ids"].append(_("Choose only committees of this call."))
    declarations = list(call.declarations or [])
    if set(_ids(accepted_declarations)) != set(range(len(declarations))):
        errors["declarations"].append(_("Accept every declaration the call asks for."))
    uploads, errors["documents"] = check_documents(documents)
    _raise_if(errors)

    result = ApplyResult()
    written: list[str] = []
    try:
        for committee in sorted(chosen, key=lambda c: (c.position, c.id)):
            new_id = db.session.execute(_insert_application({
                "call_id": call.id, "organisation_id": actor.id, "committee_id": committee.id,
                "status": ApplicationStatus.pending, "declarations": declarations,
                "created_at": now,
            })).scalar()
            if new_id is None:
                result.already.append(committee)
                continue
            application = db.session.get(CallApplication, new_id)
            result.created.append(application)
            for upload in uploads:
                stored_name = storage.write(upload)
                written.append(stored_name)
                db.session.add(ApplicationDocument(
                    application_id=new_id, original_name=upload.original_name,
                    stored_name=stored_name, content_type=upload.content_type,
                    size_bytes=upload.size, sha256=upload.sha256, created_at=now,
                ))
            record(actor, "calls.apply", application, committee_id=committee.id,
                   call_id=call.id, documents=len(uploads))
        db.session.commit()
    except BaseException:
        db.session.rollback()
        storage.delete(written)
        raise
    return result


# ---------------------------------------------------------------- deciding

def committee_locked(committee_id: int) -> bool:
    """True once voting has opened in the committee's election: from then on the electorate is
    frozen and the decisions on the committee's applications can no longer change.

    The elections area answers through `app.elections.queries.voting_has_opened(committee_id)`;
    until it exists, nothing is locked.
    """
    try:
        from app.elections import queries as election_queries
    except ModuleNotFoundError as exc:
        if exc.name != "app.elections.queries":
            raise
        return False
    check = getattr(election_queries, "voting_has_opened", None)
    return bool(check(committee_id)) if check else False


def application_locked(application: CallApplication) -> bool:
    """True when the decision on the application can no longer change (see committee_locked)."""
    return committee_locked(application.committee_id)


DECISIONS = {
    "approve": ApplicationStatus.approved, "approved": ApplicationStatus.approved,
    "reject": ApplicationStatus.rejected, "rejected": ApplicationStatus.rejected,
}


def application_path(application: CallApplication) -> str:
    """The organisation's page of its applications, built without a request."""
    adapter = current_app.url_map.bind("localhost")
    return adapter.build("calls.mine", {}) + f"#application-{application.id}"


def decide_application(actor, application: CallApplication, decision, reason=None) -> bool:
    """Approve or reject an application (a reason is required to reject); False if it already
    had that decision and reason. The organisation is told by mail, in its language."""
    require(actor, "calls.decide", application)
    status = DECISIONS.get(str(decision or "").strip().lower())
    if status is None:
        raise ValidationError(_("Choose approve or reject."), field="decision")
    text = clean_text(reason).strip() or None
    if status == ApplicationStatus.rejected and not text:
        raise ValidationError(_("Give the reason for the rejection; the organisation will read "
                                "it."), field="reason")
    if text and len(text) > REASON_MAX:
        raise ValidationError(_("The reason can have at most %(max)d characters.", max=REASON_MAX),
                              field="reason")
    if application_locked(application):
        raise InvalidTransition(_("Voting has opened in this committee's election: the decisions "
                                  "on its applications can no longer change."))
    if application.status == status and application.decision_reason == text:
        return False

    previous = application.status
    application.status = status
    application.decision_reason = text
    application.decided_at = utcnow()
    application.decided_by_id = actor.id
    record(actor, "calls.decide", application, reason=text, public=True,
           committee_id=application.committee_id, call_id=application.call_id,
           organisation_id=application.organisation_id, decision=status.value,
           previous=previous.value if previous else None)
    organisation = application.organisation
    if organisation.email and organisation.deleted_at is None:
        profile = organisation.organisation
        queue_mail(
            organisation.email, "application_decision", locale=organisation.locale,
            organisation_name=profile.legal_name if profile else organisation.name,
            contact=profile.contact_person if profile else organisation.name,
            call_title=application.call.title, committee_name=application.committee.name,
            approved=status == ApplicationStatus.approved, reason=text,
            url=current_app.config["BASE_URL"].rstrip("/") + application_path(application),
        )
    db.session.commit()
    return True
