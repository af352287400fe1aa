"""Who reports and who checks progress: the responsible officials of a commitment, reports that
wait for the facilitator (published or returned), and the civil-society representatives'
verdicts on published reports with their answers. Reports written before were published when
written: their `published_at` is their `created_at`.

Revision ID: 1e4a47ea9409
Revises: c8e2f0a4d917
Create Date: 2026-12-06 17:38:54.651896

"""
import sqlalchemy as sa
from alembic import op

import app.core.db

# revision identifiers, used by Alembic.
revision = '1e4a47ea9409'
down_revision = 'c8e2f0a4d917'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('commitment_officials',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('commitment_id', sa.Integer(), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=True),
    sa.Column('institution', sa.String(length=300), nullable=False),
    sa.Column('position_title', sa.String(length=300), nullable=False),
    sa.Column('appointed_by_id', sa.Integer(), nullable=True),
    sa.Column('appointed_at', app.core.db.UTCDateTime(timezone=True), nullable=False),
    sa.Column('ended_at', app.core.db.UTCDateTime(timezone=True), nullable=True),
    sa.Column('end_reason', sa.Text(), nullable=True),
    sa.ForeignKeyConstraint(['appointed_by_id'], ['users.id'], name=op.f('fk_commitment_officials_appointed_by_id_users'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['commitment_id'], ['commitments.id'], name=op.f('fk_commitment_officials_commitment_id_commitments'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['user_id'], ['users.id'], name=op.f('fk_commitment_officials_user_id_users'), ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_commitment_officials'))
    )
    with op.batch_alter_table('commitment_officials', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_commitment_officials_commitment_id'), ['commitment_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_commitment_officials_user_id'), ['user_id'], unique=False)
        batch_op.create_index('uq_commitment_officials_current', ['commitment_id', 'user_id'], unique=True, postgresql_where=sa.text('ended_at IS NULL'), sqlite_where=sa.text('ended_at IS NULL'))

    op.create_table('progress_reviews',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('note_id', sa.Integer(), nullable=False),
    sa.Column('author_id', sa.Integer(), nullable=True),
    sa.Column('round', sa.Integer(), nullable=False),
    sa.Column('seat', sa.String(length=32), nullable=False),
    sa.Column('seat_holder', sa.String(length=200), nullable=False),
    sa.Column('verdict', sa.Enum('confirmed', 'disputed', name='verdict', native_enum=False, create_constraint=True, length=32), nullable=False),
    sa.Column('reason', sa.Text(), nullable=False),
    sa.Column('created_at', app.core.db.UTCDateTime(timezone=True), nullable=False),
    sa.Column('answer', sa.Text(), nullable=True),
    sa.Column('answered_by_id', sa.Integer(), nullable=True),
    sa.Column('answered_at', app.core.db.UTCDateTime(timezone=True), nullable=True),
    sa.Column('rendered', sa.JSON(), nullable=True),
    sa.Column('rendered_version', sa.SmallInteger(), nullable=True),
    sa.ForeignKeyConstraint(['answered_by_id'], ['users.id'], name=op.f('fk_progress_reviews_answered_by_id_users'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['author_id'], ['users.id'], name=op.f('fk_progress_reviews_author_id_users'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['note_id'], ['progress_notes.id'], name=op.f('fk_progress_reviews_note_id_progress_notes'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_progress_reviews')),
    sa.UniqueConstraint('note_id', 'author_id', 'round', name=op.f('uq_progress_reviews_note_id_author_id_round'))
    )
    with op.batch_alter_table('progress_reviews', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_progress_reviews_author_id'), ['author_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_progress_reviews_note_id'), ['note_id'], unique=False)

    # Added in place, never by rebuilding the table (evidence and verdicts refer to its rows): the
    # state's CHECK belongs to the column, so that SQLite drops them together on a downgrade.
    op.execute("ALTER TABLE progress_notes ADD COLUMN state VARCHAR(32) DEFAULT 'published' NOT NULL "
               "CONSTRAINT ck_progress_notes_reportstate "
               "CHECK (state IN ('submitted', 'returned', 'published'))")
    op.add_column('progress_notes', sa.Column('published_at', app.core.db.UTCDateTime(timezone=True), nullable=True))
    op.add_column('progress_notes', sa.Column('decided_at', app.core.db.UTCDateTime(timezone=True), nullable=True))
    op.add_column('progress_notes', sa.Column('return_reason', sa.Text(), nullable=True))
    op.execute("UPDATE progress_notes SET published_at = created_at WHERE published_at IS NULL")


def downgrade():
    for column in ('return_reason', 'decided_at', 'published_at', 'state'):
        op.drop_column('progress_notes', column)

    with op.batch_alter_table('progress_reviews', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_progress_reviews_note_id'))
        batch_op.drop_index(batch_op.f('ix_progress_reviews_author_id'))

    op.drop_table('progress_reviews')
    with op.batch_alter_table('commitment_officials', schema=None) as batch_op:
        batch_op.drop_index('uq_commitment_officials_current', postgresql_where=sa.text('ended_at IS NULL'), sqlite_where=sa.text('ended_at IS NULL'))
        batch_op.drop_index(batch_op.f('ix_commitment_officials_user_id'))
        batch_op.drop_index(batch_op.f('ix_commitment_officials_commitment_id'))

    op.drop_table('commitment_officials')
