"""The demo's participation in the Durango plan: problems, supports, comments, two dialogue tables
and some moderation history, all told through the services.

How the story is told
- Every act goes through the service a person would use (create_proposal, support_proposal,
  post_comment, change_state, answer_proposal, merge_proposal, report_content, hide_content,
  dismiss_reports, create_table, register, add_to_agenda, record_attendance, publish_minutes), so
  permissions, counters, audit entries and notifications are exactly those of real use.
- The story spans six weeks: the last ones for the current plan (ending yesterday), March and
  April 2021 for the archived Third Plan. While it is told, the application's one clock
  (`app.core.clock.now`, which every service and every `default=` of the models reads) shows a
  simulated time that advances from one act to the next. So every row, audit entry and
  notification carries a coherent date, and every time rule is checked as in real use: a table is
  created before it starts, registration closes at its deadline, attendance and minutes come after
  the table began, the comment and report rate limits hold. Nothing is backdated afterwards by
  editing rows (the audit log stays append-only). The real clock is back when the story ends, also
  on error. For the current plan the story ends yesterday and the second dialogue table starts in a week.
- Idempotent: nothing is told when the plan already has proposals (a story that failed halfway is
  not completed on the next run; empty the database and load again).
- Mail: the notifications queue mail to example.org addresses in the outbox; nothing is sent here.

The residents are invented people; the only real names in the demo are the public officials of
the seed (app/demo/durango.py). The four demo accounts of app/demo/loader.py take part too.
"""
from collections.abc import Callable
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import sqlalchemy as sa
from flask import current_app

from app.accounts.models import User
from app.comments.models import Comment
from app.comments.services import post_comment
from app.demo import people
from app.demo.locations import proposal_location
from app.dialogues import queries as table_queries
from app.dialogues.models import DialogueTable
from app.dialogues.services import (
    add_to_agenda,
    create_table,
    publish_minutes,
    record_attendance,
    register,
)
from app.extensions import db
from app.moderation.services import dismiss_reports, hide_content, report_content
from app.plans.models import ActionPlan, Committee, Theme
from app.proposals.models import Proposal, Support
from app.proposals.services import (
    answer_proposal,
    change_state,
    create_proposal,
    merge_proposal,
    support_proposal,
)

# The story starts this many days before today and ends yesterday (day STORY_DAYS - 1).
STORY_DAYS = 40

RESIDENTS = [
    ("maria", "maria.soto@example.org", "María Guadalupe Soto Ramírez", "Durango"),
    ("joseluis", "jl.chairez@example.org", "José Luis Cháirez Fernández", "Durango"),
    ("roberto", "roberto.nevarez@example.org", "Roberto Nevárez Herrera", "Durango"),
    ("patricia", "patricia.alvarado@example.org", "Patricia Alvarado Meraz", "Durango"),
    ("anakaren", "anakaren.reyes@example.org", "Ana Karen Reyes Quiñones", "Gómez Palacio"),
    ("diana", "diana.galindo@example.org", "Diana Berenice Galindo Salas", "Gómez Palacio"),
    ("francisco", "fj.renteria@example.org", "Francisco Javier Rentería Ontiveros", "Tepehuanes"),
    # The account whose advertising the residents report.
    ("spam", "promociones.prestamos@example.org", "Préstamos Rápidos Sin Buró", "Durango"),
]

# The demo accounts of app/demo/loader.py, by their part in the story.
DEMO_CAST = {
    "lucia": "ciudadana@example.org",
    "observatorio": "organizacion@example.org",
    "facilitador": "facilitador@example.org",
    "garante": "organo.garante@example.org",
}

# ------------------------------------------------------------------ proposals
# key: author, committee slug, theme slug, place, (day, local time), title, body (Markdown)

