"""Public pages of commitments."""
from flask import abort, render_template

from app.commitments import bp
from app.commitments.models import Commitment
from app.extensions import db


@bp.get("/<int:commitment_id>")
def show(commitment_id: int):
    commitment = db.session.get(Commitment, commitment_id)
    if commitment is None or not commitment.is_public:
        abort(404)
    return render_template("commitments/show.html", commitment=commitment)
