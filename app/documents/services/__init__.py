"""Acts on the plan's records: publish a document, add a version, fix its details; record the
Declaratoria and its signatories."""
from app.documents.services.declaration import add_signatory, record_declaration
from app.documents.services.documents import (
    ACCEPT,
    add_version,
    publish_document,
    read_upload,
    update_document_details,
)

__all__ = ["ACCEPT", "add_signatory", "add_version", "publish_document", "read_upload",
           "record_declaration", "update_document_details"]
