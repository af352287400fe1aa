"""The archived Third Plan's ten formal commitments on the full Open Government Partnership
template, with their milestones, progress notes, version history and one past public consultation.

How the story is written
- The ten commitments of the seed (titles, committees and themes in app/demo/durango.py), each
  drafted from a proposal of its committee, get the whole template in Spanish, 3–5 milestones
  each, a few dated progress notes with links as evidence, and an implementation status on the
  OGP scale. The story runs from the drafts of June 2021 to the end of the implementation phase
  (December 2022); every milestone that was not complete then stays late.
- Told through the services of drafting, consultation and progress (create_draft,
  open_consultation, comment_on_draft, answer_comment, update_draft, publish_commitment,
  follow, report_progress, set_implementation_status), each at its moment of 2021–2022
  with app.core.clock.use, so every version, comment, answer, note, audit entry and
  notification carries its historical date and every time rule holds as in real use.
- Consistent: commitment 5 of the Municipio de Durango ("Menos trámites, combate a la
  corrupción") went through a public consultation (5–23 July 2021) with four comments by
  section, each answered; its history: the draft put to consultation, the text that incorporated
  the answers, and the published commitment. What the answers say was incorporated is exactly
  what differs between versions 1 and 2. The other nine: their draft and their publication.
- Who: the lead institutions and the responsible officials are the public institutions and
  officials the seed names for each committee (app/demo/durango.py); other agencies are named
  generically. Contact addresses are generic institutional addresses (unidad.transparencia@…),
  illustrative. Evidence links point to the home pages of public portals.
- Illustrative: the baseline data, budgets, milestone dates and statuses, progress notes and the
  consultation's comments are plausible but invented for the demonstration; they are not the
  plan's official figures.
- Idempotent: nothing is told when the plan already has commitments.
"""
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import sqlalchemy as sa

from app.accounts.models import User
from app.commitments.models import (
    Commitment,
    CommitmentState,
    ImplementationStatus,
    Milestone,
    MilestoneStatus,
)
from app.commitments.services import create_draft, publish_commitment, update_draft
from app.consultations.models import Consultation, ConsultationOutcome
from app.consultations.services import answer_comment, comment_on_draft, open_consultation
from app.demo import durango
from app.demo.current import sources
from app.demo.timeline import Timeline
from app.evaluation.services import give_opinion, record_assessment
from app.extensions import db
from app.follows.services import follow
from app.plans.models import ActionPlan, Committee, CommitteeMember, MemberKind, Theme
from app.progress.services import report_progress, set_implementation_status

DURANGO_TZ = ZoneInfo("America/Monterrey")
PUBLISHED_ON = date(2021, 8, 1)
PUBLICATION_REASON = "Publicación como compromiso formal del Tercer Plan de Acción Local."

# The demo accounts (app/demo/loader.py) who act in the story.
FACILITATOR = "facilitador@example.org"  # facilitator of the Municipio de Durango
GUARANTOR = "organo.garante@example.org"  # the guarantor body, for the other committees
CITIZEN = "ciudadana@example.org"
ORGANISATION = "organizacion@example.org"

C, IP, NS = MilestoneStatus.complete, MilestoneStatus.in_progress, MilestoneStatus.not_started
S = ImplementationStatus

PORTALS = {
    "pnt": "https://www.plataformadetransparencia.org.mx/",
    "idaip": "https://www.idaip.org.mx/",
    "estado": "https://www.durango.gob.mx/",
    "municipio": "https://www.municipiodurango.gob.mx/",
    "gomez": "https://www.gomezpalacio.gob.mx/",
    "datos": "https://www.datos.gob.mx/",
}

MUNICIPIO_CONTACT = "unidad.transparencia@municipiodurango.gob.mx"
SECRETARIO = "Mario Garza Escobosa, Secretario Municipal y del Ayuntamiento"
SECRETARIA_MUNICIPAL = "Secretaría Municipal y del Ayuntamiento de Durango"
COORDINADORA_UT = ("María de Lourdes López Salas, Coordinadora de la Unidad de Transparencia e "
                   "Información Municipal")
UTIM = "Unidad de Transparencia e Información Municipal de Durango"
GP_COORDINACION = "Coordinación de Gabinete del Municipio de Gómez Palacio"
GP_COORDINADOR = "Luis Francisco Sida Rodríguez, Coordinador de Gabinete del Municipio de Gómez Palacio"
GP_CONTACT = "unidad.transparencia@gomezpalacio.gob.mx"

ODS_16 = ("**ODS 16** Paz, justicia e instituciones sólidas: meta 16.6 (instituciones eficaces, "
          "responsables y transparentes) y meta 16.7 (decisiones inclusivas y participativas). "
          "Véanse los [Objetivos de Desarrollo Sostenible]"
          "(https://www.un.org/sustainabledevelopment/es/objetivos-de-desarrollo-sostenible/).")

