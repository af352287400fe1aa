"""The demo's accounts, made as people make them: registration, the confirmation link, the
guarantor body's verification of organisations (app/accounts and app/admin services). Each is
looked up by email first, so loading twice adds nobody."""
from app.accounts import tokens
from app.accounts.models import User
from app.accounts.services import (
    confirm_email,
    find_by_email,
    register_citizen,
    register_organisation,
)
from app.admin.services import create_admin, decide_organisation


def _confirmed(user: User) -> User:
    confirm_email(tokens.make_token("confirm", {"uid": user.id, "email": user.email}))
    return user


def admin(email: str, name: str, password: str) -> User:
    return find_by_email(email) or create_admin(email, name, password)


def citizen(email: str, name: str, municipality: str, password: str) -> User:
    """A confirmed personal account."""
    user = find_by_email(email)
    if user is None:
        user = _confirmed(register_citizen({"email": email, "name": name, "municipality": municipality,
                                            "password": password}))
    return user


def organisation(verifier: User, email: str, legal_name: str, sector: str, municipality: str,
                 contact: str, description: str, password: str) -> User:
    """A confirmed organisation's account, verified by `verifier` (the guarantor body)."""
    user = find_by_email(email)
    if user is None:
        user = _confirmed(register_organisation({
            "email": email, "legal_name": legal_name, "sector": sector, "municipality": municipality,
            "contact_person": contact, "description": description, "password": password}))
        decide_organisation(verifier, user.organisation, "verify", None)
    return user