PROPOSALS = {
    "alumbrado-sur": (
        "lucia", "municipio-durango", "seguridad-publica",
        "Colonias del sur de la ciudad (Valle del Sur, Huizache)", (1, "09:40"),
        "Alumbrado público insuficiente y sensación de inseguridad en las colonias del sur",
        "En varias colonias del sur de la ciudad, al menos una de cada tres luminarias está "
        "fundida o apagada. A partir de las siete de la noche las calles quedan a oscuras y "
        "**las y los estudiantes que regresan de la preparatoria caminan sin luz** por tramos "
        "largos. En los últimos meses los vecinos hemos sabido de varios asaltos en esas calles.\n\n"
        "Los reportes a la línea de atención ciudadana se registran, pero no sabemos si se "
        "atienden ni cuándo.\n\n"
        "**Lo que proponemos:**\n\n"
        "- Un mapa público, en datos abiertos, de las luminarias reportadas y reparadas.\n"
        "- Un calendario de reparación por colonia.\n"
        "- Recorridos nocturnos de revisión con los comités de vecinos y Seguridad Pública.",
    ),
    "separacion-residuos": (
        "observatorio", "municipio-durango", "medio-ambiente", "Toda la ciudad de Durango",
        (2, "10:05"),
        "Separación de residuos: no hay rutas ni horarios para recolectar la basura por separado",
        "Cada vez más familias separan en casa los residuos orgánicos, los reciclables y los "
        "sanitarios, pero el camión recolector **los vuelve a mezclar**. Sin rutas ni horarios "
        "diferenciados, la separación se desanima y el relleno sanitario recibe residuos que "
        "podrían aprovecharse.\n\n"
        "Proponemos:\n\n"
        "1. Rutas piloto de recolección diferenciada, con días distintos para orgánicos y "
        "reciclables.\n"
        "2. Centros de acopio de reciclables en mercados y unidades deportivas.\n"
        "3. Una campaña en escuelas y colonias sobre cómo separar.\n"
        "4. Publicar cada mes, en datos abiertos, las toneladas recolectadas por tipo de residuo.",
    ),
    "unidades-deportivas": (
        "joseluis", "municipio-durango", "espacios-publicos", "Colonias del oriente de la ciudad",
        (2, "19:30"),
        "Unidades deportivas abandonadas en el oriente de la ciudad: canchas sin luz y juegos rotos",
        "Las unidades deportivas del oriente de la ciudad tienen las canchas sin iluminación, "
        "las mallas rotas, los baños cerrados y juegos infantiles dañados. Las ligas infantiles "
        "ya no pueden entrenar entre semana y las familias dejan de ir al oscurecer.\n\n"
        "Pedimos un **diagnóstico participativo** de cada unidad con quienes la usan, un comité "
        "de usuarios que ayude a cuidar horarios y mantenimiento, y que se publique el "
        "presupuesto de mantenimiento asignado a cada unidad deportiva.",
    ),
    "luminarias-huizache": (
        "maria", "municipio-durango", "seguridad-publica", "Colonia Huizache II", (3, "18:20"),
        "Luminarias fundidas desde hace meses en la colonia Huizache II",
        "Desde hace casi cuatro meses están apagadas las luminarias de varias calles de la "
        "colonia. Hemos hecho reportes por teléfono y en persona, pero nadie nos dice cuándo se "
        "van a reparar. Las personas mayores ya no salen después de las siete de la noche.\n\n"
        "Pedimos que se reparen y que se informe a los vecinos la fecha de la reparación.",
    ),
    "basura-gomez": (
        "anakaren", "gomez-palacio", "servicios-publicos",
        "Colonias del poniente de Gómez Palacio", (3, "08:50"),
        "Recolección de basura irregular en Gómez Palacio: el camión pasa una vez por semana o no pasa",
        "En varias colonias del poniente el camión recolector pasa una vez por semana, a veces "
        "ninguna, y sin horario fijo. La basura se acumula en las esquinas, atrae fauna nociva y "
        "algunos vecinos terminan quemándola.\n\n"
        "Proponemos **publicar las rutas y los horarios de recolección por colonia**, avisar "
        "cuando una ruta no pueda cubrirse y abrir un canal para reportar las rutas no atendidas.",
    ),
    "tramites-licencias": (
        "roberto", "municipio-durango", "reactivacion-economia", "Centro Histórico", (4, "12:10"),
        "Licencias de funcionamiento: trámites lentos y requisitos que cambian según la ventanilla",
        "Para abrir un negocio pequeño, la licencia de funcionamiento puede tardar meses. Los "
        "requisitos cambian según la ventanilla o la persona que atiende, y no hay forma de "
        "saber en qué etapa va el trámite.\n\n"
        "Proponemos un **catálogo único de trámites** con requisitos, costos y plazos máximos "
        "de respuesta, y un número de seguimiento para consultar el avance en línea.",
    ),
    "suicidio-jovenes": (
        "diana", "gomez-palacio", "salud-mental", "Gómez Palacio", (4, "22:10"),
        "Prevención del suicidio en jóvenes: no hay a dónde acudir en una crisis fuera del horario "
        "de oficina",
        "Cuando una o un joven atraviesa una crisis emocional, las familias y el personal de las "
        "escuelas no saben a dónde acudir, sobre todo de noche y en fines de semana. Los "
        "servicios existentes están dispersos y poco difundidos.\n\n"
        "Proponemos:\n\n"
        "- Una red de apoyo entre salud, educación y organizaciones de la sociedad civil.\n"
        "- Un protocolo de atención y canalización en secundarias y preparatorias.\n"
        "- Capacitación básica para docentes y orientadores.\n"
        "- Un directorio público y actualizado de servicios, con horarios y costos.",
    ),
    "portal-becas": (
        "patricia", "municipio-durango", "educacion", None, (5, "21:00"),
        "Un solo portal para conocer y solicitar las becas municipales, estatales y federales",
        "La información sobre becas está dispersa en páginas y redes sociales de distintas "
        "dependencias. Muchas familias se enteran de las convocatorias cuando ya cerraron.\n\n"
        "Proponemos un portal único con el calendario de convocatorias, los requisitos y "
        "documentos de cada beca, avisos por correo y la publicación del padrón de personas "
        "beneficiarias en datos abiertos, protegiendo sus datos personales.",
    ),
    "senaletica-tepehuanes": (
        "francisco", "tepehuanes", "obra-publica", "Carretera de acceso y centro de Tepehuanes",
        (5, "11:00"),
        "Falta de señalética vial en la carretera de acceso y en el centro de Tepehuanes",
        "En las curvas de la carretera de acceso a la cabecera municipal no hay señales de "
        "velocidad ni de curva peligrosa, y en el centro faltan señales de alto, de sentido de "
        "circulación y de cruce peatonal. Han ocurrido accidentes que podrían evitarse.\n\n"
        "Pedimos un diagnóstico de los tramos y cruces más peligrosos y un programa de "
        "**señalética preventiva, restrictiva e informativa**, con la participación de los "
        "vecinos para priorizar.",
    ),
    "multas-transito": (
        "patricia", "municipio-durango", "transparencia", None, (6, "16:00"),
        "Publicar en datos abiertos cuánto se recauda por multas de tránsito y en qué se gasta",
        "No existe información pública y actualizada sobre cuántas multas de tránsito se "
        "imponen, cuánto se recauda y a qué se destina ese dinero.\n\n"
        "Proponemos publicar cada mes, en datos abiertos, el número de infracciones por tipo, "
        "el monto recaudado y su destino en el presupuesto.",
    ),
    "obra-datos-abiertos": (
        "observatorio", "poder-ejecutivo", "obra-publica", "Estado de Durango", (7, "10:30"),
        "Transparencia de la obra pública estatal en datos abiertos: contratos, avances y costos "
        "por obra",
        "La información de la obra pública estatal se publica en documentos escaneados y "
        "dispersos, lo que impide saber cuánto cuesta cada obra, quién la construye y cuánto "
        "lleva de avance.\n\n"
        "Proponemos publicar **en datos abiertos**, para cada obra: el procedimiento de "
        "contratación, el contrato y sus modificaciones, el avance físico y financiero, fotos "
        "fechadas y su ubicación en un mapa.",
    ),
    "tiraderos-canales": (
        "diana", "gomez-palacio", "medio-ambiente", "Lotes baldíos y canales de riego",
        (8, "17:35"),
        "Tiraderos clandestinos de basura en lotes baldíos y junto a los canales de riego",
        "En lotes baldíos y a la orilla de los canales de riego se acumulan escombro, llantas y "
        "basura doméstica. Además del mal olor y la fauna nociva, la basura llega al agua que "
        "se usa para riego.\n\n"
        "Proponemos ubicar los tiraderos en un mapa público, limpiarlos con un calendario y "
        "vigilar los puntos donde más se tira basura.",
    ),
    "bache-colonia": (
        "roberto", "municipio-durango", "servicios-publicos", "Colonia Guillermina", (8, "20:45"),
        "Bache en mi calle que lleva semanas sin reparar y ya dañó varios carros",
        "En mi calle hay un bache muy grande desde hace semanas. Ya dañó las llantas de varios "
        "carros y cuando llueve no se ve. Pido que lo reparen lo antes posible.",
    ),
    "cruces-escuelas": (
        "francisco", "tepehuanes", "seguridad-publica", "Centro de Tepehuanes", (9, "13:15"),
        "Cruces peatonales seguros y reductores de velocidad frente a las escuelas de Tepehuanes",
        "A la entrada y salida de clases, niñas y niños cruzan calles donde los vehículos pasan "
        "a alta velocidad. No hay cruces pintados ni reductores de velocidad.\n\n"
        "Pedimos cruces peatonales señalizados, reductores de velocidad y apoyo vial en los "
        "horarios escolares.",
    ),
    "parque-guadiana": (
        "patricia", "municipio-durango", "medio-ambiente", "Parque Guadiana", (31, "10:20"),
        "Falta mantenimiento y contenedores de basura en el Parque Guadiana",
        "Los fines de semana el Parque Guadiana recibe a miles de familias, pero los contenedores "
        "se llenan desde temprano y los andadores tienen ramas caídas desde la última tormenta.\n\n"
        "Pedimos un calendario público de mantenimiento y de recolección en el parque.",
    ),
    "agua-tepehuanes": (
        "francisco", "tepehuanes", "servicios-publicos", "Cabecera municipal de Tepehuanes",
        (35, "09:15"),
        "Cortes de agua sin aviso en la cabecera municipal de Tepehuanes",
        "Desde hace semanas el agua se corta varias horas sin aviso. Las familias no saben cuándo "
        "llenar sus tinacos ni cuándo pasa la pipa.\n\n"
        "Proponemos avisos públicos de los cortes y un calendario del reparto de agua en pipas.",
    ),
}

