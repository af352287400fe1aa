"""The commitment pages through the client: drafting, editing, versions, diff, publishing."""
import re
from datetime import UTC, date, datetime, timedelta

import sqlalchemy as sa

from app.commitments import services
from app.commitments.models import Commitment, CommitmentState, CommitmentVersion
from app.core import clock
from app.extensions import db
from app.proposals.models import ProposalState
from tests.commitments.factories import (
    HOSTILE,
    edit_form_data,
    form_data,
    make_draft,
    make_proposal,
    make_published,
    milestone,
)
from tests.conftest import login
from tests.dialogues.factories import make_table


def _html(response) -> str:
    return response.get_data(as_text=True)


def _open_to_public(commitment) -> None:
    db.session.execute(sa.update(Commitment).where(Commitment.id == commitment.id)
                       .values(state=CommitmentState.consultation))
    db.session.commit()
    db.session.expire_all()


# ---------------------------------------------------------------- drafting through the form

def test_new_draft_page_preselects_proposals_from_the_link(world, client):
    first = make_proposal(world.committee, world.author)
    second = make_proposal(world.committee, world.author)
    closed = make_proposal(world.committee, world.author, state=ProposalState.not_accepted)
    table = make_table(world.committee)
    login(client, world.facilitator.email)
    url = f"/commitments/new?committee={world.committee.id}&proposals={first.reference},{second.reference}"
    html = _html(client.get(url))
    for p in (first, second):
        assert re.search(rf'value="{p.reference}"\s+checked', html)
    assert closed.reference not in html  # only open or accepted proposals are offered
    assert f'name="tables" id="tables-1" value="{table.id}"' in html
    assert html.count('name="milestones-') >= 5 * 5


def test_a_facilitator_drafts_from_two_proposals_through_the_form(world, client):
    first = make_proposal(world.committee, world.author, state=ProposalState.submitted)
    second = make_proposal(world.committee, world.author)
    table = make_table(world.committee)
    login(client, world.facilitator.email)
    url = f"/commitments/new?committee={world.committee.id}"
    response = client.submit(url, form_data(world, [first, second], [table],
                                            milestones=[milestone(1), milestone(2)]))
    assert response.status_code == 302
    commitment = db.session.scalar(sa.select(Commitment))
    assert response.headers["Location"].endswith(f"/commitments/{commitment.id}")
    assert len(commitment.milestones) == 2 and commitment.version == 1
    db.session.expire_all()
    assert {first.state, second.state} == {ProposalState.accepted}

    page = _html(client.get(f"/commitments/{commitment.id}"))
    assert f"/proposals/{first.reference}" in page and f"/tables/{table.id}" in page
    # The proposal's page says which commitment it became part of (its facilitator sees the draft).
    proposal_page = _html(client.get(f"/proposals/{first.reference}"))
    assert f'data-commitment="{commitment.id}"' in proposal_page


def test_bad_input_keeps_what_was_typed_with_errors_next_to_fields(world, client):
    proposal = make_proposal(world.committee, world.author)
    login(client, world.facilitator.email)
    url = f"/commitments/new?committee={world.committee.id}"
    data = form_data(world, [proposal], problem="Un problema que escribí con cuidado",
                     ends_on="2027-02-31",
                     milestones=[milestone(1, ends_on=date(2026, 1, 1))])
    response = client.submit(url, data)
    assert response.status_code == 400
    html = _html(response)
    assert "Un problema que escribí con cuidado" in html
    assert 'value="2027-02-31"' in html
    assert 'id="ends_on-error"' in html
    assert 'aria-describedby="ends_on-hint ends_on-error"' in html
    assert db.session.scalar(sa.select(sa.func.count(Commitment.id))) == 0
    db.session.expire_all()
    assert proposal.state == ProposalState.in_dialogue


