"""Acts on commitments: draft from proposals, edit (every save a version), publish, withdraw.

Each act checks its permission by name, validates, changes the rows with a conditional UPDATE
where two tabs or two facilitators could collide, writes a version and the audit entry, queues
the followers' notifications, and flushes: the request (or command) commits its unit of work.
"""
import random
import re
import time
from datetime import date

import sqlalchemy as sa
from flask import current_app
from flask_babel import gettext as _

from app.accounts.models import User
from app.commitments import permissions as _permissions  # noqa: F401  (registers the rules)
from app.commitments import registry
from app.commitments.dates import parse_date
from app.commitments.models import (
    COMMITMENT_TRANSITIONS,
    FIELD_LABELS,
    MILESTONE_FIELDS,
    OGP_VALUES,
    TEMPLATE_FIELDS,
    Commitment,
    CommitmentProposal,
    CommitmentState,
    CommitmentTable,
    CommitmentVersion,
    Milestone,
)
from app.core import uow
from app.core.audit import record
from app.core.db import utcnow
from app.core.errors import InvalidTransition, ValidationError
from app.core.permissions import require
from app.dialogues.models import DialogueTable, TableState
from app.extensions import db
from app.notifications.services import notify
from app.plans.models import Committee, Theme
from app.proposals.models import OPEN_STATES, Proposal, ProposalState

# Lengths of the template's one-line fields (the columns' sizes); long texts share TEXT_MAX.
LINE_MAX = {"title": 300, "lead_institution": 300, "responsible_official": 200, "official_contact": 300}
TITLE_MIN = 5
TEXT_MAX = 20_000
MILESTONE_TEXT_MAX = 5_000
MILESTONE_RESPONSIBLE_MAX = 300
MAX_MILESTONES = 50
# Every save says why; a formal commitment's text changes only with a real justification.
REASON_MIN, REASON_MAX = 5, 2_000
JUSTIFICATION_MIN = 20
WITHDRAW_REASON_MIN = 20
# Parallel drafts of one committee may pick the same next number; the constraint decides.
NUMBER_ATTEMPTS = 20

# What the OGP template requires before a commitment becomes formal (plus one value claimed,
# the dates and a milestone, checked separately).
REQUIRED_TO_PUBLISH = (
    "title", "lead_institution", "responsible_official", "problem", "objective", "description",
    "how_it_helps",
)

_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")


# ---------------------------------------------------------------- helpers

def clean_text(value) -> str:
    """Text without control characters (PostgreSQL refuses NUL), line ends normalised."""
    if value is None:
        return ""
    return _CONTROL.sub("", str(value).replace("\r\n", "\n").replace("\r", "\n")).strip()


def clean_line(value) -> str:
    return " ".join(clean_text(value).split())


def commitment_path(commitment: Commitment) -> str:
    """The commitment's page, built without a request (services also run from the CLI)."""
    adapter = current_app.url_map.bind("localhost")
    return adapter.build("commitments.show", {"commitment_id": commitment.id})


def _date(value, field: str) -> date | None:
    try:
        return parse_date(value)
    except (TypeError, ValueError):
        raise ValidationError(_("Enter the date as YYYY-MM-DD."), field=field) from None


def _as_id(value) -> int | None:
    try:
        return int(value) if value not in (None, "") else None
    except (TypeError, ValueError):
        return None


def _validated_fields(data: dict, plan_id: int, current: Commitment | None = None) -> dict:
    """The commitment's own values from `data`; keys missing from `data` keep `current`'s."""

    def given(name):
        if name in data:
            return data[name]
        return getattr(current, name) if current is not None else None

    values = {}
    for name in TEMPLATE_FIELDS:
        text = clean_line(given(name)) if name in LINE_MAX else clean_text(given(name))
        limit = LINE_MAX.get(name, TEXT_MAX)
        if len(text) > limit:
            raise ValidationError(
                _("Use at most %(max)d characters.", max=limit), field=name
            )
        values[name] = text
    if len(values["title"]) < TITLE_MIN:
        raise ValidationError(
            _("The title needs at least %(min)d characters.", min=TITLE_MIN), field="title"
        )
    if "theme_id" in data or current is None:
        theme_id = _as_id(data.get("theme_id"))
        if theme_id is not None:
            theme = db.session.get(Theme, theme_id)
            if theme is None or theme.plan_id != plan_id:
                raise ValidationError(_("Choose one of the plan's themes."), field="theme_id")
        values["theme_id"] = theme_id
    else:
        values["theme_id"] = current.theme_id
    starts_on = _date(given("starts_on"), "starts_on")
    ends_on = _date(given("ends_on"), "ends_on")
    if starts_on is None:
        raise ValidationError(_("Enter the start date."), field="starts_on")
    if ends_on is None:
        raise ValidationError(_("Enter the end date."), field="ends_on")
    if ends_on < starts_on:
        raise ValidationError(_("The end date cannot be before the start date."), field="ends_on")
    values["starts_on"], values["ends_on"] = starts_on, ends_on
    return values


