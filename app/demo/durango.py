"""The two plans of the demo: Durango's Third Local Action Plan (2020–2023, concluded and
archived, as its published summary tells it) and a current, fictitious fourth plan whose dates
are computed from the day the demo is loaded, so that something is always open.

Dates of the call (28 Oct 2020), the joint declaration (15 Dec 2020) and the election of the
committees (25 Feb 2021) come from the plan; later phase dates are illustrative.
"""
from datetime import date, timedelta

# The guarantor body of both demo plans (the seed's IDAIP).
GUARANTOR = {
    "jurisdiction": "Durango",
    "guarantor_name": "Instituto Duranguense de Acceso a la Información Pública y de Protección de "
                      "Datos Personales (IDAIP)",
    "guarantor_email": "gobiernoabierto@idaip.org.mx",
    "guarantor_address": "Victoria de Durango, Durango, México",
    "data_licence": "CC BY 4.0",
}

PLAN = {
    **GUARANTOR,
    "slug": "durango-3",
    "name": "Tercer Plan de Acción Local de Gobierno Abierto de Durango",
    "period": "2020–2023",
    "reference_prefix": "DGO",
    "description": (
        "El 28 de octubre de 2020 el Órgano Garante emitió la convocatoria pública y abierta para "
        "la implementación del Tercer Plan de Acción Local de Gobierno Abierto y la conformación "
        "del Secretariado Técnico Local. Con la participación de más de 24 organizaciones de la "
        "sociedad civil, el 15 de diciembre de 2020 el Gobierno del Estado y los ayuntamientos de "
        "Durango, Gómez Palacio y Tepehuanes, el INAI y el IDAIP suscribieron la Declaratoria "
        "conjunta para promover e impulsar acciones de Gobierno Abierto."
    ),
}

# (kind, starts, ends, description, accepts proposals)
PHASES = [
    ("call", date(2020, 10, 28), date(2020, 12, 14),
     "Convocatoria pública y abierta del Órgano Garante para el Tercer Plan de Acción Local.",
     False),
    ("integration", date(2020, 12, 15), date(2021, 2, 25),
     "Declaratoria conjunta (15 de diciembre de 2020) y elección de los comités coordinadores "
     "(25 de febrero de 2021).", False),
    ("cocreation", date(2021, 3, 1), date(2021, 6, 30),
     "Sensibilización, problemáticas públicas y mesas de diálogo para construir los compromisos.",
     True),
    ("consultation", date(2021, 7, 1), date(2021, 7, 31),
     "Consulta pública de los borradores de compromisos.", False),
    ("implementation", date(2021, 8, 1), date(2022, 12, 31),
     "Implementación de los compromisos y seguimiento público: «¿Cómo vamos?».", False),
    ("evaluation", date(2023, 1, 1), date(2023, 3, 31),
     "Evaluación de resultados y rendición de cuentas.", False),
]

THEMES = [
    ("obra-publica", "Obra Pública"),
    ("servicios-publicos", "Servicios Públicos"),
    ("salud-mental", "Salud Mental"),
    ("seguridad-publica", "Seguridad Pública"),
    ("medio-ambiente", "Medio Ambiente"),
    ("reactivacion-economia", "Reactivación de la Economía"),
    ("espacios-publicos", "Rescate de Espacios Públicos"),
    ("transparencia", "Transparencia"),
    ("educacion", "Apoyo a la Educación"),
]

G, T, S, F = "government", "cs_titular", "cs_suplente", "facilitator"