def test_service_errors_land_on_the_milestone_row(world, client):
    proposal = make_proposal(world.committee, world.author)
    login(client, world.facilitator.email)
    url = f"/commitments/new?committee={world.committee.id}"
    # Blank first row, a milestone past the commitment's end in the second row.
    rows = [{}, milestone(2, ends_on=date(2030, 1, 1))]
    response = client.submit(url, form_data(world, [proposal], milestones=rows))
    assert response.status_code == 400
    html = _html(response)
    assert 'id="milestones-1-ends_on-error"' in html
    assert 'value="2030-01-01"' in html


def test_a_draft_needs_a_milestone(world, client):
    proposal = make_proposal(world.committee, world.author)
    login(client, world.facilitator.email)
    response = client.submit(f"/commitments/new?committee={world.committee.id}",
                             form_data(world, [proposal], milestones=[]))
    assert response.status_code == 400
    assert 'id="milestones-0-description-error"' in _html(response)


def test_unknown_committee_is_404(world, client):
    login(client, world.facilitator.email)
    assert client.get("/commitments/new?committee=99999").status_code == 404
    assert client.get("/commitments/new?committee=abc").status_code == 404


# ---------------------------------------------------------------- reading

def test_drafts_are_404_for_the_public_and_visible_to_their_facilitators(world, client,
                                                                         other_client):
    commitment = make_draft(world)
    for path in ("", "/versions", "/diff?from=1&to=1"):
        assert client.get(f"/commitments/{commitment.id}{path}").status_code == 404
    login(other_client, world.other_facilitator.email)
    assert other_client.get(f"/commitments/{commitment.id}").status_code == 404
    login(client, world.facilitator.email)
    response = client.get(f"/commitments/{commitment.id}")
    assert response.status_code == 200
    assert "commitment-draft-notice" in _html(response)


def test_list_shows_public_commitments_only_and_filters(world, client):
    draft = make_draft(world, title="Borrador secreto de prueba")
    published = make_published(world, title="Compromiso publicado de prueba")
    other = make_published(world, title="Compromiso del otro comité", committee=world.other_committee,
                           actor=world.other_facilitator,
                           proposals=[make_proposal(world.other_committee, world.author)])
    html = _html(client.get("/commitments/"))
    assert f'data-commitment="{published.id}"' in html and f'data-commitment="{other.id}"' in html
    assert "Borrador secreto" not in html
    html = _html(client.get(f"/commitments/?committee={world.committee.id}"))
    assert f'data-commitment="{published.id}"' in html and f'data-commitment="{other.id}"' not in html
    html = _html(client.get("/commitments/?state=withdrawn"))
    assert "data-commitment=" not in html
    # Nonsense filters are ignored, not errors.
    assert client.get("/commitments/?committee=zzz&state=draft").status_code == 200
    login(client, world.facilitator.email)
    assert f'data-draft="{draft.id}"' in _html(client.get("/commitments/"))


def test_commitment_page_shows_the_template_milestones_and_late_flag(world, client):
    today = clock.today()
    commitment = make_published(
        world, starts_on=today - timedelta(days=60), ends_on=today + timedelta(days=60),
        milestones=[
            milestone(1, starts_on=today - timedelta(days=60), ends_on=today - timedelta(days=1)),
            milestone(2, starts_on=today - timedelta(days=60), ends_on=today),
        ],
    )
    html = _html(client.get(f"/commitments/{commitment.id}"))
    assert '<script>alert("x")' not in html and "&lt;script&gt;" in html  # escaped
    assert "<strong>Problema</strong>" in html  # Markdown rendered
    assert 'data-value="value_transparency"' in html
    assert 'data-value="value_participation"' not in html
    first, second = commitment.milestones
    # Late: past its end date and not complete; a milestone ending today is not late yet.
    assert re.search(rf'data-milestone="{first.id}"[^>]*data-late="true"', html)
    assert not re.search(rf'data-milestone="{second.id}"[^>]*data-late="true"', html)
    assert f"/commitments/{commitment.id}/versions" in html
    assert f"/commitments/{commitment.id}/edit" not in html  # no facilitator panel for the public


