"""The end-of-term evaluation: the civil-society representatives' opinions on each commitment
and the committee's self-assessment in OGP's terms (completion, whether it opened government,
evidence).

Revision ID: 7ce79f4c4a6a
Revises: 3d54bf8dbcf8
Create Date: 2026-12-06 18:25:52.520365

"""
import sqlalchemy as sa
from alembic import op

import app.core.db

# revision identifiers, used by Alembic.
revision = '7ce79f4c4a6a'
down_revision = '3d54bf8dbcf8'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('evaluation_assessments',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('commitment_id', sa.Integer(), nullable=False),
    sa.Column('completion', sa.Enum('not_started', 'limited', 'substantial', 'complete', name='completion', native_enum=False, create_constraint=True, length=32), nullable=False),
    sa.Column('opened_government', sa.Enum('worsened', 'did_not_change', 'marginal', 'major', 'outstanding', name='openedgovernment', native_enum=False, create_constraint=True, length=32), nullable=False),
    sa.Column('evidence', sa.Text(), nullable=False),
    sa.Column('recorded_by_id', sa.Integer(), nullable=True),
    sa.Column('recorded_at', app.core.db.UTCDateTime(timezone=True), nullable=False),
    sa.Column('rendered', sa.JSON(), nullable=True),
    sa.Column('rendered_version', sa.SmallInteger(), nullable=True),
    sa.ForeignKeyConstraint(['commitment_id'], ['commitments.id'], name=op.f('fk_evaluation_assessments_commitment_id_commitments'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['recorded_by_id'], ['users.id'], name=op.f('fk_evaluation_assessments_recorded_by_id_users'), ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_evaluation_assessments')),
    sa.UniqueConstraint('commitment_id', name=op.f('uq_evaluation_assessments_commitment_id'))
    )
    op.create_table('evaluation_opinions',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('commitment_id', sa.Integer(), nullable=False),
    sa.Column('author_id', sa.Integer(), nullable=True),
    sa.Column('seat', sa.String(length=32), nullable=False),
    sa.Column('seat_holder', sa.String(length=200), nullable=False),
    sa.Column('completion', sa.Enum('not_started', 'limited', 'substantial', 'complete', name='completion', native_enum=False, create_constraint=True, length=32), nullable=False),
    sa.Column('text', sa.Text(), nullable=False),
    sa.Column('created_at', app.core.db.UTCDateTime(timezone=True), nullable=False),
    sa.Column('rendered', sa.JSON(), nullable=True),
    sa.Column('rendered_version', sa.SmallInteger(), nullable=True),
    sa.ForeignKeyConstraint(['author_id'], ['users.id'], name=op.f('fk_evaluation_opinions_author_id_users'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['commitment_id'], ['commitments.id'], name=op.f('fk_evaluation_opinions_commitment_id_commitments'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_evaluation_opinions')),
    sa.UniqueConstraint('commitment_id', 'author_id', name=op.f('uq_evaluation_opinions_commitment_id_author_id'))
    )
    with op.batch_alter_table('evaluation_opinions', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_evaluation_opinions_commitment_id'), ['commitment_id'], unique=False)



def downgrade():
    with op.batch_alter_table('evaluation_opinions', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_evaluation_opinions_commitment_id'))

    op.drop_table('evaluation_opinions')
    op.drop_table('evaluation_assessments')
