"""The proposal page's shared body (its text, answers, attachments, merged proposals and what the
related sections show: commitments and the path) is kept as a fragment under the version of what
it shows (app/proposals/queries.py page_version): a kept body reads none of it again, every change
to it shows on the next request, a support does not render it again, and what one reader may see
(a facilitator's drafts, the author's "Remove" buttons) never reaches another."""
import re
from datetime import UTC, date, datetime, timedelta

import pytest
from markupsafe import escape

from app.commitments.models import CommitmentProposal, CommitmentState
from app.core import clock as app_clock
from app.core import fragments
from app.dialogues.models import AgendaItem
from app.extensions import db
from app.moderation import services as moderation
from app.progress import oversight
from app.progress import services as progress
from app.proposals.models import AttachmentKind, ProposalAttachment, ProposalState
from app.proposals.services.answers import change_state
from app.proposals.services.merging import merge_proposal
from app.proposals.services.supports import support_proposal
from tests.commitments.factories import make_proposal
from tests.conftest import login_as
from tests.dialogues.factories import make_table
from tests.factories import make_user
from tests.progress.factories import make_commitment
from tests.progress.test_path import Fed
from tests.querycount import count_queries


@pytest.fixture(scope="module")
def fed(module_worlds):
    return module_worlds.share(Fed)


def page(client, proposal) -> str:
    response = client.get(f"/proposals/{proposal.reference}")
    assert response.status_code == 200
    return response.get_data(as_text=True)


def bodies_kept(app) -> int:
    return sum(1 for key in fragments.cache_of(app).local if key.startswith("proposals.page:"))


def test_a_kept_body_reads_none_of_what_it_shows(app, fed, client, kept_facts):
    change_state(fed.facilitator, fed.proposal, ProposalState.under_review, "Respuesta con razones.")
    path = f"/proposals/{fed.proposal.reference}"
    first = client.get(path).get_data(as_text=True)
    assert "Respuesta con razones." in first and bodies_kept(app) == 1
    client.get(path)  # the facts kept between requests are read once after the change
    db.session.expire_all()
    with count_queries() as sent:
        again = client.get(path).get_data(as_text=True)
    assert again == first and bodies_kept(app) == 1
    shown = ("FROM proposal_answers", "FROM proposal_attachments", "UNION ALL", "ORDER BY milestones")
    assert not [s for s in sent if any(part in s for part in shown) and "string_agg" not in s
                and "group_concat" not in s], sent
    # The proposal, then the body's version with the comments' version and the follow box's
    # state read alongside it (app/core/read_along.py): two statements.
    assert len(sent) == 2, sent
    assert "FROM comments" in sent[1] and "FROM target_follows" in sent[1]


def test_every_change_to_the_body_shows_on_the_next_request(app, fed, client):
    proposal = fed.proposal
    page(client, proposal)

    change_state(fed.facilitator, proposal, ProposalState.under_review, "Lo revisamos en comité.")
    assert "Lo revisamos en comité." in page(client, proposal)

    other = make_proposal(fed.committee, fed.citizen, state=ProposalState.submitted)
    merge_proposal(fed.facilitator, other, proposal, "Es el mismo problema.")
    assert f"{other.reference} — {escape(other.title)}" in page(client, proposal)

    fed.citizen.name = "Nombre Cambiado De Autora"
    db.session.commit()
    assert "Nombre Cambiado De Autora" in page(client, proposal)

    fed.committee.name = "Comité Renombrado"
    db.session.commit()
    assert "Comité Renombrado" in page(client, proposal)

    fed.commitment.title = "Compromiso con otro título"
    db.session.commit()
    assert "Compromiso con otro título" in page(client, proposal)

    table = make_table(fed.committee, starts_in=-timedelta(days=3))
    db.session.add(AgendaItem(table_id=table.id, proposal_id=proposal.id))
    db.session.commit()
    assert f"/tables/{table.id}" in page(client, proposal)

    reported = page(client, proposal).count("último reporte")
    milestone = fed.commitment.milestones[1]
    note = progress.report_progress(fed.facilitator, milestone, "complete", "Entregado.", date(2026, 4, 2))
    html = page(client, proposal)
    assert html.count("último reporte") == reported + 1
    before = html.count('data-light="disputed"')
    oversight.review_report(fed.titular, note, "disputed", "No coincide con lo visto.")
    assert page(client, proposal).count('data-light="disputed"') > before


def test_a_support_shows_its_count_without_rendering_the_body_again(app, fed, client):
    proposal = make_proposal(fed.committee, fed.citizen, state=ProposalState.submitted)
    page(client, proposal)
    keys = set(fragments.cache_of(app).local)
    support_proposal(make_user(), proposal)
    assert 'data-supports="1"' in page(client, proposal)
    assert set(fragments.cache_of(app).local) == keys  # the same body, laid under the new count


def test_a_facilitators_draft_never_reaches_another_reader(app, fed, client, other_client):
    draft_title = "Borrador que solo ve la facilitación"
    fed.draft.title = draft_title
    db.session.commit()
    login_as(other_client, fed.facilitator)
    assert draft_title in page(other_client, fed.proposal)
    assert draft_title not in page(client, fed.proposal)       # anonymous, after the facilitator
    login_as(client, fed.citizen)
    assert draft_title not in page(client, fed.proposal)       # a citizen too
    fed.draft.state = CommitmentState.published               # once public, everyone sees it
    db.session.commit()
    assert draft_title in page(client, fed.proposal)


