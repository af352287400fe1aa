"""Places users choose from: the 39 municipalities of the State of Durango."""
from flask_babel import lazy_gettext as _l

DURANGO_MUNICIPALITIES = [
    "Canatlán", "Canelas", "Coneto de Comonfort", "Cuencamé", "Durango", "El Oro",
    "General Simón Bolívar", "Gómez Palacio", "Guadalupe Victoria", "Guanaceví", "Hidalgo",
    "Indé", "Lerdo", "Mapimí", "Mezquital", "Nazas", "Nombre de Dios", "Nuevo Ideal", "Ocampo",
    "Otáez", "Pánuco de Coronado", "Peñón Blanco", "Poanas", "Pueblo Nuevo", "Rodeo",
    "San Bernardo", "San Dimas", "San Juan de Guadalupe", "San Juan del Río",
    "San Luis del Cordero", "San Pedro del Gallo", "Santa Clara", "Santiago Papasquiaro",
    "Súchil", "Tamazula", "Tepehuanes", "Tlahualilo", "Topia", "Vicente Guerrero",
]
OUTSIDE_DURANGO = "Fuera de Durango"


def municipality_choices():
    return [("", _l("Choose your municipality"))] + [(m, m) for m in DURANGO_MUNICIPALITIES] + [
        (OUTSIDE_DURANGO, _l("Outside Durango"))
    ]
