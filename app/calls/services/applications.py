"""Applying to a call: committees, declarations and documents, once per organisation and committee.

Uploaded documents are written only after everything is validated; when this act fails after
writing them, it deletes them again, so the uploads directory keeps no file of an application
that does not exist.
"""
from dataclasses import dataclass, field

from flask_babel import gettext as _
from sqlalchemy.dialects import postgresql, sqlite

from app.calls import permissions as _permissions  # noqa: F401  (registers the rules)
from app.calls.models import ApplicationDocument, ApplicationStatus, Call, CallApplication
from app.calls.services.common import ids_of, raise_field_errors
from app.core import storage
from app.core.audit import record
from app.core.clock import now
from app.core.permissions import require
from app.extensions import db
from app.plans.models import Committee

MAX_DOCUMENTS = 5
# PDF, images and office documents; plain text and CSV are not documents of an application.
DOCUMENT_EXTENSIONS = tuple(ext for ext in storage.TYPES if ext not in ("csv", "txt"))
DOCUMENT_ACCEPT = ",".join(
    ["." + ext for ext in DOCUMENT_EXTENSIONS]
    + sorted({storage.TYPES[ext].content_type for ext in DOCUMENT_EXTENSIONS})
)


@dataclass
class ApplyResult:
    """What an application did: the applications created, and the committees the organisation
    had already applied to (a double click or a second tab creates nothing twice)."""

    created: list[CallApplication] = field(default_factory=list)
    already: list[Committee] = field(default_factory=list)


def check_documents(files) -> tuple[list[storage.Upload], list[str]]:
    """The chosen files, read and checked; and one message for each refused file."""
    chosen = [f for f in (files or []) if f is not None and getattr(f, "filename", None)]
    if len(chosen) > MAX_DOCUMENTS:
        return [], [_("You can attach at most %(max)d documents; you chose %(count)d.",
                      max=MAX_DOCUMENTS, count=len(chosen))]
    uploads, errors = [], []
    limit = storage.max_bytes()
    for file in chosen:
        name = storage.clean_filename(file.filename)
        if storage.extension_of(name) not in DOCUMENT_EXTENSIONS:
            errors.append(_("«%(name)s»: this type of file is not accepted. Send PDF, images "
                            "(PNG, JPEG, WebP, GIF) or office documents (ODT, ODS, ODP, DOCX, "
                            "XLSX, PPTX, DOC, XLS).", name=name))
            continue
        try:
            uploads.append(storage.inspect(file, limit))
        except storage.Refused as refused:
            errors.append(refused.message)
    return uploads, errors


def _insert_application(values: dict):
    """INSERT that yields the new id, or nothing when the organisation already applied to that
    committee: the unique constraint answers, atomically, also under parallel requests. (Not
    app.core.uow.insert_ignoring_conflict: on PostgreSQL SQLAlchemy adds RETURNING id to it, and
    the row count it looks at is then -1, so it answers False for every row it inserts.)"""
    dialect = db.session.get_bind().dialect.name
    insert = postgresql.insert if dialect == "postgresql" else sqlite.insert
    table = CallApplication.__table__
    return (
        insert(table).values(**values)
        .on_conflict_do_nothing(
            index_elements=[table.c.call_id, table.c.organisation_id, table.c.committee_id])
        .returning(table.c.id)
    )


def apply_to_call(actor, call: Call, committee_ids, accepted_declarations,
                  documents=()) -> ApplyResult:
    """Apply to one or more committees of the call. `accepted_declarations`: the positions
    (0, 1, ...) of the call's declarations the organisation accepts: all are required.
    `documents`: uploaded files (werkzeug FileStorage), attached to each application created.
    Raises PermissionDenied or InvalidTransition (the window) with the rule's reason, or
    ValidationError with `details["errors"]` for the fields committee_ids, declarations and
    documents."""
    require(actor, "calls.apply", call)
    errors: dict[str, list[str]] = {"committee_ids": [], "declarations": [], "documents": []}
    by_id = {c.id: c for c in call.committees}
    wanted = ids_of(committee_ids)
    chosen = [by_id[i] for i in wanted if i in by_id]
    if not wanted:
        errors["committee_ids"].append(_("Choose at least one committee."))
    elif len(chosen) != len(wanted):
        errors["committee_ids"].append(_("Choose only committees of this call."))
    declarations = list(call.declarations or [])
    if set(ids_of(accepted_declarations)) != set(range(len(declarations))):
        errors["declarations"].append(_("Accept every declaration the call asks for."))
    uploads, errors["documents"] = check_documents(documents)
    raise_field_errors(errors)

    moment = now()
    result = ApplyResult()
    written: list[str] = []
    try:
        for committee in sorted(chosen, key=lambda c: (c.position, c.id)):
            new_id = db.session.execute(_insert_application({
                "call_id": call.id, "organisation_id": actor.id, "committee_id": committee.id,
                "status": ApplicationStatus.pending, "declarations": declarations,
                "created_at": moment,
            })).scalar()
            if new_id is None:
                result.already.append(committee)
                continue
            application = db.session.get(CallApplication, new_id)
            result.created.append(application)
            for upload in uploads:
                stored_name = storage.write(upload)
                written.append(stored_name)
                db.session.add(ApplicationDocument(
                    application_id=new_id, original_name=upload.original_name,
                    stored_name=stored_name, content_type=upload.content_type,
                    size_bytes=upload.size, sha256=upload.sha256, created_at=moment,
                ))
            record(actor, "calls.apply", application, committee_id=committee.id,
                   call_id=call.id, documents=len(uploads))
        db.session.flush()
    except BaseException:
        storage.delete(written)  # the unit of work is rolled back by whoever called this act
        raise
    return result
