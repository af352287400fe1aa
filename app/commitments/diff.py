"""A readable, word-level diff between two versions of a commitment (fields and milestones).

Snapshots are the JSON of CommitmentVersion.snapshot:
    {"fields": {name: text, "starts_on": iso, "ends_on": iso, "theme": name},
     "milestones": [{"id"?, "description", "responsible", "starts_on", "ends_on", "deliverable"}]}

`diff_text` compares word tokens with difflib; `render_inline` turns the result into escaped
HTML with <ins>/<del> and visually hidden words for screen readers.
"""
import difflib
import re
from dataclasses import dataclass, field

from flask_babel import gettext as _
from markupsafe import Markup, escape

from app.commitments.models import (
    FIELD_LABELS,
    MILESTONE_FIELD_LABELS,
    MILESTONE_FIELDS,
    TEMPLATE_FIELDS,
)

# Words, runs of white space, and single punctuation marks: a change of one word shows as one.
_TOKEN = re.compile(r"\w+|\s+|[^\w\s]", re.UNICODE)

# The order in which the diff lists the commitment's own fields.
DIFF_FIELDS = ("title", "theme", *TEMPLATE_FIELDS[1:], "starts_on", "ends_on")

EQUAL, INSERT, DELETE = "equal", "insert", "delete"


@dataclass(frozen=True)
class Segment:
    kind: str  # "equal", "insert" or "delete"
    text: str


@dataclass
class FieldDiff:
    name: str
    label: str
    old: str
    new: str
    segments: list[Segment]

    @property
    def changed(self) -> bool:
        return self.old != self.new

    @property
    def html(self) -> Markup:
        return render_inline(self.segments)


@dataclass
class MilestoneDiff:
    kind: str  # "added", "removed", "changed" or "unchanged"
    old_position: int | None  # 1-based, as the page numbers milestones
    new_position: int | None
    fields: list[FieldDiff] = field(default_factory=list)

    @property
    def changed(self) -> bool:
        return self.kind != "unchanged"


@dataclass
class VersionDiff:
    fields: list[FieldDiff]
    milestones: list[MilestoneDiff]

    @property
    def changed_fields(self) -> list[FieldDiff]:
        return [f for f in self.fields if f.changed]

    @property
    def changed_milestones(self) -> list[MilestoneDiff]:
        return [m for m in self.milestones if m.changed]

    @property
    def has_changes(self) -> bool:
        return bool(self.changed_fields or self.changed_milestones)


def tokenize(text: str) -> list[str]:
    return _TOKEN.findall(text or "")


def _merged(segments: list[Segment]) -> list[Segment]:
    """Adjacent segments of one kind joined, so the page shows one <ins> per run of words."""
    out: list[Segment] = []
    for seg in segments:
        if not seg.text:
            continue
        if out and out[-1].kind == seg.kind:
            out[-1] = Segment(seg.kind, out[-1].text + seg.text)
        else:
            out.append(seg)
    return out


def diff_text(old: str | None, new: str | None) -> list[Segment]:
    """The segments that turn `old` into `new`: deletions come before the insertions that
    replace them, as a reader expects ("~~old~~ new")."""
    old_tokens, new_tokens = tokenize(old or ""), tokenize(new or "")
    matcher = difflib.SequenceMatcher(a=old_tokens, b=new_tokens, autojunk=False)
    segments: list[Segment] = []
    for op, a1, a2, b1, b2 in matcher.get_opcodes():
        if op == "equal":
            segments.append(Segment(EQUAL, "".join(old_tokens[a1:a2])))
        else:
            if op in ("delete", "replace"):
                segments.append(Segment(DELETE, "".join(old_tokens[a1:a2])))
            if op in ("insert", "replace"):
                segments.append(Segment(INSERT, "".join(new_tokens[b1:b2])))
    return _merged(segments)


