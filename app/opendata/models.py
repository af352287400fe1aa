"""What the pre-built download files were built from, and what changed since."""
import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column

from app.core.db import UTCDateTime, utcnow
from app.extensions import db


class OpenDataChange(db.Model):
    """One row per writing transaction and dataset it changed: the dataset's files are stale while
    any row of it is left. Only inserted by writers (no lock, no hot row); the builder deletes the
    rows it read before reading the data, so a change committed during a build stays here."""

    __tablename__ = "open_data_changes"
    # Both questions a download asks ("any change?", "any purge?") are one index probe, however
    # many supports were counted since the last build.
    __table_args__ = (sa.Index("ix_open_data_changes_slug_purge", "slug", "purge"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    slug: Mapped[str] = mapped_column(sa.String(60), nullable=False)
    # The change may have taken something out of the public data (hidden, deleted, a state or a
    # name rule changed): the old file must not be served any more.
    purge: Mapped[bool] = mapped_column(sa.Boolean, nullable=False, default=False)
    created_at = mapped_column(UTCDateTime(), nullable=False, default=utcnow)


class OpenDataBuild(db.Model):
    """The last build of a dataset's files; the files carry the same token (a database restored
    or emptied, or files copied from elsewhere, no longer match and are built again)."""

    __tablename__ = "open_data_builds"

    slug: Mapped[str] = mapped_column(sa.String(60), primary_key=True)
    token: Mapped[str] = mapped_column(sa.String(40), nullable=False)
    generated_at = mapped_column(UTCDateTime(), nullable=False)
    rows: Mapped[int] = mapped_column(sa.Integer, nullable=False, default=0)
    seconds: Mapped[float] = mapped_column(sa.Float, nullable=False, default=0.0)
