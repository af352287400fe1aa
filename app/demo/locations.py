"""Where the demo's proposals and commitments happen: points in the demo state's cities (WGS 84
degrees), given through the same services as the rest of the story. Items not named here have
no location, as most real proposals (a statewide policy is not a point)."""

# proposal key (app/demo/participation.py PROPOSALS): (latitude, longitude)
PROPOSAL_POINTS = {
    "alumbrado-sur": (23.9953, -104.6601),
    "unidades-deportivas": (24.0321, -104.6205),
    "luminarias-huizache": (24.0019, -104.6437),
    "basura-gomez": (25.5660, -103.5190),
    "senaletica-tepehuanes": (25.3397, -105.7281),
    "tiraderos-canales": (25.5405, -103.4710),
    "bache-colonia": (24.0410, -104.6790),
    "cruces-escuelas": (25.3418, -105.7262),
    "parque-guadiana": (24.0297, -104.6811),
    "agua-tepehuanes": (25.3452, -105.7214),
}

# commitment key (app/demo/current.py COMMITMENTS): (latitude, longitude, place)
COMMITMENT_POINTS = {
    "consulta-alumbrado": (23.9985, -104.6520, "Colonias del sur de la ciudad de Durango"),
    "senaletica": (25.3397, -105.7281, "Cabecera municipal de Tepehuanes"),
}


def proposal_location(key: str) -> dict:
    """The location fields of a proposal's data (none when it has no point)."""
    if key not in PROPOSAL_POINTS:
        return {}
    latitude, longitude = PROPOSAL_POINTS[key]
    return {"latitude": latitude, "longitude": longitude}


def commitment_location(key: str) -> dict:
    if key not in COMMITMENT_POINTS:
        return {}
    latitude, longitude, place = COMMITMENT_POINTS[key]
    return {"latitude": latitude, "longitude": longitude, "place": place}
