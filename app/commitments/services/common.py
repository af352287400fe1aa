"""What the acts on commitments share: the commitment's address for notifications."""
from flask import current_app

from app.commitments.models import Commitment


def commitment_path(commitment: Commitment) -> str:
    """The commitment's page, built without a request (services also run from the CLI)."""
    adapter = current_app.url_map.bind("localhost")
    return adapter.build("commitments.show", {"commitment_id": commitment.id})
