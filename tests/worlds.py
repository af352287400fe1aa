"""Worlds built once per module and rolled back to before each test (tests/README.md, "Isolation").

A module asks for the `module_worlds` fixture (tests/conftest.py) in a module-scoped fixture:

    @pytest.fixture(scope="module")
    def world(module_worlds):
        return module_worlds.share(World)

`share` runs the builder once, on the module's own connection, inside an outer transaction that
stays open until the module ends. Each test that uses the world runs in a savepoint on that
connection, rolled back at its end; PostgreSQL's sequences are set back to where the builders left
them, so the ids a test gets do not depend on the tests before it. Every test starts with the
world's rows copied into its own session, as the builders left them, without a query
(Session.merge(load=False) of instances loaded once after the build): the object `share` returned
keeps its identity, and its attributes (rows, and lists, tuples, sets and dicts of rows; other
values as they were built) are replaced at the start of each test.

A test of the module that does not use the world (or needs real commits) would meet the module's
uncommitted rows and their locks: the module's transaction is rolled back before it runs, and the
worlds are built again for the next test that asks for them. A `real_commits` test that asks for
the world gets it built for real, in its own committed rows (emptied after it as usual).
"""
import sqlalchemy as sa
from sqlalchemy.orm.state import InstanceState

from app.extensions import db

SAVEPOINT = "cocrea_module_world"


class _Row:
    """A stored row: its instance as the builders left it, loaded, detached from any session."""

    __slots__ = ("instance",)

    def __init__(self, instance):
        self.instance = instance


def _freeze(value, session):
    """The value with every ORM instance loaded afresh and wrapped, to be copied into each test's
    session without a query (Session.merge(load=False))."""
    if isinstance(value, dict):
        return {key: _freeze(item, session) for key, item in value.items()}
    if isinstance(value, (list, tuple, set, frozenset)) and type(value) in (list, tuple, set,
                                                                            frozenset):
        return type(value)(_freeze(item, session) for item in value)
    state = sa.inspect(value, raiseerr=False)
    if isinstance(state, InstanceState):
        if state.identity is None:
            raise TypeError(f"a module world holds {value!r}, which was never stored: "
                            "commit (or flush) it in the builder, or leave it out of the world")
        if state.deleted or state.detached:
            raise TypeError(f"a module world holds {value!r}, deleted or detached by its builders")
        session.refresh(value)  # as stored now, whatever the later builders changed
        return _Row(value)
    return value


def _thaw(value, session):
    if isinstance(value, _Row):
        return session.merge(value.instance, load=False)
    if isinstance(value, dict):
        return {key: _thaw(item, session) for key, item in value.items()}
    if isinstance(value, (list, tuple, set, frozenset)) and type(value) in (list, tuple, set,
                                                                            frozenset):
        return type(value)(_thaw(item, session) for item in value)
    return value


def _contents(world):
    if isinstance(world, dict):
        return world
    if isinstance(world, list):
        return list(world)
    if isinstance(sa.inspect(world, raiseerr=False), InstanceState) or not hasattr(world, "__dict__"):
        raise TypeError("a module world is an object with attributes, a dict or a list, "
                        f"not {type(world).__name__}")
    return vars(world)


def _fill(world, contents) -> None:
    """Replace what `world` holds by `contents`, keeping the object itself."""
    if isinstance(world, list):
        world[:] = contents
    else:
        target = world if isinstance(world, dict) else vars(world)
        target.clear()
        target.update(contents)


class _World:
    __slots__ = ("build", "args", "kwargs", "value", "frozen")

    def __init__(self, build, args, kwargs):
        self.build, self.args, self.kwargs = build, args, kwargs
        self.value = self.frozen = None


def _freeze_worlds(worlds: list[_World]) -> None:
    """Every world's rows as stored now, kept to be copied into each test's session."""
    session = db.session()
    for world in worlds:
        contents = _contents(world.value)
        world.frozen = _freeze(contents if isinstance(contents, list) else dict(contents), session)


def _thaw_worlds(worlds: list[_World]) -> None:
    """Every world's object takes copies of its rows in the current session, without a query."""
    session = db.session()
    for world in worlds:
        _fill(world.value, _thaw(world.frozen, session))