def render_inline(segments: list[Segment]) -> Markup:
    """Escaped text with <ins>/<del>; the hidden words tell screen readers what changed."""
    added, removed = escape(_("added")), escape(_("removed"))
    end = escape(_("end of change"))
    parts = []
    for seg in segments:
        text = escape(seg.text)
        if seg.kind == INSERT:
            parts.append(
                f'<ins class="diff-ins"><span class="visually-hidden">[{added}: </span>{text}'
                f'<span class="visually-hidden"> {end}]</span></ins>'
            )
        elif seg.kind == DELETE:
            parts.append(
                f'<del class="diff-del"><span class="visually-hidden">[{removed}: </span>{text}'
                f'<span class="visually-hidden"> {end}]</span></del>'
            )
        else:
            parts.append(str(text))
    return Markup("".join(parts))


def _text(value) -> str:
    return "" if value is None else str(value)


def _field_diff(name: str, label, old, new) -> FieldDiff:
    old, new = _text(old), _text(new)
    segments = diff_text(old, new) if old != new else ([Segment(EQUAL, old)] if old else [])
    return FieldDiff(name=name, label=str(label), old=old, new=new, segments=segments)


def _milestone_fields(old: dict | None, new: dict | None) -> list[FieldDiff]:
    old, new = old or {}, new or {}
    return [
        _field_diff(name, MILESTONE_FIELD_LABELS[name], old.get(name), new.get(name))
        for name in MILESTONE_FIELDS
    ]


def _pair_milestones(old: list[dict], new: list[dict]) -> list[tuple[int | None, int | None]]:
    """Pairs of (old index, new index). Milestones are paired by id when both snapshots carry
    ids (a reordered milestone stays the same milestone), otherwise by position."""
    if old and new and all(m.get("id") for m in old) and all(m.get("id") for m in new):
        old_index = {m["id"]: i for i, m in enumerate(old)}
        pairs: list[tuple[int | None, int | None]] = []
        seen = set()
        for j, m in enumerate(new):
            i = old_index.get(m["id"])
            pairs.append((i, j))
            if i is not None:
                seen.add(i)
        removed = [(i, None) for i in range(len(old)) if i not in seen]
        # A removed milestone is shown right after the one that preceded it in the old version.
        for i, none in removed:
            before = [k for k, (oi, _nj) in enumerate(pairs) if oi is not None and oi < i]
            pairs.insert(before[-1] + 1 if before else 0, (i, none))
        return pairs
    length = max(len(old), len(new))
    return [(i if i < len(old) else None, i if i < len(new) else None) for i in range(length)]


def diff_versions(old_snapshot: dict | None, new_snapshot: dict | None) -> VersionDiff:
    old_snapshot, new_snapshot = old_snapshot or {}, new_snapshot or {}
    old_fields = old_snapshot.get("fields") or {}
    new_fields = new_snapshot.get("fields") or {}
    fields = [
        _field_diff(name, FIELD_LABELS.get(name, name), old_fields.get(name), new_fields.get(name))
        for name in DIFF_FIELDS
    ]
    old_ms = list(old_snapshot.get("milestones") or [])
    new_ms = list(new_snapshot.get("milestones") or [])
    milestones = []
    for i, j in _pair_milestones(old_ms, new_ms):
        old_m = old_ms[i] if i is not None else None
        new_m = new_ms[j] if j is not None else None
        parts = _milestone_fields(old_m, new_m)
        if old_m is None:
            kind = "added"
        elif new_m is None:
            kind = "removed"
        else:
            kind = "changed" if any(p.changed for p in parts) else "unchanged"
            # A move alone is a change a reader should see.
            if kind == "unchanged" and i != j:
                kind = "changed"
        milestones.append(MilestoneDiff(
            kind=kind,
            old_position=None if i is None else i + 1,
            new_position=None if j is None else j + 1,
            fields=parts,
        ))
    return VersionDiff(fields=fields, milestones=milestones)
