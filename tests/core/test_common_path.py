"""What every rendered page pays before its own content: statements pinned, and the facts kept
between requests (app/core/facts.py) following every change on the next request."""
import pytest
import sqlalchemy as sa
from flask import g

from app.accounts.models import ModeratorScope
from app.core import facts
from app.extensions import db
from app.notifications.models import Notification
from app.plans.models import ActionPlan
from app.plans.services import make_current
from tests.conftest import login_as
from tests.factories import make_admin, make_committee, make_plan, make_user
from tests.querycount import count_queries
from tests.transparency.factories import proposal


@pytest.fixture(autouse=True)
def facts_kept(app, monkeypatch):
    """Kept between requests as in production (the suite reads them on every request); the
    data beneath the app changed since the last test (rolled back): read again first."""
    monkeypatch.setitem(app.config, "FACTS_KEPT", True)
    monkeypatch.setitem(app.config, "FACTS_KEPT_IN_COUNTS", True)
    facts.forget_all()


@pytest.fixture
def still_clock(app, monkeypatch):
    """No process but this one here: the facts' time bucket (FACTS_SECONDS) does not turn over
    in the middle of a count."""
    monkeypatch.setitem(app.config, "FACTS_SECONDS", 3600)


def _statements(client, url: str) -> int:
    for _ in range(2):  # warm: the facts are read once after the data changed
        client.get(url)
    with count_queries() as statements:
        response = client.get(url)
    assert response.status_code == 200
    return len(statements)


def _guarantor(plan: ActionPlan, name: str) -> None:
    plan.guarantor_name = name
    db.session.commit()


def test_a_plain_page_sends_no_statement_anonymous_and_one_signed_in(client, other_client, still_clock):
    _guarantor(make_plan(), "Secretariado Técnico Local")
    assert _statements(client, "/privacy") == 0
    # Signed in: the session, its user, moderator scopes and unread count in one statement.
    login_as(other_client, make_user())
    assert _statements(other_client, "/privacy") == 1
    assert "Secretariado Técnico Local" in other_client.get("/privacy").get_data(as_text=True)


def test_the_proposal_list_costs_one_statement_more_signed_in_whatever_the_data(client, other_client,
                                                                                still_clock):
    plan = make_plan()
    committee = make_committee(plan)
    author = make_user()
    proposal(committee, author)
    login_as(other_client, make_user())
    anonymous, signed_in = _statements(client, "/proposals/"), _statements(other_client, "/proposals/")
    for _ in range(5):
        proposal(committee, author)
    assert (_statements(client, "/proposals/"), _statements(other_client, "/proposals/")) == (
        anonymous, signed_in)
    assert signed_in == anonymous + 1
    assert anonymous <= 7  # pinned: the list's own statements, and nothing of the layout's


def test_an_edited_guarantor_shows_on_the_next_request(client):
    plan = make_plan()
    _guarantor(plan, "Órgano Garante Uno")
    assert "Órgano Garante Uno" in client.get("/privacy").get_data(as_text=True)
    _guarantor(plan, "Órgano Garante Dos")
    page = client.get("/privacy").get_data(as_text=True)
    assert "Órgano Garante Dos" in page and "Órgano Garante Uno" not in page


def test_the_plan_made_current_gives_its_guarantor_on_the_next_request(client):
    first = make_plan()
    _guarantor(first, "Garante del primero")
    second = make_plan(current=False)
    _guarantor(second, "Garante del segundo")
    assert "Garante del primero" in client.get("/privacy").get_data(as_text=True)
    make_current(make_admin(), second)
    db.session.commit()
    assert "Garante del segundo" in client.get("/privacy").get_data(as_text=True)


def test_a_change_made_by_another_process_shows_within_the_time_bucket(client, monkeypatch):
    """Without the page cache's shared version, another process's change (here: a statement below
    the ORM, which this process does not see as a change) shows once FACTS_SECONDS have passed."""
    plan = make_plan()
    _guarantor(plan, "Antes del cambio")
    clock = [1000.0]
    monkeypatch.setattr(facts.time, "monotonic", lambda: clock[0])
    assert "Antes del cambio" in client.get("/privacy").get_data(as_text=True)
    table = ActionPlan.__table__
    db.session.connection().execute(
        sa.update(table).where(table.c.id == plan.id).values(guarantor_name="Después del cambio"))
    assert "Antes del cambio" in client.get("/privacy").get_data(as_text=True)  # kept: cached
    clock[0] += 6
    assert "Después del cambio" in client.get("/privacy").get_data(as_text=True)


