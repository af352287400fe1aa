"""Moderation pages: reporting, the committee queues and their forms, and the public log (no
private data, private entries only for admins, a fixed number of SQL statements)."""
import re

import pytest
import sqlalchemy as sa

from app.core.audit import record
from app.extensions import db
from app.moderation import services
from app.moderation.models import AUTO_HIDE_THRESHOLD, Report
from tests.comments.factories import QueryCounter, World, make_comment, make_proposal
from tests.conftest import login
from tests.factories import make_user


@pytest.fixture(scope="module")
def world(module_worlds):
    return module_worlds.share(World)


def field_error(html: str, field_id: str) -> str:
    match = re.search(rf'<p class="error-message" id="{field_id}-error">(.*?)</p>', html, re.S)
    return " ".join(match.group(1).split()) if match else ""


def reports_count() -> int:
    return db.session.scalar(sa.select(sa.func.count(Report.id)))


# --- Reporting -----------------------------------------------------------------------------------


@pytest.mark.csrf  # this form family through a real CSRF token
def test_a_report_returns_to_the_reported_comment(world, client):
    comment = make_comment(world.proposal, author=world.author)
    login(client, world.citizen.email)

    response = client.submit("/moderation/report",
                             {"target_type": "comment", "target_id": comment.id, "reason": "spam"},
                             page="/")

    assert response.status_code == 302
    assert response.headers["Location"].endswith(
        f"/proposals/{world.proposal.reference}#comment-{comment.id}"
    )
    assert reports_count() == 1


def test_other_without_details_is_re_shown_with_400_keeping_the_choice(world, client):
    comment = make_comment(world.proposal, author=world.author)
    login(client, world.citizen.email)

    response = client.submit("/moderation/report",
                             {"target_type": "comment", "target_id": comment.id, "reason": "other"},
                             page="/")

    html = response.get_data(as_text=True)
    assert response.status_code == 400
    assert field_error(html, "details")
    assert re.search(r'<option selected value="other">|<option value="other" selected>', html)
    assert reports_count() == 0


def test_a_second_report_gets_a_friendly_message_not_an_error(world, client):
    comment = make_comment(world.proposal, author=world.author)
    services.report_content(world.citizen, comment, "spam")
    login(client, world.citizen.email)

    response = client.submit("/moderation/report",
                             {"target_type": "comment", "target_id": comment.id, "reason": "offensive"},
                             page="/", follow_redirects=True)

    assert response.status_code == 200
    assert "flash-warning" in response.get_data(as_text=True)
    assert reports_count() == 1


@pytest.mark.parametrize("target_type,target_id", [("comment", "999999"), ("user", "1"),
                                                   ("comment", "abc"), ("", "")])
def test_reporting_something_that_does_not_exist_is_404(world, client, target_type, target_id):
    login(client, world.citizen.email)
    response = client.submit("/moderation/report",
                             {"target_type": target_type, "target_id": target_id, "reason": "spam"},
                             page="/")
    assert response.status_code == 404


def test_the_report_page_works_without_javascript(world, client):
    login(client, world.citizen.email)
    response = client.get(f"/moderation/report?target_type=proposal&target_id={world.proposal.id}")
    html = response.get_data(as_text=True)
    assert response.status_code == 200
    assert 'name="reason"' in html and 'name="details"' in html


def test_the_report_partial_is_a_disclosure_with_reason_and_details(app, world):
    from flask import render_template
    from flask_login import login_user

    with app.test_request_context("/"):
        login_user(world.citizen)
        html = render_template("moderation/_report_form.html", target_type="proposal",
                               target_id=world.proposal.id, proposal=world.proposal)
        login_user(world.author)
        own = render_template("moderation/_report_form.html", target_type="proposal",
                              target_id=world.proposal.id, proposal=world.proposal)
    assert "<details" in html and "<summary>" in html
    assert 'name="csrf_token"' in html
    assert f'id="report-proposal-{world.proposal.id}-reason"' in html
    assert all(f'value="{r}"' in html for r in ("spam", "offensive", "off_topic", "personal_data", "other"))
    assert own.strip() == ""  # nobody reports their own proposal


