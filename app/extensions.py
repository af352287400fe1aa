"""The Flask extensions, created unbound here and bound to the app in create_app()."""
from flask_babel import Babel
from flask_limiter import Limiter
from flask_limiter.util import get_remote_address
from flask_login import LoginManager
from flask_migrate import Migrate
from flask_sqlalchemy import SQLAlchemy
from flask_wtf import CSRFProtect
from sqlalchemy import MetaData

# Stable constraint names, so that migrations are identical on SQLite and PostgreSQL.
NAMING_CONVENTION = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}

# Thread safety of the shared extension objects (gunicorn's gthread workers share them):
# thread-safe: Flask-SQLAlchemy gives each app context (so each request's thread) its own scoped
# session; connections come from SQLAlchemy's pool, which is thread-safe by its documentation.
db = SQLAlchemy(metadata=MetaData(naming_convention=NAMING_CONVENTION))
# thread-safe: holds configuration only; it runs in the CLI, never inside a request.
migrate = Migrate()
# thread-safe: configured at start-up; the signed-in user of a request is kept in `g`.
login_manager = LoginManager()
# thread-safe: configured at start-up; tokens live in each request's session and `g`.
csrf = CSRFProtect()
# thread-safe: the locale of a request is kept in `g`; Flask-Babel caches loaded catalogues in a
# dict, where a race can only load a catalogue twice, and catalogues are only read afterwards.
babel = Babel()
# thread-safe: its storage is Redis (redis-py clients are thread-safe by their documentation) or
# the `limits` memory storage, which guards its counters with a lock.
limiter = Limiter(key_func=get_remote_address)
