"""What the plan's repository writes to its public ledger (app/ledger): the content of a
document's version (its file's SHA-256 included) and of corrected details; and, for `flask ledger
backfill`, every version published."""
from collections.abc import Iterator

import sqlalchemy as sa

from app.documents.models import Document, DocumentVersion
from app.extensions import db
from app.ledger.records import Record, published_records


def version_content(document: Document, version: DocumentVersion) -> dict:
    return {"title": document.title, "kind": document.kind.value, "committee": document.committee_id,
            "document_date": document.document_date.isoformat(), "number": version.number,
            "file": version.original_name, "sha256": version.sha256, "reason": version.reason}


def details_content(document: Document) -> dict:
    return {"title": document.title, "description": document.description}


@published_records
def _published(plan_id: int | None) -> Iterator[Record]:
    query = (sa.select(DocumentVersion, Document).join(Document, Document.id == DocumentVersion.document_id)
             .order_by(DocumentVersion.document_id, DocumentVersion.number))
    if plan_id is not None:
        query = query.where(Document.plan_id == plan_id)
    for version, document in db.session.execute(query):
        yield Record(version.created_at, document.plan_id, "document_version", f"document:{document.id}",
                     version_content(document, version))
