"""Consultation pages: who sees them, the forms (400 keeping the input, 409 when the window
closed), the report (hidden from the public before the close), the panel on the commitment page,
moderation of consultation comments, and fixed SQL statement counts."""
import re

import pytest
import sqlalchemy as sa
from flask import render_template_string

from app.comments.models import Comment
from app.commitments.models import CommitmentState
from app.consultations.models import Consultation, ConsultationAnswer
from app.core.db import utcnow
from app.extensions import db
from app.moderation.models import Report
from tests.conftest import login
from tests.consultations.factories import (
    World,
    count_rows,
    counted,
    make_answer,
    make_comment,
    make_commitment,
    make_consultation,
    milestone_key,
    move_window,
)
from tests.consultations.test_services import EXPECTED, Fixture
from tests.factories import HOSTILE, make_user


@pytest.fixture(scope="module")
def world(module_worlds):
    """Built once per module; each test is rolled back to it (tests/README.md, "Isolation")."""
    return module_worlds.share(World)


def page(world):
    return f"/consultations/commitment/{world.commitment.id}"


def report_page(world):
    return f"/consultations/commitment/{world.commitment.id}/report"


# ---------------------------------------------------------------- who sees the page


def test_a_draft_without_consultation_is_seen_only_by_its_facilitators(world, client, other_client):
    assert client.get(page(world)).status_code == 404
    login(client, world.other_facilitator.email)
    assert client.get(page(world)).status_code == 404
    login(other_client, world.facilitator.email)
    response = other_client.get(page(world))
    assert response.status_code == 200
    assert 'data-preview="true"' in response.get_data(as_text=True)


def test_a_missing_commitment_is_404(client):
    assert client.get("/consultations/commitment/999999").status_code == 404
    assert client.get("/consultations/commitment/999999/report").status_code == 404


def test_the_page_shows_every_section_its_threads_and_escapes_hostile_text(world, client):
    make_consultation(world.commitment)
    top = make_comment(world.commitment, world.author, "causes")
    reply = make_comment(world.commitment, world.citizen, parent=top, body="Respuesta en el hilo")
    make_answer(top, "partially_incorporated", by=world.facilitator, reason="Razón pública visible")

    html = client.get(page(world)).get_data(as_text=True)

    for key in ["general", "problem", "causes", "status_quo", "objective", "description",
                "how_it_helps", "values", *(milestone_key(m) for m in world.milestones)]:
        assert f'data-section="{key}"' in html, key
    causes = html.split('data-section="causes"')[1].split('data-section="status_quo"')[0]
    assert f'data-comment-id="{top.id}"' in causes
    assert f'data-comment-id="{reply.id}"' in causes
    assert 'data-outcome="partially_incorporated"' in causes
    assert "Razón pública visible" in causes
    assert "<script>alert" not in html
    assert "onerror=alert(1)>" not in html


def test_anonymous_readers_get_no_forms_and_a_login_link(world, client):
    make_consultation(world.commitment)
    make_comment(world.commitment, world.author, "problem")
    html = client.get(page(world)).get_data(as_text=True)
    assert f"/consultations/commitment/{world.commitment.id}/comment" not in html
    assert "/answer" not in html
    assert "/account/login" in html


def test_participants_get_a_form_per_section_while_open_and_none_after(world, client):
    consultation = make_consultation(world.commitment)
    login(client, world.citizen.email)
    html = client.get(page(world)).get_data(as_text=True)
    sections = re.findall(r'name="section" value="([^"]+)"', html)
    assert sections == ["general", "problem", "causes", "status_quo", "objective", "description",
                        "how_it_helps", "values", *(milestone_key(m) for m in world.milestones)]
    assert "/answer" not in html  # citizens do not answer

    move_window(consultation, opened_hours_ago=48, closes_in_hours=-1)
    html = client.get(page(world)).get_data(as_text=True)
    assert 'name="section"' not in html
    assert 'data-window-state="closed"' in html
    assert 'data-window-message="true"' in html


def test_facilitators_get_an_answer_form_per_comment(world, client):
    make_consultation(world.commitment)
    comments = [make_comment(world.commitment, world.author, s) for s in (None, "values")]
    login(client, world.facilitator.email)
    html = client.get(page(world)).get_data(as_text=True)
    for comment in comments:
        assert f"/consultations/comments/{comment.id}/answer" in html