# --- Queues --------------------------------------------------------------------------------------


def test_the_index_lists_only_the_committees_one_facilitates(world, client):
    login(client, world.facilitator.email)
    html = client.get("/moderation/").get_data(as_text=True)
    assert f'data-committee-id="{world.committee.id}"' in html
    assert f'data-committee-id="{world.other_committee.id}"' not in html


def test_the_index_lists_every_committee_for_admins_with_waiting_counts(world, client):
    comment = make_comment(world.proposal, author=world.author)
    services.report_content(world.citizen, comment, "spam")
    login(client, world.admin.email)

    html = client.get("/moderation/").get_data(as_text=True)

    assert f'data-committee-id="{world.committee.id}"' in html
    assert f'data-committee-id="{world.other_committee.id}"' in html
    assert 'data-waiting="1"' in html


def test_citizens_have_no_moderation_index(world, client):
    login(client, world.citizen.email)
    assert client.get("/moderation/").status_code == 403


def test_the_queue_shows_reported_and_hidden_items_with_their_reports(world, client):
    reported = make_comment(world.proposal, author=world.author, body="Comentario reportado")
    auto = make_comment(world.proposal, author=world.author, body="Oculto solo")
    hidden = make_comment(world.proposal, author=world.author, body="Oculto por facilitador")
    quiet = make_comment(world.proposal, author=world.author, body="Comentario tranquilo")
    elsewhere = make_comment(make_proposal(world.other_committee), body="De otro comité")
    services.report_content(world.citizen, reported, "other", "Publica <datos> personales")
    for _ in range(AUTO_HIDE_THRESHOLD):
        services.report_content(make_user(), auto, "spam")
    services.hide_content(world.facilitator, hidden, "Spam")
    services.report_content(world.citizen, elsewhere, "spam")
    login(client, world.facilitator.email)

    html = client.get(f"/moderation/committee/{world.committee.id}").get_data(as_text=True)

    waiting, _, hidden_part = html.partition("<h2>")[2].partition("<h2>")
    assert f'id="item-comment-{reported.id}"' in waiting
    assert f'id="item-comment-{auto.id}"' in waiting
    assert "Publica &lt;datos&gt; personales" in waiting
    assert f'id="item-comment-{hidden.id}"' in hidden_part
    assert f"/moderation/comment/{hidden.id}/restore" in hidden_part
    assert f'id="item-comment-{quiet.id}"' not in html
    assert "De otro comité" not in html


def test_queue_items_are_named_by_the_area_they_come_from(world, client):
    comment = make_comment(world.proposal, author=world.author)
    services.report_content(world.citizen, comment, "spam")
    services.report_content(world.citizen, world.proposal, "spam")
    login(client, world.facilitator.email)
    client.submit("/language", {"lang": "en"}, page="/")

    html = client.get(f"/moderation/committee/{world.committee.id}").get_data(as_text=True)

    assert f"<h3>Proposal {world.proposal.reference}</h3>" in html
    assert f"<h3>A comment on {world.proposal.reference}</h3>" in html
    assert f'href="/proposals/{world.proposal.reference}#comment-{comment.id}"' in html


def test_hiding_without_a_reason_is_re_shown_with_400(world, client):
    comment = make_comment(world.proposal, author=world.author)
    services.report_content(world.citizen, comment, "spam")
    login(client, world.facilitator.email)

    response = client.submit(f"/moderation/comment/{comment.id}/hide", {"reason": "  "},
                             page=f"/moderation/committee/{world.committee.id}")

    html = response.get_data(as_text=True)
    assert response.status_code == 400
    assert field_error(html, f"hide-comment-{comment.id}-reason")
    db.session.refresh(comment)
    assert not comment.is_hidden