COMMITTEES = [
    {
        "slug": "poder-ejecutivo",
        "name": "Comité Coordinador del Poder Ejecutivo",
        "scope": "Poder Ejecutivo del Estado de Durango",
        "members": [
            ("José Rosas Aispuro Torres", "Gobernador Constitucional del Estado de Durango", G),
            ("María del Rosario Castro Lozano", "Coordinadora General de Gabinete", G),
            ("Raquel Leila Arreola Fallad", "Secretaria de la Contraloría", G),
            ("Jorge Ernesto Fabila Flores", "Titular Representante de la Sociedad Civil", T),
            ("Manuela Vargas Hernández", "Suplente del Titular Representante de la Sociedad Civil", S),
            ("Metztli Vanessa Zamora Ríos", "Presidente de la Asociación Civil Cree-Ser y Facilitadora", F),
        ],
        "commitments": [
            ("obra-publica", "Transparentar las obras públicas realizadas por el Gobierno del Estado"),
        ],
    },
    {
        "slug": "municipio-durango",
        "name": "Comité Coordinador del Municipio de Durango",
        "scope": "Municipio de Durango",
        "members": [
            ("Jorge Alejandro Salum del Palacio", "Presidente Municipal de Durango", G),
            ("Mario Garza Escobosa", "Secretario Municipal y del Ayuntamiento", G),
            ("María de Lourdes López Salas",
             "Coordinadora de la Unidad de Transparencia e Información Municipal", G),
            ("Óscar Eduardo Moreno Littleton",
             "Presidente de COPARMEX y Titular Representante de la Sociedad Civil", T),
            ("María de Jesús Hernández Uribe", "Suplente del Titular Representante de la Sociedad", S),
            ("Jaime Adrián Arreola Varela", "Facilitador", F),
        ],
        "commitments": [
            ("seguridad-publica", "Prevención del delito"),
            ("medio-ambiente", "Fomento a la cultura ambiental y programa de segmentación de desechos"),
            ("reactivacion-economia",
             "Implementación del registro de trámites y servicios y regularización de empresas por sectores"),
            ("espacios-publicos", "Rehabilitación de unidades deportivas"),
            ("transparencia", "Menos trámites, combate a la corrupción"),
            ("educacion", "Diseño del portal único de becas"),
        ],
    },
    {
        "slug": "gomez-palacio",
        "name": "Comité Coordinador del Municipio de Gómez Palacio",
        "scope": "Municipio de Gómez Palacio",
        "members": [
            ("Alma Marina Vitela Rodríguez", "Presidente Municipal de Gómez Palacio, Dgo.", G),
            ("Luis Francisco Sida Rodríguez", "Coordinador de Gabinete del Municipio de Gómez Palacio", G),
            ("Adrián Retana Ortega", "Unidad de Transparencia del Municipio de Gómez Palacio", G),
            ("Jesús Alberto Prado Aguilera", "Titular Representante de la Sociedad Civil", T),
            ("Armando Navarro Gutiérrez", "Suplente del Titular de la Sociedad Civil", S),
            ("José Augusto Sánchez Galindo", "Facilitador", F),
        ],
        "commitments": [
            ("servicios-publicos",
             "Programa de segmentación de basura y limpieza de las calles, y difusión del reglamento "
             "de servicios públicos con énfasis en la educación ambiental"),
            ("salud-mental",
             "Red de apoyo y protocolo para la prevención del suicidio, con la participación de la sociedad"),
        ],
    },
    {
        "slug": "tepehuanes",
        "name": "Comité Coordinador del Municipio de Tepehuanes",
        "scope": "Municipio de Tepehuanes",
        "members": [
            ("Eder Raúl Gutiérrez Díaz", "Presidente Municipal de Tepehuanes, Dgo.", G),
            ("Catalino Valtierra Salgado", "Contralor Municipal del Municipio de Tepehuanes", G),
            ("José Antonio Montenegro Varela", "Unidad de Transparencia del Municipio de Tepehuanes", G),
            ("Javier Benítez Muñoz", "Titular Representante de la Sociedad Civil", T),
            ("Mónica Álvarez Díaz", "Suplente del Titular Representante de la Sociedad Civil", S),
            ("Víctor Omar Villarreal Tavizon", "Facilitador", F),
        ],
        "commitments": [
            ("obra-publica",
             "Implementación de señaléticas preventivas, restrictivas e informativas en materia vial"),
        ],
    },
]

# The ten commitments' starting dates: the end of the consultation phase.
COMMITMENTS_PUBLISHED_ON = date(2021, 8, 1)


