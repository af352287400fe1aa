"""Each reminder goes to the right people, once, and never to those who turned it off."""
import pytest

from app.extensions import db
from app.follows import services as follows
from app.notifications.models import Channel
from app.notifications.services import save_preferences
from app.reminders.services import send_reminders
from tests.reminders.factories import (
    call_opening_and_closing,
    consultation_closing,
    election_in_voting,
    mails,
    overdue_milestone,
    recipients,
    table_tomorrow,
)


def run() -> dict:
    counts = send_reminders()
    db.session.commit()
    return counts


def test_a_call_reminds_verified_organisations_of_its_opening_and_closing(world):
    call_opening_and_closing(world)
    assert run()["calls"] == 4
    orgs = sorted([world.organisation.email, world.other_organisation.email])
    assert recipients() == sorted(orgs * 2)  # not the unverified one, nor citizens
    assert run()["calls"] == 0 and len(mails()) == 4  # a second run sends nothing again


def test_an_organisation_that_turned_call_reminders_off_gets_none(world):
    save_preferences(world.organisation, world.organisation, {"reminder_call": Channel.none})
    call_opening_and_closing(world)
    run()
    assert recipients() == [world.other_organisation.email] * 2


def test_voting_reminds_only_organisations_on_the_roll_that_have_not_voted(world):
    election_in_voting(world, voted=[world.organisation])
    assert run()["elections"] == 2  # opened, and closes within a day
    assert recipients() == [world.other_organisation.email] * 2
    subjects = [subject for _to, subject in mails()]
    assert len(set(subjects)) == 2


def test_a_closing_consultation_reminds_its_followers_and_commenters(world):
    commitment = consultation_closing(world, commenter=world.organisation)
    follows.follow(world.citizen, "commitment", commitment.id)
    run()
    assert recipients() == sorted([world.citizen.email, world.organisation.email])


def test_a_table_tomorrow_reminds_those_registered_and_those_waiting_each_once(world):
    table_tomorrow(world, registered=[world.citizen], waiting=[world.reader])
    assert run()["tables"] == 2
    assert recipients() == sorted([world.citizen.email, world.reader.email])
    assert run()["tables"] == 0  # the waiting list's reminder: tests/reminders/test_repeats.py


def test_an_overdue_milestone_reminds_followers_and_the_committees_facilitators(world):
    commitment = overdue_milestone(world)
    follows.follow(world.reader, "commitment", commitment.id)
    run()
    # Not the other committee's facilitator, nor the citizen who follows nothing.
    assert recipients() == sorted([world.reader.email, world.facilitator.email])
    assert run()["milestones"] == 0


def test_the_mail_carries_a_link_to_stop_that_kind(world):
    table_tomorrow(world, registered=[world.citizen])
    run()
    from app.core.mail import OutboxMessage

    body = db.session.scalars(db.select(OutboxMessage)).one().body
    assert "/reminders/unsubscribe/" in body and "/tables/" in body


def test_unsubscribe_by_link_asks_then_turns_the_kind_off(world, client):
    from app.notifications.services import reminder_preferences_of as preferences_of
    from app.reminders.services import unsubscribe_token

    token = unsubscribe_token(world.citizen.id, "reminder_table")
    page = client.get(f"/reminders/unsubscribe/{token}")
    assert page.status_code == 200 and world.citizen.email in page.get_data(as_text=True)
    assert preferences_of(world.citizen)["reminder_table"] == Channel.immediate  # GET changes nothing
    response = client.submit(f"/reminders/unsubscribe/{token}", {})
    assert response.status_code == 302
    assert client.submit(f"/reminders/unsubscribe/{token}", {}).status_code == 302  # twice is fine
    db.session.expire_all()
    assert preferences_of(world.citizen)["reminder_table"] == Channel.none
    table_tomorrow(world, registered=[world.citizen, world.reader])
    run()
    assert recipients() == [world.reader.email]


def test_a_forged_or_broken_link_gets_a_clear_page(world, client):
    from app.reminders.services import unsubscribe_token

    good = unsubscribe_token(world.citizen.id, "reminder_table")
    for token in (good[:-3] + "xyz", "nonsense", unsubscribe_token(world.citizen.id, "admin"),
                  unsubscribe_token(999_999, "reminder_table")):
        for response in (client.get(f"/reminders/unsubscribe/{token}"),
                         client.submit(f"/reminders/unsubscribe/{token}", {})):
            assert response.status_code == 404
            assert "notification preferences" in response.get_data(as_text=True) or \
                "preferencias" in response.get_data(as_text=True)


def test_the_preferences_page_shows_the_reminder_kinds(world, client):
    from tests.conftest import login

    login(client, world.citizen.email)
    html = client.get("/notifications/preferences").get_data(as_text=True)
    for kind in ("reminder_call", "reminder_voting", "reminder_consultation", "reminder_table",
                 "reminder_milestone"):
        assert f'name="{kind}"' in html


@pytest.mark.csrf
def test_the_mail_offers_one_click_unsubscribe_that_works_without_a_csrf_token(world, client, app):
    from urllib.parse import urlsplit

    from app.core.mail import OutboxMessage, _build
    from app.notifications.services import reminder_preferences_of

    table_tomorrow(world, registered=[world.citizen])
    run()
    message = db.session.scalars(db.select(OutboxMessage)).one()
    with app.test_request_context():
        email = _build(message)
    assert email["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    link = email["List-Unsubscribe"].strip("<>")
    assert "/reminders/unsubscribe/" in link
    assert app.config["WTF_CSRF_ENABLED"]
    # As a mail program posts it (RFC 8058): no session, no CSRF token.
    response = client.post(urlsplit(link).path, data={"List-Unsubscribe": "One-Click"})
    assert response.status_code == 302
    db.session.expire_all()
    assert reminder_preferences_of(world.citizen)["reminder_table"] == Channel.none


def test_turning_a_reminder_off_on_the_preferences_page_is_respected(world, client):
    from app.notifications.kinds import KIND_LABELS
    from tests.conftest import login
    from tests.notifications.test_views import checked

    login(client, world.citizen.email)
    data = {kind: "immediate" for kind in KIND_LABELS} | {"reminder_table": "none"}
    assert client.submit("/notifications/preferences", data).status_code == 302
    html = client.get("/notifications/preferences").get_data(as_text=True)
    assert checked(html, "reminder_table") == ["none"] and checked(html, "reminder_call") == ["immediate"]
    table_tomorrow(world, registered=[world.citizen, world.reader])
    run()
    assert recipients() == [world.reader.email]