# Who supports each proposal, in order; each support comes a few hours after the one before.
SUPPORTS = {
    "alumbrado-sur": ["maria", "roberto", "joseluis", "patricia", "observatorio"],
    "separacion-residuos": ["lucia", "maria", "patricia", "anakaren"],
    "unidades-deportivas": ["lucia", "roberto", "patricia", "observatorio"],
    "luminarias-huizache": ["joseluis", "roberto"],
    "basura-gomez": ["diana", "observatorio"],
    "tramites-licencias": ["observatorio", "joseluis"],
    "suicidio-jovenes": ["anakaren", "lucia", "observatorio", "patricia"],
    "portal-becas": ["lucia", "maria", "diana"],
    "senaletica-tepehuanes": ["joseluis", "observatorio"],
    "multas-transito": ["roberto", "observatorio", "joseluis"],
    "obra-datos-abiertos": ["lucia", "roberto", "joseluis", "patricia", "francisco"],
    "tiraderos-canales": ["anakaren"],
    "bache-colonia": [],
    "cruces-escuelas": ["maria"],
    "parque-guadiana": ["maria", "lucia", "roberto"],
    "agua-tepehuanes": ["observatorio", "anakaren"],
}
SUPPORT_INTERVAL = timedelta(hours=3, minutes=20)