# Each commitment by (committee slug, number):
#   fields: every template field but the title (kept from the seed);
#   milestones: (description, responsible, starts, ends, deliverable, status, completed_on);
#   notes: (milestone index, noted_on, status, note, [evidence urls]).
COMMITMENTS: dict[tuple[str, int], dict] = {
    ("poder-ejecutivo", 1): {
        "starts_on": date(2021, 8, 16), "ends_on": date(2022, 12, 15), "status": S.substantial,
        "fields": {
            "lead_institution": "Secretaría de la Contraloría del Estado de Durango",
            "responsible_official": "Raquel Leila Arreola Fallad, Secretaria de la Contraloría",
            "official_contact": "unidad.transparencia@durango.gob.mx",
            "other_actors_government": (
                "- Secretaría de Comunicaciones y Obras Públicas del Estado (SECOPE).\n"
                "- Coordinación General de Gabinete.\n"
                "- Instituto Duranguense de Acceso a la Información Pública y de Protección de "
                "Datos Personales (IDAIP), como órgano garante."
            ),
            "other_actors_civil_society": (
                "- Asociación Civil Cree-Ser.\n"
                "- Representantes de la sociedad civil en el Comité Coordinador del Poder "
                "Ejecutivo (titular y suplente).\n"
                "- Colegios de profesionistas de la construcción y comités vecinales que dan "
                "seguimiento a las obras de su comunidad."
            ),
            "problem": (
                "La ciudadanía no cuenta con información accesible, completa y oportuna sobre las "
                "obras públicas que realiza el Gobierno del Estado: qué se construye, dónde, con "
                "qué presupuesto, qué empresa la ejecuta y en qué etapa de avance se encuentra. La "
                "información existente está dispersa en distintos portales y formatos, lo que "
                "dificulta vigilar el uso de los recursos y detectar retrasos o irregularidades."
            ),
            "baseline": (
                "Línea base (agosto de 2021, cifras ilustrativas):\n\n"
                "- 0 obras del ejercicio 2021 publicadas en formato de datos abiertos.\n"
                "- 38 % de las obras del programa anual con su expediente de contratación "
                "consultable en línea.\n"
                "- 14 solicitudes de acceso a la información al mes, en promedio, sobre datos de "
                "obra pública que podrían publicarse de oficio."
            ),
            "causes": (
                "- La información de cada obra se genera en áreas distintas (planeación, "
                "licitación, supervisión) y no se integra en un solo registro.\n"
                "- No hay un formato común para publicar el avance físico y financiero.\n"
                "- Las obligaciones de transparencia se cumplen con documentos escaneados, difíciles "
                "de consultar y de reutilizar.\n"
                "- Faltan canales para que la ciudadanía reporte lo que observa en las obras."
            ),
            "status_quo": (
                "La información de obra pública se publica en la Plataforma Nacional de "
                "Transparencia como obligación común, en archivos trimestrales por dependencia. "
                "No existe un sitio que permita ubicar las obras en un mapa, consultar su avance "
                "ni descargar los datos completos."
            ),
            "objective": (
                "Que cualquier persona pueda consultar en un solo sitio, y en datos abiertos, la "
                "información de cada obra pública estatal —de su planeación a su entrega— y "
                "pueda reportar observaciones sobre su ejecución."
            ),
            "description": (
                "1. Acordar con la sociedad civil un estándar de datos de obra pública, basado en "
                "el Estándar de Datos para las Contrataciones Abiertas.\n"
                "2. Publicar un micrositio de obra pública con mapa, ficha de cada obra y descarga "
                "de datos.\n"
                "3. Incorporar el avance físico y financiero trimestral de cada obra.\n"
                "4. Habilitar un canal de reportes ciudadanos con respuesta pública de la "
                "Secretaría de la Contraloría.\n"
                "5. Capacitar a personas servidoras públicas y a organizaciones en el uso de los "
                "datos."
            ),
            "how_it_helps": (
                "Al reunir y abrir la información de cada obra, la ciudadanía puede comparar lo "
                "planeado con lo ejecutado, y la Contraloría recibe alertas tempranas de retrasos "
                "o irregularidades. La publicación proactiva también reduce las solicitudes de "
                "información repetidas."
            ),
            "value_transparency": (
                "Publica de oficio, en datos abiertos, la información completa de cada obra "
                "pública estatal."
            ),
            "value_participation": (
                "Las organizaciones participan en el diseño del estándar de datos y la ciudadanía "
                "puede reportar observaciones sobre las obras."
            ),
            "value_accountability": (
                "La Secretaría de la Contraloría responde públicamente cada reporte ciudadano y "
                "da seguimiento a las observaciones."
            ),
            "value_technology": (
                "Un micrositio con mapa y descarga de datos en formatos reutilizables."
            ),
            "budget": (
                "Recursos propios de la Secretaría de la Contraloría y de la SECOPE; el micrositio "
                "lo desarrolla el personal de tecnologías de la información del Gobierno del "
                "Estado. Estimación ilustrativa: 350,000 pesos en horas de personal."
            ),
            "additional_info": (
                "- Vinculado con los objetivos de transparencia y combate a la corrupción del Plan "
                "Estatal de Desarrollo 2016–2022.\n"
                f"- {ODS_16}\n"
                "- **ODS 9** Industria, innovación e infraestructura: meta 9.1 (infraestructura "
                "fiable, sostenible y de calidad)."
            ),
        },
        "milestones": [
            ("Estándar de datos de obra pública acordado con la sociedad civil",
             "Secretaría de la Contraloría y Asociación Civil Cree-Ser",
             date(2021, 8, 16), date(2021, 10, 29),
             "Documento del estándar de datos y minuta de la mesa de trabajo", C, date(2021, 10, 27)),
            ("Micrositio de obra pública con mapa y fichas de las obras de 2021",
             "SECOPE y área de tecnologías de la información del Gobierno del Estado",
             date(2021, 11, 1), date(2022, 3, 31),
             "Micrositio en línea con al menos 100 obras publicadas", C, date(2022, 4, 8)),
            ("Publicación trimestral del avance físico y financiero de cada obra", "SECOPE",
             date(2022, 4, 1), date(2022, 9, 30),
             "Cortes trimestrales publicados en datos abiertos (CSV)", C, date(2022, 10, 5)),
            ("Canal de reportes ciudadanos sobre las obras, con respuesta pública",
             "Secretaría de la Contraloría", date(2022, 5, 2), date(2022, 8, 31),
             "Canal en operación y primer informe de reportes atendidos", C, date(2022, 8, 26)),
            ("Capacitación a personas servidoras públicas y organizaciones en el uso de los datos",
             "Secretaría de la Contraloría e IDAIP", date(2022, 9, 1), date(2022, 12, 15),
             "Cuatro talleres impartidos, con sus listas de asistencia y materiales", IP, None),
        ],
        "notes": [
            (0, date(2021, 10, 27), C,
             "Se aprobó el estándar de datos en la mesa de trabajo con la Asociación Civil Cree-Ser "
             "y la representación de la sociedad civil; la minuta está en el portal del órgano "
             "garante.", [PORTALS["idaip"]]),
            (1, date(2022, 4, 8), C,
             "El micrositio quedó en línea con 112 obras del ejercicio 2021, ocho días después de "
             "la fecha prevista por ajustes al mapa.", [PORTALS["estado"]]),
            (4, date(2022, 11, 30), IP,
             "Se impartieron dos de los cuatro talleres previstos (46 personas). Los dos restantes "
             "se reprogramaron por el cierre del ejercicio.", []),
        ],
    },
    ("municipio-durango", 1): {
        "starts_on": date(2021, 8, 16), "ends_on": date(2022, 11, 30), "status": S.complete,
        "fields": {
            "lead_institution": SECRETARIA_MUNICIPAL,
            "responsible_official": SECRETARIO,
            "official_contact": MUNICIPIO_CONTACT,
            "other_actors_government": (
                "- Dirección Municipal de Seguridad Pública (policía de proximidad).\n"
                "- Dirección Municipal de Servicios Públicos (alumbrado público).\n"
                f"- {UTIM}."
            ),
            "other_actors_civil_society": (
                "- Comités de vecinos de las doce colonias prioritarias.\n"
                "- Observatorio Ciudadano de Durango, A.C.\n"
                "- COPARMEX Durango."
            ),
            "problem": (
                "Los delitos del fuero común, en especial el robo a transeúnte y a casa habitación, "
                "se concentran en colonias con alumbrado deficiente, espacios abandonados y poca "
                "organización vecinal. Las personas no saben dónde ni cuándo ocurren los delitos, "
                "ni qué acciones de prevención se realizan en su colonia."
            ),
            "baseline": (
                "Línea base (2021, cifras ilustrativas): doce colonias concentran el 41 % de los "
                "reportes de robo a transeúnte del municipio; una de cada tres luminarias de esas "
                "colonias no funciona; no se publica la incidencia delictiva por colonia."
            ),
            "causes": (
                "- Deterioro del alumbrado y de los espacios públicos.\n"
                "- Poca coordinación entre los vecinos y la policía de proximidad.\n"
                "- Falta de información pública y oportuna para que la comunidad participe en la "
                "prevención."
            ),
            "status_quo": (
                "La Dirección Municipal de Seguridad Pública atiende los reportes de emergencia y "
                "realiza patrullajes, pero los programas de prevención no se planean con los "
                "vecinos ni se evalúan públicamente."
            ),
            "objective": (
                "Reducir los factores de riesgo en doce colonias prioritarias con diagnósticos "
                "participativos, la recuperación del alumbrado y la publicación de la incidencia "
                "delictiva por colonia."
            ),
            "description": (
                "- Diagnósticos participativos de seguridad en doce colonias, con recorridos "
                "nocturnos.\n"
                "- Reparación de luminarias con un calendario público por colonia.\n"
                "- Publicación mensual, en datos abiertos, de la incidencia delictiva por colonia.\n"
                "- Redes vecinales de prevención vinculadas con la policía de proximidad."
            ),
            "how_it_helps": (
                "Los vecinos identifican los puntos de riesgo con la autoridad, que atiende primero "
                "lo que más pesa (alumbrado, espacios abandonados); la información abierta permite "
                "medir si las acciones reducen la incidencia."
            ),
            "value_transparency": "Publica cada mes la incidencia delictiva por colonia en datos abiertos.",
            "value_participation": (
                "Los diagnósticos y las redes vecinales se construyen con los comités de vecinos."
            ),
            "value_accountability": (
                "El calendario de reparación de luminarias es público y su cumplimiento se informa "
                "por colonia."
            ),
            "value_technology": "",
            "budget": (
                "Presupuesto ordinario de las direcciones participantes; reparación de luminarias "
                "con el programa anual de mantenimiento (cifra ilustrativa: 2.4 millones de pesos)."
            ),
            "additional_info": (
                "- Vinculado con el eje de seguridad del Plan Municipal de Desarrollo.\n"
                f"- {ODS_16}\n"
                "- **ODS 11** Ciudades y comunidades sostenibles: meta 11.7 (espacios públicos "
                "seguros e inclusivos)."
            ),
        },
        "milestones": [
            ("Diagnósticos participativos de seguridad en doce colonias prioritarias",
             "Dirección Municipal de Seguridad Pública y comités de vecinos",
             date(2021, 8, 16), date(2021, 11, 30),
             "Doce diagnósticos publicados con el mapa de riesgos de cada colonia", C, date(2021, 11, 26)),
            ("Reparación de luminarias con calendario público por colonia",
             "Dirección Municipal de Servicios Públicos", date(2021, 10, 1), date(2022, 4, 29),
             "Calendario publicado e informe de luminarias reparadas por colonia", C, date(2022, 4, 22)),
            ("Publicación mensual de la incidencia delictiva por colonia en datos abiertos",
             UTIM, date(2022, 1, 10), date(2022, 6, 30),
             "Conjunto de datos mensual (CSV) en el portal municipal", C, date(2022, 6, 15)),
            ("Conformación de redes vecinales de prevención",
             "Dirección Municipal de Seguridad Pública", date(2022, 5, 2), date(2022, 11, 30),
             "Actas de instalación de doce redes vecinales", C, date(2022, 11, 18)),
        ],
        "notes": [
            (1, date(2022, 4, 22), C,
             "Se repararon 1,180 luminarias en las doce colonias; el calendario cumplido y el "
             "informe por colonia están en el portal municipal.", [PORTALS["municipio"]]),
            (3, date(2022, 11, 18), C,
             "Se instaló la duodécima red vecinal, en la colonia Valle del Sur.", []),
        ],
    },
    ("municipio-durango", 2): {
        "starts_on": date(2021, 9, 1), "ends_on": date(2022, 12, 15), "status": S.substantial,
        "fields": {
            "lead_institution": SECRETARIA_MUNICIPAL,
            "responsible_official": SECRETARIO,
            "official_contact": MUNICIPIO_CONTACT,
            "other_actors_government": (
                "- Dirección Municipal de Medio Ambiente.\n"
                "- Dirección Municipal de Servicios Públicos (recolección de residuos).\n"
                "- Dirección Municipal de Educación."
            ),
            "other_actors_civil_society": (
                "- Observatorio Ciudadano de Durango, A.C.\n"
                "- Escuelas primarias y sus asociaciones de madres y padres de familia.\n"
                "- Recicladores y centros de acopio locales."
            ),
            "problem": (
                "La mayor parte de los residuos de la ciudad llega mezclada al relleno sanitario. "
                "Las familias que separan en casa ven cómo el camión vuelve a mezclar la basura, "
                "y la separación se desanima."
            ),
            "baseline": (
                "Línea base (2021, cifras ilustrativas): menos del 5 % de los residuos "
                "recolectados se aprovecha; ninguna ruta de recolección diferenciada; no se "
                "publican las toneladas recolectadas por tipo de residuo."
            ),
            "causes": (
                "- No hay rutas ni horarios para recolectar por separado.\n"
                "- Pocos centros de acopio de reciclables.\n"
                "- Poca educación ambiental sobre cómo separar."
            ),
            "status_quo": (
                "La recolección es única y mezclada; las campañas ambientales son esporádicas y no "
                "se vinculan con cambios en el servicio."
            ),
            "objective": (
                "Que las colonias piloto separen sus residuos y el servicio los recolecte por "
                "separado, con información pública de lo que se recolecta y aprovecha."
            ),
            "description": (
                "- Campaña de cultura ambiental en escuelas y colonias.\n"
                "- Rutas piloto de recolección diferenciada en cinco colonias.\n"
                "- Centros de acopio de reciclables en mercados y unidades deportivas.\n"
                "- Publicación mensual de las toneladas recolectadas por tipo de residuo."
            ),
            "how_it_helps": (
                "Une la educación ambiental con un servicio que respeta la separación, de modo que "
                "el esfuerzo de las familias se traduce en residuos aprovechados."
            ),
            "value_transparency": "Publica las rutas, los horarios y las toneladas recolectadas por tipo.",
            "value_participation": "Las escuelas y los vecinos de las colonias piloto diseñan la campaña.",
            "value_accountability": "",
            "value_technology": "",
            "budget": "Presupuesto ordinario de las direcciones participantes (sin cifra adicional).",
            "additional_info": (
                "- **ODS 11** meta 11.6 (gestión de los desechos municipales).\n"
                "- **ODS 12** Producción y consumo responsables: meta 12.5 (reducir la generación "
                "de desechos)."
            ),
        },
        "milestones": [
            ("Campaña de cultura ambiental en escuelas primarias y colonias",
             "Dirección Municipal de Medio Ambiente", date(2021, 9, 1), date(2022, 1, 31),
             "Materiales de la campaña y registro de 60 escuelas participantes", C, date(2022, 1, 28)),
            ("Rutas piloto de recolección diferenciada en cinco colonias",
             "Dirección Municipal de Servicios Públicos", date(2021, 11, 1), date(2022, 5, 31),
             "Rutas y horarios publicados e informe del piloto", C, date(2022, 6, 10)),
            ("Centros de acopio de reciclables en mercados y unidades deportivas",
             "Dirección Municipal de Medio Ambiente", date(2022, 3, 1), date(2022, 8, 31),
             "Ubicación y horarios de seis centros de acopio publicados", C, date(2022, 8, 30)),
            ("Publicación mensual de las toneladas recolectadas por tipo de residuo",
             "Dirección Municipal de Servicios Públicos", date(2022, 6, 1), date(2022, 12, 15),
             "Conjunto de datos mensual en formato abierto", IP, None),
        ],
        "notes": [
            (1, date(2022, 6, 10), C,
             "Terminó el piloto en cinco colonias; el informe y las rutas están publicados.",
             [PORTALS["municipio"]]),
            (3, date(2022, 10, 14), IP,
             "Se publicaron los datos de junio a agosto; faltan los de los meses siguientes.", []),
        ],
    },
    ("municipio-durango", 3): {
        "starts_on": date(2021, 8, 16), "ends_on": date(2022, 12, 9), "status": S.substantial,
        "fields": {
            "lead_institution": UTIM,
            "responsible_official": COORDINADORA_UT,
            "official_contact": MUNICIPIO_CONTACT,
            "other_actors_government": (
                "- Dirección Municipal de Desarrollo Económico.\n"
                "- Tesorería Municipal.\n"
                f"- {SECRETARIA_MUNICIPAL}."
            ),
            "other_actors_civil_society": (
                "- COPARMEX Durango.\n"
                "- Cámaras empresariales del municipio."
            ),
            "problem": (
                "Abrir o regularizar un negocio exige trámites cuyos requisitos, costos y plazos "
                "no están publicados en un solo lugar; muchas pequeñas empresas operan sin "
                "regularizarse y quedan fuera de los apoyos para reactivar la economía."
            ),
            "baseline": (
                "Línea base (2021, cifras ilustrativas): no existe un registro público de trámites "
                "municipales; se estima que cuatro de cada diez pequeños comercios no tienen su "
                "licencia de funcionamiento vigente."
            ),
            "causes": (
                "- Requisitos distintos según la ventanilla que atiende.\n"
                "- Falta de información sobre costos y plazos.\n"
                "- Desconfianza en los procesos de regularización."
            ),
            "status_quo": (
                "Cada dependencia informa sus trámites por su cuenta; la regularización se hace "
                "caso por caso, sin jornadas por sector."
            ),
            "objective": (
                "Contar con un Registro Municipal de Trámites y Servicios público y completo, y "
                "regularizar empresas por sector con jornadas informadas."
            ),
            "description": (
                "1. Inventario de trámites y servicios con requisitos, costos y plazos.\n"
                "2. Registro Municipal de Trámites y Servicios en línea.\n"
                "3. Jornadas de regularización de empresas por sector.\n"
                "4. Evaluación ciudadana de los diez trámites más solicitados."
            ),
            "how_it_helps": (
                "Con reglas claras y públicas baja el costo de regularizarse y se reducen los "
                "espacios de discrecionalidad en ventanilla."
            ),
            "value_transparency": "Publica requisitos, costos y plazos de cada trámite en un registro único.",
            "value_participation": "Las cámaras empresariales y COPARMEX organizan las jornadas por sector.",
            "value_accountability": "Las personas usuarias evalúan públicamente los trámites más solicitados.",
            "value_technology": "El registro está en línea y se puede descargar en formato abierto.",
            "budget": "Recursos propios de las áreas participantes (estimación ilustrativa: 180,000 pesos).",
            "additional_info": (
                "- **ODS 8** Trabajo decente y crecimiento económico: meta 8.3 (formalización de "
                "micro y pequeñas empresas).\n"
                f"- {ODS_16}"
            ),
        },
        "milestones": [
            ("Inventario de trámites y servicios municipales con requisitos, costos y plazos", UTIM,
             date(2021, 8, 16), date(2021, 12, 17),
             "Inventario publicado en una hoja de cálculo abierta", C, date(2021, 12, 14)),
            ("Registro Municipal de Trámites y Servicios en línea", UTIM,
             date(2022, 1, 10), date(2022, 6, 30),
             "Registro en línea con al menos 150 fichas de trámites", C, date(2022, 7, 12)),
            ("Jornadas de regularización de empresas por sector",
             "Dirección Municipal de Desarrollo Económico y COPARMEX Durango",
             date(2022, 4, 1), date(2022, 9, 30),
             "Informe de las jornadas con las empresas regularizadas por sector", C, date(2022, 9, 29)),
            ("Evaluación ciudadana de los diez trámites más solicitados", UTIM,
             date(2022, 9, 1), date(2022, 12, 9),
             "Resultados de la encuesta de satisfacción publicados", NS, None),
        ],
        "notes": [
            (1, date(2022, 7, 12), C,
             "El registro quedó en línea con 163 fichas, doce días después de lo previsto.",
             [PORTALS["municipio"]]),
        ],
    },
    ("municipio-durango", 4): {
        "starts_on": date(2021, 8, 16), "ends_on": date(2022, 10, 31), "status": S.complete,
        "fields": {
            "lead_institution": SECRETARIA_MUNICIPAL,
            "responsible_official": SECRETARIO,
            "official_contact": MUNICIPIO_CONTACT,
            "other_actors_government": (
                "- Instituto Municipal del Deporte.\n"
                "- Dirección Municipal de Obras Públicas."
            ),
            "other_actors_civil_society": (
                "- Ligas deportivas infantiles y juveniles.\n"
                "- Comités de usuarios de cada unidad deportiva."
            ),
            "problem": (
                "Las unidades deportivas de las colonias tienen canchas sin iluminación, mallas "
                "rotas y sanitarios cerrados; las familias dejan de usarlas y se vuelven espacios "
                "inseguros."
            ),
            "baseline": (
                "Línea base (2021, cifras ilustrativas): ocho unidades deportivas con daños; el "
                "uso nocturno cayó a menos de la mitad; no se publica el presupuesto de "
                "mantenimiento por unidad."
            ),
            "causes": (
                "- Mantenimiento sin programa ni presupuesto por unidad.\n"
                "- Nadie representa a los usuarios ante la autoridad."
            ),
            "status_quo": "El mantenimiento se hace por reportes aislados, sin diagnóstico ni seguimiento.",
            "objective": (
                "Rehabilitar ocho unidades deportivas con sus usuarios y publicar el presupuesto "
                "y el avance de cada una."
            ),
            "description": (
                "- Diagnóstico participativo de cada unidad.\n"
                "- Comités de usuarios.\n"
                "- Rehabilitación de alumbrado, canchas y sanitarios.\n"
                "- Publicación del presupuesto y del avance por unidad."
            ),
            "how_it_helps": (
                "Los usuarios definen las prioridades de cada unidad y vigilan su mantenimiento; "
                "el espacio recuperado vuelve a ser seguro para las familias."
            ),
            "value_transparency": "Publica el presupuesto y el avance de obra de cada unidad.",
            "value_participation": "Los comités de usuarios deciden las prioridades de rehabilitación.",
            "value_accountability": "Los comités reciben informes periódicos del avance y del gasto.",
            "value_technology": "",
            "budget": (
                "Programa municipal de obra pública (cifra ilustrativa: 6.8 millones de pesos para "
                "las ocho unidades)."
            ),
            "additional_info": (
                "- **ODS 3** Salud y bienestar.\n"
                "- **ODS 11** meta 11.7 (espacios públicos seguros, inclusivos y accesibles)."
            ),
        },
        "milestones": [
            ("Diagnóstico participativo de ocho unidades deportivas con sus usuarios",
             "Instituto Municipal del Deporte", date(2021, 8, 16), date(2021, 10, 29),
             "Diagnóstico publicado de cada unidad", C, date(2021, 10, 22)),
            ("Instalación de comités de usuarios en cada unidad", "Instituto Municipal del Deporte",
             date(2021, 10, 1), date(2021, 12, 15), "Actas de instalación de ocho comités", C,
             date(2021, 12, 10)),
            ("Rehabilitación de alumbrado, canchas y sanitarios en las ocho unidades",
             "Dirección Municipal de Obras Públicas", date(2022, 1, 10), date(2022, 8, 31),
             "Actas de entrega-recepción de las obras", C, date(2022, 9, 20)),
            ("Publicación del presupuesto y del avance de obra por unidad",
             SECRETARIA_MUNICIPAL, date(2022, 2, 1), date(2022, 10, 31),
             "Informe público por unidad deportiva", C, date(2022, 10, 28)),
        ],
        "notes": [
            (2, date(2022, 9, 20), C,
             "Se entregaron las obras de las ocho unidades, con veinte días de retraso por lluvias.",
             [PORTALS["municipio"]]),
        ],
    },
    ("municipio-durango", 5): {
        "starts_on": date(2021, 8, 16), "ends_on": date(2022, 11, 30), "status": S.complete,
        "fields": {
            "lead_institution": UTIM,
            "responsible_official": COORDINADORA_UT,
            "official_contact": MUNICIPIO_CONTACT,
            "other_actors_government": (
                "- Contraloría Municipal.\n"
                f"- {SECRETARIA_MUNICIPAL}.\n"
                "- Tesorería Municipal."
            ),
            "other_actors_civil_society": (
                "- COPARMEX Durango.\n"
                "- Observatorio Ciudadano de Durango, A.C."
            ),
            "problem": (
                "Hacer un trámite municipal exige ir varias veces a ventanilla, presentar "
                "documentos que el propio municipio ya tiene y esperar sin saber en qué etapa "
                "está la solicitud. Esa opacidad abre espacio para que se pidan pagos indebidos "
                "para «agilizar» los trámites."
            ),
            "baseline": (
                "Línea base (2021, cifras ilustrativas): 3.2 visitas a ventanilla en promedio por "
                "trámite; el 27 % de las personas usuarias encuestadas dijo conocer a alguien a "
                "quien se le pidió un pago indebido; ningún trámite con seguimiento en línea."
            ),
            "causes": (
                "- Requisitos duplicados entre dependencias.\n"
                "- Ausencia de plazos de respuesta públicos.\n"
                "- Falta de un canal seguro para denunciar cobros indebidos."
            ),
            "status_quo": (
                "Los trámites se hacen en persona; la persona usuaria no puede consultar el estado "
                "de su solicitud ni conoce el plazo de respuesta."
            ),
            "objective": (
                "Reducir en 30 % las visitas a ventanilla de los 20 trámites más solicitados y "
                "ofrecer seguimiento en línea de cada solicitud, con un canal de denuncia de cobros "
                "indebidos."
            ),
            "description": (
                "- Diagnóstico de los 20 trámites más solicitados con las personas usuarias.\n"
                "- Eliminación de requisitos duplicados.\n"
                "- Catálogo de trámites simplificados y seguimiento en línea de cada solicitud.\n"
                "- Canal de denuncia de cobros indebidos, atendido por la Contraloría Municipal, "
                "con informe público trimestral."
            ),
            "how_it_helps": (
                "Menos visitas y plazos públicos dejan menos ocasiones para pedir pagos indebidos, "
                "y quien los sufre tiene dónde denunciarlos."
            ),
            "value_transparency": "Publica requisitos, plazos y el estado de cada solicitud.",
            "value_participation": "Las personas usuarias participan en el diagnóstico de los trámites.",
            "value_accountability": (
                "La Contraloría Municipal informa cada trimestre de las denuncias de cobros "
                "indebidos y de lo que se hizo con ellas."
            ),
            "value_technology": "Seguimiento en línea de las solicitudes.",
            "budget": "Recursos propios de la Unidad de Transparencia y de la Contraloría Municipal.",
            "additional_info": (
                f"- {ODS_16} También la meta 16.5 (reducir la corrupción y el soborno).\n"
                "- Este compromiso pasó por la consulta pública de julio de 2021; el informe de la "
                "consulta muestra cada comentario y su respuesta."
            ),
        },
        # The draft put to consultation (version 1) differed in these fields and milestones.
        "draft_fields": {
            "objective": (
                "Simplificar los trámites más solicitados del municipio y ofrecer seguimiento en "
                "línea de cada solicitud."
            ),
            "description": (
                "- Diagnóstico de los 20 trámites más solicitados con las personas usuarias.\n"
                "- Eliminación de requisitos duplicados.\n"
                "- Catálogo de trámites simplificados y seguimiento en línea de cada solicitud."
            ),
            "value_accountability": "",
        },
        "draft_deliverables": {2: "Catálogo de trámites simplificados publicado en el portal municipal"},
        "draft_milestone_count": 3,
        "milestones": [
            ("Diagnóstico de los 20 trámites más solicitados con las personas usuarias", UTIM,
             date(2021, 8, 16), date(2021, 11, 12),
             "Diagnóstico publicado con el mapa de pasos de cada trámite", C, date(2021, 11, 10)),
            ("Simplificación de trámites y eliminación de requisitos duplicados",
             f"{UTIM} y {SECRETARIA_MUNICIPAL}", date(2021, 11, 16), date(2022, 4, 29),
             "Acuerdo de simplificación publicado en la Gaceta Municipal", C, date(2022, 4, 27)),
            ("Catálogo de trámites simplificados y seguimiento en línea de las solicitudes", UTIM,
             date(2022, 3, 1), date(2022, 8, 31),
             "Catálogo de trámites simplificados publicado en el portal municipal y en formato "
             "abierto (CSV), con el tiempo de respuesta de cada trámite", C, date(2022, 8, 24)),
            ("Canal de denuncia de cobros indebidos con informe público trimestral",
             "Contraloría Municipal", date(2022, 5, 2), date(2022, 11, 30),
             "Canal en operación e informes trimestrales publicados", C, date(2022, 11, 25)),
        ],
        "notes": [
            (2, date(2022, 8, 24), C,
             "Catálogo publicado con 20 trámites y su tiempo de respuesta; el archivo CSV se "
             "actualiza cada mes.", [PORTALS["municipio"], PORTALS["datos"]]),
            (3, date(2022, 11, 25), C,
             "Se publicó el segundo informe trimestral de denuncias de cobros indebidos.",
             [PORTALS["pnt"]]),
        ],
    },
    ("municipio-durango", 6): {
        "starts_on": date(2021, 8, 16), "ends_on": date(2022, 10, 31), "status": S.complete,
        "fields": {
            "lead_institution": UTIM,
            "responsible_official": COORDINADORA_UT,
            "official_contact": MUNICIPIO_CONTACT,
            "other_actors_government": (
                "- Dirección Municipal de Educación.\n"
                "- Dirección Municipal de Desarrollo Social."
            ),
            "other_actors_civil_society": (
                "- Asociaciones de madres y padres de familia.\n"
                "- Organizaciones estudiantiles de preparatorias y universidades."
            ),
            "problem": (
                "Las becas municipales, estatales y federales se anuncian en sitios y fechas "
                "distintos; muchas familias se enteran tarde de las convocatorias o no saben "
                "cuáles les corresponden."
            ),
            "baseline": (
                "Línea base (2021, cifras ilustrativas): información de becas repartida en al menos "
                "siete sitios; el padrón de personas beneficiarias municipales no se publica en "
                "formato abierto."
            ),
            "causes": (
                "- Cada programa publica sus convocatorias por su cuenta.\n"
                "- No existe un calendario común ni criterios explicados en lenguaje claro."
            ),
            "status_quo": "Las convocatorias se difunden en redes sociales y en las escuelas, sin un sitio único.",
            "objective": (
                "Un portal único de becas con todas las convocatorias vigentes, sus requisitos en "
                "lenguaje claro y el padrón de personas beneficiarias en datos abiertos."
            ),
            "description": (
                "1. Inventario de programas de becas disponibles en el municipio.\n"
                "2. Diseño del portal con estudiantes y familias.\n"
                "3. Portal en línea con convocatorias y padrón en datos abiertos."
            ),
            "how_it_helps": (
                "Las familias encuentran en un solo lugar las becas a las que pueden aspirar y "
                "pueden verificar a quién se otorgan."
            ),
            "value_transparency": "Publica convocatorias y padrones de personas beneficiarias en datos abiertos.",
            "value_participation": "Estudiantes y familias prueban y mejoran el diseño del portal.",
            "value_accountability": "",
            "value_technology": "Un portal único, accesible desde el teléfono.",
            "budget": "Desarrollo con personal municipal (estimación ilustrativa: 120,000 pesos).",
            "additional_info": (
                "- **ODS 4** Educación de calidad: meta 4.3 (acceso igualitario a la educación "
                "superior) y meta 4.b (becas)."
            ),
        },
        "milestones": [
            ("Inventario de programas de becas municipales, estatales y federales en el municipio",
             "Dirección Municipal de Educación", date(2021, 8, 16), date(2021, 11, 30),
             "Inventario publicado", C, date(2021, 11, 24)),
            ("Diseño del portal con estudiantes y familias (pruebas de uso)", UTIM,
             date(2021, 12, 1), date(2022, 5, 31), "Informe de las pruebas de uso", C, date(2022, 5, 27)),
            ("Portal único de becas en línea, con convocatorias y padrón en datos abiertos", UTIM,
             date(2022, 5, 2), date(2022, 10, 31),
             "Portal en línea y padrón descargable en CSV", C, date(2022, 10, 28)),
        ],
        "notes": [
            (2, date(2022, 10, 28), C, "El portal único de becas está en línea.", [PORTALS["municipio"]]),
        ],
    },
    ("gomez-palacio", 1): {
        "starts_on": date(2021, 9, 1), "ends_on": date(2022, 12, 16), "status": S.limited,
        "fields": {
            "lead_institution": GP_COORDINACION,
            "responsible_official": GP_COORDINADOR,
            "official_contact": GP_CONTACT,
            "other_actors_government": (
                "- Dirección Municipal de Servicios Públicos.\n"
                "- Dirección Municipal de Medio Ambiente.\n"
                "- Unidad de Transparencia del Municipio de Gómez Palacio."
            ),
            "other_actors_civil_society": (
                "- Representantes de la sociedad civil en el Comité Coordinador (titular y "
                "suplente).\n"
                "- Comités vecinales del poniente de la ciudad."
            ),
            "problem": (
                "En varias colonias el camión recolector pasa una vez por semana, o no pasa, y "
                "sin horario fijo; la basura se acumula en las esquinas y algunos vecinos la "
                "queman. El reglamento de servicios públicos es poco conocido."
            ),
            "baseline": (
                "Línea base (2021, cifras ilustrativas): 35 % de las colonias sin horario de "
                "recolección publicado; 60 reportes mensuales de basura acumulada en la vía "
                "pública."
            ),
            "causes": (
                "- Rutas sin planeación pública.\n"
                "- Desconocimiento del reglamento y de las sanciones.\n"
                "- Falta de educación ambiental."
            ),
            "status_quo": "Las rutas se ajustan sin aviso; los reportes vecinales no reciben respuesta pública.",
            "objective": (
                "Que cada colonia conozca sus días y horarios de recolección, que el reglamento se "
                "difunda con énfasis en la educación ambiental y que tres colonias separen su basura."
            ),
            "description": (
                "- Publicación de rutas y horarios por colonia.\n"
                "- Difusión del reglamento de servicios públicos.\n"
                "- Programa piloto de segmentación de basura en tres colonias."
            ),
            "how_it_helps": (
                "Con horarios conocidos los vecinos sacan la basura a tiempo; el reglamento "
                "difundido y la separación reducen la basura en la vía pública."
            ),
            "value_transparency": "Publica rutas y horarios de recolección por colonia.",
            "value_participation": "Los comités vecinales ayudan a difundir el reglamento y a diseñar el piloto.",
            "value_accountability": "",
            "value_technology": "",
            "budget": "Presupuesto ordinario de la Dirección Municipal de Servicios Públicos.",
            "additional_info": "- **ODS 11** meta 11.6 (gestión de los desechos municipales).",
        },
        "milestones": [
            ("Publicación de rutas y horarios de recolección por colonia",
             "Dirección Municipal de Servicios Públicos", date(2021, 9, 1), date(2021, 12, 17),
             "Rutas y horarios publicados en el portal municipal", C, date(2022, 1, 21)),
            ("Difusión del reglamento de servicios públicos con énfasis en la educación ambiental",
             "Dirección Municipal de Medio Ambiente", date(2022, 1, 10), date(2022, 7, 29),
             "Materiales de difusión y registro de pláticas en colonias y escuelas", IP, None),
            ("Programa piloto de segmentación de basura en tres colonias",
             "Dirección Municipal de Servicios Públicos", date(2022, 6, 1), date(2022, 12, 16),
             "Informe del piloto", NS, None),
        ],
        "notes": [
            (0, date(2022, 1, 21), C,
             "Se publicaron las rutas y los horarios de todas las colonias, un mes después de lo "
             "previsto.", [PORTALS["gomez"]]),
            (1, date(2022, 6, 30), IP,
             "Se han dado pláticas en 14 colonias; falta la difusión en escuelas.", []),
        ],
    },
    ("gomez-palacio", 2): {
        "starts_on": date(2021, 8, 16), "ends_on": date(2022, 11, 30), "status": S.substantial,
        "fields": {
            "lead_institution": GP_COORDINACION,
            "responsible_official": GP_COORDINADOR,
            "official_contact": GP_CONTACT,
            "other_actors_government": (
                "- Dirección Municipal de Salud Pública.\n"
                "- Sistema para el Desarrollo Integral de la Familia (DIF) municipal.\n"
                "- Jurisdicción sanitaria de la Secretaría de Salud del Estado."
            ),
            "other_actors_civil_society": (
                "- Organizaciones de atención psicológica y grupos de apoyo.\n"
                "- Facultades de psicología de las universidades de la región."
            ),
            "problem": (
                "El suicidio es una causa creciente de muerte entre jóvenes del municipio; las "
                "familias y las escuelas no saben a dónde acudir ni cómo actuar ante señales de "
                "riesgo."
            ),
            "baseline": (
                "Línea base (2021, cifras ilustrativas): no existe un protocolo municipal de "
                "prevención; sólo dos servicios públicos de atención psicológica gratuita; ningún "
                "directorio público de servicios."
            ),
            "causes": (
                "- Estigma sobre la salud mental.\n"
                "- Servicios dispersos y poco conocidos.\n"
                "- Falta de personas capacitadas en primeros auxilios psicológicos."
            ),
            "status_quo": "Cada institución atiende por su cuenta, sin protocolo ni canalización entre ellas.",
            "objective": (
                "Una red de apoyo y un protocolo municipal de prevención del suicidio, construidos "
                "con la sociedad, con personas capacitadas y servicios conocidos por todos."
            ),
            "description": (
                "1. Protocolo de prevención, atención y posvención.\n"
                "2. Red de apoyo con organizaciones, escuelas y centros de salud.\n"
                "3. Capacitación en primeros auxilios psicológicos.\n"
                "4. Directorio público de servicios y línea de ayuda."
            ),
            "how_it_helps": (
                "Las personas en riesgo y sus familias saben a quién acudir, y quien las atiende "
                "sabe cómo actuar y a dónde canalizarlas."
            ),
            "value_transparency": "Publica el protocolo y un directorio de servicios de atención.",
            "value_participation": "Organizaciones y universidades construyen el protocolo y la red.",
            "value_accountability": "",
            "value_technology": "",
            "budget": "Recursos de la Dirección Municipal de Salud Pública y del DIF municipal.",
            "additional_info": (
                "- **ODS 3** Salud y bienestar: meta 3.4 (promover la salud mental) y su indicador "
                "3.4.2 (tasa de mortalidad por suicidio)."
            ),
        },
        "milestones": [
            ("Protocolo municipal de prevención, atención y posvención del suicidio",
             "Dirección Municipal de Salud Pública", date(2021, 8, 16), date(2021, 12, 15),
             "Protocolo aprobado y publicado", C, date(2021, 12, 13)),
            ("Red de apoyo con organizaciones, escuelas y centros de salud", GP_COORDINACION,
             date(2021, 11, 1), date(2022, 4, 29), "Convenios de la red firmados", C, date(2022, 4, 25)),
            ("Capacitación en primeros auxilios psicológicos a 300 personas",
             "DIF municipal y universidades", date(2022, 2, 1), date(2022, 9, 30),
             "Registro de 300 personas capacitadas", C, date(2022, 10, 14)),
            ("Directorio público de servicios de atención y línea de ayuda",
             "Dirección Municipal de Salud Pública", date(2022, 6, 1), date(2022, 11, 30),
             "Directorio publicado y línea de ayuda en operación", IP, None),
        ],
        "notes": [
            (2, date(2022, 10, 14), C, "Se capacitó a 318 personas en ocho sesiones.", [PORTALS["gomez"]]),
            (3, date(2022, 11, 25), IP,
             "El directorio está listo; la línea de ayuda espera la contratación de personal.", []),
        ],
    },
    ("tepehuanes", 1): {
        "starts_on": date(2021, 9, 1), "ends_on": date(2022, 12, 15), "status": S.not_started,
        "fields": {
            "lead_institution": "Contraloría Municipal de Tepehuanes",
            "responsible_official": (
                "Catalino Valtierra Salgado, Contralor Municipal del Municipio de Tepehuanes"
            ),
            "official_contact": "unidad.transparencia@tepehuanes.gob.mx",
            "other_actors_government": (
                "- Dirección de Obras Públicas del Municipio de Tepehuanes.\n"
                "- Dirección de Seguridad Pública y Vialidad.\n"
                "- Unidad de Transparencia del Municipio de Tepehuanes."
            ),
            "other_actors_civil_society": (
                "- Representantes de la sociedad civil en el Comité Coordinador (titular y "
                "suplente).\n"
                "- Comités de madres y padres de familia de las escuelas cercanas a cruceros."
            ),
            "problem": (
                "Las calles y los cruceros de la cabecera municipal carecen de señales "
                "preventivas, restrictivas e informativas; los accidentes y los riesgos para "
                "peatones, en especial niñas y niños en horario escolar, son frecuentes."
            ),
            "baseline": (
                "Línea base (2021, cifras ilustrativas): 23 cruceros sin señalización; 40 "
                "percances viales registrados al año en la cabecera."
            ),
            "causes": (
                "- No hay un inventario de la señalética existente ni de los puntos de riesgo.\n"
                "- La compra de señales no se planea ni se licita de forma abierta."
            ),
            "status_quo": "Las señales se colocan a petición, sin diagnóstico ni registro público.",
            "objective": (
                "Señalizar los cruceros y tramos de mayor riesgo con un diagnóstico participativo, "
                "una compra abierta y un padrón público de las señales instaladas."
            ),
            "description": (
                "- Diagnóstico participativo de cruceros y tramos de riesgo.\n"
                "- Licitación pública de la señalética.\n"
                "- Instalación y padrón público de señales."
            ),
            "how_it_helps": (
                "La señalización donde más se necesita reduce los riesgos; la compra abierta y el "
                "padrón permiten vigilar que se instale lo que se pagó."
            ),
            "value_transparency": "Publica el diagnóstico, la licitación y el padrón de señales.",
            "value_participation": "Vecinos y comités escolares identifican los puntos de riesgo.",
            "value_accountability": "La Contraloría Municipal verifica la instalación frente a lo contratado.",
            "value_technology": "",
            "budget": "Fondo municipal de obra pública (cifra ilustrativa: 450,000 pesos).",
            "additional_info": (
                "- **ODS 3** meta 3.6 (reducir las muertes y lesiones por accidentes de tránsito).\n"
                "- **ODS 11** meta 11.2 (sistemas de transporte seguros)."
            ),
        },
        "milestones": [
            ("Diagnóstico participativo de cruceros y tramos de riesgo vial",
             "Dirección de Seguridad Pública y Vialidad", date(2021, 9, 1), date(2021, 12, 15),
             "Diagnóstico publicado con el mapa de puntos de riesgo", NS, None),
            ("Licitación pública y contratación de la señalética",
             "Dirección de Obras Públicas", date(2022, 2, 1), date(2022, 6, 30),
             "Convocatoria, fallo y contrato publicados", NS, None),
            ("Instalación de la señalética y padrón público de señales instaladas",
             "Dirección de Obras Públicas y Contraloría Municipal", date(2022, 7, 1),
             date(2022, 12, 15), "Padrón publicado y acta de verificación de la Contraloría", NS, None),
        ],
        "notes": [
            (0, date(2022, 3, 15), NS,
             "El diagnóstico no ha comenzado: los recursos previstos se destinaron a atender "
             "daños por lluvias. El comité acordó reprogramarlo.", []),
        ],
    },
}

