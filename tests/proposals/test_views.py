"""Pages of proposals: what they show, what they refuse, and that input is never lost or run."""
import html
import re

import pytest
import sqlalchemy as sa
from markupsafe import escape

from app.core.db import utcnow
from app.extensions import db
from app.proposals import services
from app.proposals.models import Proposal, ProposalState, ProposalVersion, Support
from tests.conftest import login
from tests.factories import HOSTILE, make_user
from tests.proposals.factories import World, add_supports, make_proposal, make_users, proposal_data

S = ProposalState
SCRIPT = '<script>alert("x")</script>'


@pytest.fixture(scope="module")
def world(module_worlds):
    """Built once per module; each test is rolled back to it (tests/README.md, "Isolation")."""
    return module_worlds.share(World)


def text(response) -> str:
    return response.get_data(as_text=True)


def in_english(client):
    assert client.submit("/language", {"lang": "en"}, page="/").status_code == 302


def assert_no_live_markup(page: str):
    assert SCRIPT not in page
    assert "<img src=x onerror" not in page
    # An attribute of a tag, not text inside a quoted value (a link preview's description quotes
    # the escaped text, onerror= included).
    assert not re.search(r"<[^>]+\sonerror=", re.sub(r'"[^"]*"', '""', page))


# ---------------------------------------------------------------- list

def test_list_shows_reference_title_committee_theme_state_and_counts(world, client):
    p = make_proposal(world, title="Falta de agua en la Población Norte")
    add_supports(p, make_users(3))
    page = text(client.get("/proposals/"))
    assert p.reference in page and "Falta de agua en la Población Norte" in page
    assert str(escape(world.committee.name)) in page and world.theme.name in page
    assert 'data-state="submitted"' in page
    assert 'data-supports="3"' in page and 'data-comments="0"' in page
    assert f'href="/proposals/{p.reference}"' in page


def test_list_search_filters_and_pagination_through_the_page(world, client):
    wanted = make_proposal(world, title="Falta de agua en la Población Norte")
    other = make_proposal(world, title="Baches en la avenida principal")
    page = text(client.get("/proposals/?q=poblacion"))
    assert wanted.reference in page and other.reference not in page
    assert 'value="poblacion"' in page  # the search box keeps what was typed
    page = text(client.get(f"/proposals/?committee={world.other_committee.id}"))
    assert wanted.reference not in page and other.reference not in page


def test_pagination_links_keep_the_filters(world, client):
    for _ in range(21):
        make_proposal(world, title="Alumbrado público en la colonia")
    page = text(client.get("/proposals/?q=alumbrado&sort=supported"))
    assert 'data-total="21"' in page
    link = re.search(r'href="(/proposals/\?[^"]*page=2[^"]*)"', page).group(1)
    assert "q=alumbrado" in link and "sort=supported" in link
    second = text(client.get(html.unescape(link)))
    assert second.count('class="card proposal-item"') == 1


@pytest.mark.parametrize("query", [
    "page=abc", "page=-1", "page=99999999999999999999", "sort=x", "sort=", "committee=abc",
    "committee=999999", "theme=%00", "state=bogus", "municipality=Narnia", "q=%25%25_",
    "page=2&page=3", "_external=1&_scheme=javascript", "q=" + "a%20" * 500,
])
def test_bad_query_strings_never_fail(world, client, query):
    make_proposal(world)
    response = client.get(f"/proposals/?{query}")
    assert response.status_code == 200


def test_list_without_a_plan_is_empty_not_an_error(client):
    assert client.get("/proposals/").status_code == 200


def test_hidden_proposal_is_not_listed_and_its_page_shows_only_the_reason(world, client):
    p = make_proposal(world, title="Título que debe quedar oculto", body="Cuerpo secreto del texto",
                      place="Lugar secreto")
    p.hidden_at, p.hidden_reason = utcnow(), "Expone datos personales de vecinos"
    db.session.commit()
    assert p.reference not in text(client.get("/proposals/"))
    page = text(client.get(f"/proposals/{p.reference}"))
    assert "Expone datos personales de vecinos" in page and 'data-hidden="true"' in page
    for secret in ("Título que debe quedar oculto", "Cuerpo secreto", "Lugar secreto"):
        assert secret not in page
    versions = text(client.get(f"/proposals/{p.reference}/versions"))
    assert "Título que debe quedar oculto" not in versions and "Cuerpo secreto" not in versions


# ---------------------------------------------------------------- detail