def test_hidden_comments_show_the_moderation_placeholder(world, client):
    make_consultation(world.commitment)
    make_comment(world.commitment, world.author, "problem", body="Texto que ocultó la moderación",
                 hidden_at=utcnow(), hidden_reason="Lenguaje ofensivo")
    html = client.get(page(world)).get_data(as_text=True)
    assert "Texto que ocultó la moderación" not in html
    assert "Lenguaje ofensivo" in html
    assert 'data-comment-state="hidden"' in html


# ---------------------------------------------------------------- commenting


@pytest.mark.csrf  # this form family through a real CSRF token
def test_a_comment_posted_from_a_section_form_lands_on_its_section(world, client):
    make_consultation(world.commitment)
    login(client, world.citizen.email)
    key = milestone_key(world.milestones[1])
    response = client.submit(f"/consultations/commitment/{world.commitment.id}/comment",
                             {"section": key, "body": f"Sobre el hito {HOSTILE}"}, page=page(world))
    comment = db.session.scalars(sa.select(Comment)).one()
    assert response.status_code == 302
    assert response.headers["Location"].endswith(f"{page(world)}#comment-{comment.id}")
    assert comment.section == key
    assert comment.body == f"Sobre el hito {HOSTILE}"


def test_the_standalone_comment_form_preselects_the_section(world, client):
    make_consultation(world.commitment)
    login(client, world.citizen.email)
    html = client.get(f"/consultations/commitment/{world.commitment.id}/comment?section=causes").get_data(as_text=True)
    assert re.search(r'<option[^>]*selected[^>]*value="causes"|<option[^>]*value="causes"[^>]*selected', html)


@pytest.mark.parametrize("case", ["foreign_milestone", "too_long", "unknown_section"])
def test_a_refused_comment_comes_back_with_400_and_the_text_kept(world, client, case):
    make_consultation(world.commitment)
    login(client, world.citizen.email)
    body = "Mi texto que no debe perderse"
    section = "problem"
    if case == "foreign_milestone":
        section = milestone_key(world.other_commitment.milestones[0])
    elif case == "unknown_section":
        section = "budget"
    else:
        body = body + " " + "x" * 5000
    response = client.submit(f"/consultations/commitment/{world.commitment.id}/comment",
                             {"section": section, "body": body}, page=page(world))
    html = response.get_data(as_text=True)
    assert response.status_code == 400
    assert body in html
    assert 'aria-invalid="true"' in html
    assert count_rows(Comment) == 0


def test_a_comment_sent_after_the_close_gets_409_the_window_and_the_text_kept(world, client):
    consultation = make_consultation(world.commitment)
    login(client, world.citizen.email)
    token_page = page(world)
    client.get(token_page)
    move_window(consultation, opened_hours_ago=48, closes_in_hours=-1)
    response = client.submit(f"/consultations/commitment/{world.commitment.id}/comment",
                             {"section": "objective", "body": "Escrito mientras cerraba"}, page=token_page)
    html = response.get_data(as_text=True)
    assert response.status_code == 409
    assert "Escrito mientras cerraba" in html
    assert 'data-window-message="true"' in html
    assert count_rows(Comment) == 0


def test_a_reply_from_the_page_joins_the_thread(world, client):
    make_consultation(world.commitment)
    top = make_comment(world.commitment, world.author, "status_quo")
    login(client, world.citizen.email)
    response = client.submit(f"/consultations/comments/{top.id}/reply", {"body": "Coincido"}, page=page(world))
    reply = db.session.scalars(sa.select(Comment).where(Comment.parent_id == top.id)).one()
    assert response.status_code == 302
    assert reply.section == "status_quo"


def test_a_reply_to_a_proposal_comment_is_not_found_here(world, client):
    from tests.comments.factories import make_comment as make_proposal_comment
    from tests.comments.factories import make_proposal

    make_consultation(world.commitment)
    other = make_proposal_comment(make_proposal(world.committee))
    login(client, world.citizen.email)
    assert client.get(f"/consultations/comments/{other.id}/reply").status_code == 404
    assert client.get(f"/consultations/comments/{other.id}/answer").status_code == 404


# ---------------------------------------------------------------- opening, closing, answering


