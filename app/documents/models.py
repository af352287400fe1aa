"""Document and DocumentVersion (the repository); Declaration and Signatory (the Declaratoria)."""
import enum

import sqlalchemy as sa
from flask_babel import lazy_gettext as _l
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.core.db import UTCDateTime, enum_column, utcnow
from app.extensions import db


class DocumentKind(enum.StrEnum):
    declaratoria = "declaratoria"
    installation_record = "installation_record"
    call_text = "call_text"
    minutes = "minutes"
    agreement = "agreement"
    report = "report"
    other = "other"


DOCUMENT_KIND_LABELS = {
    DocumentKind.declaratoria: _l("Declaratoria"),
    DocumentKind.installation_record: _l("Committee installation record"),
    DocumentKind.call_text: _l("Text of a call"),
    DocumentKind.minutes: _l("Minutes of a session"),
    DocumentKind.agreement: _l("Agreement"),
    DocumentKind.report: _l("Report (document)"),
    DocumentKind.other: _l("Other document"),
}


class Document(db.Model):
    """A public record of a plan. Once published its file is never changed in place: a new
    DocumentVersion (with its reason) replaces it, and every version stays downloadable."""

    __tablename__ = "documents"
    __table_args__ = (sa.Index("ix_documents_plan_date", "plan_id", "document_date", "id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    plan_id: Mapped[int] = mapped_column(
        sa.ForeignKey("action_plans.id", ondelete="CASCADE"), nullable=False
    )
    committee_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("committees.id", ondelete="SET NULL"), index=True
    )
    kind: Mapped[DocumentKind] = enum_column(DocumentKind, nullable=False)
    title: Mapped[str] = mapped_column(sa.String(300), nullable=False)
    description: Mapped[str] = mapped_column(sa.Text, nullable=False, default="")
    document_date: Mapped[sa.Date] = mapped_column(sa.Date, nullable=False)
    published_by_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("users.id", ondelete="SET NULL")
    )
    published_at = mapped_column(UTCDateTime(), nullable=False, default=utcnow)

    plan = relationship("ActionPlan")
    committee = relationship("Committee")
    published_by = relationship("User", foreign_keys=[published_by_id])
    versions: Mapped[list["DocumentVersion"]] = relationship(
        back_populates="document", order_by="DocumentVersion.number", cascade="all, delete-orphan"
    )

    @property
    def kind_label(self) -> str:
        return str(DOCUMENT_KIND_LABELS[self.kind])

    @property
    def current(self) -> "DocumentVersion | None":
        return self.versions[-1] if self.versions else None


class DocumentVersion(db.Model):
    """One file of a document. Its number is unique within the document (a database constraint:
    two replacements at once cannot both become version 2)."""

    __tablename__ = "document_versions"
    __table_args__ = (sa.UniqueConstraint("document_id", "number"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    document_id: Mapped[int] = mapped_column(
        sa.ForeignKey("documents.id", ondelete="CASCADE"), nullable=False
    )
    number: Mapped[int] = mapped_column(sa.Integer, nullable=False)
    original_name: Mapped[str] = mapped_column(sa.String(255), nullable=False)
    # Random name on disk (app/core/storage.py); never derived from user input.
    stored_name: Mapped[str] = mapped_column(sa.String(80), nullable=False, unique=True)
    content_type: Mapped[str] = mapped_column(sa.String(120), nullable=False)
    size_bytes: Mapped[int] = mapped_column(sa.Integer, nullable=False)
    sha256: Mapped[str] = mapped_column(sa.String(64), nullable=False)
    reason: Mapped[str | None] = mapped_column(sa.Text)  # required from version 2 on
    created_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id", ondelete="SET NULL"))
    created_at = mapped_column(UTCDateTime(), nullable=False, default=utcnow)

    document: Mapped[Document] = relationship(back_populates="versions")
    created_by = relationship("User", foreign_keys=[created_by_id])


class Declaration(db.Model):
    """The Declaratoria of a plan: when and where it was signed, and its signed document."""

    __tablename__ = "declarations"

    id: Mapped[int] = mapped_column(primary_key=True)
    plan_id: Mapped[int] = mapped_column(
        sa.ForeignKey("action_plans.id", ondelete="CASCADE"), nullable=False, unique=True
    )
    signed_on: Mapped[sa.Date] = mapped_column(sa.Date, nullable=False)
    place: Mapped[str] = mapped_column(sa.String(200), nullable=False)
    document_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("documents.id", ondelete="SET NULL")
    )
    recorded_by_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("users.id", ondelete="SET NULL")
    )
    recorded_at = mapped_column(UTCDateTime(), nullable=False, default=utcnow)

    plan = relationship("ActionPlan")
    document = relationship(Document)
    signatories: Mapped[list["Signatory"]] = relationship(
        back_populates="declaration", cascade="all, delete-orphan",
        order_by="[Signatory.is_adhesion, Signatory.signed_on, Signatory.id]",
    )


class Signatory(db.Model):
    """Who signed the Declaratoria, or adhered to it later (`is_adhesion`)."""

    __tablename__ = "declaration_signatories"

    id: Mapped[int] = mapped_column(primary_key=True)
    declaration_id: Mapped[int] = mapped_column(
        sa.ForeignKey("declarations.id", ondelete="CASCADE"), nullable=False, index=True
    )
    name: Mapped[str] = mapped_column(sa.String(200), nullable=False)
    institution: Mapped[str] = mapped_column(sa.String(200), nullable=False)
    position: Mapped[str] = mapped_column(sa.String(200), nullable=False, default="")
    signed_on: Mapped[sa.Date] = mapped_column(sa.Date, nullable=False)
    is_adhesion: Mapped[bool] = mapped_column(sa.Boolean, nullable=False, default=False)
    created_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id", ondelete="SET NULL"))
    created_at = mapped_column(UTCDateTime(), nullable=False, default=utcnow)

    declaration: Mapped[Declaration] = relationship(back_populates="signatories")


# A version's file is the record: once written, nothing changes it (a new version replaces it).
_FIXED = ("document_id", "number", "stored_name", "content_type", "size_bytes", "sha256",
          "original_name")


@sa.event.listens_for(DocumentVersion, "before_update")
def _version_is_fixed(mapper, connection, target):
    state = sa.inspect(target)
    if any(state.attrs[name].history.has_changes() for name in _FIXED):
        raise RuntimeError("a document version is never changed; add a new version instead")
