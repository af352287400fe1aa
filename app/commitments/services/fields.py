"""Validation of a commitment's template fields, its milestones and the reason of a change.

Pure checks (no writes): each raises ValidationError naming the field, milestone rows as
`milestones-<index>-<name>`.
"""
from datetime import date

from flask_babel import gettext as _

from app.commitments.dates import parse_date
from app.commitments.models import TEMPLATE_FIELDS, Commitment
from app.core.errors import ValidationError
from app.core.text import clean_line, clean_text
from app.extensions import db
from app.maps.location import validated_location, validated_place
from app.plans.models import Theme

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


def _date(value, field: str) -> date | None:
    try:
        return parse_date(value)
    except (TypeError, ValueError):
        raise ValidationError(_("Enter the date as YYYY-MM-DD."), field=field) from None


def as_id(value) -> int | None:
    try:
        return int(value) if value not in (None, "") else None
    except (TypeError, ValueError):
        return None


def validated_fields(data: dict, plan_id: int, current: Commitment | None = None) -> dict:
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
        theme_id = as_id(data.get("theme_id"))
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
    # The optional point on the map and its place's name (kept when `data` does not name them).
    values.update(validated_location(data, current))
    values["place"] = validated_place(data, current)
    return values


def validated_milestones(milestones: list[dict], starts_on: date, ends_on: date) -> list[dict]:
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
            "id": as_id(m.get("id")),
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


def validated_reason(reason, minimum: int = REASON_MIN, field: str = "reason") -> str:
    text = clean_text(reason)
    if len(text) < minimum:
        raise ValidationError(
            _("Say why, in at least %(min)d characters.", min=minimum), field=field
        )
    if len(text) > REASON_MAX:
        raise ValidationError(_("Use at most %(max)d characters.", max=REASON_MAX), field=field)
    return text
