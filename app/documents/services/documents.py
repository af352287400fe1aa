"""Publishing a document and replacing it by a new version.

A published file is never changed: a new version, with its reason, replaces it, and the old one
stays downloadable. Files are written only after everything is validated; if the unit of work is
rolled back afterwards they are deleted again (app/core/storage.py), so the uploads directory and
the database agree.
"""
from datetime import date

import sqlalchemy as sa
from flask_babel import gettext as _

from app.core import storage
from app.core.audit import record
from app.core.clock import today
from app.core.errors import ValidationError
from app.core.permissions import require
from app.core.text import clean_line, clean_text
from app.documents import permissions as _permissions  # noqa: F401  (registers the rules)
from app.documents import records
from app.documents.models import Document, DocumentKind, DocumentVersion
from app.extensions import db
from app.ledger import services as ledger
from app.plans.models import Committee

TITLE_MAX = 300
DESCRIPTION_MAX = 5_000
REASON_MAX = 2_000
# PDF, images and office documents; plain text and CSV are data, not records.
EXTENSIONS = tuple(ext for ext in storage.TYPES if ext not in ("csv", "txt"))
ACCEPT = ",".join(["." + ext for ext in EXTENSIONS]
                  + sorted({storage.TYPES[ext].content_type for ext in EXTENSIONS}))


# ---------------------------------------------------------------- checks (no database)

def read_upload(file) -> storage.Upload:
    """The chosen file read and checked by its content (not its name); ValidationError on
    the field "file" with the reason otherwise."""
    if isinstance(file, storage.Upload):
        return file
    if file is None or not getattr(file, "filename", None):
        raise ValidationError(_("Choose the file of the document."), field="file")
    name = storage.clean_filename(file.filename)
    if storage.extension_of(name) not in EXTENSIONS:
        raise ValidationError(_(
            "«%(name)s»: this type of file is not accepted. Send PDF, images (PNG, JPEG, WebP, "
            "GIF) or office documents (ODT, ODS, ODP, DOCX, XLSX, PPTX, DOC, XLS).", name=name),
            field="file")
    try:
        return storage.inspect(file)
    except storage.Refused as refused:
        raise ValidationError(refused.message, field="file") from None


def _details(data: dict, errors: dict[str, list[str]]) -> tuple[str, str]:
    title = clean_line(data.get("title"))
    if not title:
        errors["title"].append(_("Give the document a title."))
    elif len(title) > TITLE_MAX:
        errors["title"].append(_("The title can have at most %(max)d characters.", max=TITLE_MAX))
    description = clean_text(data.get("description"))
    if len(description) > DESCRIPTION_MAX:
        errors["description"].append(_("The description can have at most %(max)d characters.",
                                       max=DESCRIPTION_MAX))
    return title, description


def _raise_if(errors: dict[str, list[str]]) -> None:
    errors = {name: messages for name, messages in errors.items() if messages}
    if errors:
        name, messages = next(iter(errors.items()))
        raise ValidationError(messages[0], field=name, errors=errors)


def _kind(value) -> DocumentKind | None:
    try:
        return DocumentKind(value)
    except ValueError:
        return None


def _committee_id(plan, value) -> int | None | bool:
    """The committee's id when it belongs to the plan, None for none, False for a wrong one."""
    if value in (None, "", 0, "0"):
        return None
    try:
        committee_id = int(value)
    except (TypeError, ValueError):
        return False
    found = db.session.scalar(sa.select(Committee.id).where(Committee.id == committee_id,
                                                            Committee.plan_id == plan.id))
    return found if found is not None else False


# ---------------------------------------------------------------- writing the file

def _write_version(actor, document: Document, number: int, upload: storage.Upload,
                   reason: str | None) -> DocumentVersion:
    stored = storage.write(upload)
    try:
        version = DocumentVersion(
            document=document, number=number, original_name=upload.original_name,
            stored_name=stored, content_type=upload.content_type, size_bytes=upload.size,
            sha256=upload.sha256, reason=reason, created_by_id=actor.id,
        )
        db.session.add(version)
        db.session.flush()
    except BaseException:
        storage.delete([stored])  # the unit of work is rolled back by whoever called this act
        raise
    storage.delete_if_rolled_back([stored])
    return version


