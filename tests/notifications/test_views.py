"""The notifications page, the bell, opening a notification and the preferences form."""
import re

import pytest
import sqlalchemy as sa

from app.core.mail import OutboxMessage
from app.extensions import db
from app.notifications.kinds import KIND_LABELS, REMINDER_LABELS
from app.notifications.models import Channel, Notification, NotificationPreference
from app.notifications.queries import PER_PAGE
from tests.conftest import login
from tests.factories import HOSTILE, make_user
from tests.notifications.factories import make_notification
from tests.querycount import count_queries

INDEX = "/notifications/"
PREFERENCES = "/notifications/preferences"


def bell_count(html: str) -> int | None:
    match = re.search(r'class="bell[^"]*"[^>]*data-unread="(\d+)"', html)
    return int(match.group(1)) if match else None


@pytest.fixture
def user(client):
    user = make_user(locale="en")
    login(client, user.email)
    return user


# --- the list ---------------------------------------------------------------------------------

def test_page_requires_login(client):
    response = client.get(INDEX)
    assert response.status_code == 302 and "/account/login" in response.headers["Location"]


def test_page_lists_own_notifications_newest_first_with_unread_marked(client, user):
    other = make_user()
    old = make_notification(user, url="/proposals/1", age_minutes=90, read=True,
                            reference="DGO-2026-0001", title="Primera", state="accepted")
    new = make_notification(user, url="/proposals/2", age_minutes=5,
                            reference="DGO-2026-0002", title="Segunda", state="accepted")
    make_notification(other, reference="DGO-2026-0999", title="Ajena", state="accepted")
    html = client.get(INDEX).get_data(as_text=True)
    assert "DGO-2026-0999" not in html
    assert html.index("DGO-2026-0002") < html.index("DGO-2026-0001")
    assert f'data-notification-id="{new.id}" data-unread="true"' in html
    assert f'data-notification-id="{old.id}" data-unread="false"' in html
    # unread: a form that marks it read; read: a plain link to the target
    assert f'action="/notifications/{new.id}/read"' in html
    assert 'href="/proposals/1"' in html
    assert "has a new answer: Accepted." in html  # the viewer's language (en)


@pytest.mark.parametrize("locale", ["en", "es_MX"])
def test_page_renders_messages_in_the_viewers_language(app, client, monkeypatch, locale):
    from flask_babel import get_locale

    monkeypatch.setitem(app.jinja_env.globals, "notification_message",
                        lambda kind, params: f"rendered-in-{get_locale()}")
    viewer = make_user(locale=locale)
    login(client, viewer.email)
    make_notification(viewer)
    html = client.get(INDEX).get_data(as_text=True)
    assert f"rendered-in-{locale}" in html


def test_page_escapes_hostile_params(client, user):
    make_notification(user, kind="comment_reply", author=HOSTILE, title=HOSTILE)
    html = client.get(INDEX).get_data(as_text=True)
    assert "<script>alert" not in html
    assert "&lt;script&gt;alert" in html


def test_page_never_links_to_an_external_url_stored_by_mistake(client, user):
    make_notification(user, url="https://evil.example/phish", read=True)
    html = client.get(INDEX).get_data(as_text=True)
    assert "evil.example" not in html


def test_page_is_paginated(client, user):
    for i in range(PER_PAGE + 3):
        make_notification(user, age_minutes=i, reference=f"REF-{i:03d}", title="T", state="accepted")
    first = client.get(INDEX).get_data(as_text=True)
    second = client.get(INDEX + "?page=2").get_data(as_text=True)
    assert "REF-000" in first and f"REF-{PER_PAGE - 1:03d}" in first and f"REF-{PER_PAGE:03d}" not in first
    assert f"REF-{PER_PAGE:03d}" in second and "REF-000" not in second
    assert 'rel="next"' in first and 'rel="prev"' in second
    for page in ("?page=99", "?page=-4", "?page=abc"):
        assert client.get(INDEX + page).status_code == 200


def test_page_query_count_does_not_grow_with_notifications(client, user):
    def statements_for_page() -> int:
        db.session.expire_all()
        with count_queries() as statements:
            assert client.get(INDEX).status_code == 200
        return len(statements)

    for _ in range(3):
        make_notification(user)
    few = statements_for_page()
    for _ in range(37):
        make_notification(user, read=True)
    many = statements_for_page()
    assert few == many, (few, many)
    # ... + one query for the titles hidden by moderation since (notifications.queries), + the
    # guarantor body of the footer (the current plan's: plans.queries.guarantor).
    assert few <= 8, few