def test_blocking_without_a_duration_is_re_shown_with_400_keeping_the_reason(world, client):
    comment = make_comment(world.proposal, author=world.author)
    login(client, world.facilitator.email)

    response = client.submit(f"/moderation/comment/{comment.id}/block",
                             {"reason": "Acoso <reiterado>", "days": ""}, page="/")

    html = response.get_data(as_text=True)
    assert response.status_code == 400
    assert field_error(html, f"block-comment-{comment.id}-days")
    assert "Acoso &lt;reiterado&gt;" in html
    assert not world.author.is_blocked()


def test_hiding_through_the_queue_returns_to_it(world, client):
    comment = make_comment(world.proposal, author=world.author)
    login(client, world.facilitator.email)

    response = client.submit(f"/moderation/comment/{comment.id}/hide", {"reason": "Spam"},
                             page=f"/moderation/committee/{world.committee.id}")

    assert response.status_code == 302
    assert response.headers["Location"].endswith(f"/moderation/committee/{world.committee.id}")


def test_restoring_visible_content_is_a_clear_409(world, client):
    comment = make_comment(world.proposal, author=world.author)
    login(client, world.facilitator.email)
    response = client.submit(f"/moderation/comment/{comment.id}/restore", {}, page="/")
    assert response.status_code == 409


def test_the_proposal_page_shows_the_placeholder_of_a_hidden_proposal(world, client):
    services.hide_content(world.facilitator, world.proposal, "Datos personales de terceros")
    html = client.get(f"/proposals/{world.proposal.reference}").get_data(as_text=True)
    assert "Datos personales de terceros" in html


# --- The public log ------------------------------------------------------------------------------


def _acts(world):
    comment = make_comment(world.proposal, author=world.author)
    services.report_content(world.citizen, comment, "spam")  # private entry
    services.hide_content(world.facilitator, comment, "Insultos <b>graves</b>")
    services.block_account(world.facilitator, comment, "Acoso reiterado", 7)
    record(world.author, "account.login", world.author)  # private entry
    db.session.commit()
    return comment


def test_the_public_log_shows_acts_without_private_data(world, client):
    _acts(world)

    html = client.get("/moderation/log").get_data(as_text=True)

    assert 'data-action="content.hidden"' in html
    assert 'data-action="account.blocked"' in html
    assert "Insultos &lt;b&gt;graves&lt;/b&gt;" in html
    assert "Acoso reiterado" in html
    assert 'data-action="report.created"' not in html
    assert 'data-action="account.login"' not in html
    for user in (world.author, world.citizen, world.facilitator, world.admin):
        assert user.email not in html
    assert "@" not in re.sub(r"<footer.*</footer>", "", html, flags=re.S)


@pytest.mark.parametrize("role", ["citizen", "facilitator"])
def test_non_admins_cannot_see_private_entries_even_when_asking(world, client, role):
    _acts(world)
    login(client, getattr(world, role).email)

    html = client.get("/moderation/log?private=1").get_data(as_text=True)

    assert 'data-public="false"' not in html
    assert 'name="private"' not in html


def test_admins_see_private_entries_with_the_toggle(world, client):
    _acts(world)
    login(client, world.admin.email)

    public_only = client.get("/moderation/log").get_data(as_text=True)
    everything = client.get("/moderation/log?private=1").get_data(as_text=True)

    assert 'name="private"' in public_only
    assert 'data-public="false"' not in public_only
    assert 'data-action="report.created"' in everything
    assert 'data-action="account.login"' in everything
    assert world.author.email not in everything


def test_the_log_filters_by_committee(world, client):
    _acts(world)
    other = make_comment(make_proposal(world.other_committee))
    services.hide_content(world.other_facilitator, other, "Otro comité")

    mine = client.get(f"/moderation/log?committee={world.committee.id}").get_data(as_text=True)
    theirs = client.get(f"/moderation/log?committee={world.other_committee.id}").get_data(as_text=True)

    assert "Insultos" in mine and "Otro comité" not in mine
    assert "Otro comité" in theirs and "Insultos" not in theirs
    assert client.get("/moderation/log?committee=abc").status_code == 200


