"""Who may open, close, answer and comment in a consultation: the rules over every kind of
actor, and direct POSTs to every action route (a facilitator of another committee gets 403)."""
from datetime import timedelta

import pytest
import sqlalchemy as sa

from app.comments.models import Comment
from app.consultations.models import Consultation, ConsultationAnswer
from app.core.permissions import can
from app.extensions import db
from tests.conftest import login
from tests.consultations.factories import (
    World,
    count_rows,
    make_comment,
    make_consultation,
    move_window,
)

ACTORS = ["anonymous", "citizen", "organisation", "author", "facilitator", "other_facilitator",
          "admin", "unconfirmed", "blocked"]
PARTICIPANTS = ["citizen", "organisation", "author", "facilitator", "other_facilitator", "admin"]
FACILITATORS = ["facilitator", "admin"]


def allowed(*names):
    return {actor: actor in names for actor in ACTORS}


class Cast(World):
    def __init__(self):
        super().__init__()
        self.consultation = make_consultation(self.commitment)
        self.comment = make_comment(self.commitment, self.author, "problem")


@pytest.fixture(scope="module")
def cast(module_worlds):
    """Built once per module; each test is rolled back to it (tests/README.md, "Isolation")."""
    return module_worlds.share(Cast)


RULES = {
    "consultations.open": ("commitment", allowed(*FACILITATORS)),
    "consultations.close": ("consultation", allowed(*FACILITATORS)),
    "consultations.answer": ("comment", allowed(*FACILITATORS)),
    "consultations.preview": ("commitment", allowed(*FACILITATORS)),
    "consultations.comment": ("consultation", allowed(*PARTICIPANTS)),
}


@pytest.mark.parametrize("rule", list(RULES))
def test_rules_table(cast, rule):
    target_name, expected = RULES[rule]
    target = getattr(cast, target_name)
    got = {actor: can(getattr(cast, actor), rule, target) for actor in ACTORS}
    assert got == expected


@pytest.mark.parametrize("window", ["scheduled", "closed", "closed_early"])
def test_nobody_comments_outside_the_window(cast, window):
    if window == "scheduled":
        move_window(cast.consultation, opened_hours_ago=-1)
    elif window == "closed":
        move_window(cast.consultation, opened_hours_ago=48, closes_in_hours=-1)
    else:
        cast.consultation.closed_early_at = cast.consultation.opens_at + timedelta(minutes=5)
        db.session.commit()
    assert not any(can(getattr(cast, a), "consultations.comment", cast.consultation) for a in ACTORS)


@pytest.mark.parametrize("rule, target", [
    ("consultations.open", None), ("consultations.close", None), ("consultations.answer", None),
    ("consultations.comment", None), ("consultations.close", "commitment"),
    ("consultations.comment", "commitment"),
])
def test_rules_deny_without_the_right_target(cast, rule, target):
    target = getattr(cast, target) if target else None
    assert not any(can(getattr(cast, a), rule, target) for a in ACTORS)


def test_a_facilitator_without_confirmed_email_is_not_a_facilitator(cast):
    cast.facilitator.email_confirmed_at = None
    assert not can(cast.facilitator, "consultations.answer", cast.comment)
    assert not can(cast.facilitator, "consultations.open", cast.commitment)
    db.session.rollback()


# ---------------------------------------------------------------- direct POSTs


def _open_route(cast):
    # A second round needs the first one closed.
    move_window(cast.consultation, opened_hours_ago=48, closes_in_hours=-1)
    return (f"/consultations/commitment/{cast.commitment.id}/open",
            {"consultation-opens_at": "2099-01-01T10:00", "consultation-closes_at": "2099-01-15T10:00"})


def _close_route(cast):
    return f"/consultations/{cast.consultation.id}/close", {"close-reason": "Cerramos antes por prueba."}


def _answer_route(cast):
    return (f"/consultations/comments/{cast.comment.id}/answer",
            {"outcome": "incorporated", "reason": "Se incorporó al texto.", "update": "0"})


def _comment_route(cast):
    return f"/consultations/commitment/{cast.commitment.id}/comment", {"section": "problem", "body": "Hola"}


def _reply_route(cast):
    return f"/consultations/comments/{cast.comment.id}/reply", {"body": "Respuesta"}


def _changed(route):
    if route == "open":
        return count_rows(Consultation) == 2
    if route == "close":
        return db.session.scalar(sa.select(Consultation.closed_early_at)) is not None
    if route == "answer":
        return count_rows(ConsultationAnswer) == 1
    return count_rows(Comment) == 2


ROUTES = {
    "open": (_open_route, FACILITATORS),
    "close": (_close_route, FACILITATORS),
    "answer": (_answer_route, FACILITATORS),
    "comment": (_comment_route, PARTICIPANTS),
    "reply": (_reply_route, PARTICIPANTS),
}


@pytest.mark.parametrize("actor", ACTORS)
@pytest.mark.parametrize("route", list(ROUTES))
def test_direct_posts(cast, client, route, actor):
    build, allowed_actors = ROUTES[route]
    url, data = build(cast)
    user = getattr(cast, actor)
    if user is not None:
        login(client, user.email)
    response = client.submit(url, data, page="/")
    db.session.expire_all()

    if actor == "anonymous":
        assert response.status_code == 302 and "/account/login" in response.headers["Location"]
    elif actor in allowed_actors:
        assert response.status_code == 302, response.get_data(as_text=True)[:2000]
        assert "/account/login" not in response.headers["Location"]
    else:
        assert response.status_code == 403
    assert _changed(route) == (actor in allowed_actors)


@pytest.mark.parametrize("route", list(ROUTES))
def test_a_facilitator_of_another_committee_gets_403_on_get_pages_too(cast, client, route):
    url, _data = ROUTES[route][0](cast)
    login(client, cast.other_facilitator.email)
    expected = 200 if route in ("comment", "reply") else 403
    assert client.get(url).status_code == expected


def test_posts_to_a_draft_of_another_committee_are_404_or_403_never_500(cast, client):
    """A draft (not public) is invisible to those who do not facilitate it."""
    login(client, cast.facilitator.email)
    draft = cast.other_commitment
    response = client.submit(f"/consultations/commitment/{draft.id}/open",
                             {"consultation-opens_at": "2099-01-01T10:00",
                              "consultation-closes_at": "2099-01-15T10:00"}, page="/")
    assert response.status_code == 404
    assert count_rows(Consultation) == 1
