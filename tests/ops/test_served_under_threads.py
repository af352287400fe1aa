"""Pages that render user Markdown are the same under concurrent load as when served alone, with
gunicorn's threaded worker, as deployed (docs/deploy.md: gthread, workers × threads).

Issue 11: one bleach Cleaner shared by the threads of a worker mixed their pages up (500s, other
requests' text in a page, renders that never ended). The page cache is off here, so every request
renders its page; the requests are anonymous, without a cookie.
"""
import difflib
import os
import random
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.request

import pytest
import sqlalchemy as sa

from app import create_app
from app.comments.services import post_comment
from app.commitments.models import Commitment
from app.core.uow import unit_of_work
from app.extensions import db
from app.plans.models import ActionPlan, Committee, Theme
from app.proposals.services import create_proposal
from tests.conftest import copy_of_the_demo, drop_pg_database, require_service
from tests.conftest import test_config as app_config
from tests.factories import make_user
from tests.ops.pg import REPO, postgres_base_url
from tests.ops.servers import free_port, wait_until_healthy

WORKERS, THREADS = 2, 4
CLIENTS = 16  # client threads, twice the server's threads, so every server thread stays busy
# In all, spread evenly over the pages. On the shared code one request in two came back wrong
# (a 500 or another page's text); the proposal page costs ~0.4 s of CPU here, so more requests
# would only make the test slower.
REQUESTS = 96
COMMENTS = 60
REQUEST_TIMEOUT = 20  # a page that takes longer is a render that never ended
# What a server log may not contain: Flask's "Exception on …" with its traceback, an error record
# of the app (JSON lines), or a gunicorn error (a worker killed, a failed boot).
LOG_ALARMS = ("Traceback", '"level": "ERROR"', '"level": "CRITICAL"', "[ERROR]", "[CRITICAL]")


def comment_text(n: int) -> str:
    """A different comment for every n, each kind exercising another part of the renderer."""
    kinds = [
        f"**Punto {n}:** el bache de la calle {n} sigue _abierto_; ver https://example.org/baches/{n}",
        f"Propongo:\n\n1. Reparar el tramo {n}\n2. Poner señalización\n3. Informar en "
        f"[el portal](https://durango.gob.mx/obras/{n})",
        f"> Lo dijo la vecina del {n}\n\nCoincido, y añado `folio-{n}` al reporte.",
        f"### Resumen {n}\n\n- agua\n- drenaje {n}\n  - colonia Centro\n\n```\nreporte {n}: pendiente\n"
        f"https://no-es-enlace.example/{n}\n```",
        f"| calle | baches |\n|---|---|\n| Negrete | {n} |\n| Pino Suárez | {n + 1} |\n\n"
        f"Correo: vecinos{n}@example.org",
        f'<script>alert({n})</script>"><img src=x onerror=alert({n})> <a href="javascript:alert({n})">'
        f"clic</a> ![foto](https://evil.example/{n}.png) Ñandú Pérez {n} 🌵 www.example.org/{n}",
    ]
    return kinds[n % len(kinds)]


def build_pages() -> dict[str, str]:
    """A proposal with COMMENTS comments on the demo plan (in the database already), written
    through the services; returns the paths of the pages under test by name."""
    plan = db.session.scalar(sa.select(ActionPlan).where(ActionPlan.is_current))
    committee = db.session.scalar(sa.select(Committee).where(Committee.plan_id == plan.id,
                                                             Committee.slug == "municipio-durango"))
    theme = db.session.scalar(sa.select(Theme).where(Theme.plan_id == plan.id).order_by(Theme.id))
    proposal = create_proposal(make_user(), plan, {
        "title": "Baches y alumbrado en la colonia Centro",
        "body": comment_text(1) + "\n\n" + comment_text(3), "committee_id": committee.id,
        "theme_id": theme.id,
    })
    # Ten people, six comments each: under the limit of ten comments in five minutes.
    people = [make_user() for _ in range(10)]
    thread_top = None
    for n in range(COMMENTS):
        parent = thread_top if n % 4 == 3 else None  # every fourth comment is a reply
        comment = post_comment(people[n % len(people)], proposal, comment_text(n), parent=parent)
        if parent is None:
            thread_top = comment
    # The archived plan's commitment that went through a public consultation
    # (app/demo/commitments.py).
    consulted = db.session.scalar(sa.select(Commitment.id).join(Committee).join(ActionPlan).where(
        ActionPlan.slug == "durango-3", Committee.slug == "municipio-durango",
        Commitment.number == 5))
    return {
        "proposal": f"/proposals/{proposal.reference}",
        "commitment": f"/commitments/{consulted}",
        "consultation": f"/consultations/commitment/{consulted}",
    }


@pytest.fixture(scope="module")
def served(app, backend, tmp_path_factory):
    """gunicorn -k gthread on loopback serving the pages of build_pages(), page cache off, on a
    database of its own: a copy of the run's demo (PostgreSQL in the PostgreSQL half of the
    suite, else a SQLite file), its files in the server's UPLOAD_DIR."""
    if subprocess.run([sys.executable, "-m", "gunicorn", "--version"], capture_output=True).returncode:
        require_service("gunicorn is not installed in this environment (pip install -e .)")
    root = tmp_path_factory.mktemp("threads")
    if backend == "postgresql":
        postgres_base_url()
    database = copy_of_the_demo(app, backend, tmp_path_factory, root / "uploads", fast=False)
    try:
        yield from _serve(database, root)
    finally:
        if backend == "postgresql":
            drop_pg_database(os.environ["TEST_DATABASE_URL"], database)


