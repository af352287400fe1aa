"""Checking a published ballot box from its page: the standalone verifier (verify.py) run on the
box as published, its findings kept for the page instead of printed.

The page states the outcome in plain words; the verifier's own lines (technical, in English, as
the command prints them) are shown folded below, so that what the page says and what the command
says cannot differ.
"""
import io
from dataclasses import dataclass, field

from app.elections import verify
from app.elections.models import Election
from app.elections.services import box_document

# The page shows at most this many of the verifier's lines (a box tampered with throughout could
# fail on every entry): the page stays bounded, and the count of what was left off is shown with
# the way to get the whole report (the verifier, run on the downloaded box).
SHOWN_LINES = 60


@dataclass
class BoxCheck:
    verifies: bool
    ballots: int
    voted: int
    roll_size: int
    result_published: bool
    head_checked: bool = False
    failures: list[str] = field(default_factory=list)
    report: list[str] = field(default_factory=list)
    failures_left_off: int = 0
    report_left_off: int = 0


def check_box(election: Election, head: tuple[str, int | None] | None = None) -> BoxCheck:
    """Verify `election`'s published box (and, when given, that it holds a head hash an observer
    noted while voting was open, at its position)."""
    box = box_document(election)
    out = io.StringIO()
    verifies = verify.verify(box, out=out, heads=[head] if head else ())
    report = [line.rstrip() for line in out.getvalue().splitlines() if line.strip()]
    failures = [line[6:] for line in report if line.startswith("FAIL")]
    roll = box.get("roll") or {}
    return BoxCheck(
        verifies=verifies,
        ballots=sum(1 for entry in box["entries"] if entry.get("kind") == "ballot"),
        voted=int(roll.get("voted") or 0),
        roll_size=int(roll.get("size") or 0),
        result_published=box.get("result") is not None,
        head_checked=head is not None,
        failures=failures[:SHOWN_LINES],
        report=report[:SHOWN_LINES],
        failures_left_off=max(0, len(failures) - SHOWN_LINES),
        report_left_off=max(0, len(report) - SHOWN_LINES),
    )
