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

# The statements as app/proposals/counts.py writes them today (frozen here).
POSTGRESQL = ["CREATE OR REPLACE FUNCTION proposal_counts_follow() RETURNS trigger AS $$\nBEGIN\n  IF OLD.hidden_at IS NULL THEN\n    UPDATE proposal_counts SET n = n - 1 WHERE plan_id = OLD.plan_id AND committee_id = OLD.committee_id AND theme_id = COALESCE(OLD.theme_id, 0) AND municipality = COALESCE(OLD.municipality, '') AND state = OLD.state;\n  END IF;\n  INSERT INTO proposal_counts (plan_id, committee_id, theme_id, municipality, state, n) SELECT NEW.plan_id, NEW.committee_id, COALESCE(NEW.theme_id, 0), COALESCE(NEW.municipality, ''), NEW.state, 1 WHERE NEW.hidden_at IS NULL ON CONFLICT (plan_id, committee_id, theme_id, municipality, state) DO UPDATE SET n = proposal_counts.n + 1;\n  RETURN NULL;\nEND $$ LANGUAGE plpgsql", "CREATE OR REPLACE FUNCTION proposal_counts_add_rows() RETURNS trigger AS $$\nBEGIN\n  INSERT INTO proposal_counts (plan_id, committee_id, theme_id, municipality, state, n) SELECT plan_id, committee_id, COALESCE(theme_id, 0) AS theme_id, COALESCE(municipality, '') AS municipality, state, count(*) AS n FROM added_rows WHERE hidden_at IS NULL GROUP BY 1, 2, 3, 4, 5\n  ON CONFLICT (plan_id, committee_id, theme_id, municipality, state) DO UPDATE SET n = proposal_counts.n + EXCLUDED.n;\n  RETURN NULL;\nEND $$ LANGUAGE plpgsql", "CREATE OR REPLACE FUNCTION proposal_counts_take_rows() RETURNS trigger AS $$\nBEGIN\n  UPDATE proposal_counts c SET n = c.n - gone.n FROM (SELECT plan_id, committee_id, COALESCE(theme_id, 0) AS theme_id, COALESCE(municipality, '') AS municipality, state, count(*) AS n FROM removed_rows WHERE hidden_at IS NULL GROUP BY 1, 2, 3, 4, 5) gone\n  WHERE c.plan_id = gone.plan_id AND c.committee_id = gone.committee_id AND c.theme_id = gone.theme_id AND c.municipality = gone.municipality AND c.state = gone.state;\n  RETURN NULL;\nEND $$ LANGUAGE plpgsql", 'CREATE TRIGGER proposal_counts_insert AFTER INSERT ON proposals REFERENCING NEW TABLE AS added_rows FOR EACH STATEMENT EXECUTE PROCEDURE proposal_counts_add_rows()',
    'CREATE TRIGGER proposal_counts_delete AFTER DELETE ON proposals REFERENCING OLD TABLE AS removed_rows FOR EACH STATEMENT EXECUTE PROCEDURE proposal_counts_take_rows()',
    'CREATE TRIGGER proposal_counts_update AFTER UPDATE OF plan_id, committee_id, theme_id, municipality, state, hidden_at ON proposals FOR EACH ROW WHEN ((OLD.plan_id, OLD.committee_id, OLD.theme_id, OLD.municipality, OLD.state, OLD.hidden_at IS NULL) IS DISTINCT FROM (NEW.plan_id, NEW.committee_id, NEW.theme_id, NEW.municipality, NEW.state, NEW.hidden_at IS NULL)) EXECUTE PROCEDURE proposal_counts_follow()',
    'ALTER TABLE proposals ENABLE ALWAYS TRIGGER proposal_counts_insert',
    'ALTER TABLE proposals ENABLE ALWAYS TRIGGER proposal_counts_delete',
    'ALTER TABLE proposals ENABLE ALWAYS TRIGGER proposal_counts_update']
SQLITE = ["CREATE TRIGGER proposal_counts_insert AFTER INSERT ON proposals BEGIN INSERT INTO proposal_counts (plan_id, committee_id, theme_id, municipality, state, n) SELECT NEW.plan_id, NEW.committee_id, COALESCE(NEW.theme_id, 0), COALESCE(NEW.municipality, ''), NEW.state, 1 WHERE NEW.hidden_at IS NULL ON CONFLICT (plan_id, committee_id, theme_id, municipality, state) DO UPDATE SET n = proposal_counts.n + 1; END", "CREATE TRIGGER proposal_counts_delete AFTER DELETE ON proposals WHEN OLD.hidden_at IS NULL BEGIN UPDATE proposal_counts SET n = n - 1 WHERE plan_id = OLD.plan_id AND committee_id = OLD.committee_id AND theme_id = COALESCE(OLD.theme_id, 0) AND municipality = COALESCE(OLD.municipality, '') AND state = OLD.state; END", "CREATE TRIGGER proposal_counts_update AFTER UPDATE OF plan_id, committee_id, theme_id, municipality, state, hidden_at ON proposals WHEN (OLD.plan_id, OLD.committee_id, OLD.theme_id, OLD.municipality, OLD.state, OLD.hidden_at IS NULL) IS NOT (NEW.plan_id, NEW.committee_id, NEW.theme_id, NEW.municipality, NEW.state, NEW.hidden_at IS NULL) BEGIN UPDATE proposal_counts SET n = n - 1 WHERE plan_id = OLD.plan_id AND committee_id = OLD.committee_id AND theme_id = COALESCE(OLD.theme_id, 0) AND municipality = COALESCE(OLD.municipality, '') AND state = OLD.state AND OLD.hidden_at IS NULL; INSERT INTO proposal_counts (plan_id, committee_id, theme_id, municipality, state, n) SELECT NEW.plan_id, NEW.committee_id, COALESCE(NEW.theme_id, 0), COALESCE(NEW.municipality, ''), NEW.state, 1 WHERE NEW.hidden_at IS NULL ON CONFLICT (plan_id, committee_id, theme_id, municipality, state) DO UPDATE SET n = proposal_counts.n + 1; END"]
POSTGRESQL_DROP = ['DROP TRIGGER IF EXISTS proposal_counts_update ON proposals', 'DROP TRIGGER IF EXISTS proposal_counts_delete ON proposals', 'DROP TRIGGER IF EXISTS proposal_counts_insert ON proposals', 'DROP TRIGGER IF EXISTS proposal_counts_insert_delete ON proposals', 'DROP FUNCTION IF EXISTS proposal_counts_follow()', 'DROP FUNCTION IF EXISTS proposal_counts_add_rows()', 'DROP FUNCTION IF EXISTS proposal_counts_take_rows()']
SQLITE_DROP = ['DROP TRIGGER IF EXISTS proposal_counts_update', 'DROP TRIGGER IF EXISTS proposal_counts_delete', 'DROP TRIGGER IF EXISTS proposal_counts_insert']
KEY = "plan_id, committee_id, theme_id, municipality, state"


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
    postgresql = op.get_bind().dialect.name == "postgresql"
    for statement in POSTGRESQL_DROP if postgresql else SQLITE_DROP:
        op.execute(statement)
    op.drop_table("proposal_counts")
    for name, _columns in LISTED:
        op.drop_index(f"ix_proposals_listed_{name}", table_name="proposals")
