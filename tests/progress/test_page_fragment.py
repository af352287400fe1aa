"""The commitment page's shared body is kept as a fragment (app/commitments/views.py show): each
kind of change shows on the next request, two viewers never see each other's personal parts,
and a page costs the same statements whatever the number of milestones and notes."""
import re
from datetime import timedelta

import pytest

from app.accounts.models import Role
from app.commitments.models import CommitmentState, MilestoneStatus
from app.consultations import services as consultations
from app.core import clock, fragments
from app.extensions import db
from app.follows import services as follows
from app.progress import services as progress
from tests.conftest import login_as
from tests.progress.factories import add_milestone, add_note, make_commitment, make_user
from tests.querycount import count_queries


def page(client, commitment) -> str:
    response = client.get(f"/commitments/{commitment.id}")
    assert response.status_code == 200
    return response.get_data(as_text=True)


def follow_box(html: str) -> str:
    match = re.search(r'<div class="follow".*?</div>', html, re.S)
    assert match, "no follow box"
    return match.group(0)


def test_the_body_is_rendered_once_and_kept(app, world, client, kept_facts):
    commitment = make_commitment(world)
    page(client, commitment)
    page(client, commitment)  # the facts kept between requests are read once
    kept = len(fragments.cache_of(app).local)
    with count_queries() as statements:
        page(client, commitment)
    assert len(fragments.cache_of(app).local) == kept
    assert not any("FROM progress_notes" in s and "ORDER BY" in s for s in statements), \
        "a kept body does not read the notes again"
    # The commitment (with its committee's plan and its consultation rounds), and the body's
    # version with the follow box's state read alongside it (app/core/read_along.py).
    assert len(statements) == 2, statements
    assert "action_plans" in statements[0] and "consultations" in statements[0]
    assert "FROM target_follows" in statements[1]


def test_a_new_milestone_a_note_and_a_status_change_show_on_the_next_request(world, client):
    commitment = make_commitment(world, milestones=1)
    html = page(client, commitment)
    assert html.count('class="milestone-progress') == 1

    add_milestone(commitment)
    assert page(client, commitment).count('class="milestone-progress') == 2

    note = add_note(commitment.milestones[0], world.facilitator)
    assert f'data-note-id="{note.id}"' in page(client, commitment)

    assert progress.set_implementation_status(world.facilitator, commitment, "substantial",
                                              "Avance sustancial verificado por el comité")
    html = page(client, commitment)
    assert 'data-status="substantial"' in html
    assert "Avance sustancial verificado" in html


def test_an_edit_of_the_row_without_updated_at_shows(world, client):
    commitment = make_commitment(world)
    page(client, commitment)
    # Written as a bulk update: updated_at does not move, the version still does.
    import sqlalchemy as sa

    from app.commitments.models import Commitment
    db.session.execute(sa.update(Commitment).where(Commitment.id == commitment.id)
                       .values(lead_institution="Secretaría de Pruebas Nuevas"))
    db.session.commit()
    db.session.expire_all()
    assert "Secretaría de Pruebas Nuevas" in page(client, commitment)


def test_a_milestone_changed_alone_shows_and_a_kept_body_leaves_the_milestones_unloaded(world, client):
    """The milestones are read into the page's version in SQL: a kept body does not load them,
    and a change of one milestone's row alone (no new version of the commitment) still shows."""
    import sqlalchemy as sa

    from app.commitments.models import Milestone
    commitment = make_commitment(world, milestones=2)
    page(client, commitment)
    with count_queries() as statements:
        page(client, commitment)
    # Loading milestones reads their rendered texts; the version reads only the renderer's version.
    assert not any(re.search(r"milestones(?:_\d+)?\.rendered(?!_)", s) for s in statements), statements
    first = commitment.milestones[0]
    db.session.execute(sa.update(Milestone).where(Milestone.id == first.id)
                       .values(responsible="Dirección de Pruebas Nuevas"))
    db.session.commit()
    db.session.expire_all()
    assert "Dirección de Pruebas Nuevas" in page(client, commitment)


