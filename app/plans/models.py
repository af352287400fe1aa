"""ActionPlan, Phase, Committee, CommitteeMember and Theme."""
import enum
import re

import sqlalchemy as sa
from flask_babel import lazy_gettext as _l
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.core.db import UTCDateTime, enum_column, utcnow
from app.core.rendered import Rendered
from app.core.text import fold
from app.extensions import db


class PhaseKind(enum.StrEnum):
    call = "call"
    integration = "integration"
    cocreation = "cocreation"
    consultation = "consultation"
    implementation = "implementation"
    evaluation = "evaluation"


PHASE_LABELS = {
    PhaseKind.call: _l("Public call"),
    PhaseKind.integration: _l("Committee integration"),
    PhaseKind.cocreation: _l("Co-creation"),
    PhaseKind.consultation: _l("Public consultation"),
    PhaseKind.implementation: _l("Implementation"),
    PhaseKind.evaluation: _l("Evaluation"),
}


class MemberKind(enum.StrEnum):
    government = "government"
    cs_titular = "cs_titular"
    cs_suplente = "cs_suplente"
    facilitator = "facilitator"


MEMBER_KIND_LABELS = {
    MemberKind.government: _l("Government"),
    MemberKind.cs_titular: _l("Civil society representative (titular)"),
    MemberKind.cs_suplente: _l("Civil society alternate (suplente)"),
    MemberKind.facilitator: _l("Facilitator"),
}


class ActionPlan(Rendered, db.Model):
    __tablename__ = "action_plans"
    rendered_fields = ("description",)  # Markdown, stored rendered (app/core/rendered.py)

    id: Mapped[int] = mapped_column(primary_key=True)
    slug: Mapped[str] = mapped_column(sa.String(80), unique=True, nullable=False)
    name: Mapped[str] = mapped_column(sa.String(200), nullable=False)
    period: Mapped[str] = mapped_column(sa.String(40), nullable=False)
    description: Mapped[str] = mapped_column(sa.Text, nullable=False, default="")
    # The territory the plan covers (a state, a municipality), as its guarantor body names it.
    jurisdiction: Mapped[str] = mapped_column(sa.String(200), nullable=False, default="", server_default="")
    # Prefix of public references of the plan's proposals, e.g. ABC-2026-0042.
    reference_prefix: Mapped[str] = mapped_column(sa.String(10), nullable=False)
    # The guarantor body that runs the plan: shown in the footer, the privacy notice, open data.
    guarantor_name: Mapped[str] = mapped_column(sa.String(300), nullable=False, default="", server_default="")
    guarantor_email: Mapped[str] = mapped_column(sa.String(254), nullable=False, default="", server_default="")
    guarantor_address: Mapped[str] = mapped_column(sa.String(300), nullable=False, default="",
                                                   server_default="")
    data_licence: Mapped[str] = mapped_column(sa.String(80), nullable=False, default="CC BY 4.0",
                                              server_default="CC BY 4.0")
    is_current: Mapped[bool] = mapped_column(sa.Boolean, nullable=False, default=False)
    # A plan is a draft, seen only by admins, until it is published.
    published_at = mapped_column(UTCDateTime())
    created_at = mapped_column(UTCDateTime(), nullable=False, default=utcnow)

    # At most one current plan: the database refuses a second one (two admins at once included).
    __table_args__ = (
        sa.Index("uq_action_plans_one_current", "is_current", unique=True,
                 sqlite_where=sa.text("is_current"), postgresql_where=sa.text("is_current")),
    )

    @property
    def is_published(self) -> bool:
        return self.published_at is not None

    phases: Mapped[list["Phase"]] = relationship(
        back_populates="plan", order_by="Phase.position", cascade="all, delete-orphan"
    )
    committees: Mapped[list["Committee"]] = relationship(
        back_populates="plan", order_by="Committee.position", cascade="all, delete-orphan"
    )
    themes: Mapped[list["Theme"]] = relationship(
        back_populates="plan", order_by="Theme.name", cascade="all, delete-orphan"
    )


