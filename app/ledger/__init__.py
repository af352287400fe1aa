"""Each plan's public ledger: every published official document (and its versions), committee
minutes and agreements, progress report, and the representatives' verdicts and answers is
appended, in the same unit of work that publishes it, to a hash chain per plan that anyone can
download and check (`python -m app.ledger.verify LEDGER.json`), as the ballot boxes are."""
from flask import Blueprint

bp = Blueprint("ledger", __name__, url_prefix="/ledger")

from app.ledger import views  # noqa: E402,F401