# The consultation on ("municipio-durango", 5): comments by section and their answers.
# (author, section, day of July 2021 and local time, body, outcome, reason)
# section: None (the draft as a whole), a TEXT_SECTIONS key, or ("milestone", index).
CONSULTATION = {
    "commitment": ("municipio-durango", 5),
    "opens": (5, "09:00"),
    "closes": (23, "23:59"),
    "answered": (27, "13:00"),
    "comments": [
        (CITIZEN, "objective", (6, "20:15"),
         "El objetivo no dice cuánto se van a simplificar los trámites. ¿Podrían poner una meta "
         "que se pueda medir al terminar el plan?",
         ConsultationOutcome.incorporated,
         "Se incorporó una meta medible: reducir en 30 % las visitas a ventanilla de los 20 "
         "trámites más solicitados."),
        (ORGANISATION, ("milestone", 2), (9, "11:40"),
         "Pedimos que el catálogo de trámites simplificados se publique también en datos "
         "abiertos, no sólo como página del portal.",
         ConsultationOutcome.partially_incorporated,
         "El catálogo y los tiempos de respuesta se publicarán también en formato abierto (CSV). "
         "Los expedientes de cada solicitud no se publican porque contienen datos personales."),
        (ORGANISATION, "description", (12, "10:05"),
         "Sugerimos un canal para denunciar cobros indebidos, con respuesta pública: sin él, el "
         "compromiso no ataca la corrupción que menciona su título.",
         ConsultationOutcome.incorporated,
         "Se agregó un canal de denuncia de cobros indebidos a cargo de la Contraloría Municipal, "
         "con informes trimestrales, como acción y como nuevo hito."),
        (CITIZEN, None, (15, "19:30"),
         "Estaría muy bien que también se pudieran pagar los derechos en línea.",
         ConsultationOutcome.not_incorporated,
         "El pago en línea depende de la Tesorería Municipal y de convenios bancarios que no "
         "caben en el periodo del plan; la propuesta se turnó a la Tesorería."),
    ],
}