def test_the_open_form_comes_back_with_400_and_the_input_kept(world, client):
    login(client, world.facilitator.email)
    url = f"/consultations/commitment/{world.commitment.id}/open"
    response = client.submit(url, {"consultation-opens_at": "2099-03-10T09:30",
                                   "consultation-closes_at": "2099-03-01T09:30"})
    html = response.get_data(as_text=True)
    assert response.status_code == 400
    assert 'value="2099-03-10T09:30"' in html and 'value="2099-03-01T09:30"' in html
    assert 'id="consultation-closes_at-error"' in html
    assert count_rows(Consultation) == 0


def test_the_open_form_refuses_garbage_with_400(world, client):
    login(client, world.facilitator.email)
    url = f"/consultations/commitment/{world.commitment.id}/open"
    response = client.submit(url, {"consultation-opens_at": "mañana", "consultation-closes_at": ""})
    assert response.status_code == 400
    assert 'value="mañana"' in response.get_data(as_text=True)


def test_opening_from_the_form_stores_local_time_and_redirects(world, client):
    login(client, world.facilitator.email)
    url = f"/consultations/commitment/{world.commitment.id}/open"
    response = client.submit(url, {"consultation-opens_at": "2099-03-10T09:30",
                                   "consultation-closes_at": "2099-03-20T18:00"})
    assert response.status_code == 302
    consultation = db.session.scalars(sa.select(Consultation)).one()
    assert consultation.opens_at.isoformat() == "2099-03-10T15:30:00+00:00"
    assert consultation.closes_at.isoformat() == "2099-03-21T00:00:00+00:00"
    # A second tab opening again gets a clear 409, not a 500.
    response = client.submit(url, {"consultation-opens_at": "2099-04-10T09:30",
                                   "consultation-closes_at": "2099-04-20T18:00"},
                             page=f"/consultations/commitment/{world.commitment.id}")
    assert response.status_code == 409
    assert count_rows(Consultation) == 1


def test_the_second_open_is_a_409_with_the_form(world, client):
    make_consultation(world.commitment, opened_hours_ago=-5)
    login(client, world.facilitator.email)
    url = f"/consultations/commitment/{world.commitment.id}/open"
    response = client.submit(url, {"consultation-opens_at": "2099-04-10T09:30",
                                   "consultation-closes_at": "2099-04-20T18:00"}, page="/")
    assert response.status_code == 409
    assert 'value="2099-04-10T09:30"' in response.get_data(as_text=True)


def test_the_close_form_needs_a_reason_and_keeps_it(world, client):
    consultation = make_consultation(world.commitment)
    login(client, world.facilitator.email)
    url = f"/consultations/{consultation.id}/close"
    response = client.submit(url, {"close-reason": "corto"})
    assert response.status_code == 400
    assert "corto" in response.get_data(as_text=True)
    response = client.submit(url, {"close-reason": "Se alcanzó el objetivo de participación."})
    assert response.status_code == 302
    response = client.submit(url, {"close-reason": "Otra vez, desde otra pestaña."})
    assert response.status_code == 409


def test_a_double_clicked_answer_is_saved_once_with_a_friendly_message(world, client):
    make_consultation(world.commitment)
    comment = make_comment(world.commitment, world.author, "problem")
    login(client, world.facilitator.email)
    url = f"/consultations/comments/{comment.id}/answer"
    data = {"outcome": "incorporated", "reason": "Se incorporó al texto.", "update": "0"}
    first = client.submit(url, data, page=page(world))
    second = client.submit(url, data, page=page(world))
    assert first.status_code == second.status_code == 302
    assert count_rows(ConsultationAnswer) == 1
    html = client.get(second.headers["Location"]).get_data(as_text=True)
    assert "flash-info" in html


def test_a_different_new_answer_over_an_existing_one_warns_and_replaces_nothing(world, client):
    make_consultation(world.commitment)
    comment = make_comment(world.commitment, world.author, "problem")
    make_answer(comment, "incorporated", by=world.admin)
    login(client, world.facilitator.email)
    response = client.submit(f"/consultations/comments/{comment.id}/answer",
                             {"outcome": "not_incorporated", "reason": "Otra razón distinta.", "update": "0"},
                             page=page(world))
    assert response.status_code == 302
    assert "flash-warning" in client.get(response.headers["Location"]).get_data(as_text=True)
    assert db.session.scalar(sa.select(ConsultationAnswer.outcome)).value == "incorporated"