# ------------------------------------------------------------------ comments
# key: proposal, author, (day, local time), the comment it answers (or None), body

COMMENTS = {
    "alumbrado-1": (
        "alumbrado-sur", "roberto", (1, "20:15"), None,
        "En mi colonia pasa lo mismo. Sugiero que el mapa muestre también **cuántos días** tarda "
        "cada reparación; así sabremos si de verdad mejora el servicio.",
    ),
    "alumbrado-2": (
        "alumbrado-sur", "lucia", (2, "08:30"), "alumbrado-1",
        "Gracias, Roberto. Lo llevo a la mesa de diálogo: el tiempo de atención es justo lo que "
        "hoy no podemos ver.",
    ),
    "alumbrado-3": (
        "alumbrado-sur", "observatorio", (2, "12:00"), None,
        "Desde el Observatorio podemos apoyar con un levantamiento ciudadano de luminarias con un "
        "formulario abierto. Compartiremos la metodología en la mesa.",
    ),
    "residuos-1": (
        "separacion-residuos", "maria", (3, "11:40"), None,
        "En mi casa separamos los orgánicos desde hace un año, pero el camión lo revuelve todo. "
        "¿Se podría empezar con contenedores diferenciados en los mercados?",
    ),
    "residuos-2": (
        "separacion-residuos", "observatorio", (3, "16:05"), "residuos-1",
        "Buena idea, María. Los mercados generan muchos residuos orgánicos y tienen horarios "
        "fijos: serían un buen piloto.",
    ),
    "huizache-1": (
        "luminarias-huizache", "joseluis", (4, "09:00"), None,
        "Confirmo: en la calle donde vive mi mamá hay tres luminarias seguidas apagadas. Los "
        "reportes por teléfono no han servido.",
    ),
    "deportivas-1": (
        "unidades-deportivas", "patricia", (4, "20:10"), None,
        "Los fines de semana vamos en familia a la unidad deportiva porque no hay otro espacio "
        "cerca, pero sin luz hay que irse antes de las siete.",
    ),
    "residuos-3": (
        "separacion-residuos", "facilitador", (5, "10:40"), "residuos-1",
        "Gracias a ambas. Invitaremos a la Dirección Municipal de Medio Ambiente a la mesa de "
        "diálogo para revisar las rutas y un posible piloto en mercados.",
    ),
    "deportivas-2": (
        "unidades-deportivas", "joseluis", (5, "08:15"), "deportivas-1",
        "Así es. Con un comité de usuarios podríamos ayudar a cuidar los horarios y avisar de "
        "los desperfectos.",
    ),
    "basura-1": (
        "basura-gomez", "diana", (4, "18:00"), None,
        "En nuestra calle algunos vecinos acaban quemando la basura cuando el camión no pasa, y "
        "eso también es un problema de salud.",
    ),
    "basura-2": (
        "basura-gomez", "anakaren", (5, "09:30"), "basura-1",
        "Justo eso, Diana. Si publicaran las rutas y los horarios podríamos organizarnos para "
        "sacar la basura a tiempo.",
    ),
    "suicidio-1": (
        "suicidio-jovenes", "anakaren", (5, "19:00"), None,
        "Es muy importante que el protocolo incluya a las preparatorias: muchas veces el "
        "personal docente no sabe cómo canalizar a un alumno.",
    ),
    "spam": (
        "alumbrado-sur", "spam", (6, "03:12"), None,
        "¡¡PRÉSTAMOS INMEDIATOS SIN REVISAR BURÓ!! Te depositamos hoy mismo. Escríbenos por "
        "WhatsApp y gana un bono de bienvenida. ¡Cupo limitado!",
    ),
    "suicidio-2": (
        "suicidio-jovenes", "observatorio", (6, "10:20"), "suicidio-1",
        "Coincidimos. Sugerimos además un directorio público y actualizado de servicios de "
        "atención en salud mental, con horarios y costos.",
    ),
    "tramites-1": (
        "tramites-licencias", "observatorio", (6, "13:00"), None,
        "Proponemos que el catálogo indique requisitos, costo, plazo máximo de respuesta y el "
        "fundamento legal de cada requisito. Lo que no esté en el catálogo no debería exigirse.",
    ),
    "senaletica-1": (
        "senaletica-tepehuanes", "joseluis", (6, "17:40"), None,
        "Viajo seguido por esa carretera: en las curvas antes de llegar a la cabecera no hay "
        "señales de velocidad y de noche es muy peligroso.",
    ),
    "tramites-2": (
        "tramites-licencias", "roberto", (6, "18:45"), "tramites-1",
        "De acuerdo. Y que el plazo corra desde que se entrega el expediente completo, con "
        "acuse, para poder dar seguimiento.",
    ),
    "becas-1": (
        "portal-becas", "lucia", (7, "09:20"), None,
        "Mi sobrina se enteró de la convocatoria de una beca cuando ya había cerrado. Un "
        "calendario con avisos por correo ayudaría mucho.",
    ),
    "senaletica-2": (
        "senaletica-tepehuanes", "francisco", (7, "08:05"), "senaletica-1",
        "Gracias por confirmarlo. En temporada de lluvias además se borran las pocas rayas que "
        "hay en el pavimento.",
    ),
    "becas-2": (
        "portal-becas", "patricia", (7, "13:30"), "becas-1",
        "Exacto, Lucía. Y que el portal diga qué documentos pide cada beca, para tenerlos listos "
        "con tiempo.",
    ),
    "multas-1": (
        "multas-transito", "roberto", (8, "10:00"), None,
        "Sumaría lo que se cobra por arrastre de grúa y por la pensión en los corralones, que "
        "también pagamos las y los ciudadanos.",
    ),
    "obra-1": (
        "obra-datos-abiertos", "joseluis", (8, "19:15"), None,
        "Sería muy útil que cada obra tenga fotos fechadas del avance y su ubicación en un mapa.",
    ),
    "obra-2": (
        "obra-datos-abiertos", "observatorio", (9, "09:00"), "obra-1",
        "Sí. Proponemos usar el Estándar de Datos para las Contrataciones Abiertas, para que la "
        "información se pueda comparar con la de otros estados.",
    ),
    "deportivas-critica": (
        "unidades-deportivas", "roberto", (15, "21:30"), None,
        "Llevan tres administraciones prometiendo rehabilitar estas unidades y seguimos igual. "
        "Que esta vez no sea un recorrido para la foto: queremos fechas, montos y responsables.",
    ),
    "parque-1": (
        "parque-guadiana", "maria", (32, "19:20"), None,
        "Muy de acuerdo. Los fines de semana no hay dónde tirar la basura y los contenedores "
        "se llenan desde temprano.",
    ),
    "parque-2": (
        "parque-guadiana", "patricia", (33, "08:05"), "parque-1",
        "Gracias, María. También faltan bebederos; podríamos pedirlos en la misma mesa.",
    ),
    "agua-1": (
        "agua-tepehuanes", "joseluis", (36, "12:40"), None,
        "¿Publica el municipio el calendario de reparto de pipas? Sería un buen primer paso.",
    ),
}

