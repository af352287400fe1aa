"""Kept counts of visible proposals per plan, committee, theme, municipality and state, and
covering indexes of the proposal list's three orders.

Revision ID: b7c1d2e3f4a5
Revises: d1ae4c71c8c0
Create Date: 2026-12-06 06:50:00

The triggers that keep them are the ones the models install (app/proposals/counts.py), written
out here as they are today, so that a later change of the module does not change this history.
"""
import sqlalchemy as sa
from alembic import op

revision = "b7c1d2e3f4a5"
down_revision = "d1ae4c71c8c0"
branch_labels = None
depends_on = None

KEY = "plan_id, committee_id, theme_id, municipality, state"
NEW_KEY = "NEW.plan_id, NEW.committee_id, COALESCE(NEW.theme_id, 0), COALESCE(NEW.municipality, ''), NEW.state"
OLD_MATCH = ("plan_id = OLD.plan_id AND committee_id = OLD.committee_id AND theme_id = COALESCE(OLD.theme_id, 0) "
             "AND municipality = COALESCE(OLD.municipality, '') AND state = OLD.state")
ADD = (f"INSERT INTO proposal_counts ({KEY}, n) SELECT {NEW_KEY}, 1 WHERE NEW.hidden_at IS NULL "
       f"ON CONFLICT ({KEY}) DO UPDATE SET n = proposal_counts.n + 1")
TAKE = f"UPDATE proposal_counts SET n = n - 1 WHERE {OLD_MATCH}"
WATCHED = "plan_id, committee_id, theme_id, municipality, state, hidden_at"
CHANGED = ("(OLD.plan_id, OLD.committee_id, OLD.theme_id, OLD.municipality, OLD.state, OLD.hidden_at IS NULL) "
           "{op} (NEW.plan_id, NEW.committee_id, NEW.theme_id, NEW.municipality, NEW.state, NEW.hidden_at IS NULL)")

POSTGRESQL = [
    f"""CREATE OR REPLACE FUNCTION proposal_counts_follow() RETURNS trigger AS $$
BEGIN
  IF TG_OP <> 'INSERT' AND OLD.hidden_at IS NULL THEN
    {TAKE};
  END IF;
  IF TG_OP <> 'DELETE' THEN
    {ADD};
  END IF;
  RETURN NULL;
END $$ LANGUAGE plpgsql""",
    "CREATE TRIGGER proposal_counts_insert_delete AFTER INSERT OR DELETE ON proposals "
    "FOR EACH ROW EXECUTE PROCEDURE proposal_counts_follow()",
    f"CREATE TRIGGER proposal_counts_update AFTER UPDATE OF {WATCHED} ON proposals "
    f"FOR EACH ROW WHEN ({CHANGED.format(op='IS DISTINCT FROM')}) EXECUTE PROCEDURE proposal_counts_follow()",
]
SQLITE = [
    f"CREATE TRIGGER proposal_counts_insert AFTER INSERT ON proposals BEGIN {ADD}; END",
    f"CREATE TRIGGER proposal_counts_delete AFTER DELETE ON proposals WHEN OLD.hidden_at IS NULL BEGIN {TAKE}; END",
    f"CREATE TRIGGER proposal_counts_update AFTER UPDATE OF {WATCHED} ON proposals WHEN {CHANGED.format(op='IS NOT')} "
    f"BEGIN {TAKE} AND OLD.hidden_at IS NULL; {ADD}; END",
]


LISTED = (("newest", ()), ("supported", ("support_count",)), ("commented", ("comment_count",)))


def upgrade():
    for name, columns in LISTED:
        op.create_index(f"ix_proposals_listed_{name}", "proposals", ["plan_id", *columns, "created_at", "id"],
                        postgresql_include=["state", "committee_id", "theme_id", "municipality"],
                        postgresql_where=sa.text("hidden_at IS NULL"), sqlite_where=sa.text("hidden_at IS NULL"))
    op.create_table(
        "proposal_counts",
        sa.Column("plan_id", sa.Integer(), nullable=False),
        sa.Column("committee_id", sa.Integer(), nullable=False),
        sa.Column("theme_id", sa.Integer(), nullable=False),
        sa.Column("municipality", sa.String(length=120), nullable=False),
        sa.Column("state", sa.String(length=32), nullable=False),
        sa.Column("n", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("plan_id", "committee_id", "theme_id", "municipality", "state"),
    )
    postgresql = op.get_bind().dialect.name == "postgresql"
    for statement in POSTGRESQL if postgresql else SQLITE:
        op.execute(statement)
    op.execute(
        f"INSERT INTO proposal_counts ({KEY}, n) SELECT plan_id, committee_id, COALESCE(theme_id, 0), "
        "COALESCE(municipality, ''), state, count(*) FROM proposals WHERE hidden_at IS NULL GROUP BY 1, 2, 3, 4, 5")


def downgrade():
    if op.get_bind().dialect.name == "postgresql":
        op.execute("DROP TRIGGER IF EXISTS proposal_counts_update ON proposals")
        op.execute("DROP TRIGGER IF EXISTS proposal_counts_insert_delete ON proposals")
        op.execute("DROP FUNCTION IF EXISTS proposal_counts_follow()")
    else:
        for name in ("proposal_counts_update", "proposal_counts_delete", "proposal_counts_insert"):
            op.execute(f"DROP TRIGGER IF EXISTS {name}")
    op.drop_table("proposal_counts")
    for name, _columns in LISTED:
        op.drop_index(f"ix_proposals_listed_{name}", table_name="proposals")