def _validated_milestones(milestones: list[dict], starts_on: date, ends_on: date) -> list[dict]:
    """Each milestone complete, its dates ordered and within the commitment's. Errors name the
    field as `milestones-<index>-<name>` (index in the given list)."""
    if not milestones:
        raise ValidationError(_("Add at least one milestone."), field="milestones")
    if len(milestones) > MAX_MILESTONES:
        raise ValidationError(
            _("A commitment can have at most %(max)d milestones.", max=MAX_MILESTONES),
            field="milestones",
        )
    cleaned = []
    for i, m in enumerate(milestones):
        prefix = f"milestones-{i}-"
        row = {
            "id": _as_id(m.get("id")),
            "description": clean_text(m.get("description")),
            "responsible": clean_line(m.get("responsible")),
            "deliverable": clean_text(m.get("deliverable")),
        }
        for name in ("description", "responsible", "deliverable"):
            if not row[name]:
                raise ValidationError(_("This field is required."), field=prefix + name)
        if len(row["responsible"]) > MILESTONE_RESPONSIBLE_MAX:
            raise ValidationError(
                _("Use at most %(max)d characters.", max=MILESTONE_RESPONSIBLE_MAX),
                field=prefix + "responsible",
            )
        for name in ("description", "deliverable"):
            if len(row[name]) > MILESTONE_TEXT_MAX:
                raise ValidationError(
                    _("Use at most %(max)d characters.", max=MILESTONE_TEXT_MAX), field=prefix + name
                )
        row["starts_on"] = _date(m.get("starts_on"), prefix + "starts_on")
        row["ends_on"] = _date(m.get("ends_on"), prefix + "ends_on")
        if row["starts_on"] is None:
            raise ValidationError(_("Enter the start date."), field=prefix + "starts_on")
        if row["ends_on"] is None:
            raise ValidationError(_("Enter the end date."), field=prefix + "ends_on")
        if row["ends_on"] < row["starts_on"]:
            raise ValidationError(
                _("The end date cannot be before the start date."), field=prefix + "ends_on"
            )
        if row["starts_on"] < starts_on:
            raise ValidationError(
                _("A milestone cannot start before the commitment (%(date)s).",
                  date=starts_on.isoformat()),
                field=prefix + "starts_on",
            )
        if row["ends_on"] > ends_on:
            raise ValidationError(
                _("A milestone must end by the commitment's end date (%(date)s).",
                  date=ends_on.isoformat()),
                field=prefix + "ends_on",
            )
        cleaned.append(row)
    ids = [row["id"] for row in cleaned if row["id"]]
    if len(ids) != len(set(ids)):
        raise ValidationError(_("A milestone appears twice."), field="milestones")
    return cleaned


def _validated_reason(reason, minimum: int = REASON_MIN, field: str = "reason") -> str:
    text = clean_text(reason)
    if len(text) < minimum:
        raise ValidationError(
            _("Say why, in at least %(min)d characters.", min=minimum), field=field
        )
    if len(text) > REASON_MAX:
        raise ValidationError(_("Use at most %(max)d characters.", max=REASON_MAX), field=field)
    return text


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


def _same_text(a: dict, b: dict) -> bool:
    """Snapshots equal but for the ids of milestones not yet written."""
    def strip(snapshot):
        return {"fields": snapshot["fields"],
                "milestones": [{k: v for k, v in m.items() if k != "id"} for m in snapshot["milestones"]]}
    return strip(a) == strip(b)