def test_a_consultation_opened_closed_and_its_window_passing_show(world, client):
    commitment = make_commitment(world, state=CommitmentState.draft)
    now = clock.now()
    consultation = consultations.open_consultation(world.facilitator, commitment, now,
                                                   now + timedelta(days=2))
    html = page(client, commitment)
    assert 'data-window-state="open"' in html

    with clock.use(lambda: now + timedelta(days=3)):
        assert 'data-window-state="closed"' in page(client, commitment)
    assert 'data-window-state="open"' in page(client, commitment)

    consultations.close_consultation_early(world.facilitator, consultation, "Se cierra antes por acuerdo")
    html = page(client, commitment)
    assert 'data-window-state="closed"' in html and "Se cierra antes por acuerdo" in html


def test_a_milestone_becomes_late_when_the_date_passes(world, client):
    now = clock.now()
    commitment = make_commitment(world, milestones=0)
    add_milestone(commitment, starts_on=clock.today() - timedelta(days=10), ends_on=clock.today() + timedelta(days=1))
    assert "badge-late" not in page(client, commitment)
    with clock.use(lambda: now + timedelta(days=3)):
        assert "badge-late" in page(client, commitment)


def test_follow_and_unfollow_show_for_the_person_only(world, client, app):
    commitment = make_commitment(world)
    other = app.test_client()
    reader = make_user()
    login_as(client, world.citizen)
    login_as(other, reader)
    page(client, commitment), page(other, commitment)

    follows.follow(world.citizen, "commitment", commitment.id)
    mine, theirs = follow_box(page(client, commitment)), follow_box(page(other, commitment))
    assert 'data-following="true"' in mine and 'data-followers="1"' in mine
    assert 'data-following="false"' in theirs and 'data-followers="1"' in theirs

    follows.unfollow(world.citizen, "commitment", commitment.id)
    assert 'data-following="false"' in follow_box(page(client, commitment))


def test_two_viewers_never_see_each_others_controls(world, client, app):
    commitment = make_commitment(world)
    facilitator = app.test_client()
    login_as(facilitator, world.facilitator)
    login_as(client, world.citizen)
    for _round in range(2):  # the second round is served from the kept bodies
        theirs = page(facilitator, commitment)
        mine = page(client, commitment)
        anonymous = page(app.test_client(), commitment)
        assert 'id="facilitator-panel"' in theirs and "/report" in theirs
        assert 'action="/progress/commitment/' in theirs
        for html in (mine, anonymous):
            assert 'id="facilitator-panel"' not in html
            assert "Report progress" not in html and 'name="impl-status"' not in html
        assert "@@csrf-token@@" not in theirs


def test_a_role_change_shows_on_the_next_request(world, client):
    commitment = make_commitment(world)
    person = make_user()
    login_as(client, person)
    assert 'id="facilitator-panel"' not in page(client, commitment)
    person.role = Role.admin
    db.session.commit()
    assert 'id="facilitator-panel"' in page(client, commitment)


def test_each_locale_has_its_own_body(world, client):
    commitment = make_commitment(world)
    url = f"/commitments/{commitment.id}"
    for _round in range(2):  # the second round is served from the kept bodies
        spanish = client.get(url, query_string={"lang": "es_MX"}).get_data(as_text=True)
        english = client.get(url, query_string={"lang": "en"}).get_data(as_text=True)
        assert 'id="progress-title">Implementación<' in spanish
        assert 'id="progress-title">Implementation<' in english


@pytest.mark.parametrize("who", ["anonymous", "citizen", "facilitator"])
def test_statements_do_not_grow_with_milestones_and_notes(world, client, who):
    if who != "anonymous":
        login_as(client, getattr(world, who))
    small = make_commitment(world, milestones=2)
    add_note(small.milestones[0], world.facilitator)
    large = make_commitment(world, milestones=20)
    for m in large.milestones:
        add_note(m, world.facilitator)
        add_note(m, world.facilitator, status=MilestoneStatus.complete)
    counts = {}
    for name, commitment in (("small", small), ("large", large)):
        for kept in (False, True):  # rendered, then served from the kept body
            db.session.expire_all()
            with count_queries() as statements:
                page(client, commitment)
            counts[name, kept] = len(statements)
    assert counts["small", False] == counts["large", False]
    assert counts["small", True] == counts["large", True]
    assert counts["small", True] < counts["small", False]
