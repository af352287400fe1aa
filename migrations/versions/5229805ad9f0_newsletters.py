"""Newsletters of the guarantor body: drafts and sent ones, one delivery row per recipient, opt-outs.

Revision ID: 5229805ad9f0
Revises: d77c90503430
Create Date: 2026-12-06 04:18:28.624298

"""
import sqlalchemy as sa
from alembic import op

import app.core.db

# revision identifiers, used by Alembic.
revision = '5229805ad9f0'
down_revision = 'd77c90503430'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('newsletter_opt_outs',
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('created_at', app.core.db.UTCDateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['user_id'], ['users.id'], name=op.f('fk_newsletter_opt_outs_user_id_users'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('user_id', name=op.f('pk_newsletter_opt_outs'))
    )
    op.create_table('newsletters',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('plan_id', sa.Integer(), nullable=False),
    sa.Column('subject', sa.String(length=200), nullable=False),
    sa.Column('body', sa.Text(), nullable=False),
    sa.Column('segment', sa.Enum('everyone', 'organisations', 'committee', 'followers', name='newsletter_segment', native_enum=False, create_constraint=True, length=32), nullable=False),
    sa.Column('committee_id', sa.Integer(), nullable=True),
    sa.Column('follow_type', sa.String(length=20), nullable=True),
    sa.Column('follow_id', sa.Integer(), nullable=True),
    sa.Column('state', sa.Enum('draft', 'sent', name='newsletterstate', native_enum=False, create_constraint=True, length=32), nullable=False),
    sa.Column('author_id', sa.Integer(), nullable=True),
    sa.Column('created_at', app.core.db.UTCDateTime(timezone=True), nullable=False),
    sa.Column('updated_at', app.core.db.UTCDateTime(timezone=True), nullable=False),
    sa.Column('sent_at', app.core.db.UTCDateTime(timezone=True), nullable=True),
    sa.Column('sent_by_id', sa.Integer(), nullable=True),
    sa.Column('recipient_count', sa.Integer(), nullable=True),
    sa.Column('announcement_id', sa.Integer(), nullable=True),
    sa.ForeignKeyConstraint(['announcement_id'], ['announcements.id'], name=op.f('fk_newsletters_announcement_id_announcements'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['author_id'], ['users.id'], name=op.f('fk_newsletters_author_id_users'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['committee_id'], ['committees.id'], name=op.f('fk_newsletters_committee_id_committees'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['plan_id'], ['action_plans.id'], name=op.f('fk_newsletters_plan_id_action_plans'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['sent_by_id'], ['users.id'], name=op.f('fk_newsletters_sent_by_id_users'), ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_newsletters'))
    )
    with op.batch_alter_table('newsletters', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_newsletters_plan_id'), ['plan_id'], unique=False)

    op.create_table('newsletter_deliveries',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('newsletter_id', sa.Integer(), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=True),
    sa.Column('outbox_message_id', sa.Integer(), nullable=True),
    sa.ForeignKeyConstraint(['newsletter_id'], ['newsletters.id'], name=op.f('fk_newsletter_deliveries_newsletter_id_newsletters'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['outbox_message_id'], ['outbox_messages.id'], name=op.f('fk_newsletter_deliveries_outbox_message_id_outbox_messages'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['user_id'], ['users.id'], name=op.f('fk_newsletter_deliveries_user_id_users'), ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_newsletter_deliveries')),
    sa.UniqueConstraint('newsletter_id', 'user_id', name=op.f('uq_newsletter_deliveries_newsletter_id_user_id'))
    )
    with op.batch_alter_table('newsletter_deliveries', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_newsletter_deliveries_newsletter_id'), ['newsletter_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_newsletter_deliveries_outbox_message_id'), ['outbox_message_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_newsletter_deliveries_user_id'), ['user_id'], unique=False)



def downgrade():
    with op.batch_alter_table('newsletter_deliveries', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_newsletter_deliveries_user_id'))
        batch_op.drop_index(batch_op.f('ix_newsletter_deliveries_outbox_message_id'))
        batch_op.drop_index(batch_op.f('ix_newsletter_deliveries_newsletter_id'))

    op.drop_table('newsletter_deliveries')
    with op.batch_alter_table('newsletters', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_newsletters_plan_id'))

    op.drop_table('newsletters')
    op.drop_table('newsletter_opt_outs')