def test_today_is_durangos_date_not_utcs(app):
    # 03:00 UTC on 2 March is still 1 March in Durango (UTC-6).
    with clock.use(lambda: datetime(2026, 3, 2, 3, 0, tzinfo=UTC)):
        assert clock.today() == date(2026, 3, 1)
    with clock.use(lambda: datetime(2026, 3, 2, 7, 0, tzinfo=UTC)):
        assert clock.today() == date(2026, 3, 2)


def test_versions_page_and_diff_between_any_two_versions(world, client):
    commitment = make_draft(world, objective="Contar con un registro abierto")
    services.update_draft(world.facilitator, commitment, {"objective": "Contar con un registro público"},
                          None, "Mejor palabra")
    services.update_draft(world.facilitator, commitment, {"budget": f"Nuevo {HOSTILE}"}, None,
                          "Presupuesto")
    _open_to_public(commitment)
    html = _html(client.get(f"/commitments/{commitment.id}/versions"))
    for n in (1, 2, 3):
        assert f'data-version="{n}"' in html
    assert "Mejor palabra" in html
    assert world.facilitator.name not in html  # the name is escaped
    html = _html(client.get(f"/commitments/{commitment.id}/diff?from=1&to=3"))
    assert 'data-field="objective"' in html and 'data-field="budget"' in html
    assert re.search(r'<del class="diff-del">.*abierto', html)
    assert re.search(r'<ins class="diff-ins">.*público', html)
    assert "<script>alert" not in html
    # Default: the latest change; the reverse direction also works.
    default = _html(client.get(f"/commitments/{commitment.id}/diff"))
    assert 'data-field="budget"' in default and 'data-field="objective"' not in default
    assert client.get(f"/commitments/{commitment.id}/diff?from=3&to=1").status_code == 200
    for bad in ("from=0&to=1", "from=1&to=9", "from=x&to=2"):
        assert client.get(f"/commitments/{commitment.id}/diff?{bad}").status_code == 404


def test_diff_shows_milestones_added_and_removed(world, client):
    commitment = make_draft(world, milestones=[milestone(1)])
    rows = [milestone(2, description="Un hito completamente nuevo")]
    services.update_draft(world.facilitator, commitment, {}, rows, "Cambiamos el hito")
    _open_to_public(commitment)
    html = _html(client.get(f"/commitments/{commitment.id}/diff?from=1&to=2"))
    assert 'data-milestone-change="added"' in html and 'data-milestone-change="removed"' in html


# ---------------------------------------------------------------- editing, publishing, withdrawing

def test_edit_saves_a_version_and_keeps_input_on_error(world, client):
    commitment = make_draft(world)
    login(client, world.facilitator.email)
    url = f"/commitments/{commitment.id}/edit"
    page = _html(client.get(url))
    assert f'name="milestones-0-id" type="hidden" value="{commitment.milestones[0].id}"' in page
    bad = edit_form_data(commitment, reason="", objective="Mi objetivo reescrito")
    response = client.submit(url, bad)
    assert response.status_code == 400 and "Mi objetivo reescrito" in _html(response)
    good = edit_form_data(commitment, reason="Ajuste de redacción", objective="Mi objetivo reescrito")
    assert client.submit(url, good).status_code == 302
    db.session.expire_all()
    assert commitment.version == 2 and commitment.objective == "Mi objetivo reescrito"


def test_editing_in_two_tabs_refuses_the_stale_one_keeping_its_text(world, client):
    commitment = make_draft(world)
    login(client, world.facilitator.email)
    url = f"/commitments/{commitment.id}/edit"
    first = edit_form_data(commitment, reason="Pestaña uno", objective="Texto de la pestaña uno")
    second = edit_form_data(commitment, reason="Pestaña dos", objective="Texto de la pestaña dos")
    assert client.submit(url, first).status_code == 302
    response = client.submit(url, second)
    assert response.status_code == 400 and "Texto de la pestaña dos" in _html(response)
    db.session.expire_all()
    assert commitment.objective == "Texto de la pestaña uno"


