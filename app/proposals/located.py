"""Proposals on the map: their GeoJSON features, shared by the map page and the API."""
from flask import url_for

from app.maps.geojson import MAP_LIMIT, point_feature  # noqa: F401  (MAP_LIMIT: pages say it)
from app.proposals import queries


def feature(proposal, external: bool = False) -> dict:
    return point_feature(
        proposal.reference, proposal.latitude, proposal.longitude,
        title=proposal.title,
        url=url_for("proposals.show", reference=proposal.reference, _external=external),
        state=proposal.state.value,
        state_label=proposal.state_label,
        place=proposal.place or "",
    )


def located(plan) -> list:
    return queries.located_proposals(plan, MAP_LIMIT)
