"""The demo's simulated time: within `Timeline.running()`, the application's one clock
(app.core.clock) answers the moment last set with `at(...)`, so every service checks its windows
and writes its dates as in real use. A story that overlaps others in time is told as a generator
that yields the moment of its next act before doing it; `run_together` runs several such stories
act by act in the order of their moments, so that rows and audit entries come in time order.
Meant for the command line and tests (the clock is process-wide), never while a server handles
requests."""
import heapq
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, date, datetime, time

from app.core import clock
from app.extensions import db

Story = Iterator[datetime]


class Timeline:
    def __init__(self, start: datetime):
        self.moment = start

    def at(self, moment: datetime) -> datetime:
        """Move the clock to `moment` (UTC-aware); time never goes back within a story."""
        self.moment = max(self.moment, moment)
        return self.moment

    def drive(self, story: Story) -> None:
        """Tell a story (a generator of moments) alone, in this running timeline."""
        for moment in story:
            self.at(moment)

    @contextmanager
    def running(self) -> Iterator["Timeline"]:
        with clock.use(lambda: self.moment):
            yield self


# Before its first moment a story only reads: the clock may show any time then.
BEFORE_ANY_STORY = datetime.min.replace(tzinfo=UTC)


def run_together(*stories: Story) -> None:
    """Tell the stories at once, each act at its moment, earliest first (on a tie, the story
    given first). Whatever fails, the real clock is back and the unit of work rolled back."""
    timeline = Timeline(BEFORE_ANY_STORY)
    waiting: list[tuple[datetime, int, Story]] = []

    def resume(number: int, story: Story) -> None:
        moment = next(story, None)
        if moment is not None:
            heapq.heappush(waiting, (moment, number, story))

    with timeline.running():
        try:
            for number, story in enumerate(stories):
                resume(number, story)
            while waiting:
                moment, number, story = heapq.heappop(waiting)
                timeline.at(moment)
                resume(number, story)
        except BaseException:
            db.session.rollback()
            raise
    db.session.commit()


def local(day: date, hhmm: str = "09:00") -> datetime:
    """The UTC moment of a local date and time in the plan's zone."""
    hours, minutes = (int(part) for part in hhmm.split(":"))
    return datetime.combine(day, time(hours, minutes), tzinfo=clock.local_zone()).astimezone(UTC)