class Phase(db.Model):
    __tablename__ = "phases"
    # Several phases may share a kind (two consultation rounds), not a kind and a start date: a
    # form sent twice adds one phase.
    __table_args__ = (
        sa.UniqueConstraint("plan_id", "kind", "starts_on"),
        sa.CheckConstraint("ends_on >= starts_on", name="dates_ordered"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    plan_id: Mapped[int] = mapped_column(
        sa.ForeignKey("action_plans.id", ondelete="CASCADE"), nullable=False, index=True
    )
    kind: Mapped[PhaseKind] = enum_column(PhaseKind, nullable=False)
    position: Mapped[int] = mapped_column(sa.Integer, nullable=False, default=0)
    starts_on: Mapped[sa.Date] = mapped_column(sa.Date, nullable=False)
    ends_on: Mapped[sa.Date] = mapped_column(sa.Date, nullable=False)
    description: Mapped[str] = mapped_column(sa.Text, nullable=False, default="")
    # Optional: the phase's own name; without it, the label of its kind.
    name: Mapped[str | None] = mapped_column(sa.String(120))
    # What the phase allows is data: proposals are received only in phases that say so.
    accepts_proposals: Mapped[bool] = mapped_column(sa.Boolean, nullable=False, default=False,
                                                    server_default=sa.false())

    plan: Mapped[ActionPlan] = relationship(back_populates="phases")

    @property
    def label(self) -> str:
        return self.name or self.kind_label

    @property
    def kind_label(self) -> str:
        return str(PHASE_LABELS[self.kind])

    def status_on(self, today) -> str:
        if today < self.starts_on:
            return "upcoming"
        if today > self.ends_on:
            return "done"
        return "current"


SHORT_CODE_MAX = 8
SHORT_CODE = re.compile(r"^[A-Z0-9]{1,8}$")
# Words a short code skips: "Mesa de Diálogo" is "MD", not "MDD".
_MINOR_WORDS = frozenset("a al con de del e el en la las los para por y and for of the".split())


def initials(name: str) -> str:
    """A committee's short code made from its name: the first letter of each word but the small
    ones, upper-case without accents ("Mesa de Diálogo" gives "MD"); numbers are kept whole."""
    words = re.findall(r"[a-z0-9]+", fold(name))
    letters = "".join(w if w.isdigit() else w[0] for w in words if w not in _MINOR_WORDS)
    return letters.upper()[:SHORT_CODE_MAX] or "C"


def _default_short_code(context) -> str:
    return initials(context.get_current_parameters().get("name") or "")


class Committee(db.Model):
    __tablename__ = "committees"
    __table_args__ = (sa.UniqueConstraint("plan_id", "slug"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    plan_id: Mapped[int] = mapped_column(
        sa.ForeignKey("action_plans.id", ondelete="CASCADE"), nullable=False, index=True
    )
    slug: Mapped[str] = mapped_column(sa.String(80), nullable=False)
    name: Mapped[str] = mapped_column(sa.String(200), nullable=False)
    scope: Mapped[str] = mapped_column(sa.String(200), nullable=False)
    description: Mapped[str] = mapped_column(sa.Text, nullable=False, default="")
    position: Mapped[int] = mapped_column(sa.Integer, nullable=False, default=0)
    # Prefix of its commitments' numbers ("MD-1"): numbers count within a committee. The services
    # keep it unique within the plan; a row inserted directly gets the name's initials.
    short_code: Mapped[str] = mapped_column(sa.String(SHORT_CODE_MAX), nullable=False,
                                            default=_default_short_code, server_default="")
    # The committee's rule of quorum for its sessions (app/meetings): how many of its voting
    # seats must be filled; None: more than half of them.
    quorum: Mapped[int | None] = mapped_column(sa.Integer)

    plan: Mapped[ActionPlan] = relationship(back_populates="committees")
    members: Mapped[list["CommitteeMember"]] = relationship(
        back_populates="committee",
        order_by="CommitteeMember.position",
        cascade="all, delete-orphan",
    )


class CommitteeMember(db.Model):
    """A seat holder. Past holders keep their row with `term_end` set: the committee's history."""

    __tablename__ = "committee_members"

    id: Mapped[int] = mapped_column(primary_key=True)
    committee_id: Mapped[int] = mapped_column(
        sa.ForeignKey("committees.id", ondelete="CASCADE"), nullable=False, index=True
    )
    name: Mapped[str] = mapped_column(sa.String(200), nullable=False)
    position_title: Mapped[str] = mapped_column(sa.String(300), nullable=False, default="")
    institution: Mapped[str] = mapped_column(sa.String(300), nullable=False, default="", server_default="")
    kind: Mapped[MemberKind] = enum_column(MemberKind, nullable=False)
    user_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("users.id", ondelete="SET NULL"), index=True
    )
    term_start: Mapped[sa.Date | None] = mapped_column(sa.Date)
    term_end: Mapped[sa.Date | None] = mapped_column(sa.Date)
    position: Mapped[int] = mapped_column(sa.Integer, nullable=False, default=0)

    committee: Mapped[Committee] = relationship(back_populates="members")
    user = relationship("User")

    @property
    def kind_label(self) -> str:
        return str(MEMBER_KIND_LABELS[self.kind])

    @property
    def is_current(self) -> bool:
        return self.term_end is None


class Theme(db.Model):
    __tablename__ = "themes"
    __table_args__ = (sa.UniqueConstraint("plan_id", "slug"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    plan_id: Mapped[int] = mapped_column(
        sa.ForeignKey("action_plans.id", ondelete="CASCADE"), nullable=False, index=True
    )
    slug: Mapped[str] = mapped_column(sa.String(80), nullable=False)
    name: Mapped[str] = mapped_column(sa.String(120), nullable=False)
    description: Mapped[str] = mapped_column(sa.Text, nullable=False, default="")

    plan: Mapped[ActionPlan] = relationship(back_populates="themes")