# ------------------------------------------------------------------ dialogue tables

# The table that is still ahead when the story ends (for the current plan, a week ahead).
UPCOMING_TABLE = "mesa-becas"

TABLES = {
    "mesa-colonias": {
        "committee": "municipio-durango",
        "created": (12, "10:00"),
        "title": "Mesa de diálogo: colonias seguras, limpias y con espacios públicos dignos",
        "objective": (
            "Dialogar con las personas autoras de las problemáticas, quienes las apoyan y las "
            "áreas del Ayuntamiento sobre **alumbrado y seguridad en colonias**, **separación "
            "de residuos** y **unidades deportivas**, para proponer qué puede formar parte de "
            "los compromisos del Comité Coordinador del Municipio de Durango."
        ),
        "theme": None,
        "starts": (26, "17:00"),
        "ends": (26, "19:30"),
        "deadline": (25, "20:00"),
        "place": "Sala de Cabildo del Palacio Municipal de Durango, Zona Centro",
        "online_url": None,
        "capacity": 30,
    },
    "mesa-becas": {
        "committee": "municipio-durango",
        "created": (33, "10:00"),
        "title": "Segunda mesa de diálogo: unidades deportivas y portal único de becas",
        "objective": (
            "Revisar el resultado del recorrido por las unidades deportivas del oriente con su "
            "comité de usuarios, y dialogar sobre el diseño de un **portal único de becas** con "
            "familias, estudiantes y las áreas de educación del Ayuntamiento."
        ),
        "theme": "educacion",
        "starts": (STORY_DAYS + 7, "17:00"),
        "ends": (STORY_DAYS + 7, "19:30"),
        "deadline": (STORY_DAYS + 5, "20:00"),
        "place": "Sala de Cabildo del Palacio Municipal de Durango, Zona Centro",
        "online_url": "https://reuniones.example.org/mesa-durango-becas",
        "capacity": 25,
    },
}

MINUTES = {
    "summary": (
        "La mesa se realizó en la Sala de Cabildo con vecinas y vecinos de las colonias del sur "
        "y del oriente, el Observatorio Ciudadano de Durango y personal de las direcciones "
        "municipales de Servicios Públicos, Seguridad Pública, Medio Ambiente y Deporte.\n\n"
        "El facilitador presentó las tres problemáticas de la agenda con sus apoyos y los "
        "comentarios recibidos en la plataforma. Cada persona autora expuso su problemática y "
        "las áreas municipales informaron la situación actual: el inventario de luminarias no "
        "está digitalizado, la recolección diferenciada no existe todavía y las unidades "
        "deportivas del oriente no tienen presupuesto de mantenimiento asignado por unidad."
    ),
    "agreements": (
        "1. Publicar en datos abiertos, en un plazo de 60 días, el inventario de luminarias de "
        "las colonias del sur con su estado y la fecha de cada reparación.\n"
        "2. Realizar recorridos nocturnos mensuales con los comités de vecinos y la Dirección "
        "Municipal de Seguridad Pública.\n"
        "3. Iniciar un piloto de recolección diferenciada en los mercados municipales y en dos "
        "colonias, con calendario público.\n"
        "4. Recorrer las unidades deportivas del oriente con su comité de usuarios antes de la "
        "siguiente mesa."
    ),
    "outcomes": {
        "alumbrado-sur": (
            "Se propone integrarla al compromiso «Prevención del delito» (acuerdos 1 y 2), "
            "incluida la colonia Huizache II de la problemática fusionada."
        ),
        "separacion-residuos": (
            "Se propone integrarla al compromiso de cultura ambiental y segmentación de desechos, "
            "con el piloto del acuerdo 3."
        ),
        "unidades-deportivas": (
            "Sigue en diálogo: se hará el recorrido del acuerdo 4 y se retomará en la siguiente mesa."
        ),
    },
}