# The three versions of the consulted commitment: (number, state, day, reason).
CONSULTED_VERSIONS = [
    (1, CommitmentState.draft, datetime(2021, 6, 28, 12, 0),
     "Primer borrador a partir de las mesas de diálogo del comité, para la consulta pública."),
    (2, CommitmentState.draft, datetime(2021, 7, 28, 17, 30),
     "Se incorporan los comentarios de la consulta pública: meta medible en el objetivo, catálogo "
     "en formato abierto y canal de denuncia de cobros indebidos (nuevo hito)."),
    (3, CommitmentState.published, datetime(2021, 8, 1, 10, 0), PUBLICATION_REASON),
]

# Who follows what: (email, commitment key, local moment).
FOLLOWS = [
    (CITIZEN, ("municipio-durango", 5), datetime(2021, 7, 6, 20, 20)),
    (ORGANISATION, ("municipio-durango", 5), datetime(2021, 7, 9, 11, 45)),
    (ORGANISATION, ("poder-ejecutivo", 1), datetime(2021, 8, 2, 9, 0)),
]


def _utc(local: datetime) -> datetime:
    return local.replace(tzinfo=DURANGO_TZ).astimezone(UTC)


def _july(day_time: tuple[int, str]) -> datetime:
    day, hhmm = day_time
    hours, minutes = (int(p) for p in hhmm.split(":"))
    return _utc(datetime(2021, 7, day, hours, minutes))


