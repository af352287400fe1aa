"""notify(), the channels, the daily digest and the preferences, tested at the service layer."""
import pytest
import sqlalchemy as sa
from flask_babel import force_locale, get_locale

from app.core.db import utcnow
from app.core.errors import PermissionDenied
from app.core.mail import OutboxMessage
from app.extensions import db
from app.notifications import services
from app.notifications.kinds import KIND_LABELS, KIND_PARAMS, message
from app.notifications.models import Channel, Notification, NotificationPreference
from app.notifications.services import notify, save_preferences, send_digests
from tests.factories import HOSTILE, make_user
from tests.notifications.factories import choose, make_notification


def english_message(kind, params) -> str:
    with force_locale("en"):
        return message(kind, params)


ANSWER = {"reference": "DGO-2026-0042", "title": "Agua potable en la colonia", "state": "accepted"}


def rows_for(user) -> list[Notification]:
    return db.session.scalars(
        sa.select(Notification).where(Notification.user_id == user.id).order_by(Notification.id)
    ).all()


def mail_to(user) -> list[OutboxMessage]:
    return db.session.scalars(
        sa.select(OutboxMessage).where(OutboxMessage.recipient == user.email).order_by(OutboxMessage.id)
    ).all()


def all_mail() -> list[OutboxMessage]:
    return db.session.scalars(sa.select(OutboxMessage)).all()


@pytest.fixture
def locale_probe(app, monkeypatch):
    """Mail text that names the locale it was rendered in, whatever the catalogue holds."""
    monkeypatch.setitem(
        app.jinja_env.globals, "notification_message", lambda kind, params: f"locale={get_locale()}"
    )


# --- who is notified -------------------------------------------------------------------------

def test_notify_creates_one_row_per_distinct_recipient():
    ana, luis = make_user(), make_user()
    count = notify([ana, luis, ana, None, luis], "proposal_answered", "/proposals/7", **ANSWER)
    db.session.commit()
    assert count == 2
    assert len(rows_for(ana)) == 1 and len(rows_for(luis)) == 1
    assert rows_for(ana)[0].url == "/proposals/7"
    assert rows_for(ana)[0].params == ANSWER


def test_notify_skips_the_actor():
    author, facilitator = make_user(), make_user()
    count = notify([author, facilitator], "proposal_answered", "/p", actor=facilitator, **ANSWER)
    db.session.commit()
    assert count == 1
    assert rows_for(facilitator) == [] and len(rows_for(author)) == 1
    assert [m.recipient for m in all_mail()] == [author.email]


def test_notify_skips_deleted_accounts():
    gone = make_user(deleted_at=utcnow())
    assert notify([gone], "comment_reply", "/p", author="x", title="y") == 0
    db.session.commit()
    assert rows_for(gone) == [] and all_mail() == []


def test_unconfirmed_account_sees_it_in_the_app_but_never_by_email():
    pending = make_user(confirmed=False)
    choose(pending, "table_minutes", Channel.digest)
    notify([pending], "table_minutes", "/tables/1", title="Mesa")
    notify([pending], "table_changed", "/tables/1", title="Mesa")
    db.session.commit()
    assert len(rows_for(pending)) == 2
    assert send_digests() == 0
    assert all_mail() == []


def test_unknown_kind_and_external_url_are_programming_errors():
    user = make_user()
    with pytest.raises(ValueError):
        notify([user], "no_such_kind", "/p")
    for url in ("https://evil.example/x", "//evil.example/x", "javascript:alert(1)", "p/relative"):
        with pytest.raises(ValueError):
            notify([user], "table_changed", url, title="Mesa")


def test_a_missing_param_never_raises_and_the_text_falls_back():
    user = make_user(locale="en")
    notify([user], "proposal_answered", "/p", title="Solo título")
    db.session.commit()
    assert english_message("proposal_answered", rows_for(user)[0].params) == english_message("", {})
    assert mail_to(user)[0].subject == "You have a new notification."


def test_params_are_stored_as_plain_text_and_the_state_is_shown_by_its_label():
    from app.proposals.models import ProposalState

    user = make_user()
    notify([user], "proposal_answered", "/p", reference="DGO-1", title="T",
           state=ProposalState.not_accepted)
    db.session.commit()
    db.session.expire_all()
    stored = rows_for(user)[0].params
    assert stored["state"] == "not_accepted"
    assert "Not accepted" in english_message("proposal_answered", stored)
    assert "not_accepted" not in english_message("proposal_answered", stored)


def test_every_kind_has_a_label_params_and_a_real_sentence():
    assert set(KIND_PARAMS) == set(KIND_LABELS)
    fallback = english_message("", {})
    for kind, names in KIND_PARAMS.items():
        text = english_message(kind, {name: f"<{name}>" for name in names})
        assert text != fallback, kind
        for name in names:
            if name != "state":
                assert f"<{name}>" in text


