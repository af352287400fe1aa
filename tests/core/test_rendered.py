"""User text is rendered when written and read from the database on pages (app/core/rendered.py):
writes fill the stored HTML, edits renew it, pages never run the Markdown pipeline, and
`flask content rerender` fills what bulk inserts and older renderers left."""
from contextlib import contextmanager

import pytest
import sqlalchemy as sa
from markupsafe import escape

from app.comments import services as comments
from app.comments.models import Comment
from app.commitments.models import Commitment, CommitmentState
from app.core import text
from app.core.rendered import rerender
from app.core.text import RENDERER_VERSION, render_markdown
from app.extensions import db
from app.proposals.models import Proposal
from tests.comments.factories import make_proposal
from tests.conftest import login
from tests.consultations.factories import World, make_answer, make_comment, make_consultation
from tests.factories import HOSTILE, make_user


@pytest.fixture(scope="module")
def world(module_worlds):
    return module_worlds.share(World)


@contextmanager
def renderer_forbidden():
    """Any Markdown rendering in the block fails the test (the per-process caches emptied first,
    so a text rendered earlier in the session cannot hide a render)."""
    calls = []

    def refuse():
        calls.append(1)
        raise AssertionError("the Markdown pipeline ran during a page view")

    text._rendered.cache_clear()
    text._plain.cache_clear()
    text._rendered_text.cache_clear()
    original = text._pipeline
    text._pipeline = refuse
    try:
        yield calls
    finally:
        text._pipeline = original


def stored(model, row_id):
    return db.session.execute(
        sa.select(model.rendered, model.rendered_version).where(model.id == row_id)
    ).one()


def test_a_comment_written_through_the_service_stores_its_sanitised_html(world):
    proposal = make_proposal(world.committee)
    comment = comments.post_comment(make_user(), proposal, f"**Hola** {HOSTILE} https://example.org")
    db.session.commit()

    rendered, version = stored(Comment, comment.id)
    assert version == RENDERER_VERSION
    assert rendered["html"]["body"] == str(render_markdown(comment.body))
    assert "<strong>Hola</strong>" in rendered["html"]["body"]
    assert "<script" not in rendered["html"]["body"] and "<img" not in rendered["html"]["body"]
    assert 'rel="nofollow ugc noopener"' in rendered["html"]["body"]
    assert rendered["text"]["body"].startswith("Hola ")


def test_editing_a_comment_renders_it_again(world):
    author = make_user()
    comment = comments.post_comment(author, make_proposal(world.committee), "Primera *versión*")
    db.session.commit()
    comments.edit_comment(author, comment, "Segunda **versión**")  # a conditional UPDATE statement
    db.session.commit()

    rendered, version = stored(Comment, comment.id)
    assert rendered["html"]["body"] == "<p>Segunda <strong>versión</strong></p>\n"
    assert version == RENDERER_VERSION


def test_changing_a_field_on_the_object_renders_it_again_at_the_flush(world):
    proposal = make_proposal(world.committee, body="Antes")
    proposal.body = "Después con _énfasis_"
    db.session.commit()

    assert stored(Proposal, proposal.id)[0]["html"]["body"] == "<p>Después con <em>énfasis</em></p>\n"


def test_an_unflushed_change_is_shown_as_it_is_now_not_as_stored(app, world):
    proposal = make_proposal(world.committee, body="Guardado")
    proposal.body = "Sin guardar"
    with app.test_request_context():
        html = app.jinja_env.from_string('{{ p|rendered("body") }}').render(p=proposal)
    assert "Sin guardar" in html
    db.session.rollback()


def test_the_signed_in_proposal_page_with_200_comments_renders_no_markdown(world, client):
    proposal = make_proposal(world.committee)
    authors = [make_user() for _ in range(5)]
    db.session.add_all([
        Comment(proposal_id=proposal.id, committee_id=proposal.committee_id, author_id=authors[i % 5].id,
                body=f"Comentario **{i}** {HOSTILE}")
        for i in range(200)
    ])
    db.session.execute(sa.update(Proposal).where(Proposal.id == proposal.id).values(comment_count=200))
    db.session.commit()
    login(client, world.citizen.email)

    with renderer_forbidden() as calls:
        response = client.get(f"/proposals/{proposal.reference}")
    assert response.status_code == 200
    assert calls == []
    page = response.get_data(as_text=True)
    assert page.count("Comentario <strong>") == 200
    assert "<script>alert" not in page


def test_the_commitment_and_consultation_pages_render_no_markdown(world, client):
    commitment = world.commitment
    commitment.problem = f"El **problema** {HOSTILE}"
    commitment.value_transparency = "Datos _abiertos_"
    db.session.commit()
    make_consultation(commitment)
    for i in range(5):
        make_answer(make_comment(commitment, body=f"Observación **{i}**"), reason=f"Se *incorpora* {i}")
    login(client, world.facilitator.email)

    with renderer_forbidden() as calls:
        consultation = client.get(f"/consultations/commitment/{commitment.id}")
    assert consultation.status_code == 200
    assert "El <strong>problema</strong>" in consultation.get_data(as_text=True)

    commitment.state = CommitmentState.published
    db.session.commit()
    with renderer_forbidden() as more_calls:
        page = client.get(f"/commitments/{commitment.id}")
    assert page.status_code == 200
    assert "Datos <em>abiertos</em>" in page.get_data(as_text=True)
    assert calls == more_calls == []