def _evening(day: date) -> datetime:
    return _utc(datetime.combine(day, time(18, 0)))


def _users() -> dict[str, User | None]:
    emails = (FACILITATOR, GUARANTOR, CITIZEN, ORGANISATION)
    found = {u.email: u for u in db.session.scalars(sa.select(User).where(User.email.in_(emails)))}
    return {email: found.get(email) for email in emails}


def _milestone_rows(spec: dict, count: int | None = None, deliverables: dict | None = None) -> list[dict]:
    rows = []
    for index, (description, responsible, starts, ends, deliverable, _status, _done) in enumerate(
            spec["milestones"][:count]):
        rows.append({"description": description, "responsible": responsible, "starts_on": starts,
                     "ends_on": ends, "deliverable": (deliverables or {}).get(index, deliverable)})
    return rows


def _draft(actor, committee: Committee, theme_id: int, title: str, spec: dict) -> Commitment:
    consulted = "draft_fields" in spec
    fields = {**spec["fields"], **(spec["draft_fields"] if consulted else {})}
    return create_draft(actor, committee, {
        **fields, "title": title, "theme_id": theme_id, "starts_on": spec["starts_on"],
        "ends_on": spec["ends_on"]}, sources(committee, theme_id), milestones=_milestone_rows(
            spec, spec.get("draft_milestone_count"), spec.get("draft_deliverables")))


