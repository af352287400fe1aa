"""Data set of the public repository: every version of every document, with its SHA-256."""
import sqlalchemy as sa
from flask_babel import lazy_gettext as _l

from app.documents.models import Document, DocumentKind, DocumentVersion
from app.opendata.participation import PLAN_ID
from app.opendata.schema import Column, Dataset, Filter, enum_filter, eq, id_column
from app.plans.models import Committee

documents = Dataset(
    slug="documents",
    title=_l("Documents of the public repository"),
    description=_l("The official records of each plan (Declaratoria, installation records, calls' texts, "
                   "minutes, agreements, reports): one row per version of each document, with the SHA-256 "
                   "of its file. A document is never changed, only replaced by a new version with a reason."),
    columns=(
        id_column(_l("version")),
        Column("document_id", "integer", _l("Number of the document; its versions share it.")),
        PLAN_ID,
        Column("committee_id", "integer", _l("Number of the coordinating committee it belongs to."),
               nullable=True),
        Column("committee", "string", _l("Short name (slug) of that committee."), nullable=True),
        Column("kind", "string", _l("Kind: declaratoria, installation_record, call_text, minutes, agreement, "
                                    "report or other.")),
        Column("title", "string", _l("Title of the document.")),
        Column("description", "string", _l("Description of the document.")),
        Column("document_date", "date", _l("Date of the document.")),
        Column("version", "integer", _l("Version number (1 is the first publication).")),
        Column("file_name", "string", _l("Name of the file as it was uploaded.")),
        Column("content_type", "string", _l("Type of the file (MIME).")),
        Column("size_bytes", "integer", _l("Size of the file in bytes.")),
        Column("sha256", "string", _l("SHA-256 of the file, to check a downloaded copy.")),
        Column("reason", "string", _l("Why this version replaced the previous one."), nullable=True),
        Column("published_at", "datetime", _l("When this version was published.")),
    ),
    query=lambda: sa.select(
        DocumentVersion.id, DocumentVersion.document_id, Document.plan_id, Document.committee_id,
        Committee.slug.label("committee"), Document.kind, Document.title, Document.description,
        Document.document_date, DocumentVersion.number.label("version"),
        DocumentVersion.original_name.label("file_name"), DocumentVersion.content_type,
        DocumentVersion.size_bytes, DocumentVersion.sha256, DocumentVersion.reason,
        DocumentVersion.created_at.label("published_at"),
    ).join(Document, Document.id == DocumentVersion.document_id)
    .outerjoin(Committee, Committee.id == Document.committee_id),
    key=(DocumentVersion.id,),
    filters=(
        Filter("plan_id", "integer", _l("Only the documents of this plan."), eq(Document.plan_id)),
        Filter("document_id", "integer", _l("Only the versions of this document."),
               eq(DocumentVersion.document_id)),
        enum_filter("kind", Document.kind, DocumentKind, _l("Only documents of this kind.")),
    ),
)

DATASETS = (documents,)
