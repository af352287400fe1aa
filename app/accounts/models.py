"""Users, organisation profiles and moderator scopes."""
import enum

import sqlalchemy as sa
from flask_babel import lazy_gettext as _l
from flask_login import UserMixin
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.core.db import UTCDateTime, enum_column, utcnow
from app.extensions import db


class Role(enum.StrEnum):
    citizen = "citizen"
    organisation = "organisation"
    moderator = "moderator"
    admin = "admin"


ROLE_LABELS = {
    Role.citizen: _l("Citizen"),
    Role.organisation: _l("Organisation"),
    Role.moderator: _l("Facilitator"),
    Role.admin: _l("Guarantor body"),
}


class Sector(enum.StrEnum):
    """Who may take part, as the seed lists them."""

    civil_society = "civil_society"
    academia = "academia"
    union = "union"
    trust = "trust"
    political_party = "political_party"
    autonomous_body = "autonomous_body"
    legislative = "legislative"
    judicial = "judicial"
    federal_government = "federal_government"
    state_government = "state_government"
    municipal_government = "municipal_government"


SECTOR_LABELS = {
    Sector.civil_society: _l("Civil society organisation"),
    Sector.academia: _l("Academia"),
    Sector.union: _l("Union"),
    Sector.trust: _l("Trust (fideicomiso)"),
    Sector.political_party: _l("Political party"),
    Sector.autonomous_body: _l("Autonomous body"),
    Sector.legislative: _l("Legislative branch"),
    Sector.judicial: _l("Judicial branch"),
    Sector.federal_government: _l("Federal government"),
    Sector.state_government: _l("State government"),
    Sector.municipal_government: _l("Municipal government"),
}


class Verification(enum.StrEnum):
    pending = "pending"
    verified = "verified"
    rejected = "rejected"


VERIFICATION_LABELS = {
    Verification.pending: _l("Pending verification"),
    Verification.verified: _l("Verified"),
    Verification.rejected: _l("Rejected"),
}


class User(UserMixin, db.Model):
    __tablename__ = "users"

    id: Mapped[int] = mapped_column(primary_key=True)
    email: Mapped[str | None] = mapped_column(sa.String(320), unique=True)
    name: Mapped[str] = mapped_column(sa.String(200), nullable=False)
    municipality: Mapped[str | None] = mapped_column(sa.String(120))
    password_hash: Mapped[str | None] = mapped_column(sa.String(255))
    role: Mapped[Role] = enum_column(Role, nullable=False, default=Role.citizen, index=True)
    locale: Mapped[str | None] = mapped_column(sa.String(10))
    created_at = mapped_column(UTCDateTime(), nullable=False, default=utcnow)
    email_confirmed_at = mapped_column(UTCDateTime())
    pending_email: Mapped[str | None] = mapped_column(sa.String(320))
    last_login_at = mapped_column(UTCDateTime())
    failed_logins: Mapped[int] = mapped_column(sa.Integer, nullable=False, default=0)
    locked_until = mapped_column(UTCDateTime())
    # Bumped on password change or reset: it invalidates used reset tokens.
    session_version: Mapped[int] = mapped_column(sa.Integer, nullable=False, default=1)
    deleted_at = mapped_column(UTCDateTime())
    # Set by a moderator: the account may read but not post until then.
    blocked_until = mapped_column(UTCDateTime())
    blocked_reason: Mapped[str | None] = mapped_column(sa.Text)
    # Set by the guarantor body: the account cannot sign in at all until unblocked (its public
    # contributions stay). Unlike the moderators' block above, it has no end date.
    access_blocked_at = mapped_column(UTCDateTime())
    access_blocked_reason: Mapped[str | None] = mapped_column(sa.Text)
    # Two-factor authentication (TOTP, RFC 6238), stored once a first code confirmed the secret;
    # the last accepted time step makes every code single use.
    # Encrypted at rest (app/accounts/sealing.py): "fernet:" and a Fernet token.
    totp_secret: Mapped[str | None] = mapped_column(sa.String(255))
    totp_enabled_at = mapped_column(UTCDateTime())
    totp_last_step: Mapped[int | None] = mapped_column(sa.BigInteger)

    organisation: Mapped["Organisation | None"] = relationship(
        back_populates="user", uselist=False, lazy="joined", foreign_keys="Organisation.user_id"
    )
    moderator_scopes: Mapped[list["ModeratorScope"]] = relationship(
        back_populates="user",
        foreign_keys="ModeratorScope.user_id",
        cascade="all, delete-orphan",
        lazy="selectin",
    )

    @property
    def is_active(self) -> bool:
        return self.deleted_at is None

    @property
    def is_confirmed(self) -> bool:
        return self.email_confirmed_at is not None and self.deleted_at is None

    def is_blocked(self, now=None) -> bool:
        now = now or utcnow()
        return self.blocked_until is not None and self.blocked_until > now

    @property
    def is_access_blocked(self) -> bool:
        return self.access_blocked_at is not None

    @property
    def two_factor_enabled(self) -> bool:
        return self.totp_enabled_at is not None and self.totp_secret is not None

    @property
    def is_admin(self) -> bool:
        return self.role == Role.admin

    @property
    def is_organisation(self) -> bool:
        return self.role == Role.organisation

    @property
    def is_verified_organisation(self) -> bool:
        return (
            self.is_organisation
            and self.organisation is not None
            and self.organisation.verification == Verification.verified
        )

    @property
    def committee_ids(self) -> set[int]:
        return {scope.committee_id for scope in self.moderator_scopes}

    def facilitates(self, committee_id: int | None) -> bool:
        return committee_id is not None and committee_id in self.committee_ids

    @property
    def display_name(self) -> str:
        from flask_babel import gettext

        return gettext("deleted account") if self.deleted_at else self.name

    @property
    def role_label(self) -> str:
        return str(ROLE_LABELS[self.role])