def _consultation(clock: Timeline, commitment: Commitment, spec: dict, users: dict,
                  follows: list[tuple[datetime, User]]) -> None:
    """The consultation of July 2021 on the draft, its comments (and the follows of their
    authors), the answers and the new text."""
    facilitator = users[FACILITATOR]
    clock.at(_utc(datetime(2021, 7, 1, 10, 0)))
    open_consultation(facilitator, commitment, _july(CONSULTATION["opens"]), _july(CONSULTATION["closes"]))
    milestones = list(commitment.milestones)
    comments = []
    acts = [(_july(when), email, section, body, outcome, reason)
            for email, section, when, body, outcome, reason in CONSULTATION["comments"]]
    acts += [(moment, user, None, None, None, None) for moment, user in follows]
    for moment, who, section, body, outcome, reason in sorted(acts, key=lambda act: act[0]):
        clock.at(moment)
        if body is None:
            follow(who, "commitment", commitment.id)
            continue
        if isinstance(section, tuple):
            section = f"milestone-{milestones[section[1]].id}"
        comments.append((comment_on_draft(users[who], commitment, body, section), outcome, reason))
    clock.at(_july(CONSULTATION["answered"]))
    for comment, outcome, reason in comments:
        answer_comment(facilitator, comment, outcome, reason)
    clock.at(_utc(CONSULTED_VERSIONS[1][2]))
    rows = _milestone_rows(spec)
    for row, milestone in zip(rows, milestones, strict=False):
        row["id"] = milestone.id
    update_draft(facilitator, commitment, {**spec["fields"], "starts_on": spec["starts_on"],
                                           "ends_on": spec["ends_on"]}, rows, CONSULTED_VERSIONS[1][3])


