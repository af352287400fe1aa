"""Requests at the same moment, for the concurrency tests: each job runs in a thread of its own
with its own app context (so its own session and connection) and its own unit of work (one
commit, as a request), and a barrier releases them together."""
import threading

from app.core.errors import CocreaError
from app.core.uow import unit_of_work
from app.extensions import db


def at_once(app, jobs, *, wait: float = 30, finish: float = 120) -> list[tuple[str, object]]:
    """Run each job (a function of no argument; it loads its rows itself, inside its thread) at
    once. Each outcome is ("ok", what the job returned), (the refusal's class name, its message)
    or ("crash", repr of any other exception), in the order of `jobs`."""
    barrier = threading.Barrier(len(jobs))
    outcomes: list = [None] * len(jobs)

    def worker(index, job):
        with app.app_context():
            try:
                # Wait holding no connection: there may be fewer pooled connections than threads.
                barrier.wait(timeout=wait)
                with unit_of_work():
                    outcomes[index] = ("ok", job())
            except CocreaError as exc:
                outcomes[index] = (type(exc).__name__, exc.message)
            except Exception as exc:  # noqa: BLE001 - reported to the test, which fails
                outcomes[index] = ("crash", repr(exc))
            finally:
                db.session.remove()

    threads = [threading.Thread(target=worker, args=(i, job)) for i, job in enumerate(jobs)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=finish)
    assert not any(t.is_alive() for t in threads), "a job running at once with others hung"
    db.session.expire_all()
    return outcomes