# ------------------------------------------------------------------ facilitators' and others' acts
# ((day, local time), act, *arguments); acts are the methods of _Story below.

ACTS = [
    ((4, "10:00"), "change_state", "facilitador", "alumbrado-sur", "under_review",
     "Gracias por plantear esta problemática con tanto detalle. La revisamos con las direcciones "
     "municipales de Servicios Públicos y de Seguridad Pública para conocer el inventario de "
     "luminarias y los reportes de las colonias señaladas."),
    ((4, "10:20"), "change_state", "facilitador", "separacion-residuos", "under_review",
     "Recibida. Se relaciona con el compromiso de cultura ambiental del Comité; pedimos a la "
     "Dirección Municipal de Medio Ambiente las rutas actuales y las toneladas recolectadas."),
    ((6, "07:50"), "report", "lucia", "spam", "spam", None),
    ((6, "08:35"), "report", "roberto", "spam", "spam", None),
    ((6, "09:10"), "report", "observatorio", "spam", "spam",
     "Publicidad de préstamos; no tiene relación con la propuesta."),
    ((6, "10:30"), "hide", "facilitador", "spam",
     "Publicidad comercial sin relación con la conversación (spam)."),
    ((6, "16:00"), "change_state", "garante", "basura-gomez", "under_review",
     "La revisamos con el Comité Coordinador de Gómez Palacio y solicitamos al Ayuntamiento las "
     "rutas y frecuencias de recolección vigentes en cada colonia."),
    ((7, "11:00"), "change_state", "garante", "suicidio-jovenes", "under_review",
     "Gracias por plantearla. Es un tema prioritario del Comité de Gómez Palacio; la revisamos "
     "con las áreas municipales de salud y educación y con organizaciones especializadas."),
    ((8, "09:30"), "change_state", "garante", "senaletica-tepehuanes", "under_review",
     "La revisamos con el Ayuntamiento de Tepehuanes para identificar los tramos y cruces que "
     "requieren señalización con mayor urgencia."),
    ((9, "12:00"), "merge", "facilitador", "luminarias-huizache", "alumbrado-sur",
     "Describe el mismo problema que la problemática sobre el alumbrado de las colonias del sur, "
     "que ya incluye a la colonia Huizache. Las fusionamos para atenderlas juntas en la mesa de "
     "diálogo; los apoyos y comentarios de esta página se conservan."),
    ((10, "10:00"), "change_state", "facilitador", "bache-colonia", "not_accepted",
     "Gracias por el reporte. Un bache en una calle concreta es una solicitud de servicio que "
     "atiende directamente la Dirección Municipal de Obras Públicas, no una problemática pública "
     "para construir un compromiso del plan. Hoy lo canalizamos a la línea de atención "
     "ciudadana para su reparación. Si el problema es que los reportes de baches no se atienden "
     "en toda la colonia, le invitamos a plantearlo así y lo revisaremos."),
    ((10, "10:30"), "change_state", "facilitador", "tramites-licencias", "under_review",
     "La revisamos con la Dirección Municipal de Desarrollo Económico. Se relaciona con el "
     "compromiso de registro de trámites y servicios; pediremos el inventario actual de "
     "requisitos de la licencia de funcionamiento."),
    ((11, "12:00"), "change_state", "garante", "obra-datos-abiertos", "under_review",
     "Recibida por el Comité del Poder Ejecutivo. Se relaciona con el compromiso de "
     "transparentar las obras públicas del Gobierno del Estado; la Secretaría de la Contraloría "
     "revisará qué información de obra se publica hoy y en qué formato."),
    ((12, "10:00"), "create_table", "facilitador", "mesa-colonias"),
    ((13, "09:00"), "register", "lucia", "mesa-colonias"),
    ((13, "12:30"), "register", "observatorio", "mesa-colonias"),
    ((14, "20:00"), "register", "roberto", "mesa-colonias"),
    ((15, "08:10"), "register", "joseluis", "mesa-colonias"),
    ((16, "08:00"), "report", "maria", "deportivas-critica", "offensive",
     "Me parece una falta de respeto hacia el personal del Ayuntamiento."),
    ((16, "10:00"), "dismiss", "facilitador", "deportivas-critica",
     "La crítica a la gestión pública es parte legítima del diálogo; el comentario no contiene "
     "insultos ni datos personales. Se mantiene publicado."),
    ((17, "19:40"), "register", "maria", "mesa-colonias"),
    ((18, "11:00"), "agenda", "facilitador", "mesa-colonias",
     ["alumbrado-sur", "separacion-residuos", "unidades-deportivas"],
     "Invitaremos a las direcciones municipales responsables del alumbrado, el medio ambiente y "
     "el deporte."),
    ((20, "21:15"), "register", "patricia", "mesa-colonias"),
    ((22, "12:00"), "change_state", "garante", "suicidio-jovenes", "accepted",
     "Se acepta e integra al compromiso «Red de apoyo y protocolo para la prevención del "
     "suicidio, con la participación de la sociedad». El protocolo en preparatorias, la "
     "capacitación docente y un directorio público de servicios serán acciones del compromiso."),
    ((24, "12:00"), "change_state", "garante", "senaletica-tepehuanes", "accepted",
     "Se acepta e integra al compromiso «Implementación de señaléticas preventivas, "
     "restrictivas e informativas en materia vial». El Ayuntamiento priorizará las curvas de la "
     "carretera de acceso y los cruces del centro."),
    ((26, "20:10"), "attendance", "facilitador", "mesa-colonias",
     ["lucia", "observatorio", "roberto", "joseluis", "maria"]),
    ((27, "13:00"), "minutes", "facilitador", "mesa-colonias"),
    ((28, "10:00"), "change_state", "facilitador", "alumbrado-sur", "accepted",
     "Se acepta e integra al compromiso «Prevención del delito», como acordó la mesa de "
     "diálogo: inventario abierto de luminarias con fechas de reparación y recorridos nocturnos "
     "con los comités de vecinos. Incluye la colonia Huizache II de la problemática fusionada."),
    ((28, "10:20"), "change_state", "facilitador", "separacion-residuos", "accepted",
     "Se acepta e integra al compromiso «Fomento a la cultura ambiental y programa de "
     "segmentación de desechos». Según los acuerdos de la mesa, iniciará con un piloto de "
     "recolección diferenciada en mercados municipales y dos colonias."),
    ((28, "10:40"), "answer", "facilitador", "unidades-deportivas",
     "La mesa acordó recorrer las unidades deportivas del oriente con su comité de usuarios "
     "antes de definir el alcance. La problemática sigue en diálogo y se retomará en la "
     "siguiente mesa."),
    ((33, "10:00"), "create_table", "facilitador", "mesa-becas"),
    ((34, "09:00"), "agenda", "facilitador", "mesa-becas", ["unidades-deportivas", "portal-becas"],
     None),
    ((34, "12:00"), "register", "lucia", "mesa-becas"),
    ((35, "19:00"), "register", "roberto", "mesa-becas"),
    ((36, "09:45"), "register", "patricia", "mesa-becas"),
    ((36, "17:20"), "register", "observatorio", "mesa-becas"),
    ((37, "20:30"), "register", "joseluis", "mesa-becas"),
]


