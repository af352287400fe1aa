"""GeoJSON (RFC 7946) of located things: one Point feature each, longitude first."""

# A map shows at most this many points; the newest first (each page and endpoint says so).
MAP_LIMIT = 1000


def point_feature(feature_id, latitude: float, longitude: float, **properties) -> dict:
    return {
        "type": "Feature",
        "id": feature_id,
        "geometry": {"type": "Point", "coordinates": [float(longitude), float(latitude)]},
        "properties": properties,
    }


def feature_collection(features: list[dict]) -> dict:
    return {"type": "FeatureCollection", "features": features}
