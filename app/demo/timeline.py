"""The demo's simulated time: within `Timeline.running()`, the application's one clock
(app.core.clock) answers the moment last set with `at(...)`, so every service checks its windows
and writes its dates as in real use. Meant for the command line and tests (the clock is
process-wide), never while a server handles requests."""
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, date, datetime, time

from app.core import clock


class Timeline:
    def __init__(self, start: datetime):
        self.moment = start

    def at(self, moment: datetime) -> datetime:
        """Move the clock to `moment` (UTC-aware); time never goes back within a story."""
        self.moment = max(self.moment, moment)
        return self.moment

    @contextmanager
    def running(self) -> Iterator["Timeline"]:
        with clock.use(lambda: self.moment):
            yield self


def local(day: date, hhmm: str = "09:00") -> datetime:
    """The UTC moment of a local date and time in the plan's zone."""
    hours, minutes = (int(part) for part in hhmm.split(":"))
    return datetime.combine(day, time(hours, minutes), tzinfo=clock.local_zone()).astimezone(UTC)