def _progress_events(commitment: Commitment, spec: dict, actor) -> list[tuple]:
    """(moment, act) for every progress note of the commitment, then the note that brings each
    milestone to its final status when the notes did not."""
    milestones = list(commitment.milestones)
    events, last = [], {}
    for index, noted_on, status, text, urls in spec["notes"]:
        events.append((_evening(noted_on), report_progress, actor, milestones[index], status.value,
                       text, noted_on, urls))
        last[index] = (noted_on, status)
    for index, (_d, _r, starts, _e, _del, status, done) in enumerate(spec["milestones"]):
        if status == MilestoneStatus.not_started or last.get(index, (None, None))[1] == status:
            continue
        noted_on = done or max(starts, last.get(index, (starts,))[0])
        text = ("Hito concluido: el entregable está disponible." if status == MilestoneStatus.complete
                else "El trabajo del hito está en curso.")
        events.append((_evening(noted_on) + timedelta(minutes=30), report_progress, actor,
                       milestones[index], status.value, text, noted_on, []))
    return events


def load_commitments(plan: ActionPlan) -> str:
    """Tell the ten commitments' story once (July 2021 – December 2022); returns a summary."""
    if db.session.scalar(sa.select(sa.exists().where(Commitment.plan_id == plan.id))):
        return _summary(plan)
    committees = {c.slug: c for c in db.session.scalars(sa.select(Committee).filter_by(plan_id=plan.id))}
    themes = {t.slug: t.id for t in db.session.scalars(sa.select(Theme).filter_by(plan_id=plan.id))}
    titles = {(c["slug"], number): (theme, title) for c in durango.COMMITTEES
              for number, (theme, title) in enumerate(c["commitments"], start=1)}
    users = _users()
    actors = {slug: users[FACILITATOR] if slug == "municipio-durango" else users[GUARANTOR]
              for slug in committees}
    clock = Timeline(_utc(CONSULTED_VERSIONS[0][2]))
    drafted: dict[tuple[str, int], Commitment] = {}
    with clock.running():
        consulted = CONSULTATION["commitment"]
        for key, spec in COMMITMENTS.items():
            clock.at(_utc(CONSULTED_VERSIONS[0][2] if key == consulted else datetime(2021, 6, 30, 12)))
            theme, title = titles[key]
            drafted[key] = _draft(actors[key[0]], committees[key[0]], themes[theme], title, spec)
        follows = sorted(FOLLOWS, key=lambda f: f[2])
        _consultation(clock, drafted[consulted], COMMITMENTS[consulted], users,
                      [(_utc(local), users[email]) for email, key, local in follows
                       if key == consulted and local < datetime(2021, 8, 1)])
        clock.at(_utc(CONSULTED_VERSIONS[2][2]))
        for key, commitment in drafted.items():
            publish_commitment(actors[key[0]], commitment, PUBLICATION_REASON)
        for email, key, local in follows:
            if local >= datetime(2021, 8, 1):
                clock.at(_utc(local))
                follow(users[email], "commitment", drafted[key].id)
        events = [event for key, commitment in drafted.items()
                  for event in _progress_events(commitment, COMMITMENTS[key], actors[key[0]])]
        for moment, act, *args in sorted(events, key=lambda e: e[0]):
            clock.at(moment)
            act(*args)
        clock.at(_utc(datetime(2022, 12, 31, 12)))
        for key, commitment in drafted.items():
            set_implementation_status(actors[key[0]], commitment, COMMITMENTS[key]["status"].value,
                                      "Estado del compromiso al cierre de la fase de implementación.")
        _evaluation(clock, committees["municipio-durango"], drafted, actors["municipio-durango"])
    db.session.commit()
    return _summary(plan)


