"""How many visible proposals each plan has, per committee, theme, municipality and state.

The list shows its total on every request; counting the matching proposals would read the whole
plan each time. Instead the database keeps these small rows itself: triggers on `proposals`
(PostgreSQL and SQLite alike) add and take away one in the same transaction as any insert,
delete or change of one of those columns or of `hidden_at`, whatever path wrote it (a service,
moderation's bulk UPDATE, the benchmark's COPY-like inserts). A change of a counter (supports,
comments) does not touch them. PostgreSQL counts an INSERT's (a COPY's) or a DELETE's rows once
per statement, and its triggers fire also under session_replication_role = replica. The list
sums the rows that match its filters: a few thousand rows at most (committees × themes ×
municipalities × states), however many proposals there are.
`flask proposals recount` rebuilds them from the proposals (after a restore without triggers).
"""
import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column

from app.extensions import db

# A proposal without a theme or municipality is counted under these (a primary key has no NULL).
NO_THEME = 0
NO_MUNICIPALITY = ""
KEY = ("plan_id", "committee_id", "theme_id", "municipality", "state")


class ProposalCount(db.Model):
    __tablename__ = "proposal_counts"

    plan_id: Mapped[int] = mapped_column(sa.Integer, primary_key=True)
    committee_id: Mapped[int] = mapped_column(sa.Integer, primary_key=True)
    theme_id: Mapped[int] = mapped_column(sa.Integer, primary_key=True)
    municipality: Mapped[str] = mapped_column(sa.String(120), primary_key=True)
    state: Mapped[str] = mapped_column(sa.String(32), primary_key=True)
    n: Mapped[int] = mapped_column(sa.Integer, nullable=False, default=0)


def _key_values(row: str) -> list[str]:
    return [f"{row}.plan_id", f"{row}.committee_id", f"COALESCE({row}.theme_id, {NO_THEME})",
            f"COALESCE({row}.municipality, '{NO_MUNICIPALITY}')", f"{row}.state"]


def _key_of(row: str) -> str:
    return ", ".join(_key_values(row))


def _matches(row: str) -> str:
    return " AND ".join(f"{column} = {value}" for column, value in zip(KEY, _key_values(row), strict=True))


_COLUMNS = ", ".join(KEY)
_WATCHED = "plan_id, committee_id, theme_id, municipality, state, hidden_at"
_CHANGED = ("(OLD.plan_id, OLD.committee_id, OLD.theme_id, OLD.municipality, OLD.state, "
            "OLD.hidden_at IS NULL) IS DISTINCT FROM (NEW.plan_id, NEW.committee_id, NEW.theme_id, "
            "NEW.municipality, NEW.state, NEW.hidden_at IS NULL)")
_ADD = (f"INSERT INTO proposal_counts ({_COLUMNS}, n) SELECT {_key_of('NEW')}, 1 WHERE NEW.hidden_at IS NULL "
        f"ON CONFLICT ({_COLUMNS}) DO UPDATE SET n = proposal_counts.n + 1")
_TAKE = f"UPDATE proposal_counts SET n = n - 1 WHERE {_matches('OLD')}"

# Rows counted by key, from a statement's transition table (PostgreSQL): a COPY or a many-row
# INSERT or DELETE changes each count once, not once per row (no pile of dead row versions).
_GROUPED = (f"SELECT plan_id, committee_id, COALESCE(theme_id, {NO_THEME}) AS theme_id, "
            f"COALESCE(municipality, '{NO_MUNICIPALITY}') AS municipality, state, count(*) AS n FROM {{rows}} "
            f"WHERE hidden_at IS NULL GROUP BY 1, 2, 3, 4, 5")