def test_rows_written_without_html_are_rendered_on_the_page_and_filled_by_rerender(world, client):
    proposal = make_proposal(world.committee)
    db.session.execute(sa.insert(Comment), [  # a bulk insert: no flush, no stored HTML
        {"proposal_id": proposal.id, "committee_id": proposal.committee_id, "author_id": world.citizen.id,
         "body": f"Masivo **{i}** {HOSTILE}"} for i in range(3)
    ])
    db.session.execute(sa.update(Proposal).where(Proposal.id == proposal.id).values(comment_count=3))
    db.session.commit()
    old = comments.post_comment(make_user(), proposal, "Renderizado *antes*")
    db.session.commit()
    db.session.execute(sa.update(Comment.__table__).where(Comment.id == old.id)
                       .values(rendered_version=RENDERER_VERSION - 1))
    current = comments.post_comment(make_user(), proposal, "Al día")
    db.session.commit()

    page = client.get(f"/proposals/{proposal.reference}").get_data(as_text=True)
    assert "Masivo <strong>2</strong>" in page and "<script>alert" not in page

    counts = rerender()
    assert counts["comments"] == 4
    rows = db.session.execute(sa.select(Comment.body, Comment.rendered, Comment.rendered_version)
                              .where(Comment.proposal_id == proposal.id)).all()
    assert all(version == RENDERER_VERSION for _, _, version in rows)
    assert all(rendered["html"]["body"] == str(render_markdown(body)) for body, rendered, _ in rows)
    assert rerender()["comments"] == 0
    assert rerender(every=True)["comments"] >= 5
    assert current.id in db.session.scalars(sa.select(Comment.id).where(Comment.proposal_id == proposal.id))


def test_the_rerender_command_prints_its_counts(app, world):
    make_proposal(world.committee)
    db.session.execute(sa.update(Proposal.__table__).values(rendered_version=None))
    db.session.commit()
    result = app.test_cli_runner().invoke(args=["content", "rerender"])
    assert result.exit_code == 0, result.output
    assert "proposals: " in result.output and "Rendered again:" in result.output
    assert db.session.scalar(sa.select(sa.func.count()).where(Proposal.rendered_version.is_(None))) == 0


def test_summaries_come_from_the_stored_plain_text(app, world):
    proposal = make_proposal(world.committee, body="**Negritas** & <b>x</b> " + "palabra " * 100)
    template = app.jinja_env.from_string('{{ p|summary("body", 30) }}|{{ p|summary("body", 30)|plain_summary(30) }}')
    with renderer_forbidden() as calls, app.test_request_context():
        shown = template.render(p=proposal)
    assert calls == []
    expected = str(escape(text.plain_summary(proposal.body, 30)))
    assert shown == f"{expected}|{expected}"
    assert expected.startswith("Negritas &amp; &lt;b&gt;x&lt;/b&gt; palabra") and expected.endswith("…")


def test_a_summary_longer_than_what_is_stored_is_made_from_the_source(app, world):
    proposal = make_proposal(world.committee, body="Una palabra y otra. " * 100)
    with app.test_request_context():
        long = app.jinja_env.from_string('{{ p|summary("body", 1000) }}').render(p=proposal)
    assert long == text.plain_summary(proposal.body, 1000)


def test_a_conditional_update_statement_renders_the_row_it_names(world):
    commitment = world.commitment
    commitment.objective = "Objetivo *previo*"
    db.session.commit()
    db.session.execute(  # as the drafting service saves: a conditional UPDATE of some fields
        sa.update(Commitment).where(Commitment.id == commitment.id, Commitment.version == commitment.version)
        .values(problem="Problema **nuevo**").execution_options(synchronize_session=False)
    )
    db.session.commit()

    rendered, version = stored(Commitment, commitment.id)
    assert version == RENDERER_VERSION
    assert rendered["html"]["problem"] == "<p>Problema <strong>nuevo</strong></p>\n"
    assert rendered["html"]["objective"] == "<p>Objetivo <em>previo</em></p>\n"


def test_an_update_statement_without_an_id_leaves_the_rows_stale_and_shown_right(app, world):
    proposal = make_proposal(world.committee, body="Antes")
    db.session.execute(sa.update(Proposal).where(Proposal.reference == proposal.reference)
                       .values(body="Después *así*").execution_options(synchronize_session=False))
    db.session.commit()
    db.session.expire_all()

    assert stored(Proposal, proposal.id)[1] is None  # for the page's fallback and `content rerender`
    with app.test_request_context():
        html = app.jinja_env.from_string('{{ p|rendered("body") }}').render(p=db.session.get(Proposal, proposal.id))
    assert html == "<p>Después <em>así</em></p>\n"


def test_a_bulk_update_by_primary_key_stores_the_html_of_each_row(world):
    first, second = make_proposal(world.committee), make_proposal(world.committee)
    db.session.execute(sa.update(Proposal), [{"id": first.id, "body": "*uno*"}, {"id": second.id, "body": "**dos**"}])
    db.session.commit()

    assert stored(Proposal, first.id)[0]["html"]["body"] == "<p><em>uno</em></p>\n"
    assert stored(Proposal, second.id)[0]["html"]["body"] == "<p><strong>dos</strong></p>\n"