def _evaluation(clock: Timeline, committee: Committee, drafted: dict, facilitator: User) -> None:
    """The evaluation phase (February 2023) of the Municipio de Durango's commitments: the titular
    elected in 2021 gives an opinion on each, then the facilitator records the self-assessment."""
    titular = db.session.scalars(sa.select(User).join(CommitteeMember, CommitteeMember.user_id == User.id)
                                 .where(CommitteeMember.committee_id == committee.id,
                                        CommitteeMember.kind == MemberKind.cs_titular,
                                        CommitteeMember.term_end.is_(None))).first()
    keys = sorted(key for key in drafted if key[0] == committee.slug)
    for day, key in enumerate(keys):
        status = COMMITMENTS[key]["status"].value
        clock.at(_utc(datetime(2023, 2, 6 + day, 11)))
        if titular is not None:
            give_opinion(titular, drafted[key], {
                "completion": status,
                "text": "La sociedad civil revisó los reportes y la evidencia publicada: el avance "
                        "coincide con lo reportado, aunque faltó difundirlo entre las colonias."})
        clock.at(_utc(datetime(2023, 2, 20 + day, 12)))
        record_assessment(facilitator, drafted[key], {
            "completion": status, "opened_government": "marginal" if status != "complete" else "major",
            "evidence": "Reportes de avance publicados, confirmados por la sociedad civil; actas de las "
                        "sesiones del comité; datos abiertos del compromiso."})


def _summary(plan: ActionPlan) -> str:
    ids = sa.select(Commitment.id).where(Commitment.plan_id == plan.id)
    milestones = db.session.scalar(
        sa.select(sa.func.count(Milestone.id)).where(Milestone.commitment_id.in_(ids))
    )
    consultations = db.session.scalar(
        sa.select(sa.func.count(Consultation.id)).where(Consultation.commitment_id.in_(ids))
    )
    return f"{milestones} milestones, {consultations} consultation"