def missing_for_publication(commitment: Commitment) -> list[str]:
    """Names of what the OGP template still lacks (FIELD_LABELS names, plus "values" and
    "milestones"); empty when the commitment can be published."""
    missing = [name for name in REQUIRED_TO_PUBLISH if not (getattr(commitment, name) or "").strip()]
    if not any((getattr(commitment, name) or "").strip() for name in OGP_VALUES):
        missing.append("values")
    for name in ("starts_on", "ends_on"):
        if getattr(commitment, name) is None:
            missing.append(name)
    if not commitment.milestones:
        missing.append("milestones")
    return missing


def missing_labels(names: list[str]) -> list[str]:
    extra = {
        "values": _("at least one Open Government value with its sentence"),
        "milestones": _("at least one milestone"),
    }
    return [extra[n] if n in extra else str(FIELD_LABELS[n]) for n in names]


def _add_version(actor, commitment_id: int, number: int, snapshot: dict, reason: str,
                 state: CommitmentState) -> CommitmentVersion:
    version = CommitmentVersion(
        commitment_id=commitment_id, number=number, snapshot=snapshot, reason=reason,
        state=state, author_id=actor.id, created_at=utcnow(),
    )
    db.session.add(version)
    return version


def _next_number(committee_id: int) -> int:
    current = db.session.scalar(
        sa.select(sa.func.max(Commitment.number)).where(Commitment.committee_id == committee_id)
    )
    return (current or 0) + 1


def _checked_sources(committee: Committee, proposals, tables) -> tuple[list[Proposal], list[DialogueTable]]:
    proposals = list(dict.fromkeys(p for p in proposals if p is not None))
    tables = list(dict.fromkeys(t for t in tables if t is not None))
    if not proposals:
        raise ValidationError(_("Choose at least one proposal of the committee."), field="proposals")
    for p in proposals:
        if p.committee_id != committee.id:
            raise ValidationError(
                _("%(reference)s belongs to another committee.", reference=p.reference),
                field="proposals",
            )
        if p.is_hidden:
            raise ValidationError(
                _("%(reference)s is hidden by moderation.", reference=p.reference), field="proposals"
            )
        if p.state not in OPEN_STATES and p.state != ProposalState.accepted:
            raise ValidationError(
                _("%(reference)s is “%(state)s”: only open or accepted proposals can become "
                  "part of a commitment.", reference=p.reference, state=p.state_label),
                field="proposals",
            )
    for t in tables:
        if t.committee_id != committee.id:
            raise ValidationError(_("Choose dialogue tables of the committee."), field="tables")
        if t.state == TableState.cancelled:
            raise ValidationError(
                _("A cancelled dialogue table cannot be a source."), field="tables"
            )
    return proposals, tables


def _accept_proposals(actor, proposals: list[Proposal], title: str) -> None:
    """Each source proposal becomes `accepted` with a reasoned answer, in the caller's
    transaction. `submitted` cannot go to `accepted` directly (FACILITATOR_TRANSITIONS): it
    goes through `under_review` with the same answer, so its timeline shows both steps.
    Proposals already accepted keep their state (their page lists the commitment)."""
    from app.proposals.services import change_state

    answer = _("Forms part of the commitment «%(title)s».", title=title)
    for proposal in proposals:
        if proposal.state == ProposalState.accepted:
            continue
        if proposal.state == ProposalState.submitted:
            change_state(actor, proposal, ProposalState.under_review, answer)
        change_state(actor, proposal, ProposalState.accepted, answer)


def _new_milestone(commitment_id: int, position: int, row: dict) -> Milestone:
    return Milestone(
        commitment_id=commitment_id, position=position,
        **{name: row[name] for name in MILESTONE_FIELDS},
    )


# ---------------------------------------------------------------- drafting

