"""The ARCO access right: everything the platform holds about one user, as a JSON-ready dict.

The account's own data is read here; every other area adds its sections through
app/accounts/lifecycle.py (each area's hooks.py). Every section is one query (two where a child
table is listed apart), so the number of SQL statements does not depend on how much the user did.
"""
import sqlalchemy as sa

from app.accounts.lifecycle import exported_sections
from app.accounts.models import User, UserSession
from app.extensions import db


def iso(value):
    return value.isoformat() if value else None


def rows(stmt) -> list:
    return db.session.execute(stmt).all()


def export_user_data(user: User) -> dict:
    """Everything the platform holds about a user (ARCO access right)."""
    from app.core.audit import AuditEntry

    data = {
        "account": {
            "id": user.id,
            "name": user.name,
            "email": user.email,
            "pending_email": user.pending_email,
            "municipality": user.municipality,
            "role": user.role.value,
            "locale": user.locale,
            "created_at": iso(user.created_at),
            "email_confirmed_at": iso(user.email_confirmed_at),
            "last_login_at": iso(user.last_login_at),
            "blocked_until": iso(user.blocked_until),
            "blocked_reason": user.blocked_reason,
        },
        "moderator_scopes": [
            {"committee": scope.committee.name, "granted_at": iso(scope.granted_at)}
            for scope in user.moderator_scopes
        ],
        "sessions": [
            {"created_at": iso(row.created_at), "last_seen_at": iso(row.last_seen_at),
             "expires_at": iso(row.expires_at), "ended_at": iso(row.ended_at),
             "end_reason": row.end_reason, "remember": row.remember,
             "user_agent": row.user_agent, "network": row.network}
            for row in db.session.scalars(
                sa.select(UserSession).where(UserSession.user_id == user.id).order_by(UserSession.id))
        ],
        "activity": [
            {"action": action, "at": iso(created_at)}
            for action, created_at in rows(
                sa.select(AuditEntry.action, AuditEntry.created_at)
                .where(AuditEntry.actor_id == user.id)
                .order_by(AuditEntry.id)
            )
        ],
    }
    data.update(exported_sections(user.id))
    if user.organisation is not None:
        org = user.organisation
        data["organisation"] = {
            "legal_name": org.legal_name,
            "sector": org.sector.value,
            "contact_person": org.contact_person,
            "website": org.website,
            "description": org.description,
            "verification": org.verification.value,
            "verified_at": iso(org.verified_at),
            "rejection_reason": org.rejection_reason,
        }
    return data