def archived_spec() -> dict:
    """The Third Plan for app/demo/structure.py: concluded, not current. Its civil-society seats
    are not listed: the 2021 elections and agreements fill them (app/demo/elections.py)."""
    return {
        "plan": PLAN,
        "current": False,
        "phases": PHASES,
        "themes": THEMES,
        "term_start": date(2021, 2, 25),
        "committees": [
            {**spec, "members": [(name, title, spec["scope"]) for name, title, kind in spec["members"]
                                 if kind == G]}
            for spec in COMMITTEES
        ],
    }


def facilitators() -> dict[str, str]:
    """The Third Plan's facilitator of each committee (committee slug: name): accounts with a
    facilitator's scope, not member rows."""
    return {spec["slug"]: name for spec in COMMITTEES
            for name, _title, kind in spec["members"] if kind == F}


CURRENT_PLAN = {
    **GUARANTOR,
    "slug": "durango-4-demo",
    "name": "Cuarto Plan de Acción Local de Gobierno Abierto de Durango (demostración)",
    "reference_prefix": "DGO4",
    "description": (
        "Datos de demostración: este plan, sus convocatorias, elecciones, problemáticas, "
        "mesas, consultas y compromisos son ficticios: se generaron el día en que se cargó la "
        "demostración, con fechas calculadas a partir de ese día, para mostrar un plan en curso. "
        "Las personas y organizaciones que aparecen son inventadas. El plan real concluido es el "
        "Tercer Plan de Acción Local de Gobierno Abierto de Durango (2020–2023)."
    ),
}

# Offsets in days from the day of loading: (kind, first day, last day, description, proposals).
CURRENT_PHASES = [
    ("call", -90, -61, "Convocatoria del Órgano Garante a las organizaciones (demostración).", False),
    ("integration", -60, -43,
     "Integración de los comités coordinadores; la elección del Municipio de Durango está en "
     "votación y la convocatoria para Gómez Palacio sigue abierta.", False),
    ("cocreation", -42, 45,
     "Recepción de problemáticas públicas, mesas de diálogo y consulta de borradores.", True),
    ("consultation", 46, 75, "Consulta pública de los borradores de compromisos.", False),
    ("implementation", 76, 440, "Implementación y seguimiento de los compromisos.", False),
    ("evaluation", 441, 530, "Evaluación de resultados y rendición de cuentas.", False),
]

CURRENT_COMMITTEES = [
    ("poder-ejecutivo", "Comité Coordinador del Poder Ejecutivo", "Poder Ejecutivo del Estado de Durango",
     [("Persona titular de la Secretaría de la Contraloría (demostración)", "Secretaría de la Contraloría")]),
    ("municipio-durango", "Comité Coordinador del Municipio de Durango", "Municipio de Durango",
     [("Persona titular de la Secretaría Municipal (demostración)",
       "Secretaría Municipal y del Ayuntamiento")]),
    ("gomez-palacio", "Comité Coordinador del Municipio de Gómez Palacio", "Municipio de Gómez Palacio",
     [("Persona titular de la Coordinación de Gabinete (demostración)", "Coordinación de Gabinete")]),
    ("tepehuanes", "Comité Coordinador del Municipio de Tepehuanes", "Municipio de Tepehuanes",
     [("Persona titular de la Contraloría Municipal (demostración)", "Contraloría Municipal")]),
]


# The current plan's facilitators of the other committees (invented people; the demo
# facilitator account facilitates the Municipio de Durango).
CURRENT_FACILITATORS = {
    "poder-ejecutivo": "Mariana Ochoa Reyes",
    "gomez-palacio": "Rubén Alvarado Quiñones",
    "tepehuanes": "Cecilia Ibarra Galindo",
}


def current_spec(today: date) -> dict:
    """The fictitious current plan, its phases around `today` (the day of loading)."""
    year = today.year
    return {
        "plan": {**CURRENT_PLAN, "period": f"{year}–{year + 2}"},
        "current": True,
        "phases": [(kind, today + timedelta(days=first), today + timedelta(days=last), text, accepts)
                   for kind, first, last, text, accepts in CURRENT_PHASES],
        "themes": THEMES,
        "term_start": today + timedelta(days=-60),
        "committees": [{"slug": slug, "name": name, "scope": scope,
                        "members": [(person, title, scope) for person, title in members]}
                       for slug, name, scope, members in CURRENT_COMMITTEES],
    }