class ModuleWorlds:
    """The module's connection, its outer transaction and the worlds written into it."""

    def __init__(self, app):
        self.app = app
        self.connection = None
        self.outer = None
        self.worlds: list[_World] = []
        self.restore_sequences: str | None = None
        self.in_test = False

    # -- for the module's fixtures ---------------------------------------------------------------

    def share(self, build, *args, **kwargs):
        """`build(*args, **kwargs)` once for the module; returns what it returned (an object with
        attributes, a dict or a list), which each test then sees re-read from its savepoint."""
        world = _World(build, args, kwargs)
        self._open()
        with self._session():
            self._rebind()  # the worlds built before, for a builder that uses them
            self._build(world)
            self.worlds.append(world)
            self._freeze_all()
        self._snapshot_sequences()
        return world.value

    # -- for app_context ------------------------------------------------------------------------

    def begin_test(self):
        """Before a test: the worlds built (again, if a test without them came between), a
        savepoint, the sequences as the builders left them. The caller binds the sessions."""
        if self.connection is None:
            self._open()
            try:
                with self._session():
                    for world in self.worlds:
                        self._build(world)
                    self._freeze_all()
                self._snapshot_sequences()
            except BaseException:
                self.suspend()  # half a world is no world: the next test tries again
                raise
        self.connection.exec_driver_sql(f"SAVEPOINT {SAVEPOINT}")
        self.in_test = True
        if self.restore_sequences:
            self.connection.exec_driver_sql(self.restore_sequences)
        return self.connection

    def build_committed(self):
        """For a `real_commits` test of the module: the worlds built again in the test's own
        session and committed for real (emptied with every table after the test, as usual)."""
        for world in self.worlds:
            self._build(world)

    def rebind(self):
        """In the test's session (bound by the caller): every world's rows read afresh."""
        self._rebind()

    def end_test(self):
        """After a test: everything it wrote is undone, the worlds' rows are left."""
        self.in_test = False
        try:
            self.connection.exec_driver_sql(f"ROLLBACK TO SAVEPOINT {SAVEPOINT}")
            self.connection.exec_driver_sql(f"RELEASE SAVEPOINT {SAVEPOINT}")
        except Exception:
            self.suspend()  # a broken connection: the next test builds the worlds again
            raise

    def suspend(self):
        """Roll the module's transaction back and close its connection (a test without the
        worlds comes next); the worlds are built again when a test asks for them."""
        connection, self.connection = self.connection, None
        if connection is None:
            return
        try:
            if self.outer is not None and self.outer.is_active:
                self.outer.rollback()
        finally:
            self.outer = None
            connection.close()

    # -- the rest -------------------------------------------------------------------------------

    def _open(self):
        if self.connection is not None:
            return
        from tests.conftest import RESTART_SEQUENCES, _quiet_outer_savepoints

        with self.app.app_context():
            connection = db.engine.connect()
        self.outer = connection.begin()
        if connection.dialect.name == "sqlite":
            # pysqlite would only BEGIN before the first write; the savepoints need it now.
            connection.connection.dbapi_connection.execute("BEGIN")
        else:
            connection.exec_driver_sql(RESTART_SEQUENCES)  # the worlds' ids from 1
        _quiet_outer_savepoints(connection.dialect)
        self.connection = connection

    def _session(self):
        from contextlib import contextmanager

        from tests.conftest import QUIET, _bind_sessions_to

        @contextmanager
        def session():
            with self.app.app_context():
                db.session.remove()
                self.connection.info[QUIET] = set()
                _bind_sessions_to(self.app, self.connection)
                try:
                    yield
                    db.session.commit()
                finally:
                    db.session.remove()
                    _bind_sessions_to(self.app, None)
                    self.connection.info.pop(QUIET, None)

        return session()

    def _build(self, world: _World):
        value = world.build(*world.args, **world.kwargs)
        db.session.commit()
        if world.value is None:
            _contents(value)  # a kind of world this module knows
            world.value = value
        else:  # built again: the object the module's fixture returned takes the new rows
            _fill(world.value, _contents(value))

    def _freeze_all(self):
        _freeze_worlds(self.worlds)

    def _rebind(self):
        _thaw_worlds(self.worlds)

    def _snapshot_sequences(self):
        if self.connection.dialect.name != "postgresql":
            return  # SQLite takes max(id) + 1, which the rollback restores
        rows = self.connection.exec_driver_sql(
            "SELECT quote_ident(schemaname) || '.' || quote_ident(sequencename), last_value "
            "FROM pg_sequences"
        ).all()
        values = ", ".join(
            "('{}', {}, {})".format(name.replace("'", "''"), last or 1,
                                    "true" if last is not None else "false")
            for name, last in rows)
        self.restore_sequences = (
            "SELECT setval(v.name::regclass, v.value, v.called) "
            f"FROM (VALUES {values}) AS v(name, value, called)") if rows else None


class _StoredRows:
    """PostgreSQL: every row of a template database and its sequences' values, read once, to be
    inserted into the test database before each test (WorldTemplates)."""

    SEQUENCES = ("SELECT quote_ident(schemaname) || '.' || quote_ident(sequencename), last_value "
                 "FROM pg_sequences")
    # Triggers that fire even under session_replication_role = replica (app/proposals/counts.py).
    ALWAYS_TRIGGERS = ("SELECT quote_ident(n.nspname) || '.' || quote_ident(c.relname), "
                       "quote_ident(t.tgname) FROM pg_trigger t JOIN pg_class c ON c.oid = t.tgrelid "
                       "JOIN pg_namespace n ON n.oid = c.relnamespace "
                       "WHERE t.tgenabled = 'A' AND NOT t.tgisinternal")

    def __init__(self, engine):
        with engine.connect() as connection:
            self.tables = [(table, [dict(row) for row in connection.execute(table.select()).mappings()])
                           for table in db.metadata.sorted_tables]
            self.sequences = connection.exec_driver_sql(self.SEQUENCES).all()
            self.always = connection.exec_driver_sql(self.ALWAYS_TRIGGERS).all()

    def insert_into(self, engine) -> None:
        with engine.begin() as connection:
            # The rows are the template's as its triggers and constraints left them: no trigger
            # runs again (those that fire in replica mode too are switched off in this
            # transaction, which no other connection sees), and foreign keys are not checked row
            # by row (a table order is enough only without cycles).
            connection.exec_driver_sql("SET LOCAL session_replication_role = replica")
            for table, trigger in self.always:
                connection.exec_driver_sql(f"ALTER TABLE {table} DISABLE TRIGGER {trigger}")
            for table, rows in self.tables:
                if rows:
                    connection.execute(table.insert(), rows)
            for table, trigger in self.always:
                connection.exec_driver_sql(f"ALTER TABLE {table} ENABLE ALWAYS TRIGGER {trigger}")
            for name, value in self.sequences:
                connection.execute(sa.text("SELECT setval(CAST(:name AS regclass), :value, :called)"),
                                   {"name": name, "value": value or 1, "called": value is not None})