def test_detail_renders_markdown_sanitised_and_never_runs_hostile_text(world, client):
    p = make_proposal(world, title=f"{SCRIPT} título", place=f"{SCRIPT} colonia",
                      body=f"**negritas** {SCRIPT} <img src=x onerror=alert(1)> [enlace](javascript:alert(1))")
    services.change_state(world.facilitator, p, S.under_review, f"Respuesta {SCRIPT} razonada")
    for url in (f"/proposals/{p.reference}", f"/proposals/{p.reference}/versions", "/proposals/"):
        page = text(client.get(url))
        assert_no_live_markup(page)
        assert not re.search(r"href=\"\s*javascript:", page, re.I)
    page = text(client.get(f"/proposals/{p.reference}"))
    assert "<strong>negritas</strong>" in page
    assert str(escape(SCRIPT)) in page


def test_hostile_names_of_author_committee_and_theme_are_escaped(world, client):
    p = make_proposal(world)  # factory names carry HOSTILE
    login(client, world.facilitator.email)
    page = text(client.get(f"/proposals/{p.reference}"))
    assert_no_live_markup(page)
    assert HOSTILE not in page


def test_detail_shows_answers_timeline_and_exact_support_count(world, client):
    p = make_proposal(world)
    add_supports(p, make_users(7))
    services.change_state(world.facilitator, p, S.under_review, "Lo revisará el comité el martes.")
    page = text(client.get(f"/proposals/{p.reference}"))
    assert 'class="support-count" data-supports="7"' in page
    assert "Lo revisará el comité el martes." in page
    assert 'data-to-state="under_review"' in page


def test_merged_pages_link_each_other(world, client):
    p, into = make_proposal(world), make_proposal(world)
    services.merge_proposal(world.facilitator, p, into, "Las dos hablan del mismo bache.")
    merged_page = text(client.get(f"/proposals/{p.reference}"))
    target_page = text(client.get(f"/proposals/{into.reference}"))
    assert f'href="/proposals/{into.reference}"' in merged_page
    assert f'href="/proposals/{p.reference}"' in target_page
    assert 'class="proposal-merged-from"' in target_page


def test_unknown_reference_is_404_and_lower_case_redirects(world, client):
    p = make_proposal(world)
    assert client.get("/proposals/DGO-1999-9999").status_code == 404
    assert client.get("/proposals/" + "x" * 300).status_code == 404
    response = client.get(f"/proposals/{p.reference.lower()}")
    assert response.status_code == 301 and response.headers["Location"].endswith(f"/proposals/{p.reference}")


def test_comment_thread_and_report_form_are_included(world, client):
    p = make_proposal(world)
    login(client, world.citizen.email)
    page = text(client.get(f"/proposals/{p.reference}"))
    assert 'id="comments"' in page
    assert 'name="target_type" value="proposal"' in page and f'name="target_id" value="{p.id}"' in page


def test_the_page_shows_what_other_areas_register_about_the_proposal(world, client, other_client):
    """Commitments register their section (app/proposals/related.py): the facilitator is offered to
    draft one from the proposal; someone who may not draft is not."""
    p = make_proposal(world)
    login(client, world.facilitator.email)
    link = f'/commitments/new?committee={world.committee.id}&amp;proposals={p.reference}'
    assert link in text(client.get(f"/proposals/{p.reference}"))
    login(other_client, world.citizen.email)
    assert "/commitments/new" not in text(other_client.get(f"/proposals/{p.reference}"))


def test_facilitator_panel_only_for_facilitators_of_the_committee(world, client, other_client):
    p = make_proposal(world)
    login(client, world.facilitator.email)
    assert f'action="/proposals/{p.reference}/state"' in text(client.get(f"/proposals/{p.reference}"))
    assert f'action="/proposals/{p.reference}/merge"' in text(client.get(f"/proposals/{p.reference}"))
    login(other_client, world.other_facilitator.email)
    page = text(other_client.get(f"/proposals/{p.reference}"))
    assert "/state" not in page and "/merge" not in page


def test_author_sees_why_there_is_no_support_button(world, client):
    p = make_proposal(world)
    login(client, world.author.email)
    in_english(client)
    page = text(client.get(f"/proposals/{p.reference}"))
    assert "Authors cannot support their own proposal" in page
    assert f'action="/proposals/{p.reference}/support"' not in page
    assert f'href="/proposals/{p.reference}/edit"' in page


# ---------------------------------------------------------------- new proposal

def test_new_proposal_page_needs_login_and_a_confirmed_account(world, client):
    response = client.get("/proposals/new")
    assert response.status_code == 302 and "/account/login" in response.headers["Location"]
    login(client, make_user(confirmed=False).email)
    in_english(client)
    refused = client.get("/proposals/new")
    assert refused.status_code == 403
    assert "Confirm your email address to take part." in text(refused)  # the participate rule's reason


