"""What search plugs into the areas below: the similar proposals of the proposal form's preview."""
from app.proposals.similar import register_finder
from app.search.queries import similar_proposals

register_finder(similar_proposals)