def create_draft(actor: User, committee: Committee, data: dict, proposals: list[Proposal],
                 tables: list[DialogueTable] = (), *, milestones: list[dict] | None = None
                 ) -> Commitment:
    """A draft commitment of `committee` from its proposals (and the tables that discussed
    them), with its milestones and version 1; the proposals become accepted."""
    require(actor, "commitments.draft", committee)
    values = _validated_fields(data, committee.plan_id)
    rows = _validated_milestones(list(milestones if milestones is not None
                                      else data.get("milestones") or []),
                                 values["starts_on"], values["ends_on"])
    if any(row["id"] for row in rows):
        raise ValidationError(_("A new commitment has only new milestones."), field="milestones")
    proposals, tables = _checked_sources(committee, proposals, tables)
    proposal_ids = [p.id for p in proposals]
    table_ids = [t.id for t in tables]
    committee_id, plan_id, actor_id = committee.id, committee.plan_id, actor.id

    for attempt in range(NUMBER_ATTEMPTS):
        now = utcnow()
        commitment = Commitment(
            plan_id=plan_id, committee_id=committee_id, number=_next_number(committee_id),
            state=CommitmentState.draft, version=1, created_by_id=actor_id,
            created_at=now, updated_at=now, **values,
        )
        try:
            with uow.savepoint():
                db.session.add(commitment)
                db.session.flush()
        except sa.exc.IntegrityError:
            # Another draft of this committee took the number first; count again.
            time.sleep(random.uniform(0, 0.02 * (attempt + 1)))
            continue
        break
    else:
        raise ValidationError(_("Several drafts arrived at the same moment. Please send yours again."))

    for position, row in enumerate(rows):
        db.session.add(_new_milestone(commitment.id, position, row))
    db.session.add_all(
        CommitmentProposal(commitment_id=commitment.id, proposal_id=pid) for pid in proposal_ids
    )
    db.session.add_all(
        CommitmentTable(commitment_id=commitment.id, table_id=tid) for tid in table_ids
    )
    db.session.flush()
    _accept_proposals(actor, [db.session.get(Proposal, pid) for pid in proposal_ids],
                      values["title"])
    db.session.expire(commitment, ["milestones"])
    _add_version(actor, commitment.id, 1, snapshot_of(commitment), _("Initial draft"),
                 CommitmentState.draft)
    record(actor, "commitment.drafted", commitment, public=True, committee_id=committee_id,
           number=commitment.number, title=values["title"],
           proposals=[p.reference for p in proposals], tables=table_ids)
    db.session.flush()
    return commitment


def update_draft(actor: User, commitment: Commitment, data: dict,
                 milestones: list[dict] | None, reason: str, *,
                 expected_version: int | None = None) -> CommitmentVersion:
    """Save a new text (fields and milestones) as a new version with who, when and why.

    `milestones` lists every milestone the commitment keeps, in order: dicts with "id" update
    that milestone, dicts without add one, and milestones left out are removed (refused when
    progress was reported on them). None keeps the milestones as they are. A formal commitment
    changes only with a justification of at least JUSTIFICATION_MIN characters.
    `expected_version` is the version the editor saw: a save over a newer one is refused.
    """
    require(actor, "commitments.edit", commitment)
    locked = commitment.is_locked
    reason = _validated_reason(reason, JUSTIFICATION_MIN if locked else REASON_MIN)
    values = _validated_fields(data, commitment.plan_id, current=commitment)
    existing = {m.id: m for m in commitment.milestones}
    if milestones is None:
        given = [{"id": m.id, **{n: getattr(m, n) for n in MILESTONE_FIELDS}}
                 for m in commitment.milestones]
    else:
        given = list(milestones)
    rows = _validated_milestones(given, values["starts_on"], values["ends_on"])
    for i, row in enumerate(rows):
        if row["id"] and row["id"] not in existing:
            raise ValidationError(_("That milestone is not part of this commitment."),
                                  field=f"milestones-{i}-description")
    kept = {row["id"] for row in rows if row["id"]}
    removed = [mid for mid in existing if mid not in kept]
    if removed and registry.milestones_with_progress(removed):
        raise ValidationError(
            _("A milestone with reported progress cannot be removed; change its text instead."),
            field="milestones",
        )
    before = snapshot_of(commitment)
    if _same_text(before, build_snapshot(values, rows)):
        raise ValidationError(_("Nothing changed: there is no new version to save."))

    seen_version = commitment.version if expected_version is None else expected_version
    state, commitment_id, now = commitment.state, commitment.id, utcnow()
    number = seen_version + 1
    # Conditional: a save, a publication or a withdrawal that happened meanwhile wins.
    result = db.session.execute(
        sa.update(Commitment)
        .where(Commitment.id == commitment_id, Commitment.version == seen_version,
               Commitment.state == state)
        .values(version=number, updated_at=now, **values)
        .execution_options(synchronize_session=False)
    )
    if result.rowcount != 1:
        raise ValidationError(
            _("Someone saved this commitment while you were editing it. Open the edit page "
              "again to see the latest version, then make your change.")
        )
    for position, row in enumerate(rows):
        if row["id"]:
            milestone = existing[row["id"]]
            milestone.position = position
            for name in MILESTONE_FIELDS:
                setattr(milestone, name, row[name])
        else:
            db.session.add(_new_milestone(commitment_id, position, row))
    for mid in removed:
        db.session.delete(existing[mid])
    db.session.flush()
    db.session.expire(commitment)
    version = _add_version(actor, commitment_id, number, snapshot_of(commitment), reason, state)
    record(actor, "commitment.edited", commitment, reason=reason, public=True,
           committee_id=commitment.committee_id, version=number, locked=locked)
    if commitment.is_public:
        notify(registry.followers_of(commitment), "commitment_version", commitment_path(commitment),
               actor=actor, title=commitment.title)
    db.session.flush()
    return version