def test_an_invalid_answer_comes_back_with_400_and_the_input_kept(world, client):
    make_consultation(world.commitment)
    comment = make_comment(world.commitment, world.author, "problem")
    login(client, world.facilitator.email)
    response = client.submit(f"/consultations/comments/{comment.id}/answer",
                             {"outcome": "", "reason": "Razón conservada en el formulario", "update": "0"})
    html = response.get_data(as_text=True)
    assert response.status_code == 400
    assert "Razón conservada en el formulario" in html
    assert count_rows(ConsultationAnswer) == 0


def test_the_answer_page_prefills_an_existing_answer_for_a_change(world, client):
    make_consultation(world.commitment)
    comment = make_comment(world.commitment, world.author, "problem")
    make_answer(comment, "not_incorporated", by=world.admin, reason="Razón ya publicada.")
    login(client, world.facilitator.email)
    html = client.get(f"/consultations/comments/{comment.id}/answer").get_data(as_text=True)
    assert 'name="update" type="hidden" value="1"' in html or 'value="1"' in html
    response = client.submit(f"/consultations/comments/{comment.id}/answer",
                             {"outcome": "incorporated", "reason": "Ahora sí se incorporó.", "update": "1"})
    assert response.status_code == 302
    assert db.session.scalar(sa.select(ConsultationAnswer.outcome)).value == "incorporated"


# ---------------------------------------------------------------- the report


@pytest.mark.parametrize("viewer", ["anonymous", "citizen", "other_facilitator"])
def test_the_report_is_hidden_from_the_public_until_the_close(world, client, other_client, viewer):
    consultation = make_consultation(world.commitment)
    make_comment(world.commitment, world.author, "problem", body="Comentario aún en consulta")
    if viewer != "anonymous":
        login(client, getattr(world, viewer).email)

    html = client.get(report_page(world)).get_data(as_text=True)
    assert 'data-report="pending"' in html
    assert "Comentario aún en consulta" not in html
    assert "data-participants" not in html

    login(other_client, world.facilitator.email)
    html = other_client.get(report_page(world)).get_data(as_text=True)
    assert 'data-report="preview"' in html
    assert "Comentario aún en consulta" in html

    move_window(consultation, opened_hours_ago=48, closes_in_hours=-1)
    html = client.get(report_page(world)).get_data(as_text=True)
    assert 'data-report="public"' in html
    assert "Comentario aún en consulta" in html


def test_the_public_report_after_the_close_has_the_exact_counts(world, client):
    fx = Fixture(world)
    response = client.get(report_page(world))
    html = response.get_data(as_text=True)
    assert response.status_code == 200
    assert 'data-report="public"' in html
    assert 'data-participants="4"' in html
    keys = {"m1": fx.m1, "m2": fx.m2}
    columns = ("total", "incorporated", "partially_incorporated", "not_incorporated", "unanswered")
    for section, expected in EXPECTED.items():
        key = keys.get(section, section)
        row = re.search(rf'<tr data-section="{key}">(.*?)</tr>', html, re.S).group(1)
        got = tuple(int(re.search(rf'data-count="{c}">(\d+)<', row).group(1)) for c in columns)
        assert got == expected, section
    # Every comment with its answer; hidden text replaced, deleted text gone.
    for comment in (fx.general_1, fx.general_2, fx.problem, fx.reply, fx.milestone):
        assert f'data-comment-id="{comment.id}"' in html
    assert "Texto ofensivo oculto" not in html and "Ofensivo" in html
    assert "Texto borrado" not in html
    assert html.count('class="consultation-answer"') == 5


def test_a_draft_returned_to_draft_keeps_its_report_for_facilitators_only(world, client, other_client):
    make_consultation(world.commitment, opened_hours_ago=48, closes_in_hours=-1)
    world.commitment.state = CommitmentState.draft
    db.session.commit()
    assert client.get(report_page(world)).status_code == 404
    login(other_client, world.facilitator.email)
    assert other_client.get(report_page(world)).status_code == 200


# ---------------------------------------------------------------- the panel on the commitment page


def _panel(client, world, user=None):
    if user is not None:
        login(client, user.email)
    client.get("/")  # a request for the login cookie's user
    with client.application.test_request_context("/"):
        from flask_login import login_user

        if user is not None:
            login_user(user)
        return render_template_string('{% include "consultations/_panel.html" %}',
                                      commitment=world.commitment)


