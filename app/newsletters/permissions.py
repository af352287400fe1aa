"""Only the guarantor body writes and sends newsletters."""
from flask_babel import gettext as _

from app.accounts.permissions import is_admin
from app.core.permissions import deny, rule


@rule("newsletters.manage")
def _manage(actor, target=None):
    return is_admin(actor) or deny(_("Only the guarantor body writes and sends newsletters."))