class WorldTemplates:
    """Worlds built once per module into a database of their own (the template), committed; each
    test that uses them runs on a copy of it (tests/README.md, "Isolation"). For `real_commits`
    tests, whose rows another connection must see (the live server of the browser tests):

        @pytest.fixture(scope="module")
        def world(world_templates):
            return world_templates.share(build_world)

    The template is a fresh database of the session's PostgreSQL server or a SQLite file. On
    SQLite a test runs on a copy of the file (SQLite's backup API), which the app (every thread of
    it, the live server's too) uses until the test ends, and which is deleted after it. On
    PostgreSQL the template's rows, read once after the builders, are inserted into the (empty)
    test database before each test, with the template's sequence values, and emptied after it as
    every `real_commits` test's rows are: cheaper than a CREATE DATABASE ... TEMPLATE copy and the
    DROP DATABASE after it, which waits for a checkpoint. The world's object holds copies of its
    rows in the test's session, as the builders left them. The template is dropped after the
    module. Files the builders store (uploads) are not copied: they stay where the app put them.
    """

    def __init__(self, app, backend: str, directory):
        self.app, self.backend, self.directory = app, backend, directory
        self.engine = None  # the template's
        self.base = None  # PostgreSQL: the session's server
        self.stored = None  # PostgreSQL: the template's rows and sequence values (_StoredRows)
        self.worlds: list[_World] = []
        self.made = 0

    def share(self, build, *args, **kwargs):
        """`build(*args, **kwargs)` once for the module, committed into the template; returns
        what it returned (an object with attributes, a dict or a list), which each test then sees
        with its rows read from its own copy."""
        from tests.conftest import app_runs_on

        if self.engine is None:
            self._create()
        world = _World(build, args, kwargs)
        with self.app.app_context(), app_runs_on(self.app, self.engine):
            _thaw_worlds(self.worlds)  # the worlds built before, for a builder that uses them
            value = build(*args, **kwargs)
            db.session.commit()
            _contents(value)  # a kind of world this module knows
            world.value = value
            self.worlds.append(world)
            _freeze_worlds(self.worlds)
        if self.backend == "postgresql":
            self.stored = _StoredRows(self.engine)
        self.engine.dispose()  # a template is copied only without connections
        return world.value

    def copy(self):
        """For one test: a copy of the template, which the app uses until the block ends; the
        worlds' objects hold its rows. Dropped (deleted) at the end."""
        from contextlib import contextmanager

        from app.config import engine_options
        from tests.conftest import app_runs_on, copy_sqlite_database

        @contextmanager
        def running_on_a_copy():
            self.made += 1
            path = self.directory / f"cocrea-world-copy-{self.made}.sqlite3"
            url = copy_sqlite_database(self.engine.url.database, path)
            engine = sa.create_engine(url, **engine_options(url))
            try:
                with app_runs_on(self.app, engine):
                    _thaw_worlds(self.worlds)
                    yield engine
            finally:
                engine.dispose()
                path.unlink(missing_ok=True)

        @contextmanager
        def running_on_the_template_rows():
            # The test database is empty (every real_commits test's rows are emptied after it);
            # app_context empties it again after this test.
            self.made += 1
            self.stored.insert_into(db.engine)
            _thaw_worlds(self.worlds)
            yield db.engine

        return running_on_the_template_rows() if self.stored is not None else running_on_a_copy()

    def close(self):
        """After the module: the template and the copy made in advance are dropped."""
        from tests.conftest import drop_pg_database

        if self.engine is None:
            return
        self.engine.dispose()
        if self.backend == "postgresql":
            drop_pg_database(self.base, self.engine.url.render_as_string(hide_password=False))

    def _create(self):
        import os

        from app.config import engine_options
        from tests.conftest import create_pg_database

        if self.backend == "postgresql":
            self.base = os.environ["TEST_DATABASE_URL"]
            url = create_pg_database(self.base, fast=True)
        else:
            url = "sqlite:///" + str(self.directory / "cocrea-world-template.sqlite3")
        self.engine = sa.create_engine(url, **engine_options(url))
        db.metadata.create_all(self.engine)