@pytest.mark.csrf  # this form family through a real CSRF token
def test_new_proposal_is_published_and_redirects_to_its_page(world, client):
    login(client, world.citizen.email)
    page = text(client.get("/proposals/new"))
    assert f'<option value="{world.committee.id}">' in page and f'<option value="{world.theme.id}">' in page
    response = client.submit("/proposals/new", proposal_data(world, title="Falta de alumbrado público"))
    assert response.status_code == 302
    p = db.session.scalar(sa.select(Proposal))
    assert response.headers["Location"].endswith(f"/proposals/{p.reference}")
    assert p.title == "Falta de alumbrado público" and p.author_id == world.citizen.id


def test_bad_input_keeps_what_was_typed_and_shows_errors_with_400(world, client):
    login(client, world.citizen.email)
    body = "Mi descripción con <b>etiquetas</b> y acentos: Ñandú"
    response = client.submit("/proposals/new", {
        "title": "corto", "body": body, "committee_id": str(world.committee.id),
        "theme_id": "", "place": "Colonia Centro",
    })
    page = text(response)
    assert response.status_code == 400
    assert 'value="corto"' in page and str(escape(body)) in page and 'value="Colonia Centro"' in page
    assert 'id="title-error"' in page and 'id="theme_id-error"' in page
    assert re.search(rf'<option selected value="{world.committee.id}">', page)
    assert db.session.scalar(sa.select(sa.func.count(Proposal.id))) == 0


def test_a_committee_of_another_plan_is_refused_with_400(world, client):
    from tests.factories import make_committee, make_plan

    foreign = make_committee(make_plan())
    login(client, world.citizen.email)
    response = client.submit("/proposals/new", proposal_data(world, committee=foreign))
    assert response.status_code == 400
    assert db.session.scalar(sa.select(sa.func.count(Proposal.id))) == 0


# ---------------------------------------------------------------- author's acts

def test_edit_page_is_prefilled_and_saving_adds_a_version(world, client):
    p = make_proposal(world, title="Título original del problema")
    login(client, world.author.email)
    page = text(client.get(f"/proposals/{p.reference}/edit"))
    assert 'value="Título original del problema"' in page
    response = client.submit(f"/proposals/{p.reference}/edit", {
        "title": "Título corregido del problema", "body": "Nuevo texto", "theme_id": str(world.theme.id),
        "place": "",
    })
    assert response.status_code == 302
    assert db.session.scalar(sa.select(sa.func.count(ProposalVersion.id))) == 2
    versions = text(client.get(f"/proposals/{p.reference}/versions"))
    assert "Título original del problema" in versions and "Título corregido del problema" in versions


def test_edit_with_bad_input_keeps_it_and_answers_400(world, client):
    p = make_proposal(world)
    login(client, world.author.email)
    response = client.submit(f"/proposals/{p.reference}/edit", {
        "title": "x" * 151, "body": "Texto que quiero conservar", "theme_id": str(world.theme.id)})
    assert response.status_code == 400 and "Texto que quiero conservar" in text(response)


def test_edit_is_refused_once_supported(world, client):
    p = make_proposal(world)
    services.support_proposal(world.citizen, p)
    login(client, world.author.email)
    in_english(client)
    refused = client.get(f"/proposals/{p.reference}/edit")
    assert refused.status_code == 409  # the state of the proposal, not who asks
    assert "This proposal can no longer be edited: it has received a support or a comment." in text(refused)
    assert f'href="/proposals/{p.reference}/edit"' not in text(client.get(f"/proposals/{p.reference}"))


def test_withdraw_with_reason_and_without(world, client):
    p = make_proposal(world)
    login(client, world.author.email)
    assert client.get(f"/proposals/{p.reference}/withdraw").status_code == 200
    response = client.submit(f"/proposals/{p.reference}/withdraw", {"reason": "no"})
    assert response.status_code == 400
    assert db.session.get(Proposal, p.id).state == S.submitted
    response = client.submit(f"/proposals/{p.reference}/withdraw", {"reason": "El ayuntamiento ya lo atendió."})
    assert response.status_code == 302
    db.session.expire_all()
    assert db.session.get(Proposal, p.id).state == S.withdrawn
    assert "El ayuntamiento ya lo atendió." in text(client.get(f"/proposals/{p.reference}"))


# ---------------------------------------------------------------- supports

def test_support_twice_is_a_friendly_message_and_one_support(world, client):
    p = make_proposal(world)
    login(client, world.citizen.email)
    in_english(client)
    first = client.submit(f"/proposals/{p.reference}/support", {}, page=f"/proposals/{p.reference}")
    second = client.submit(f"/proposals/{p.reference}/support", {}, page="/")
    assert first.status_code == second.status_code == 302
    page = text(client.get(f"/proposals/{p.reference}"))
    assert "You already support this proposal." in page
    assert db.session.scalar(sa.select(sa.func.count(Support.id))) == 1
    assert 'data-supports="1"' in page
    assert f'action="/proposals/{p.reference}/unsupport"' in page
    assert client.submit(f"/proposals/{p.reference}/unsupport", {}, page="/").status_code == 302
    assert client.submit(f"/proposals/{p.reference}/unsupport", {}, page="/").status_code == 302
    assert db.session.scalar(sa.select(sa.func.count(Support.id))) == 0


