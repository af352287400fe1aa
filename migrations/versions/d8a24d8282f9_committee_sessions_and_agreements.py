"""The coordinating committees' own sessions: attendance (a suplente standing in for an absent
titular), the quorum of the committee's rule (a new optional `committees.quorum`), agreements
with an owner and a due date followed until done, and the minutes.

Revision ID: d8a24d8282f9
Revises: 1e4a47ea9409
Create Date: 2026-12-06 18:02:36.819847

"""
import sqlalchemy as sa
from alembic import op

import app.core.db

# revision identifiers, used by Alembic.
revision = 'd8a24d8282f9'
down_revision = '1e4a47ea9409'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('committee_sessions',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('committee_id', sa.Integer(), nullable=False),
    sa.Column('held_on', sa.Date(), nullable=False),
    sa.Column('place', sa.String(length=300), nullable=False),
    sa.Column('agenda', sa.Text(), nullable=False),
    sa.Column('seats', sa.Integer(), nullable=False),
    sa.Column('present', sa.Integer(), nullable=False),
    sa.Column('quorum', sa.Integer(), nullable=False),
    sa.Column('minutes', sa.Text(), nullable=True),
    sa.Column('minutes_published_at', app.core.db.UTCDateTime(timezone=True), nullable=True),
    sa.Column('recorded_by_id', sa.Integer(), nullable=True),
    sa.Column('recorded_at', app.core.db.UTCDateTime(timezone=True), nullable=False),
    sa.Column('rendered', sa.JSON(), nullable=True),
    sa.Column('rendered_version', sa.SmallInteger(), nullable=True),
    sa.ForeignKeyConstraint(['committee_id'], ['committees.id'], name=op.f('fk_committee_sessions_committee_id_committees'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['recorded_by_id'], ['users.id'], name=op.f('fk_committee_sessions_recorded_by_id_users'), ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_committee_sessions'))
    )
    with op.batch_alter_table('committee_sessions', schema=None) as batch_op:
        batch_op.create_index('ix_committee_sessions_committee_held', ['committee_id', 'held_on'], unique=False)

    op.create_table('session_agreements',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('session_id', sa.Integer(), nullable=False),
    sa.Column('position', sa.Integer(), nullable=False),
    sa.Column('text', sa.Text(), nullable=False),
    sa.Column('owner', sa.String(length=300), nullable=False),
    sa.Column('due_on', sa.Date(), nullable=False),
    sa.Column('done_on', sa.Date(), nullable=True),
    sa.Column('done_note', sa.Text(), nullable=True),
    sa.Column('done_by_id', sa.Integer(), nullable=True),
    sa.ForeignKeyConstraint(['done_by_id'], ['users.id'], name=op.f('fk_session_agreements_done_by_id_users'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['session_id'], ['committee_sessions.id'], name=op.f('fk_session_agreements_session_id_committee_sessions'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_session_agreements'))
    )
    with op.batch_alter_table('session_agreements', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_session_agreements_session_id'), ['session_id'], unique=False)

    op.create_table('session_attendance',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('session_id', sa.Integer(), nullable=False),
    sa.Column('member_id', sa.Integer(), nullable=True),
    sa.Column('name', sa.String(length=200), nullable=False),
    sa.Column('kind', sa.String(length=32), nullable=False),
    sa.Column('present', sa.Boolean(), nullable=False),
    sa.Column('stood_in_for', sa.String(length=200), nullable=True),
    sa.ForeignKeyConstraint(['member_id'], ['committee_members.id'], name=op.f('fk_session_attendance_member_id_committee_members'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['session_id'], ['committee_sessions.id'], name=op.f('fk_session_attendance_session_id_committee_sessions'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_session_attendance')),
    sa.UniqueConstraint('session_id', 'member_id', name=op.f('uq_session_attendance_session_id_member_id'))
    )
    with op.batch_alter_table('session_attendance', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_session_attendance_session_id'), ['session_id'], unique=False)

    # In place, never by rebuilding the table (so many rows refer to committees).
    op.add_column('committees', sa.Column('quorum', sa.Integer(), nullable=True))



def downgrade():
    op.drop_column('committees', 'quorum')

    with op.batch_alter_table('session_attendance', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_session_attendance_session_id'))

    op.drop_table('session_attendance')
    with op.batch_alter_table('session_agreements', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_session_agreements_session_id'))

    op.drop_table('session_agreements')
    with op.batch_alter_table('committee_sessions', schema=None) as batch_op:
        batch_op.drop_index('ix_committee_sessions_committee_held')

    op.drop_table('committee_sessions')
