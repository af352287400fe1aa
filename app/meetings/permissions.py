"""Who records a committee's sessions, their agreements and minutes: its facilitators (and the
guarantor body). Everyone reads them."""
from flask_babel import gettext as _

from app.accounts.permissions import facilitates
from app.core.permissions import deny, rule


def _committee_id(target):
    return getattr(target, "committee_id", None) or getattr(target, "id", None)


@rule("meetings.manage")
def _manage(actor, committee):
    """`committee`: a Committee, or a session of one."""
    return (committee is not None and facilitates(actor, _committee_id(committee))) or deny(
        _("Only the committee's facilitators record its sessions, agreements and minutes."))
