"""Rows of the records areas for worlds that need one of each (tests/security/world.py)."""
import itertools
from datetime import date

from app.announcements.models import Announcement
from app.core.db import utcnow
from app.documents.models import Declaration, Document, DocumentKind, DocumentVersion
from app.extensions import db
from tests.factories import HOSTILE

_seq = itertools.count(1)


def make_records(world):
    """(a document of minutes of world.committee with version 1, the Declaratoria, a published
    announcement); the version's stored name is returned for the caller to write the file."""
    document = Document(plan_id=world.plan.id, committee_id=world.committee.id,
                        kind=DocumentKind.minutes, title=f"Minuta {HOSTILE}",
                        description=HOSTILE, document_date=date(2026, 3, 1),
                        published_by_id=world.admin.id)
    document.versions.append(DocumentVersion(
        number=1, original_name="minuta.pdf", stored_name=f"{next(_seq) + 2 * 10**6:032x}",
        content_type="application/pdf", size_bytes=5, sha256="0" * 64,
        created_by_id=world.admin.id))
    declaration = Declaration(plan_id=world.plan.id, signed_on=date(2026, 2, 1), place=HOSTILE,
                              document=document, recorded_by_id=world.admin.id)
    announcement = Announcement(plan_id=world.plan.id, title=f"Aviso {HOSTILE}", body=HOSTILE,
                                author_id=world.admin.id, published_at=utcnow())
    db.session.add_all([document, declaration, announcement])
    db.session.commit()
    return document, declaration, announcement