# ---------------------------------------------------------------- publishing and withdrawal

def publish_commitment(actor: User, commitment: Commitment, reason: str) -> CommitmentVersion:
    """A draft (or a draft after consultation) becomes a formal commitment: its text locks."""
    require(actor, "commitments.publish", commitment)
    state = commitment.state
    if CommitmentState.published not in COMMITMENT_TRANSITIONS.get(state, set()):
        raise InvalidTransition(_("This commitment cannot be published in its current state."))
    reason = _validated_reason(reason)
    missing = missing_for_publication(commitment)
    if missing:
        raise ValidationError(
            _("Before publishing, complete: %(fields)s.", fields="; ".join(missing_labels(missing))),
            missing=missing,
        )
    consultation = registry.running_consultation(commitment)
    if consultation is not None:
        raise InvalidTransition(
            _("A public consultation on this draft is open or scheduled until %(date)s. "
              "Close it (or wait for it to end) before publishing.",
              date=consultation.closes_at.date().isoformat())
        )
    seen_version, commitment_id, now = commitment.version, commitment.id, utcnow()
    number = seen_version + 1
    result = db.session.execute(
        sa.update(Commitment)
        .where(Commitment.id == commitment_id, Commitment.state == state,
               Commitment.version == seen_version)
        .values(state=CommitmentState.published, published_at=now, updated_at=now,
                version=number)
        .execution_options(synchronize_session=False)
    )
    if result.rowcount != 1:
        raise InvalidTransition(
            _("This commitment changed while you were looking at it. Reload the page and try again.")
        )
    db.session.expire(commitment)
    version = _add_version(actor, commitment_id, number, snapshot_of(commitment), reason,
                           CommitmentState.published)
    record(actor, "commitment.published", commitment, reason=reason, public=True,
           committee_id=commitment.committee_id, from_state=state.value, version=number)
    notify(registry.followers_of(commitment), "commitment_version", commitment_path(commitment),
           actor=actor, title=commitment.title)
    db.session.flush()
    return version


def withdraw_commitment(actor: User, commitment: Commitment, reason: str) -> None:
    """A formal commitment is withdrawn with a public reason; its page and history stay."""
    require(actor, "commitments.withdraw", commitment)
    reason = _validated_reason(reason, WITHDRAW_REASON_MIN)
    commitment_id = commitment.id
    result = db.session.execute(
        sa.update(Commitment)
        .where(Commitment.id == commitment_id, Commitment.state == CommitmentState.published)
        .values(state=CommitmentState.withdrawn, withdrawn_reason=reason, updated_at=utcnow())
        .execution_options(synchronize_session=False)
    )
    if result.rowcount != 1:
        raise InvalidTransition(
            _("This commitment changed while you were looking at it. Reload the page and try again.")
        )
    db.session.expire(commitment)
    record(actor, "commitment.withdrawn", commitment, reason=reason, public=True,
           committee_id=commitment.committee_id)
    notify(registry.followers_of(commitment), "commitment_status", commitment_path(commitment),
           actor=actor, title=commitment.title, status="withdrawn")
    db.session.flush()
