"""Permission rules of the guarantor body's management of people (the users page)."""
from app.accounts.permissions import is_admin
from app.core.permissions import rule


@rule("admin.users.manage")
def _manage_users(actor, user=None):
    """Change roles, block and unblock, resend confirmations: the guarantor body only. What an
    admin may not do to their own account or to the last admin is a rule of the services
    (app/admin/users.py), shown next to the form."""
    return is_admin(actor)
