"""Commitments on the map: their GeoJSON features, shared by the map page and the API."""
from flask import url_for

from app.commitments import queries
from app.maps.geojson import MAP_LIMIT, point_feature  # noqa: F401  (MAP_LIMIT: pages say it)


def feature(commitment, external: bool = False) -> dict:
    return point_feature(
        commitment.id, commitment.latitude, commitment.longitude,
        title=commitment.title,
        url=url_for("commitments.show", commitment_id=commitment.id, _external=external),
        state=commitment.state.value,
        state_label=commitment.state_label,
        status=commitment.implementation_status.value,
        place=commitment.place or "",
    )


def located(plan) -> list:
    return queries.located_commitments(plan, MAP_LIMIT)
