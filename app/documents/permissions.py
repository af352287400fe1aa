"""Who publishes the plan's records: the guarantor body any of them; a committee's facilitator the
minutes and agreements of that committee. Reading them is public."""
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l

from app.accounts.permissions import facilitates, is_admin
from app.core.permissions import deny, rule
from app.documents.models import DocumentKind

# What a facilitator may publish, for the committee they facilitate.
FACILITATOR_KINDS = frozenset({DocumentKind.minutes, DocumentKind.agreement})
REFUSED = _l("Only the guarantor body publishes this document; a committee's facilitator "
            "publishes the minutes and agreements of that committee.")


def may_publish(actor, kind, committee_id) -> bool:
    if is_admin(actor):
        return True
    return (committee_id is not None and kind in FACILITATOR_KINDS
            and facilitates(actor, committee_id))


@rule("documents.publish")
def _publish(actor, document=None):
    """`document` is the Document about to be published (not yet saved) or one to replace."""
    if document is None:  # the publishing form at all: admins, and facilitators of a committee
        return is_admin(actor) or bool(actor is not None and actor.is_confirmed
                                       and getattr(actor, "moderator_scopes", None))
    return may_publish(actor, document.kind, document.committee_id) or deny(str(REFUSED))


@rule("documents.add_version")
def _add_version(actor, document):
    return may_publish(actor, document.kind, document.committee_id) or deny(str(REFUSED))


@rule("documents.edit_details")
def _edit_details(actor, document):
    return may_publish(actor, document.kind, document.committee_id) or deny(str(REFUSED))


@rule("declarations.record")
def _record_declaration(actor, target=None):
    return is_admin(actor) or deny(_("Only the guarantor body records the Declaratoria."))