# --- the bell ---------------------------------------------------------------------------------

def test_bell_counts_only_my_unread_notifications_on_every_page(client, user):
    other = make_user()
    make_notification(user)
    make_notification(user)
    make_notification(user, read=True)
    make_notification(other)
    for page in ("/", INDEX, PREFERENCES, "/account/profile"):
        html = client.get(page).get_data(as_text=True)
        assert bell_count(html) == 2, page
    html = client.get("/").get_data(as_text=True)
    assert 'aria-label="Notifications: 2 unread"' in html
    assert '<span class="bell-count" aria-hidden="true">2</span>' in html


def test_bell_without_unread_shows_no_count(client, user):
    make_notification(user, read=True)
    html = client.get("/").get_data(as_text=True)
    assert bell_count(html) == 0
    assert "bell-count" not in html


def test_no_bell_for_anonymous_visitors(client):
    html = client.get("/").get_data(as_text=True)
    assert bell_count(html) is None


def test_bell_costs_one_count_query_and_nothing_for_visitors(client, other_client, user):
    make_notification(user)
    make_notification(user)
    with count_queries() as statements:
        client.get("/")
    with count_queries() as anonymous:
        other_client.get("/")
    on_notifications = [s for s in statements if "FROM notifications" in s]
    assert len(on_notifications) == 1 and "count(" in on_notifications[0].lower()
    assert not any("FROM notifications" in s for s in anonymous)


# --- opening a notification ------------------------------------------------------------------

@pytest.mark.csrf  # this form family through a real CSRF token
def test_opening_marks_read_and_goes_to_the_target(client, user):
    notification = make_notification(user, url="/proposals/5#answer")
    response = client.submit(f"/notifications/{notification.id}/read", page=INDEX)
    assert response.status_code == 302
    assert response.headers["Location"] == "/proposals/5#answer"
    assert db.session.get(Notification, notification.id).read_at is not None
    assert bell_count(client.get("/").get_data(as_text=True)) == 0


@pytest.mark.parametrize("url", ["https://evil.example/x", "//evil.example/x", "/\\evil.example"])
def test_opening_refuses_external_urls(client, user, url):
    notification = make_notification(user, url=url)
    response = client.submit(f"/notifications/{notification.id}/read", page=INDEX)
    assert response.status_code == 302
    assert response.headers["Location"] == INDEX
    assert db.session.get(Notification, notification.id).read_at is not None


def test_opening_anothers_notification_is_refused(client, user):
    theirs = make_notification(make_user(), url="/proposals/9")
    response = client.submit(f"/notifications/{theirs.id}/read", page=INDEX)
    assert response.status_code == 403
    db.session.expire_all()
    assert db.session.get(Notification, theirs.id).read_at is None


def test_opening_a_missing_notification_is_404(client, user):
    assert client.submit("/notifications/999999/read", page=INDEX).status_code == 404


def test_opening_by_get_changes_nothing(client, user):
    notification = make_notification(user)
    assert client.get(f"/notifications/{notification.id}/read").status_code == 405
    assert db.session.get(Notification, notification.id).read_at is None


def test_read_all_marks_only_mine(client, user):
    mine = [make_notification(user), make_notification(user)]
    theirs = make_notification(make_user())
    response = client.submit("/notifications/read-all", page=INDEX)
    assert response.status_code == 302 and response.headers["Location"] == INDEX
    db.session.expire_all()
    assert all(db.session.get(Notification, n.id).read_at is not None for n in mine)
    assert db.session.get(Notification, theirs.id).read_at is None


@pytest.mark.csrf
def test_posts_without_csrf_token_are_refused(client, user):
    notification = make_notification(user)
    assert client.post(f"/notifications/{notification.id}/read").status_code == 400
    assert client.post("/notifications/read-all").status_code == 400
    assert db.session.get(Notification, notification.id).read_at is None


# --- preferences ------------------------------------------------------------------------------

def all_choices(channel: str) -> dict:
    return {kind: channel for kind in KIND_LABELS}


def stored_preferences(user) -> dict:
    return dict(db.session.execute(
        sa.select(NotificationPreference.kind, NotificationPreference.channel)
        .where(NotificationPreference.user_id == user.id)
    ).all())


def checked(html: str, kind: str) -> list[str]:
    """The values shown as chosen in the radio group of `kind`."""
    inputs = re.findall(rf'<input[^>]*name="{kind}"[^>]*>', html)
    return [re.search(r'value="(\w+)"', i).group(1) for i in inputs if " checked" in i]