class Organisation(db.Model):
    __tablename__ = "organisations"

    user_id: Mapped[int] = mapped_column(
        sa.ForeignKey("users.id", ondelete="CASCADE"), primary_key=True
    )
    legal_name: Mapped[str] = mapped_column(sa.String(200), nullable=False)
    sector: Mapped[Sector] = enum_column(Sector, nullable=False, index=True)
    contact_person: Mapped[str] = mapped_column(sa.String(200), nullable=False)
    website: Mapped[str | None] = mapped_column(sa.String(300))
    description: Mapped[str | None] = mapped_column(sa.Text)
    verification: Mapped[Verification] = enum_column(
        Verification, nullable=False, default=Verification.pending, index=True
    )
    verified_at = mapped_column(UTCDateTime())
    verified_by_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("users.id", ondelete="SET NULL")
    )
    rejection_reason: Mapped[str | None] = mapped_column(sa.Text)

    user: Mapped[User] = relationship(back_populates="organisation", foreign_keys=[user_id])

    @property
    def sector_label(self) -> str:
        return str(SECTOR_LABELS[self.sector])

    @property
    def verification_label(self) -> str:
        return str(VERIFICATION_LABELS[self.verification])


class ModeratorScope(db.Model):
    """A facilitator's mandate over one committee."""

    __tablename__ = "moderator_scopes"
    __table_args__ = (sa.UniqueConstraint("user_id", "committee_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(
        sa.ForeignKey("users.id", ondelete="CASCADE"), nullable=False, index=True
    )
    committee_id: Mapped[int] = mapped_column(
        sa.ForeignKey("committees.id", ondelete="CASCADE"), nullable=False, index=True
    )
    granted_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id", ondelete="SET NULL"))
    granted_at = mapped_column(UTCDateTime(), nullable=False, default=utcnow)

    user: Mapped[User] = relationship(back_populates="moderator_scopes", foreign_keys=[user_id])
    committee = relationship("Committee", lazy="joined")


class RecoveryCode(db.Model):
    """A single-use code that replaces the authenticator once; only its SHA-256 is kept."""

    __tablename__ = "recovery_codes"
    __table_args__ = (sa.UniqueConstraint("user_id", "code_hash"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(
        sa.ForeignKey("users.id", ondelete="CASCADE"), nullable=False, index=True
    )
    code_hash: Mapped[str] = mapped_column(sa.String(64), nullable=False)
    created_at = mapped_column(UTCDateTime(), nullable=False, default=utcnow)
    used_at = mapped_column(UTCDateTime())


class UserSession(db.Model):
    """A signed-in session, kept on the server so that ending it ends it everywhere at once.

    The browser holds a random token (in the signed session cookie and, with "keep me logged
    in", in the remember-me cookie); only its SHA-256 is stored. A copied cookie is worth nothing
    once the row has ended (logout, expiry, "end this session", a password change).
    """

    __tablename__ = "user_sessions"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(
        sa.ForeignKey("users.id", ondelete="CASCADE"), nullable=False, index=True
    )
    token_hash: Mapped[str] = mapped_column(sa.String(64), nullable=False, unique=True)
    remember: Mapped[bool] = mapped_column(sa.Boolean, nullable=False, default=False)
    created_at = mapped_column(UTCDateTime(), nullable=False, default=utcnow)
    last_seen_at = mapped_column(UTCDateTime(), nullable=False, default=utcnow)
    # However active, the session ends then (the absolute limit, counted from the login).
    expires_at = mapped_column(UTCDateTime(), nullable=False)
    ended_at = mapped_column(UTCDateTime())
    end_reason: Mapped[str | None] = mapped_column(sa.String(40))
    # As the browser described itself, cut short; and the network the request came from
    # (IPv4 /24, IPv6 /48), never the full address.
    user_agent: Mapped[str | None] = mapped_column(sa.String(300))
    network: Mapped[str | None] = mapped_column(sa.String(64))

    user: Mapped[User] = relationship(lazy="joined", innerjoin=True)

    def is_active_at(self, now) -> bool:
        return self.ended_at is None and self.expires_at > now
