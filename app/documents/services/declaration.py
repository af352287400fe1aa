"""The Declaratoria as a record: when and where it was signed, the signed document (a Document of
kind declaratoria, so it has versions and a SHA-256 like any record) and who signed or adhered."""
from datetime import date

import sqlalchemy as sa
from flask_babel import gettext as _

from app.core import uow
from app.core.audit import record
from app.core.clock import today
from app.core.errors import InvalidTransition, ValidationError
from app.core.permissions import require
from app.core.text import clean_line
from app.documents.models import Declaration, DocumentKind, Signatory
from app.documents.services.documents import publish_document
from app.extensions import db

LINE_MAX = 200


def _signed_on(value, field: str) -> date:
    if not isinstance(value, date):
        raise ValidationError(_("Give the date of signature, such as 2026-03-31."), field=field)
    if value > today():
        raise ValidationError(_("The date of signature cannot be in the future."), field=field)
    return value


def _line(data: dict, name: str, required_message: str | None) -> str:
    value = clean_line(data.get(name))
    if not value and required_message:
        raise ValidationError(required_message, field=name)
    if len(value) > LINE_MAX:
        raise ValidationError(_("Use at most %(max)d characters.", max=LINE_MAX), field=name)
    return value


def record_declaration(actor, plan, data: dict, upload) -> Declaration:
    """Record the plan's Declaratoria (once): data holds signed_on, place and optionally title;
    `upload` is the signed document, published in the repository as kind declaratoria."""
    require(actor, "declarations.record", plan)
    signed_on = _signed_on(data.get("signed_on"), "signed_on")
    place = _line(data, "place", _("Say where it was signed."))
    if db.session.scalar(sa.select(Declaration.id).where(Declaration.plan_id == plan.id)):
        raise InvalidTransition(_("The Declaratoria of this plan is already recorded; add "
                                  "signatories or a new version of its document instead."))
    title = clean_line(data.get("title")) or _("Declaratoria of the Local Action Plan")
    document = publish_document(actor, plan, {
        "kind": DocumentKind.declaratoria.value, "title": title,
        "description": data.get("description") or "", "document_date": signed_on,
    }, upload)
    declaration = Declaration(plan_id=plan.id, signed_on=signed_on, place=place,
                              document_id=document.id, recorded_by_id=actor.id)
    try:
        with uow.savepoint():  # two admins at once: the plan's unique Declaratoria decides
            db.session.add(declaration)
            db.session.flush()
    except sa.exc.IntegrityError:
        raise InvalidTransition(_("The Declaratoria of this plan is already recorded.")) from None
    record(actor, "declarations.record", declaration, public=True, plan_id=plan.id,
           signed_on=signed_on.isoformat(), place=place, document_id=document.id)
    db.session.flush()
    return declaration


def add_signatory(actor, declaration: Declaration, data: dict) -> Signatory:
    """Add who signed (is_adhesion false: on the day of signature) or adhered later (true)."""
    require(actor, "declarations.record", declaration.plan)
    name = _line(data, "name", _("Give the name of the person who signs."))
    institution = _line(data, "institution", _("Give the institution or organisation."))
    position = _line(data, "position", None)
    is_adhesion = bool(data.get("is_adhesion"))
    signed_on = data.get("signed_on") or (None if is_adhesion else declaration.signed_on)
    signed_on = _signed_on(signed_on, "signed_on")
    if is_adhesion and signed_on < declaration.signed_on:
        raise ValidationError(_("An adhesion cannot be dated before the Declaratoria was signed."),
                              field="signed_on")
    if not is_adhesion and signed_on != declaration.signed_on:
        raise ValidationError(_("The original signatories signed on the day of the Declaratoria; "
                                "mark a later signature as an adhesion."), field="signed_on")
    signatory = Signatory(declaration=declaration, name=name, institution=institution,
                          position=position, signed_on=signed_on, is_adhesion=is_adhesion,
                          created_by_id=actor.id)
    db.session.add(signatory)
    db.session.flush()
    record(actor, "declarations.add_signatory", declaration, public=True,
           signatory_id=signatory.id, name=name, institution=institution,
           adhesion=is_adhesion, signed_on=signed_on.isoformat())
    db.session.flush()
    return signatory
