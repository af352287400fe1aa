"""Who sets up plans, their phases, committees, members and themes: the guarantor body."""
from flask_babel import gettext as _

from app.accounts.permissions import is_admin
from app.core.permissions import deny, rule


@rule("plans.manage")
def _manage(actor, target=None):
    if not is_admin(actor):
        return deny(_("Only the guarantor body sets up plans, their phases, committees and themes."))
    return True


@rule("plans.see_draft")
def _see_draft(actor, plan=None):
    """A draft plan is the guarantor body's work in progress: nobody else sees it."""
    if not is_admin(actor):
        return deny(_("This plan has not been published."))
    return True
