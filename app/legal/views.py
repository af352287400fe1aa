"""The privacy notice, written for this platform and filled in from the settings."""
from datetime import date

from flask import current_app, render_template
from flask_babel import gettext as _

from app.core.i18n import local_date
from app.legal import bp
from app.plans.queries import guarantor


def _updated_on() -> str:
    """The configured date in the reader's language; a malformed setting is shown as written."""
    value = current_app.config.get("PRIVACY_UPDATED_ON") or ""
    try:
        return local_date(date.fromisoformat(value))
    except ValueError:
        return value


@bp.get("/privacy")
def privacy():
    body = guarantor()
    return render_template(
        "legal/privacy.html",
        # A plan without its guarantor body's name yet: a description, never a blank.
        guarantor_name=body.name or _("the guarantor body of the action plan"),
        guarantor_email=body.email,
        guarantor_address=body.address,
        updated_on=_updated_on(),
    )