def test_the_log_labels_known_acts_and_survives_unknown_ones(world, client):
    record(world.admin, "weird.thing_done", world.proposal, public=True, reason="Motivo")
    db.session.commit()
    client.submit("/language", {"lang": "en"}, page="/")

    html = client.get("/moderation/log").get_data(as_text=True)

    assert "Weird: thing done" in html
    assert f"/proposals/{world.proposal.reference}" in html


def test_the_log_links_to_comments_and_keeps_hidden_titles_out(world, client):
    comment = _acts(world)
    services.hide_content(world.facilitator, world.proposal, "Spam")

    html = client.get("/moderation/log").get_data(as_text=True)

    assert f"/proposals/{world.proposal.reference}#comment-{comment.id}" in html
    assert world.proposal.title.replace("<", "&lt;")[:15] not in html


def test_the_log_says_the_state_a_proposal_moved_to_and_where_it_was_merged(world, client):
    record(world.facilitator, "proposal.state_changed", world.proposal, public=True,
           reason="Respuesta", to_state="accepted")
    record(world.facilitator, "proposal.merged", world.proposal, public=True,
           reason="Respuesta", into_reference="DGO-2026-0042")
    record(world.facilitator, "proposal.state_changed", world.proposal, public=True,
           reason="Respuesta", to_state="no-such-state")
    db.session.commit()
    client.submit("/language", {"lang": "en"}, page="/")

    html = client.get("/moderation/log").get_data(as_text=True)

    assert "Changed the state of a proposal: Accepted" in html
    assert "Merged a proposal into another: DGO-2026-0042" in html
    assert "Changed the state of a proposal: no-such-state" not in html


def test_the_log_is_paginated(world, client):
    for i in range(35):
        record(world.facilitator, "content.hidden", world.proposal, public=True, reason=f"Motivo {i:02d}",
               committee_id=world.committee.id)
    db.session.commit()

    first = client.get("/moderation/log").get_data(as_text=True)
    second = client.get("/moderation/log?page=2").get_data(as_text=True)

    assert first.count("<tr data-action") == 30
    assert second.count("<tr data-action") == 5
    assert "Motivo 34" in first and "Motivo 00" in second
    assert client.get("/moderation/log?page=999").status_code == 200


def _log_entries(world, n: int) -> None:
    """A mix of every kind of target the log describes."""
    comment = make_comment(world.proposal)
    for i in range(n):
        target = [world.proposal, comment, world.author, None][i % 4]
        actor = [world.facilitator, world.admin, None][i % 3]
        record(actor, ["content.hidden", "account.blocked", "proposal.state_changed"][i % 3], target,
               public=True, reason=f"r{i}", committee_id=world.committee.id, to_state="accepted")
    db.session.commit()


def _log_statements(client) -> int:
    db.session.expire_all()  # as in a fresh request: nothing already loaded
    with QueryCounter() as counter:
        response = client.get("/moderation/log?private=1")
    assert response.status_code == 200
    return counter.count


def test_the_log_statement_count_does_not_grow_with_entries(world, client, other_client):
    _log_entries(world, 5)
    small = _log_statements(client)
    _log_entries(world, 45)
    large = _log_statements(client)
    assert small == large, (small, large)

    login(other_client, world.admin.email)
    admin_small = _log_statements(other_client)
    _log_entries(world, 50)
    assert _log_statements(other_client) == admin_small
    print("log statements (anonymous, admin):", small, admin_small)


def _queue_statements(client, committee_id) -> int:
    db.session.expire_all()
    with QueryCounter() as counter:
        response = client.get(f"/moderation/committee/{committee_id}")
    assert response.status_code == 200
    return counter.count


def test_the_queue_statement_count_does_not_grow_with_items(world, client):
    def reported_items(n):
        for _ in range(n):
            services.report_content(make_user(), make_comment(world.proposal), "spam")
            services.report_content(make_user(), make_proposal(world.committee), "offensive")
        services.hide_content(world.facilitator, make_comment(world.proposal), "Spam")

    login(client, world.facilitator.email)
    reported_items(2)
    small = _queue_statements(client, world.committee.id)
    reported_items(10)
    assert _queue_statements(client, world.committee.id) == small