def _chain(document: Document, version: DocumentVersion) -> None:
    """The version, with its file's SHA-256, in the plan's public ledger (app/ledger)."""
    ledger.append(document.plan_id, "document_version", f"document:{document.id}",
                  records.version_content(document, version))


# ---------------------------------------------------------------- the acts

def publish_document(actor, plan, data: dict, upload) -> Document:
    """Publish a record of `plan`: data holds kind, committee_id (optional), title, description
    and document_date; `upload` is the file (a storage.Upload or an uploaded file).

    ValidationError's `details["errors"]` maps each field to its messages (file included)."""
    errors: dict[str, list[str]] = {"kind": [], "committee_id": [], "title": [], "description": [],
                                    "document_date": [], "file": []}
    kind = _kind(data.get("kind"))
    if kind is None:
        errors["kind"].append(_("Choose the kind of document."))
    committee_id = _committee_id(plan, data.get("committee_id"))
    if committee_id is False:
        errors["committee_id"].append(_("Choose a committee of this plan."))
        committee_id = None
    title, description = _details(data, errors)
    document_date = data.get("document_date")
    if not isinstance(document_date, date):
        errors["document_date"].append(_("Give the date of the document, such as 2026-03-31."))
    elif document_date > today():
        errors["document_date"].append(_("The date of the document cannot be in the future."))
    try:
        upload = read_upload(upload)
    except ValidationError as exc:
        errors["file"].append(exc.message)
    _raise_if(errors)

    document = Document(plan_id=plan.id, committee_id=committee_id, kind=kind, title=title,
                        description=description, document_date=document_date,
                        published_by_id=actor.id)
    require(actor, "documents.publish", document)
    db.session.add(document)
    version = _write_version(actor, document, 1, upload, None)
    _chain(document, version)
    record(actor, "documents.publish", document, public=True, committee_id=committee_id,
           plan_id=plan.id, kind=kind.value, title=title, sha256=version.sha256)
    db.session.flush()
    return document


def _lock(document: Document) -> None:
    """Take the document's row (a no-op UPDATE: SQLite's write lock, PostgreSQL's row lock), so
    that two replacements at once are numbered one after the other."""
    db.session.execute(
        sa.update(Document).where(Document.id == document.id).values(kind=Document.kind),
        execution_options={"synchronize_session": False},
    )


def add_version(actor, document: Document, data: dict, upload) -> DocumentVersion:
    """Replace the document's file by a new version; data["reason"] says why (required)."""
    require(actor, "documents.add_version", document)
    errors: dict[str, list[str]] = {"reason": [], "file": []}
    reason = clean_text(data.get("reason"))
    if not reason:
        errors["reason"].append(_("Say why the document is replaced."))
    elif len(reason) > REASON_MAX:
        errors["reason"].append(_("The reason can have at most %(max)d characters.", max=REASON_MAX))
    try:
        upload = read_upload(upload)
    except ValidationError as exc:
        errors["file"].append(exc.message)
    _raise_if(errors)

    _lock(document)
    number = 1 + (db.session.scalar(sa.select(sa.func.max(DocumentVersion.number))
                                    .where(DocumentVersion.document_id == document.id)) or 0)
    version = _write_version(actor, document, number, upload, reason)
    _chain(document, version)
    record(actor, "documents.add_version", document, reason=reason, public=True,
           committee_id=document.committee_id, number=number, sha256=version.sha256)
    db.session.flush()
    db.session.refresh(document, ["versions"])
    return version


def update_document_details(actor, document: Document, data: dict) -> bool:
    """Fix the title or description (typos); the file and its versions stay as they are.
    False when nothing changed."""
    require(actor, "documents.edit_details", document)
    errors: dict[str, list[str]] = {"title": [], "description": []}
    title, description = _details(data, errors)
    _raise_if(errors)
    if (title, description) == (document.title, document.description):
        return False
    record(actor, "documents.edit_details", document, committee_id=document.committee_id,
           previous_title=document.title, previous_description=document.description,
           title=title, description=description)
    document.title, document.description = title, description
    ledger.append(document.plan_id, "document_details", f"document:{document.id}",
                  records.details_content(document))
    db.session.flush()
    return True