def _serve(database: str, root):
    app = create_app(app_config(database, root))
    with app.app_context():
        db.create_all()
        with unit_of_work():  # the services flush; the unit commits (app/core/uow.py)
            pages = build_pages()
        db.session.remove()
        db.engine.dispose()

    env = {k: v for k, v in os.environ.items()
           if k not in ("REDIS_URL", "RATELIMIT_STORAGE_URI", "PAGE_CACHE_REDIS_URL", "FLASK_APP")}
    env.update({
        "COCREA_ENV": "production",
        "COCREA_ALLOW_UNSAFE_PRODUCTION": "1",  # production settings on SQLite too
        "SECRET_KEY": "threads-test-signing-key-0123456789abcdef",
        "DATABASE_URL": database,
        "PAGE_CACHE_REDIS_URL": "",  # off: every request renders its page
        "MAIL_BACKEND": "null",
        "UPLOAD_DIR": str(root / "uploads"),
        "LOG_FORMAT": "json",
        "LOG_LEVEL": "WARNING",
    })
    port = free_port()
    log = root / "gunicorn.log"
    command = [sys.executable, "-m", "gunicorn", "--bind", f"127.0.0.1:{port}",
               "--worker-class", "gthread", "--workers", str(WORKERS), "--threads", str(THREADS),
               "--timeout", "60", "--graceful-timeout", "3", "--no-control-socket", "wsgi:app"]
    with open(log, "w") as out:
        process = subprocess.Popen(command, cwd=REPO, env=env, stdout=out, stderr=subprocess.STDOUT)
    try:
        base = f"http://127.0.0.1:{port}"
        wait_until_healthy(base, process, log)
        yield {"base": base, "pages": pages, "log": log}
    finally:
        process.terminate()
        try:
            process.wait(timeout=15)
        except subprocess.TimeoutExpired:  # a thread that never ends its render
            process.kill()
            process.wait()


def fetch(url: str) -> tuple[int, str]:
    """An anonymous GET without cookies; (status, body), or (0, the error) when it failed."""
    try:
        with urllib.request.urlopen(url, timeout=REQUEST_TIMEOUT) as response:
            return response.status, response.read().decode()
    except urllib.error.HTTPError as error:
        return error.code, error.read().decode(errors="replace")
    except OSError as error:  # timed out, or the connection was dropped by a dying worker
        return 0, repr(error)


def first_difference(expected: str, got: str) -> str:
    diff = difflib.unified_diff(expected.splitlines(), got.splitlines(), "alone", "under load",
                                lineterm="", n=1)
    return "\n".join(list(diff)[:12])


def test_pages_rendering_markdown_are_the_same_under_threads_as_served_alone(served):
    base, pages = served["base"], served["pages"]
    alone = {}
    for name, path in pages.items():
        status, body = fetch(base + path)
        assert status == 200, f"{name} served alone: {status}\n{body[:2000]}"
        # Nothing in these pages varies per request (no CSRF token in an anonymous page, no CSP
        # nonce, the request id only in a header, no relative times): a second fetch is identical,
        # so no normalisation is needed. If one is ever added, this says so before the load does.
        assert fetch(base + path) == (200, body), f"{name} differs between two fetches in a row"
        alone[path] = body
    assert 'class="comment-body"' in alone[pages["proposal"]]

    order = [path for path in pages.values() for _ in range(REQUESTS // len(pages))]
    random.Random(11).shuffle(order)
    shares = [order[i::CLIENTS] for i in range(CLIENTS)]
    results: list[tuple[str, int, str]] = []
    barrier = threading.Barrier(CLIENTS)
    hung = threading.Event()  # a request timed out: the server's threads may all be stuck

    def client(paths: list[str]) -> None:
        barrier.wait()
        for path in paths:
            if hung.is_set():
                return
            status, body = fetch(base + path)
            results.append((path, status, body))
            if status == 0:
                hung.set()

    started = time.monotonic()
    clients = [threading.Thread(target=client, args=(share,)) for share in shares]
    for thread in clients:
        thread.start()
    for thread in clients:
        thread.join()
    seconds = time.monotonic() - started

    time.sleep(0.3)  # the servers write their log lines after sending the response
    log = served["log"].read_text()
    alarms = [line[:300] for line in log.splitlines() if any(alarm in line for alarm in LOG_ALARMS)]
    failed = [(path, status, body) for path, status, body in results if status != 200]
    different = [(path, body) for path, status, body in results if status == 200 and body != alone[path]]

    report = [f"{len(results)} of {len(order)} requests made by {CLIENTS} clients in {seconds:.1f} s; "
              f"{len(failed)} not 200 {sorted({status for _, status, _ in failed})}; "
              f"{len(different)} bodies differ from the page served alone; "
              f"{len(alarms)} error lines in the servers' log"]
    if failed:
        report.append(f"first not 200: {failed[0][0]} {failed[0][1]} {failed[0][2][:300]}")
    if different:
        report.append(f"first difference, {different[0][0]}:\n"
                      + first_difference(alone[different[0][0]], different[0][1]))
    report += alarms[:3]
    assert len(results) == len(order) and not failed and not different and not alarms, "\n".join(report)
