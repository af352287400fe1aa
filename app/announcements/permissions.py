"""Announcements are written and published by the guarantor body; reading published ones is public."""
from flask_babel import gettext as _

from app.accounts.permissions import is_admin
from app.core.permissions import deny, rule


@rule("announcements.manage")
def _manage(actor, target=None):
    return is_admin(actor) or deny(_("Only the guarantor body writes and publishes announcements."))
