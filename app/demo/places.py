"""The demo plan's territory: the 39 municipalities of the State of Durango, loaded through the
catalogue's CSV import (app/places), each mapped to the demo committee that covers it."""
import csv
import io

from app.places.queries import place_named
from app.places.services import import_places_csv, update_place

DURANGO_MUNICIPALITIES = [
    "Canatlán", "Canelas", "Coneto de Comonfort", "Cuencamé", "Durango", "El Oro",
    "General Simón Bolívar", "Gómez Palacio", "Guadalupe Victoria", "Guanaceví", "Hidalgo",
    "Indé", "Lerdo", "Mapimí", "Mezquital", "Nazas", "Nombre de Dios", "Nuevo Ideal", "Ocampo",
    "Otáez", "Pánuco de Coronado", "Peñón Blanco", "Poanas", "Pueblo Nuevo", "Rodeo",
    "San Bernardo", "San Dimas", "San Juan de Guadalupe", "San Juan del Río",
    "San Luis del Cordero", "San Pedro del Gallo", "Santa Clara", "Santiago Papasquiaro",
    "Súchil", "Tamazula", "Tepehuanes", "Tlahualilo", "Topia", "Vicente Guerrero",
]

# The demo committees (app/demo/durango.py COMMITTEES) that cover one municipality each.
COVERING_COMMITTEE = {
    "Durango": "municipio-durango",
    "Gómez Palacio": "gomez-palacio",
    "Tepehuanes": "tepehuanes",
}


# The centres of a few municipalities, north-west to south-east: the plan's maps open on their box.
MUNICIPALITY_POINTS = {
    "Tepehuanes": (25.3397, -105.7233),
    "Santiago Papasquiaro": (25.0430, -105.4190),
    "Gómez Palacio": (25.5611, -103.4983),
    "Durango": (24.0277, -104.6532),
    "Mezquital": (23.4731, -104.3964),
}


def places_csv() -> str:
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(["municipality", "locality", "committee"])
    for name in DURANGO_MUNICIPALITIES:
        writer.writerow([name, "", COVERING_COMMITTEE.get(name, "")])
    return out.getvalue()


def load_places(actor, plan) -> dict:
    """Import the catalogue as the guarantor body would, at the loader's moment (right after the
    plan is set up, before anyone registers); a second load changes nothing."""
    counts = import_places_csv(actor, plan, places_csv())
    for name, (latitude, longitude) in MUNICIPALITY_POINTS.items():
        place = place_named(plan, name, None)
        if place is not None and not place.has_location:
            update_place(actor, place, {"latitude": latitude, "longitude": longitude})
    return counts
