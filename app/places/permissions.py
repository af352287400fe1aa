"""Permission rules of the catalogue of places: the guarantor body keeps it."""
from app.accounts.permissions import is_admin
from app.core.permissions import rule


@rule("places.manage")
def _manage_places(actor, target=None):
    return is_admin(actor)