def _with_attachment(fed, name: str):
    """A proposal of the citizen that its author may still edit, with one PDF: (proposal,
    attachment, the path of its Remove form)."""
    proposal = make_proposal(fed.committee, fed.citizen, state=ProposalState.submitted)
    attachment = ProposalAttachment(proposal_id=proposal.id, owner_id=fed.citizen.id, kind=AttachmentKind.pdf,
                                    original_name=name, stored_name=(name[0] * 64)[:64],
                                    content_type="application/pdf", size_bytes=900, sha256="1" * 64)
    db.session.add(attachment)
    db.session.commit()
    return proposal, attachment, f"/proposals/{proposal.reference}/attachments/{attachment.id}/remove"


def test_the_authors_remove_buttons_are_theirs_alone(app, fed, client, other_client):
    proposal, attachment, remove = _with_attachment(fed, "plano.pdf")
    login_as(other_client, fed.citizen)
    assert remove in page(other_client, proposal)
    assert "plano.pdf" in page(client, proposal) and remove not in page(client, proposal)
    login_as(client, make_user())
    assert remove not in page(client, proposal)
    attachment.alt_text = "Plano del parque"
    attachment.original_name = "plano-nuevo.pdf"
    db.session.commit()
    assert "plano-nuevo.pdf" in page(client, proposal)


def test_the_authors_remove_button_carries_the_token_of_their_own_session(app, fed, client,
                                                                          other_client):
    """The author's body is kept; its forms' CSRF token is not: a second session of the same
    author gets its own token in the Remove form, and removing works from there."""
    proposal, attachment, remove = _with_attachment(fed, "acta.pdf")
    login_as(client, fed.citizen)
    first = page(client, proposal)
    login_as(other_client, fed.citizen)
    second = page(other_client, proposal)
    assert bodies_kept(app) == 1  # the second session's page came from the kept body
    for html in (first, second):
        tokens = set(re.findall(r'name="csrf_token" value="([^"]+)"', html))
        assert len(tokens) == 1 and fragments.CSRF_PLACEHOLDER not in html  # one token per page
        assert remove in html
    token = re.search(rf'action="{re.escape(remove)}".*?name="csrf_token" value="([^"]+)"', second, re.S).group(1)
    response = other_client.post(remove, data={"csrf_token": token})
    assert response.status_code in (302, 303), response.status_code
    assert db.session.get(ProposalAttachment, attachment.id) is None or "acta.pdf" not in page(other_client, proposal)


def test_hiding_and_restoring_the_proposal_shows_at_once(app, fed, client):
    proposal = make_proposal(fed.committee, fed.citizen, state=ProposalState.submitted)
    body = 'class="prose proposal-body"'
    assert f"<h1>{escape(proposal.title)}</h1>" in page(client, proposal)
    moderation.hide_content(fed.facilitator, proposal, "Datos personales de un tercero.")
    html = page(client, proposal)
    assert "Datos personales de un tercero." in html and body not in html
    assert f"<h1>{escape(proposal.title)}</h1>" not in html
    moderation.restore_content(fed.facilitator, proposal, "Revisado.")
    html = page(client, proposal)
    assert "Datos personales de un tercero." not in html and body in html


def test_the_path_day_turns_a_milestone_late(app, fed, client):
    commitment = make_commitment(fed, milestones=1)
    commitment.milestones[0].ends_on = date(2026, 6, 30)
    db.session.add(CommitmentProposal(commitment_id=commitment.id, proposal_id=fed.lone.id))
    db.session.commit()
    with app_clock.use(lambda: datetime(2026, 6, 30, 18, tzinfo=UTC)):  # noon where the plan is
        assert 'data-light="late"' not in page(client, fed.lone)
    with app_clock.use(lambda: datetime(2026, 7, 1, 18, tzinfo=UTC)):
        assert 'data-light="late"' in page(client, fed.lone)


def test_a_reader_without_comments_in_the_thread_costs_no_statement_of_their_own(app, fed, client, kept_facts):
    """How many of the thread's comments are the reader's is counted alongside the body's
    version: a reader with none gets the kept thread as it is; an author gets their controls."""
    from app.comments.services import post_comment

    reader = make_user()
    login_as(client, reader)
    other = make_user()
    post_comment(other, fed.proposal, "Un comentario de otra persona.")
    page(client, fed.proposal)
    page(client, fed.proposal)  # the facts kept between requests are read once
    with count_queries() as sent:
        html = page(client, fed.proposal)
    assert "Un comentario de otra persona." in html
    assert not [s for s in sent if "FROM comments" in s and "count(" not in s], sent
    assert not re.search(r"/comments/\d+/edit", html)

    mine = post_comment(reader, fed.proposal, "Y este es mío.")
    html = page(client, fed.proposal)
    assert f"/comments/{mine.id}/edit" in html  # the author's controls on their own comment
    assert len(re.findall(r"/comments/\d+/edit", html)) == 1