# ------------------------------------------------------------------ the story

class _Story:
    """The acts of the story, by name (see ACTS); each is one call to a service."""

    def __init__(self, plan: ActionPlan, users: dict[str, User], first_day: date,
                 upcoming_table: bool = True):
        self.plan = plan
        self.upcoming_table = upcoming_table
        self.users = users
        self.committees = {
            c.slug: c for c in db.session.scalars(sa.select(Committee).filter_by(plan_id=plan.id))
        }
        self.themes = {
            t.slug: t for t in db.session.scalars(sa.select(Theme).filter_by(plan_id=plan.id))
        }
        self.proposals: dict[str, Proposal] = {}
        self.comments: dict[str, Comment] = {}
        self.tables: dict[str, DialogueTable] = {}
        self.first_day = first_day

    def at(self, day: int, hhmm: str) -> datetime:
        """The UTC moment of a story day's local time."""
        hours, minutes = (int(part) for part in hhmm.split(":"))
        local = datetime.combine(
            self.first_day + timedelta(days=day), time(hours, minutes), tzinfo=_zone()
        )
        return local.astimezone(UTC)

    # --- participants

    def propose(self, key: str) -> None:
        author, committee, theme, place, _when, title, body = PROPOSALS[key]
        self.proposals[key] = create_proposal(self.users[author], self.plan, {
            "title": title,
            "body": body,
            "committee_id": self.committees[committee].id,
            "theme_id": self.themes[theme].id,
            "place": place,
            **proposal_location(key),
        })

    def support(self, proposal: str, user: str) -> None:
        support_proposal(self.users[user], self.proposals[proposal])

    def comment(self, key: str) -> None:
        proposal, author, _when, parent, body = COMMENTS[key]
        self.comments[key] = post_comment(
            self.users[author], self.proposals[proposal], body,
            parent=self.comments[parent] if parent else None,
        )

    def report(self, user: str, comment: str, reason: str, details: str | None) -> None:
        report_content(self.users[user], self.comments[comment], reason, details)

    def register(self, user: str, table: str) -> None:
        register(self.users[user], self.tables[table])

    # --- facilitators

    def change_state(self, actor: str, proposal: str, state: str, answer: str) -> None:
        change_state(self.users[actor], self.proposals[proposal], state, answer)

    def answer(self, actor: str, proposal: str, answer: str) -> None:
        answer_proposal(self.users[actor], self.proposals[proposal], answer)

    def merge(self, actor: str, proposal: str, into: str, answer: str) -> None:
        merge_proposal(self.users[actor], self.proposals[proposal], self.proposals[into], answer)

    def hide(self, actor: str, comment: str, reason: str) -> None:
        hide_content(self.users[actor], self.comments[comment], reason)

    def dismiss(self, actor: str, comment: str, reason: str) -> None:
        dismiss_reports(self.users[actor], self.comments[comment], reason)

    def create_table(self, actor: str, key: str) -> None:
        spec = TABLES[key]
        self.tables[key] = create_table(self.users[actor], self.committees[spec["committee"]], {
            "title": spec["title"],
            "objective": spec["objective"],
            "theme_id": self.themes[spec["theme"]].id if spec["theme"] else None,
            "starts_at": self.at(*spec["starts"]),
            "ends_at": self.at(*spec["ends"]),
            "place": spec["place"],
            "online_url": spec["online_url"],
            "capacity": spec["capacity"],
            "registration_deadline": self.at(*spec["deadline"]),
        })

    def agenda(self, actor: str, table: str, proposals: list[str], note: str | None) -> None:
        references = [self.proposals[key].reference for key in proposals]
        add_to_agenda(self.users[actor], self.tables[table], references, note)

    def attendance(self, actor: str, table: str, present: list[str]) -> None:
        present_ids = {self.users[key].id for key in present}
        registrations = table_queries.active_registrations(self.tables[table].id)
        attended = [r.id for r in registrations if r.user_id in present_ids]
        record_attendance(self.users[actor], self.tables[table], attended)

    def minutes(self, actor: str, table: str) -> None:
        outcomes = {
            str(self.proposals[key].id): text for key, text in MINUTES["outcomes"].items()
        }
        publish_minutes(self.users[actor], self.tables[table], {
            "summary": MINUTES["summary"],
            "agreements": MINUTES["agreements"],
            "outcomes": outcomes,
        })

    # --- the order of events

    def events(self) -> list[tuple[datetime, Callable[[], None]]]:
        """Every act at its moment, in the order of time (acts at one moment: as listed)."""
        events: list[tuple[datetime, Callable[[], None]]] = []
        for key, spec in PROPOSALS.items():
            created = self.at(*spec[4])
            events.append((created, lambda key=key: self.propose(key)))
            for number, user in enumerate(SUPPORTS[key], start=1):
                events.append((
                    created + SUPPORT_INTERVAL * number,
                    lambda key=key, user=user: self.support(key, user),
                ))
        for key, spec in COMMENTS.items():
            events.append((self.at(*spec[2]), lambda key=key: self.comment(key)))
        for when, act, *args in ACTS:
            if UPCOMING_TABLE in args and not self.upcoming_table:
                continue
            method = getattr(self, act)
            events.append((self.at(*when), lambda method=method, args=args: method(*args)))
        events.sort(key=lambda event: event[0])
        return events


