"""A catalogue from a CSV file (municipality,locality,committee): all lines or none.

A line with an empty locality is a municipality; with a locality, that locality of the
municipality (added too when missing). The committee column names the committee (by its slug) that
covers the line's place; empty means none. Places already in the catalogue (accents and case
aside) are kept, their committee set as the file says: importing the same file again changes
nothing. Places the file does not name stay.
"""
import csv

import sqlalchemy as sa
from flask_babel import gettext as _
from flask_babel import ngettext

from app.core.audit import record
from app.core.errors import ValidationError
from app.core.permissions import require
from app.core.text import clean_line, fold
from app.core.uow import savepoint
from app.extensions import db
from app.places.models import NAME_MAX, Place, PlaceKind
from app.places.queries import CSV_HEADER
from app.plans.models import ActionPlan, Committee

MAX_BYTES = 2 * 1024 * 1024
MAX_ROWS = 20_000


def _refuse(messages: list[str]):
    summary = ngettext("The file has %(num)d problem; nothing was imported.",
                       "The file has %(num)d problems; nothing was imported.", len(messages))
    # The summary at the top of the form, each line's problem next to the field.
    raise ValidationError(summary, field="text", errors={None: [summary], "text": messages})


def _read_rows(text: str) -> list[tuple[int, list[str]]]:
    if len(text.encode("utf-8", "surrogatepass")) > MAX_BYTES:
        _refuse([_("The file is larger than %(size)d MB.", size=MAX_BYTES // (1024 * 1024))])
    lines = text.lstrip("\ufeff").splitlines()
    reader = csv.reader(lines)
    try:
        header = next(reader, None)
        rows = [(reader.line_num, row) for row in reader if any(cell.strip() for cell in row)]
    except csv.Error as exc:
        _refuse([_("Line %(line)d: %(problem)s", line=reader.line_num, problem=str(exc))])
    if header is None or [fold(c.strip()) for c in header] != list(CSV_HEADER):
        _refuse([_("Line 1 must be the header: %(header)s", header=",".join(CSV_HEADER))])
    if len(rows) > MAX_ROWS:
        _refuse([_("The file has more than %(max)d lines.", max=MAX_ROWS)])
    return rows


class _Catalogue:
    """The plan's places and committees, read once; lines are checked and applied against it."""

    def __init__(self, plan: ActionPlan):
        self.plan = plan
        places = list(db.session.scalars(sa.select(Place).where(Place.plan_id == plan.id)))
        self.municipalities = {fold(p.name): p for p in places if p.parent_id is None}
        self.localities = {(p.parent_id, fold(p.name)): p for p in places if p.parent_id is not None}
        self.committees = {c.slug: c for c in db.session.scalars(
            sa.select(Committee).where(Committee.plan_id == plan.id))}
        self.counts = {"added": 0, "updated": 0, "unchanged": 0}
        self.added: set[int] = set()  # id() of the places this import adds
        self.positions: dict[int | None, int] = {}
        for p in places:
            self.positions[p.parent_id] = max(self.positions.get(p.parent_id, 0), p.position)

    def checked(self, line: int, row: list[str]) -> tuple[str, str, Committee | None]:
        if len(row) != len(CSV_HEADER):
            raise ValueError(_("Line %(line)d: %(count)d columns; each line has 3.",
                               line=line, count=len(row)))
        municipality, locality, slug = (clean_line(cell) for cell in row)
        if not municipality:
            raise ValueError(_("Line %(line)d: the municipality is missing.", line=line))
        if max(len(municipality), len(locality)) > NAME_MAX:
            raise ValueError(_("Line %(line)d: a name has more than %(max)d characters.",
                               line=line, max=NAME_MAX))
        committee = self.committees.get(slug) if slug else None
        if slug and committee is None:
            raise ValueError(_("Line %(line)d: the plan has no committee %(slug)s.",
                               line=line, slug=slug))
        return municipality, locality, committee

    def _place(self, name: str, parent: Place | None) -> Place:
        key = (parent.id, fold(name)) if parent else fold(name)
        found = (self.localities if parent else self.municipalities).get(key)
        if found is None:
            parent_id = parent.id if parent else None
            self.positions[parent_id] = self.positions.get(parent_id, 0) + 1
            found = Place(plan_id=self.plan.id, name=name, parent_id=parent_id,
                          kind=PlaceKind.locality if parent else PlaceKind.municipality,
                          position=self.positions[parent_id])
            db.session.add(found)
            db.session.flush()  # its id, for its localities
            (self.localities if parent else self.municipalities)[key] = found
            self.counts["added"] += 1
            self.added.add(id(found))
        return found

    def apply(self, municipality: str, locality: str, committee: Committee | None) -> None:
        place = self._place(municipality, None)
        if locality:
            place = self._place(locality, place)
        committee_id = committee.id if committee else None
        if id(place) in self.added:
            place.committee_id = committee_id
        elif place.committee_id != committee_id:
            place.committee_id = committee_id
            self.counts["updated"] += 1
        else:
            self.counts["unchanged"] += 1


def import_places_csv(actor, plan: ActionPlan, text: str) -> dict:
    """Import the lines of `text` into the plan's catalogue: {"added", "updated", "unchanged"}.
    Any bad line (each reported with its number) and nothing is written."""
    require(actor, "places.manage", plan)
    rows = _read_rows(text or "")
    catalogue = _Catalogue(plan)
    checked, problems, seen = [], [], {}
    for line, row in rows:
        try:
            municipality, locality, committee = catalogue.checked(line, row)
        except ValueError as exc:
            problems.append(str(exc))
            continue
        key = (fold(municipality), fold(locality))
        if key in seen:
            problems.append(_("Line %(line)d repeats line %(first)d.", line=line, first=seen[key]))
            continue
        seen[key] = line
        checked.append((municipality, locality, committee))
    if problems:
        _refuse(problems)
    try:
        with savepoint():
            for municipality, locality, committee in checked:
                catalogue.apply(municipality, locality, committee)
    except sa.exc.IntegrityError:  # a place added by a parallel request or import
        raise ValidationError(_("The catalogue changed while the file was read; import it again."),
                              field="text") from None
    if catalogue.counts["added"] or catalogue.counts["updated"]:
        record(actor, "places.imported", plan, **catalogue.counts)
    db.session.flush()
    return dict(catalogue.counts)