# ---------------------------------------------------------------- facilitator's acts

def test_state_change_with_bad_input_keeps_the_answer_and_answers_400(world, client):
    p = make_proposal(world)
    login(client, world.facilitator.email)
    response = client.submit(f"/proposals/{p.reference}/state",
                             {"state-state": "accepted", "state-answer": "Texto del facilitador, ¡ojo!"})
    assert response.status_code == 400  # submitted → accepted is not in the table
    assert "Texto del facilitador, ¡ojo!" in text(response)
    response = client.submit(f"/proposals/{p.reference}/state", {"state-state": "under_review", "state-answer": "corta"})
    assert response.status_code == 400 and 'id="state-answer-error"' in text(response)
    assert db.session.get(Proposal, p.id).state == S.submitted


def test_state_change_through_the_page_and_answer_only(world, client):
    p = make_proposal(world)
    login(client, world.facilitator.email)
    response = client.submit(f"/proposals/{p.reference}/state",
                             {"state-state": "in_dialogue", "state-answer": "Pasa a la mesa de diálogo."})
    assert response.status_code == 302
    db.session.expire_all()
    assert db.session.get(Proposal, p.id).state == S.in_dialogue
    response = client.submit(f"/proposals/{p.reference}/state",
                             {"state-state": "", "state-answer": "Aclaración sin cambio de estado."})
    assert response.status_code == 302
    db.session.expire_all()
    assert db.session.get(Proposal, p.id).state == S.in_dialogue
    assert "Aclaración sin cambio de estado." in text(client.get(f"/proposals/{p.reference}"))


def test_merge_with_unknown_reference_keeps_input_and_answers_400(world, client):
    p = make_proposal(world)
    login(client, world.facilitator.email)
    response = client.submit(f"/proposals/{p.reference}/merge",
                             {"merge-into": "DGO-1999-0001", "merge-answer": "Mismo problema que otra."})
    assert response.status_code == 400
    page = text(response)
    assert 'value="DGO-1999-0001"' in page and "Mismo problema que otra." in page
    assert 'id="merge-into-error"' in page


def test_merge_through_the_page(world, client):
    p, into = make_proposal(world), make_proposal(world)
    login(client, world.facilitator.email)
    response = client.submit(f"/proposals/{p.reference}/merge",
                             {"merge-into": into.reference.lower(), "merge-answer": "Mismo problema que otra."})
    assert response.status_code == 302
    db.session.expire_all()
    assert db.session.get(Proposal, p.id).merged_into_id == into.id


# ---------------------------------------------------------------- GET never changes anything

@pytest.mark.parametrize("suffix", ["support", "unsupport", "state", "merge"])
def test_action_routes_refuse_get(world, client, suffix):
    p = make_proposal(world)
    login(client, world.facilitator.email)
    assert client.get(f"/proposals/{p.reference}/{suffix}").status_code == 405


def test_get_pages_change_nothing(world, client):
    p = make_proposal(world)
    login(client, world.author.email)
    before = (db.session.get(Proposal, p.id).state, db.session.scalar(sa.select(sa.func.count(ProposalVersion.id))))
    for url in (f"/proposals/{p.reference}/withdraw", f"/proposals/{p.reference}/edit",
                f"/proposals/{p.reference}", "/proposals/new", f"/proposals/{p.reference}/versions"):
        assert client.get(url).status_code == 200
    db.session.expire_all()
    after = (db.session.get(Proposal, p.id).state, db.session.scalar(sa.select(sa.func.count(ProposalVersion.id))))
    assert before == after


@pytest.mark.csrf
def test_post_without_csrf_token_is_refused(world, client):
    p = make_proposal(world)
    login(client, world.citizen.email)
    assert client.post(f"/proposals/{p.reference}/support").status_code == 400
    assert db.session.scalar(sa.select(sa.func.count(Support.id))) == 0


def test_proposals_per_account_are_rate_limited_counting_only_published_ones(app, world, client):
    app.config["RATELIMIT_PROPOSALS"] = "2 per hour"
    try:
        login(client, world.citizen.email)
        bad = proposal_data(world, title="corto")
        for _ in range(3):  # errors do not count
            assert client.submit("/proposals/new", bad).status_code == 400
        for _ in range(2):
            assert client.submit("/proposals/new", proposal_data(world)).status_code == 302
        assert client.submit("/proposals/new", proposal_data(world)).status_code == 429
        assert db.session.scalar(sa.select(sa.func.count(Proposal.id))) == 2
    finally:
        del app.config["RATELIMIT_PROPOSALS"]