POSTGRESQL = [
    f"""CREATE OR REPLACE FUNCTION proposal_counts_follow() RETURNS trigger AS $$
BEGIN
  IF OLD.hidden_at IS NULL THEN
    {_TAKE};
  END IF;
  {_ADD};
  RETURN NULL;
END $$ LANGUAGE plpgsql""",
    f"""CREATE OR REPLACE FUNCTION proposal_counts_add_rows() RETURNS trigger AS $$
BEGIN
  INSERT INTO proposal_counts ({_COLUMNS}, n) {_GROUPED.format(rows="added_rows")}
  ON CONFLICT ({_COLUMNS}) DO UPDATE SET n = proposal_counts.n + EXCLUDED.n;
  RETURN NULL;
END $$ LANGUAGE plpgsql""",
    f"""CREATE OR REPLACE FUNCTION proposal_counts_take_rows() RETURNS trigger AS $$
BEGIN
  UPDATE proposal_counts c SET n = c.n - gone.n FROM ({_GROUPED.format(rows="removed_rows")}) gone
  WHERE {" AND ".join(f"c.{column} = gone.{column}" for column in KEY)};
  RETURN NULL;
END $$ LANGUAGE plpgsql""",
    "CREATE TRIGGER proposal_counts_insert AFTER INSERT ON proposals REFERENCING NEW TABLE AS added_rows "
    "FOR EACH STATEMENT EXECUTE PROCEDURE proposal_counts_add_rows()",
    "CREATE TRIGGER proposal_counts_delete AFTER DELETE ON proposals REFERENCING OLD TABLE AS removed_rows "
    "FOR EACH STATEMENT EXECUTE PROCEDURE proposal_counts_take_rows()",
    f"CREATE TRIGGER proposal_counts_update AFTER UPDATE OF {_WATCHED} ON proposals "
    f"FOR EACH ROW WHEN ({_CHANGED}) EXECUTE PROCEDURE proposal_counts_follow()",
    # Also under session_replication_role = replica (a bulk load with foreign keys off, as the
    # benchmark's generator does): the counts are part of the data, not a check to skip.
    *(f"ALTER TABLE proposals ENABLE ALWAYS TRIGGER proposal_counts_{event}"
      for event in ("insert", "delete", "update")),
]
POSTGRESQL_DROP = [
    "DROP TRIGGER IF EXISTS proposal_counts_update ON proposals",
    "DROP TRIGGER IF EXISTS proposal_counts_delete ON proposals",
    "DROP TRIGGER IF EXISTS proposal_counts_insert ON proposals",
    "DROP TRIGGER IF EXISTS proposal_counts_insert_delete ON proposals",
    "DROP FUNCTION IF EXISTS proposal_counts_follow()",
    "DROP FUNCTION IF EXISTS proposal_counts_add_rows()",
    "DROP FUNCTION IF EXISTS proposal_counts_take_rows()",
]
_SQLITE_CHANGED = _CHANGED.replace("IS DISTINCT FROM", "IS NOT")  # an immutable str: thread-safe
SQLITE = [
    f"CREATE TRIGGER proposal_counts_insert AFTER INSERT ON proposals BEGIN {_ADD}; END",
    f"CREATE TRIGGER proposal_counts_delete AFTER DELETE ON proposals WHEN OLD.hidden_at IS NULL "
    f"BEGIN {_TAKE}; END",
    f"CREATE TRIGGER proposal_counts_update AFTER UPDATE OF {_WATCHED} ON proposals WHEN {_SQLITE_CHANGED} "
    f"BEGIN {_TAKE} AND OLD.hidden_at IS NULL; {_ADD}; END",
]
SQLITE_DROP = [
    "DROP TRIGGER IF EXISTS proposal_counts_update",
    "DROP TRIGGER IF EXISTS proposal_counts_delete",
    "DROP TRIGGER IF EXISTS proposal_counts_insert",
]


def triggers_for(dialect: str) -> list[str]:
    return POSTGRESQL if dialect == "postgresql" else SQLITE


def drop_triggers_for(dialect: str) -> list[str]:
    return POSTGRESQL_DROP if dialect == "postgresql" else SQLITE_DROP


def _install(target, connection, **kw):
    for statement in drop_triggers_for(connection.dialect.name) + triggers_for(connection.dialect.name):
        connection.exec_driver_sql(statement)


# After the whole schema exists (create_all, also over an existing schema: hence drop, then create).
sa.event.listen(db.metadata, "after_create", _install)


def recount() -> int:
    """Rebuild every row from the proposals (the caller commits); the number of rows written.
    PostgreSQL empties the table with TRUNCATE, which also gives back the space of old versions."""
    if db.session.get_bind().dialect.name == "postgresql":
        db.session.execute(sa.text("TRUNCATE proposal_counts"))
    else:
        db.session.execute(sa.delete(ProposalCount))
    db.session.execute(sa.text(
        f"INSERT INTO proposal_counts ({_COLUMNS}, n) "
        f"SELECT plan_id, committee_id, COALESCE(theme_id, {NO_THEME}), "
        f"COALESCE(municipality, '{NO_MUNICIPALITY}'), state, count(*) FROM proposals "
        f"WHERE hidden_at IS NULL GROUP BY 1, 2, 3, 4, 5"))
    return db.session.scalar(sa.select(sa.func.count()).select_from(ProposalCount)) or 0


# The statement of each combination of filters, built once (constructing it costs more than
# running it over the small rows). Thread-safe: statements are immutable, and a dict entry is
# set whole (two threads building the same one build equal statements).
_MATCHING: dict[tuple[bool, ...], sa.Select] = {}
_FILTERED = (("committee_id", "=="), ("theme_id", "=="), ("municipality", "=="), ("state", "=="),
             ("state", "!="))


def _matching_statement(given: tuple[bool, ...]) -> sa.Select:
    stmt = _MATCHING.get(given)
    if stmt is None:
        stmt = (sa.select(sa.func.coalesce(sa.func.sum(ProposalCount.n), 0))
                .where(ProposalCount.plan_id == sa.bindparam("plan_id")))
        for index, ((column, op), present) in enumerate(zip(_FILTERED, given, strict=True)):
            if present:
                attribute, value = getattr(ProposalCount, column), sa.bindparam(f"v{index}")
                stmt = stmt.where(attribute == value if op == "==" else attribute != value)
        _MATCHING[given] = stmt
    return stmt


def count_matching(plan_id: int, committee_id=None, theme_id=None, municipality=None, state=None,
                   exclude_state=None) -> int:
    """The visible proposals of the plan with these values: one statement over the small rows."""
    values = (committee_id, theme_id, municipality or None,
              str(state) if state is not None else None,
              str(exclude_state) if exclude_state is not None else None)
    given = tuple(value is not None for value in values)
    params = {"plan_id": plan_id, **{f"v{i}": value for i, value in enumerate(values) if value is not None}}
    return int(db.session.scalar(_matching_statement(given), params) or 0)