def test_preferences_default_to_immediate_with_a_fieldset_per_kind(client, user):
    html = client.get(PREFERENCES).get_data(as_text=True)
    assert html.count("<fieldset") == len(KIND_LABELS) + len(REMINDER_LABELS)
    assert html.count("<legend>") == len(KIND_LABELS) + len(REMINDER_LABELS)
    for kind in (*KIND_LABELS, *REMINDER_LABELS):
        assert checked(html, kind) == ["immediate"]


def test_preferences_save_and_show_the_choice(client, user):
    data = all_choices("immediate") | {"comment_reply": "digest", "table_changed": "none"}
    response = client.submit(PREFERENCES, data)
    assert response.status_code == 302 and response.headers["Location"] == PREFERENCES
    assert stored_preferences(user)["comment_reply"] == Channel.digest
    assert stored_preferences(user)["table_changed"] == Channel.none
    assert len(stored_preferences(user)) == len(KIND_LABELS)
    html = client.get(PREFERENCES).get_data(as_text=True)
    assert checked(html, "comment_reply") == ["digest"]
    assert checked(html, "table_changed") == ["none"]
    assert checked(html, "table_seat") == ["immediate"]
    # saving again updates the same rows
    assert client.submit(PREFERENCES, all_choices("none")).status_code == 302
    assert set(stored_preferences(user).values()) == {Channel.none}


def test_preferences_take_effect_for_the_next_notification(client, user):
    from app.notifications.services import notify

    client.submit(PREFERENCES, all_choices("none"))
    notify([user], "table_changed", "/t", title="Mesa")
    db.session.commit()
    assert db.session.scalar(sa.select(sa.func.count(OutboxMessage.id))) == 0


@pytest.mark.parametrize("bad", [{"comment_reply": "carrier-pigeon"}, {"comment_reply": None}])
def test_preferences_bad_value_re_renders_with_400_and_keeps_input(client, user, bad):
    data = all_choices("digest") | bad
    data = {k: v for k, v in data.items() if v is not None}
    response = client.submit(PREFERENCES, data)
    html = response.get_data(as_text=True)
    assert response.status_code == 400
    assert 'class="error-summary"' in html
    assert 'href="#comment_reply"' in html and 'id="comment_reply"' in html
    assert 'id="comment_reply-error"' in html
    assert 'aria-describedby="comment_reply-error"' in html
    assert checked(html, "table_seat") == ["digest"]
    assert stored_preferences(user) == {}


def test_preferences_require_login(client):
    response = client.get(PREFERENCES)
    assert response.status_code == 302 and "/account/login" in response.headers["Location"]


# --- content hidden by moderation after the notification -------------------------------------

def _hidden_proposal(title: str, reason: str):
    from app.core.db import utcnow
    from tests.comments.factories import make_proposal

    return make_proposal(title=title, hidden_at=utcnow(), hidden_reason=reason)


def test_the_list_stops_showing_the_title_of_a_proposal_hidden_since(client, user):
    hidden = _hidden_proposal("Título con el teléfono de alguien", "Expone datos personales")
    make_notification(user, url=f"/proposals/{hidden.reference}", reference=hidden.reference,
                      title="Título con el teléfono de alguien", state="accepted")
    make_notification(user, kind="comment_reply", url=f"/proposals/{hidden.reference}#comment-4",
                      author="Rosa", title="Título con el teléfono de alguien")
    make_notification(user, url="/proposals/DGO-2026-0999", reference="DGO-2026-0999",
                      title="Un título visible", state="accepted")
    html = client.get(INDEX).get_data(as_text=True)
    assert "teléfono" not in html
    assert html.count("Hidden by moderation: Expone datos personales") == 2
    assert "Un título visible" in html


def test_the_digest_stops_showing_the_title_of_a_proposal_hidden_since(user):
    from app.notifications.services import send_digests

    hidden = _hidden_proposal("Título con el teléfono de alguien", "pending review")
    make_notification(user, kind="proposal_merged", channel=Channel.digest,
                      url="/proposals/DGO-2026-0998", reference="DGO-2026-0998",
                      title="Otra propuesta", into_reference=hidden.reference,
                      into_title="Título con el teléfono de alguien")
    assert send_digests() == 1
    body = db.session.scalar(sa.select(OutboxMessage.body))
    assert "teléfono" not in body
    assert "Hidden by moderation: pending review" in body and "Otra propuesta" in body