def _zone() -> ZoneInfo:
    return ZoneInfo(current_app.config["BABEL_DEFAULT_TIMEZONE"])


def _local_today() -> date:
    return datetime.now(UTC).astimezone(_zone()).date()


def _residents(password: str) -> dict[str, User]:
    """The residents' accounts, registered and confirmed through the accounts services."""
    return {key: people.citizen(email, name, municipality, password)
            for key, email, name, municipality in RESIDENTS}


def _cast(password: str) -> dict[str, User]:
    users = {
        key: db.session.scalar(sa.select(User).where(User.email == email))
        for key, email in DEMO_CAST.items()
    }
    missing = [DEMO_CAST[key] for key, user in users.items() if user is None]
    if missing:
        raise RuntimeError(f"the demo accounts are missing: {', '.join(missing)}")
    users.update(_residents(password))
    return users


def summary(plan: ActionPlan) -> str:
    def count(model, *where):
        return db.session.scalar(sa.select(sa.func.count()).select_from(model).where(*where))

    proposal_ids = sa.select(Proposal.id).where(Proposal.plan_id == plan.id)
    committee_ids = sa.select(Committee.id).where(Committee.plan_id == plan.id)
    return (
        f"{count(Proposal, Proposal.plan_id == plan.id)} proposals, "
        f"{count(Support, Support.proposal_id.in_(proposal_ids))} supports, "
        f"{count(Comment, Comment.proposal_id.in_(proposal_ids))} comments, "
        f"{count(DialogueTable, DialogueTable.committee_id.in_(committee_ids))} dialogue tables"
    )


def participation_story(plan: ActionPlan, password: str, first_day: date | None = None):
    """The plan's participation, once (nothing when the plan has proposals), as a story for
    app.demo.timeline.run_together: it yields each act's moment before doing it.

    `password` is the demo password, given to the residents' accounts too. `first_day`: the
    story's first day of a past plan; by default STORY_DAYS before today, so that the story
    ends yesterday and its second table (UPCOMING_TABLE) is a week ahead. A past plan's story
    leaves that table out (it would be a table never held).
    """
    if db.session.scalar(sa.select(sa.exists().where(Proposal.plan_id == plan.id))):
        return
    story = _Story(plan, {}, first_day or _local_today() - timedelta(days=STORY_DAYS),
                   upcoming_table=first_day is None)
    events = story.events()
    if events[-1][0] >= datetime.now(UTC):  # a mistake in the dates above
        raise RuntimeError(f"the demo story must end in the past, not on {events[-1][0]}")
    yield story.at(0, "08:00")
    story.users = _cast(password)
    for moment, act in events:
        yield moment
        act()