def test_line_breaks_in_params_never_reach_the_mail_subject():
    user = make_user(locale="en")
    notify([user], "table_changed", "/t", title="Mesa\r\nBcc: someone@example.org")
    db.session.commit()
    [mail] = mail_to(user)
    assert "\r" not in mail.subject and "\n" not in mail.subject
    assert "Mesa Bcc: someone@example.org" in mail.subject


# --- channels ---------------------------------------------------------------------------------

def test_immediate_is_the_default_and_mail_goes_out_in_each_recipients_locale(locale_probe):
    english, spanish, default = make_user(locale="en"), make_user(locale="es_MX"), make_user()
    notify([english, spanish, default], "table_minutes", "/tables/3", title="Mesa")
    db.session.commit()
    assert mail_to(english)[0].subject == "locale=en"
    assert mail_to(spanish)[0].subject == "locale=es_MX"
    assert mail_to(default)[0].subject == "locale=es_MX"
    assert all(n.emailed_at is not None and n.channel == Channel.immediate
               for n in rows_for(english) + rows_for(spanish))


def test_immediate_mail_holds_the_english_text_and_the_full_link():
    english = make_user(locale="en")
    notify([english], "proposal_answered", "/proposals/42", **ANSWER)
    db.session.commit()
    [mail] = mail_to(english)
    assert mail.subject == "DGO-2026-0042 «Agua potable en la colonia» has a new answer: Accepted."
    assert "http://127.0.0.1:5000/proposals/42" in mail.body
    assert "/notifications/preferences" in mail.body
    assert english.name in mail.body  # plain text: names are not HTML-escaped in mail


def test_digest_channel_sends_nothing_immediately():
    user = make_user()
    choose(user, "comment_reply", Channel.digest)
    notify([user], "comment_reply", "/p", author="Ana", title="T")
    db.session.commit()
    assert all_mail() == []
    [row] = rows_for(user)
    assert row.channel == Channel.digest and row.emailed_at is None


def test_none_channel_never_mails_neither_now_nor_in_the_digest():
    user = make_user()
    choose(user, "table_changed", Channel.none)
    notify([user], "table_changed", "/t", title="Mesa")
    db.session.commit()
    assert send_digests() == 0
    assert all_mail() == []
    assert rows_for(user)[0].emailed_at is None


def test_preferences_are_per_kind():
    user = make_user()
    choose(user, "table_changed", Channel.none)
    notify([user], "table_changed", "/t", title="Mesa")
    notify([user], "table_minutes", "/t", title="Mesa")
    db.session.commit()
    assert len(mail_to(user)) == 1


# --- the daily digest -------------------------------------------------------------------------

def test_digest_groups_all_pending_notifications_of_a_user_into_one_mail(locale_probe):
    ana, luis = make_user(locale="en"), make_user(locale="es_MX")
    for user in (ana, luis):
        for kind in ("comment_reply", "table_minutes"):
            choose(user, kind, Channel.digest)
    notify([ana, luis], "comment_reply", "/proposals/1#c1", author="Rosa", title="T1")
    notify([ana], "table_minutes", "/tables/2", title="Mesa 2")
    notify([ana], "comment_reply", "/proposals/3#c9", author="Rosa", title="T3")
    db.session.commit()

    assert send_digests() == 2
    [to_ana] = mail_to(ana)
    [to_luis] = mail_to(luis)
    assert to_ana.body.count("locale=en") == 3
    assert to_luis.body.count("locale=es_MX") == 1
    for path in ("/proposals/1#c1", "/tables/2", "/proposals/3#c9"):
        assert f"http://127.0.0.1:5000{path}" in to_ana.body
    assert all(n.emailed_at is not None for n in rows_for(ana) + rows_for(luis))


def test_digest_subject_and_items_in_english():
    user = make_user(locale="en")
    choose(user, "table_changed", Channel.digest)
    notify([user], "table_changed", "/tables/1", title="Mesa uno")
    notify([user], "table_changed", "/tables/2", title="Mesa dos")
    db.session.commit()
    send_digests()
    [mail] = mail_to(user)
    assert mail.subject == "Your daily summary: 2 new notifications"
    assert "- The dialogue table «Mesa uno» has changed." in mail.body
    assert "- The dialogue table «Mesa dos» has changed." in mail.body


def test_digest_is_idempotent():
    user = make_user()
    choose(user, "table_changed", Channel.digest)
    notify([user], "table_changed", "/t", title="Mesa")
    db.session.commit()
    assert send_digests() == 1
    assert send_digests() == 0
    assert len(mail_to(user)) == 1
    notify([user], "table_changed", "/t", title="Mesa otra vez")
    db.session.commit()
    assert send_digests() == 1
    assert len(mail_to(user)) == 2
    assert "Mesa otra vez" in mail_to(user)[1].body and "«Mesa»" not in mail_to(user)[1].body