def test_the_panel_offers_facilitators_to_open_a_consultation(world, client):
    html = _panel(client, world, world.facilitator)
    assert f"/consultations/commitment/{world.commitment.id}/open" in html
    assert 'name="consultation-opens_at"' in html and 'name="csrf_token"' in html


def test_the_panel_shows_the_public_the_window_and_no_forms(world, client):
    make_consultation(world.commitment, opened_hours_ago=-2, closes_in_hours=48)
    html = _panel(client, world, world.citizen)
    assert 'data-window-state="scheduled"' in html
    assert f"/consultations/commitment/{world.commitment.id}/report" in html
    assert "/open" not in html and "/close" not in html


def test_the_panel_offers_facilitators_to_close_an_open_consultation(world, client):
    consultation = make_consultation(world.commitment)
    html = _panel(client, world, world.admin)
    assert 'data-window-state="open"' in html
    assert f"/consultations/{consultation.id}/close" in html
    assert "/open" not in html


def test_the_panel_is_empty_for_the_public_without_consultation(world, client):
    world.commitment.state = CommitmentState.published
    db.session.commit()
    assert _panel(client, world).strip() == ""


def test_the_commitment_page_includes_the_panel(world, client):
    make_consultation(world.commitment)
    html = client.get(f"/commitments/{world.commitment.id}").get_data(as_text=True)
    assert 'id="consultation-panel-title"' in html


# ---------------------------------------------------------------- moderation of consultation comments


def test_a_consultation_comment_can_be_reported_and_the_queue_links_back(world, client, other_client):
    make_consultation(world.commitment)
    comment = make_comment(world.commitment, world.author, "problem")
    login(client, world.citizen.email)
    response = client.submit("/moderation/report",
                             {"target_type": "comment", "target_id": comment.id, "reason": "spam"},
                             page=page(world))
    assert response.status_code == 302
    assert response.headers["Location"].endswith(f"{page(world)}#comment-{comment.id}")
    assert count_rows(Report) == 1
    login(other_client, world.facilitator.email)
    queue = other_client.get(f"/moderation/committee/{world.committee.id}")
    assert queue.status_code == 200
    assert f"{page(world)}#comment-{comment.id}" in queue.get_data(as_text=True)


# ---------------------------------------------------------------- SQL statement counts

MEASURED: dict[str, int] = {}


def _statements(client, url: str) -> int:
    client.get(url)  # warm: the first request may load the session's user
    db.session.expire_all()
    with counted() as statements:
        response = client.get(url)
    assert response.status_code == 200, url
    return len(statements)


def _fill(world, commitment, n: int, commenters):
    """n comments across sections, with replies, answers and a hidden one."""
    keys = [None, "problem", "objective", "values", *(milestone_key(m) for m in commitment.milestones)]
    tops = []
    for i in range(n):
        if i % 3 == 2 and tops:
            make_comment(commitment, commenters[i % len(commenters)], parent=tops[-1])
            continue
        top = make_comment(commitment, commenters[i % len(commenters)], keys[i % len(keys)],
                           hidden_at=utcnow() if i == 4 else None, hidden_reason="x" if i == 4 else None)
        tops.append(top)
        if i % 2 == 0:
            make_answer(top, "incorporated", by=world.facilitator)


@pytest.mark.parametrize("who", ["anonymous", "citizen", "facilitator"])
@pytest.mark.parametrize("which", ["page", "report"])
def test_statements_do_not_grow_with_comments(world, client, who, which):
    few = world.commitment
    many = make_commitment(world.committee, milestones=2)
    for commitment in (few, many):
        make_consultation(commitment, opened_hours_ago=48,
                          closes_in_hours=24 if which == "page" else -1)
    commenters = [make_user() for _ in range(6)]
    _fill(world, few, 2, commenters)
    _fill(world, many, 30, commenters)
    assert count_rows(Comment, Comment.commitment_id == many.id) == 30
    if who != "anonymous":
        login(client, getattr(world, who).email)
    suffix = "" if which == "page" else "/report"
    small = _statements(client, f"/consultations/commitment/{few.id}{suffix}")
    large = _statements(client, f"/consultations/commitment/{many.id}{suffix}")
    assert small == large
    MEASURED[f"consultation {which} ({who}), 2 / 30 comments"] = small


def teardown_module(module):
    if MEASURED:
        print("\nSQL statements per consultation page:")
        for key, value in MEASURED.items():
            print(f"  {key}: {value}")