def test_edit_removes_a_milestone_with_the_checkbox(world, client):
    commitment = make_draft(world, milestones=[milestone(1), milestone(2)])
    login(client, world.facilitator.email)
    data = edit_form_data(commitment, reason="Quitamos el segundo hito")
    data["milestones-1-remove"] = "y"
    assert client.submit(f"/commitments/{commitment.id}/edit", data).status_code == 302
    db.session.expire_all()
    assert len(commitment.milestones) == 1


def test_published_edit_asks_for_a_justification(world, client):
    commitment = make_published(world)
    login(client, world.facilitator.email)
    url = f"/commitments/{commitment.id}/edit"
    response = client.submit(url, edit_form_data(commitment, reason="Ajuste", budget="$9"))
    assert response.status_code == 400
    justification = "El cabildo modificó el presupuesto en su sesión ordinaria."
    assert client.submit(url, edit_form_data(commitment, reason=justification, budget="$9")).status_code == 302
    html = _html(client.get(f"/commitments/{commitment.id}/versions"))
    assert justification in html


def test_publish_lists_missing_fields_then_publishes(world, client):
    commitment = make_draft(world, how_it_helps="")
    login(client, world.facilitator.email)
    url = f"/commitments/{commitment.id}/publish"
    assert "publish-missing" in _html(client.get(url))
    response = client.submit(url, {"reason": "Aprobado en sesión"})
    assert response.status_code == 400
    assert commitment.state == CommitmentState.draft
    services.update_draft(world.facilitator, commitment, {"how_it_helps": "Ayuda mucho"}, None,
                          "Completar plantilla")
    assert client.submit(url, {"reason": "Aprobado en sesión"}).status_code == 302
    db.session.expire_all()
    assert commitment.state == CommitmentState.published
    assert client.get(f"/commitments/{commitment.id}").status_code == 200


def test_withdraw_through_the_form(world, client):
    commitment = make_published(world)
    login(client, world.facilitator.email)
    url = f"/commitments/{commitment.id}/withdraw"
    assert client.submit(url, {"reason": "corta"}).status_code == 400
    reason = "Se retira porque otra dependencia asumió el programa completo."
    assert client.submit(url, {"reason": reason}).status_code == 302
    db.session.expire_all()
    assert commitment.state == CommitmentState.withdrawn
    assert reason in _html(client.get(f"/commitments/{commitment.id}"))


def test_version_rows_record_the_reason_given_in_the_form(world, client):
    commitment = make_draft(world)
    login(client, world.facilitator.email)
    client.submit(f"/commitments/{commitment.id}/edit",
                  edit_form_data(commitment, reason="Motivo visible", causes="Nuevas causas"))
    reasons = db.session.scalars(sa.select(CommitmentVersion.reason).order_by(CommitmentVersion.number)).all()
    assert reasons[-1] == "Motivo visible"


def test_proposal_page_links_to_its_public_commitment_and_offers_drafting(world, client, other_client):
    proposal = make_proposal(world.committee, world.author)
    commitment = make_draft(world, proposals=[proposal])
    assert 'data-commitment=' not in _html(client.get(f"/proposals/{proposal.reference}"))
    _open_to_public(commitment)
    html = _html(client.get(f"/proposals/{proposal.reference}"))
    assert f'data-commitment="{commitment.id}"' in html
    assert "/commitments/new?" not in html  # the public is not offered drafting
    login(other_client, world.facilitator.email)
    html = _html(other_client.get(f"/proposals/{proposal.reference}"))
    assert f"/commitments/new?committee={world.committee.id}&amp;proposals={proposal.reference}" in html
