"""A dependency's failure is logged once, then at most once a minute with a count, then its recovery."""
import logging
import threading

import psycopg
import pytest
import sqlalchemy.exc

from app.core.alarms import DependencyAlarm, summarise


class FakeClock:
    def __init__(self):
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


class Lines(logging.Handler):
    def __init__(self):
        super().__init__()
        self.records: list[logging.LogRecord] = []

    def emit(self, record):
        self.records.append(record)

    def said(self) -> list[tuple[str, str]]:
        return [(record.levelname, record.getMessage()) for record in self.records]


@pytest.fixture
def lines():
    handler = Lines()
    logger = logging.getLogger("tests.alarms")
    logger.addHandler(handler)
    logger.setLevel(logging.INFO)
    logger.propagate = False
    yield handler
    logger.removeHandler(handler)


@pytest.fixture
def clock():
    return FakeClock()


def alarm_with(clock, **kwargs) -> DependencyAlarm:
    return DependencyAlarm("page cache (Redis)", "pages are rendered from the database", clock=clock,
                           logger=logging.getLogger("tests.alarms"), **kwargs)


def refused() -> ConnectionError:
    return ConnectionError("Error 111 connecting to 127.0.0.1:1. Connection refused.")


def test_the_first_failure_is_one_error_line_with_the_summary_and_no_traceback(clock, lines):
    alarm = alarm_with(clock)

    try:
        raise refused()
    except ConnectionError as exc:
        alarm.failed(exc)

    assert lines.said() == [("ERROR", "page cache (Redis) unavailable (pages are rendered from the database): "
                                      "ConnectionError: Error 111 connecting to 127.0.0.1:1. Connection refused.")]
    assert lines.records[0].exc_info is None


def test_failures_within_the_minute_are_counted_not_logged(clock, lines):
    alarm = alarm_with(clock)
    alarm.failed(refused())

    for _ in range(2039):
        clock.now += 0.007
        alarm.failed(refused())

    assert len(lines.records) == 1


def test_a_reminder_at_most_once_a_minute_counts_the_requests_since_the_last_line(clock, lines):
    alarm = alarm_with(clock)
    alarm.failed(refused())
    for _ in range(99):
        clock.now += 0.5
        alarm.failed(refused())
    clock.now = 1061.0
    alarm.failed(TimeoutError("Timeout reading from socket"))  # the 100th since the first line
    clock.now += 1
    alarm.failed(refused())

    assert lines.said()[1:] == [(
        "WARNING", "page cache (Redis) still unavailable: 100 requests affected in the last 61 s; "
                   "last error: TimeoutError: Timeout reading from socket")]

    clock.now += 60
    alarm.failed(refused())
    assert lines.said()[2][1].startswith("page cache (Redis) still unavailable: 2 requests affected")


def test_recovery_is_one_line_and_the_next_failure_starts_again(clock, lines):
    alarm = alarm_with(clock)
    alarm.failed(refused())
    for _ in range(3):
        clock.now += 1
        alarm.failed(refused())

    clock.now += 1
    alarm.recovered()
    alarm.recovered()  # nothing more to say

    assert lines.said()[1:] == [(
        "WARNING", "page cache (Redis) available again (failures lasted 3.0 s); "
                   "3 more requests affected since the last line")]
    alarm.failed(refused())
    assert [level for level, _ in lines.said()] == ["ERROR", "WARNING", "ERROR"]


def test_nothing_is_logged_while_nothing_fails(clock, lines):
    alarm = alarm_with(clock)

    for _ in range(10):
        alarm.recovered()

    assert lines.records == []


def test_with_settle_a_burst_of_failures_is_one_episode(clock, lines):
    alarm = alarm_with(clock, settle=5.0)
    alarm.failed(refused())
    clock.now += 0.01
    alarm.recovered()  # a retry worked right away: not yet a recovery
    clock.now += 0.01
    alarm.failed(refused())  # another connection of the same failover
    clock.now += 1
    alarm.recovered()

    assert len(lines.records) == 1
    clock.now += 5
    alarm.recovered()
    assert lines.said()[1] == ("WARNING", "page cache (Redis) available again (failures lasted 0.0 s); "
                                          "1 more requests affected since the last line")


def test_a_fallback_can_count_requests_without_a_new_error(clock, lines):
    alarm = alarm_with(clock)
    alarm.failed(refused())
    clock.now += 61

    alarm.failed()

    assert lines.said()[1][1].endswith("last error: ConnectionError: Error 111 connecting to 127.0.0.1:1. "
                                       "Connection refused.")


def test_threads_failing_at_once_give_one_line_and_an_exact_count(clock, lines):
    alarm = alarm_with(clock)
    start = threading.Barrier(8)

    def fail_many():
        start.wait()
        for _ in range(500):
            alarm.failed(refused())

    threads = [threading.Thread(target=fail_many) for _ in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    alarm.recovered()

    assert [level for level, _ in lines.said()] == ["ERROR", "WARNING"]
    assert "3999 more requests affected" in lines.said()[1][1]


@pytest.mark.parametrize(("exc", "summary"), [
    (sqlalchemy.exc.OperationalError(
        "SELECT 1", {}, psycopg.errors.AdminShutdown("terminating connection due to administrator command")),
     "AdminShutdown: terminating connection due to administrator command"),
    (ValueError("first line\nsecond line"), "ValueError: first line"),
    (ValueError(), "ValueError"),
    (ValueError("x" * 500), "ValueError: " + "x" * 187 + "…"),
])
def test_the_summary_is_one_short_line_naming_the_driver_error(exc, summary):
    assert summarise(exc) == summary