def test_the_page_cache_version_of_the_request_renews_the_facts(app):
    """A page the page cache stores under a data version is rendered from facts of that version."""
    reads = []
    for version in (1, 1, 2):
        with app.test_request_context("/"):
            setattr(g, facts.VERSION, version)  # read by the page cache for this request
            facts.cached("test-fact", lambda: reads.append(1) or len(reads))
    assert len(reads) == 2  # read at version 1, kept for the second request, read at version 2


def test_a_fact_is_computed_by_one_thread_while_the_others_wait_for_it(app):
    """Eight threads need the same fact when its stamp turns: one computes it, the others wait
    for its value instead of running the same costly read at once."""
    import threading
    import time as real_time

    computing, started = [], threading.Barrier(8)

    def compute():
        computing.append(1)
        real_time.sleep(0.2)  # a costly read, long enough for every thread to arrive meanwhile
        return "figure"

    def need_it(results):
        with app.test_request_context("/"):
            setattr(g, facts.VERSION, 7)
            started.wait()
            results.append(facts.cached("single-flight-fact", compute))

    results: list[str] = []
    threads = [threading.Thread(target=need_it, args=(results,)) for _ in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(10)
    assert results == ["figure"] * 8
    assert len(computing) == 1


def test_a_new_notification_and_a_new_role_show_on_the_next_request(other_client):
    plan = make_plan()
    user = make_user()
    login_as(other_client, user)
    page = other_client.get("/privacy").get_data(as_text=True)
    assert 'data-unread="0"' in page and 'href="/moderation/"' not in page
    db.session.add(Notification(user_id=user.id, kind="test", url="/"))
    db.session.add(ModeratorScope(user_id=user.id, committee_id=make_committee(plan).id))
    db.session.commit()
    page = other_client.get("/privacy").get_data(as_text=True)
    assert 'data-unread="1"' in page and 'href="/moderation/"' in page


def test_a_figure_read_with_the_session_is_read_afresh_once_the_request_writes(app):
    """A view that marks notifications read and then renders shows the new count."""
    from app.accounts.session_store import FIGURES, session_figure
    from app.notifications.queries import UNREAD

    make_plan()
    user = make_user()
    with app.test_request_context("/"):
        setattr(g, FIGURES, {UNREAD: 3})
        assert session_figure(UNREAD) == 3
        db.session.add(Notification(user_id=user.id, kind="test", url="/"))
        db.session.flush()
        assert session_figure(UNREAD) is None


def test_signing_out_shows_at_once(client):
    make_plan()
    login_as(client, make_user())
    assert "/account/logout" in client.get("/privacy").get_data(as_text=True)
    client.post("/account/logout")
    page = client.get("/privacy").get_data(as_text=True)
    assert "/account/logout" not in page and "/account/login" in page


def test_the_current_plan_is_read_once_per_data_change_not_per_page(app, client, still_clock, monkeypatch):
    """Kept, the list costs six statements less: the plan's three (plan, phases, themes), the
    guarantor's, and the filters' choices (the plan's committees and municipalities)."""
    make_plan()
    kept = _statements(client, "/proposals/")
    monkeypatch.setitem(app.config, "FACTS_KEPT", False)
    assert _statements(client, "/proposals/") == kept + 6


def test_a_phase_changed_shows_on_the_next_request(client, still_clock):
    from datetime import date

    plan = make_plan()
    client.get("/proposals/")
    phase = plan.phases[0]
    phase.ends_on = date(2001, 1, 1)  # the plan no longer receives proposals
    db.session.commit()
    page = client.get("/proposals/").get_data(as_text=True)
    assert "2001" in page


def test_unflushed_changes_in_the_request_read_the_plan_afresh(app, still_clock):
    from app.plans.queries import current_plan

    first = make_plan()
    db.session.commit()
    with app.test_request_context("/"):
        assert current_plan().id == first.id
        second = make_plan(current=False)
        db.session.flush()
        with app.test_request_context("/"):
            assert current_plan().id == first.id  # kept
        first.is_current = False
        second.is_current = True  # not flushed: the kept plan would be the old one
        assert current_plan().id == second.id
