"""The privacy notice, written for this platform and filled in from the settings."""
from datetime import date

from flask import current_app, render_template

from app.core.i18n import local_date
from app.legal import bp


def _updated_on() -> str:
    """The configured date in the reader's language; a malformed setting is shown as written."""
    value = current_app.config.get("PRIVACY_UPDATED_ON") or ""
    try:
        return local_date(date.fromisoformat(value))
    except ValueError:
        return value


@bp.get("/privacy")
def privacy():
    config = current_app.config
    return render_template(
        "legal/privacy.html",
        guarantor_name=config["GUARANTOR_NAME"],
        guarantor_email=config["GUARANTOR_EMAIL"],
        guarantor_address=config["GUARANTOR_ADDRESS"],
        updated_on=_updated_on(),
    )
