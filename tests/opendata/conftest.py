"""A demo plan plus one item of every kind that must never be public, each carrying a marker."""
from datetime import timedelta

import pytest

from app.comments.models import Comment
from app.commitments.models import CommitmentState
from app.core.db import utcnow
from app.extensions import db
from app.moderation import services as moderation
from app.plans.models import Committee
from app.proposals.models import Proposal
from tests.comments.factories import make_comment
from tests.consultations.factories import make_commitment
from tests.factories import make_admin, make_committee

SECRETS = {
    "hidden_comment": "SECRETO-COMENTARIO-OCULTO",
    "deleted_comment": "SECRETO-COMENTARIO-BORRADO",
    "hidden_proposal": "SECRETO-PROPUESTA-OCULTA",
    "draft_commitment": "SECRETO-COMPROMISO-BORRADOR",
}


@pytest.fixture
def world(demo):
    import sqlalchemy as sa

    admin = make_admin()
    proposal = db.session.scalars(sa.select(Proposal).where(Proposal.hidden_at.is_(None)).order_by(Proposal.id)).first()
    hidden = make_comment(proposal, body=f"{SECRETS['hidden_comment']} <script>x</script>")
    moderation.hide_content(admin, hidden, "Insultos")
    make_comment(proposal, body=SECRETS["deleted_comment"], deleted_at=utcnow() - timedelta(minutes=1))
    other = db.session.scalars(sa.select(Proposal).where(Proposal.hidden_at.is_(None), Proposal.id != proposal.id)
                               .order_by(Proposal.id)).first()
    other.title = SECRETS["hidden_proposal"]
    db.session.commit()
    moderation.hide_content(admin, other, "Datos personales")
    committee = db.session.scalars(sa.select(Committee).order_by(Committee.id)).first()
    make_commitment(make_committee(committee.plan), state=CommitmentState.draft, title=SECRETS["draft_commitment"])
    visible = make_comment(proposal, body="COMENTARIO-VISIBLE-PUBLICO")
    return {"proposal": proposal, "hidden_comment": db.session.get(Comment, hidden.id), "visible": visible,
            "hidden_proposal": other}


@pytest.fixture
def builds_inline(app, monkeypatch):
    """Every stale file is built again on its download, however long the last build took: these
    tests read what the data holds now. By default only a build that took at most
    OPEN_DATA_INLINE_BUILD_SECONDS (0.5 s) is redone inline, which a loaded machine (a coverage
    run beside the other half's workers) can exceed even for three rows, and then the old file is
    served, as it should be; tests/opendata/test_files.py tests that rule."""
    monkeypatch.setitem(app.config, "OPEN_DATA_INLINE_BUILD_SECONDS", 3600.0)


# Rows per fetch in the tests that need several batches: with the real sizes (1,000 and 2,000)
# they had to write thousands of proposals, through the search index, to cross a batch boundary.
SMALL_BATCH = 50


@pytest.fixture
def small_batches(monkeypatch):
    """The builds and downloads fetch SMALL_BATCH rows at a time (every path: the Python one's
    BATCH, which app/opendata/files.py imports by name, and the database lines' LINES_BATCH)."""
    from app.opendata import export, files

    for module, name in ((export, "BATCH"), (files, "BATCH"), (files, "LINES_BATCH")):
        monkeypatch.setattr(module, name, SMALL_BATCH)
    return SMALL_BATCH