def test_digest_skips_accounts_deleted_or_unconfirmed_since():
    deleted, unconfirmed = make_user(), make_user()
    for user in (deleted, unconfirmed):
        choose(user, "table_changed", Channel.digest)
    notify([deleted, unconfirmed], "table_changed", "/t", title="Mesa")
    deleted.deleted_at = utcnow()
    unconfirmed.email_confirmed_at = None
    db.session.commit()
    assert send_digests() == 0
    assert all_mail() == []


def test_digest_leaves_immediate_and_none_notifications_alone():
    user = make_user()
    make_notification(user, channel=Channel.none)
    make_notification(user, channel=Channel.immediate)
    assert send_digests() == 0
    assert all_mail() == []


def test_digest_command_line(app):
    user = make_user()
    choose(user, "table_seat", Channel.digest)
    notify([user], "table_seat", "/t", title="Mesa")
    db.session.commit()
    runner = app.test_cli_runner()
    first = runner.invoke(args=["notifications", "send-digest"])
    second = runner.invoke(args=["notifications", "send-digest"])
    assert first.exit_code == 0 and "digest mails queued: 1" in first.output
    assert second.exit_code == 0 and "digest mails queued: 0" in second.output
    assert len(mail_to(user)) == 1


# --- preferences and reading ------------------------------------------------------------------

def preference_rows(user) -> dict[str, Channel]:
    return dict(db.session.execute(
        sa.select(NotificationPreference.kind, NotificationPreference.channel)
        .where(NotificationPreference.user_id == user.id)
    ).all())


def test_save_preferences_inserts_then_updates_one_row_per_kind():
    user = make_user()
    assert services.preferences_of(user) == {kind: Channel.immediate for kind in KIND_LABELS}
    save_preferences(user, user, {"comment_reply": Channel.digest, "table_seat": Channel.none})
    save_preferences(user, user, {"comment_reply": Channel.none, "table_changed": Channel.digest})
    assert preference_rows(user) == {
        "comment_reply": Channel.none, "table_seat": Channel.none, "table_changed": Channel.digest,
    }
    assert services.preferences_of(user)["proposal_answered"] == Channel.immediate


def test_choosing_none_cancels_what_waits_for_the_digest():
    user = make_user()
    choose(user, "table_changed", Channel.digest)
    notify([user], "table_changed", "/t", title="Mesa")
    db.session.commit()
    save_preferences(user, user, {"table_changed": Channel.none})
    assert send_digests() == 0
    assert all_mail() == []


def test_nobody_saves_anothers_preferences():
    user, intruder = make_user(), make_user()
    with pytest.raises(PermissionDenied):
        save_preferences(intruder, user, {"comment_reply": Channel.none})
    assert preference_rows(user) == {}


def test_mark_read_and_mark_all_read_touch_only_the_owners_rows():
    owner, other = make_user(), make_user()
    first = make_notification(owner)
    make_notification(owner)
    theirs = make_notification(other)
    with pytest.raises(PermissionDenied):
        services.mark_read(other, first)
    services.mark_read(owner, first)
    services.mark_read(owner, first)  # twice: nothing changes, nothing fails
    assert services.mark_all_read(owner) == 1
    db.session.expire_all()
    assert all(n.read_at is not None for n in rows_for(owner))
    assert db.session.get(Notification, theirs.id).read_at is None


def test_hostile_names_reach_the_message_verbatim_for_escaping_later():
    text = english_message("comment_reply", {"author": HOSTILE, "title": "T"})
    assert HOSTILE.split()[0] in text


def test_immediate_mail_never_carries_the_title_of_a_hidden_proposal():
    """An answer to a proposal hidden by moderation: the mail names it by reference only."""
    from tests.comments.factories import make_proposal

    hidden = make_proposal(title="Título con el teléfono de alguien", hidden_at=utcnow(),
                           hidden_reason="Expone datos personales")
    english, spanish = make_user(locale="en"), make_user(locale="es_MX")
    notify([english, spanish], "proposal_answered", f"/proposals/{hidden.reference}",
           reference=hidden.reference, title=hidden.title, state="not_accepted")
    db.session.commit()
    [to_english], [to_spanish] = mail_to(english), mail_to(spanish)
    for mail in (to_english, to_spanish):
        assert "teléfono" not in mail.subject + mail.body
        assert hidden.reference in mail.subject
    assert "Hidden by moderation: Expone datos personales" in to_english.subject
    assert "Oculto por moderación: Expone datos personales" in to_spanish.subject
    # The stored row keeps what was sent as data; pages mask it when shown.
    assert rows_for(english)[0].params["title"] == hidden.title
