"""labourers, spells and labourer years, posts, workshops, targets, subsidies, loans, figures

Revision ID: employment0002
Revises: employment0001
Create Date: 2026-11-23 11:00:00+00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision: str = 'employment0002'
down_revision: str | None = 'employment0001'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table('area_figures',
    sa.Column('area_code', sa.String(length=12, collation='C'), nullable=False),
    sa.Column('year', sa.SmallInteger(), nullable=False),
    sa.Column('metric', sa.String(length=60), nullable=False),
    sa.Column('value', sa.Numeric(precision=20, scale=2), nullable=False),
    sa.PrimaryKeyConstraint('area_code', 'year', 'metric', name=op.f('pk_area_figures'))
    )
    op.create_index('ix_area_figures_metric_year_area_code', 'area_figures', ['metric', 'year', 'area_code'], unique=False)
    op.create_table('assistance_workshops',
    sa.Column('id', sa.Uuid(), nullable=False),
    sa.Column('area_code', sa.String(length=12, collation='C'), nullable=False),
    sa.Column('name', sa.String(length=100), nullable=False),
    sa.Column('operator', sa.String(length=100), nullable=False),
    sa.Column('industry', sa.String(length=100), nullable=True),
    sa.Column('opened_on', sa.Date(), nullable=True),
    sa.Column('version', sa.Integer(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), server_default=sa.text('now()'), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), server_default=sa.text('now()'), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_assistance_workshops'))
    )
    op.create_index('ix_assistance_workshops_area_code_name_id', 'assistance_workshops', ['area_code', 'name', 'id'], unique=False)
    op.create_table('employment_targets',
    sa.Column('county_code', sa.String(length=12, collation='C'), nullable=False),
    sa.Column('year', sa.SmallInteger(), nullable=False),
    sa.Column('target', sa.Integer(), nullable=False),
    sa.Column('version', sa.Integer(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), server_default=sa.text('now()'), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), server_default=sa.text('now()'), nullable=False),
    sa.PrimaryKeyConstraint('county_code', 'year', name=op.f('pk_employment_targets'))
    )
    op.create_table('labourers',
    sa.Column('id', sa.Uuid(), nullable=False),
    sa.Column('area_code', sa.String(length=12, collation='C'), nullable=False),
    sa.Column('member_id', sa.Uuid(), nullable=False),
    sa.Column('household_id', sa.Uuid(), nullable=False),
    sa.Column('person_number_index', sa.LargeBinary(length=32), nullable=False),
    sa.Column('person_number_masked', sa.String(length=22), nullable=False),
    sa.Column('name', sa.String(length=50), nullable=False),
    sa.Column('sex', sa.String(length=10), nullable=False),
    sa.Column('birth_date', sa.Date(), nullable=False),
    sa.Column('household_kind', sa.String(length=20), nullable=False),
    sa.Column('monitoring_status', sa.String(length=20), nullable=False),
    sa.Column('labour_ability', sa.String(length=40), nullable=True),
    sa.Column('skills', postgresql.ARRAY(sa.String(length=60)), server_default=sa.text("'{}'"), nullable=False),
    sa.Column('certificates', postgresql.ARRAY(sa.String(length=100)), server_default=sa.text("'{}'"), nullable=False),
    sa.Column('version', sa.Integer(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), server_default=sa.text('now()'), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), server_default=sa.text('now()'), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_labourers'))
    )
    op.create_index('ix_labourers_area_code_name_id', 'labourers', ['area_code', 'name', 'id'], unique=False)
    op.create_index('uq_labourers_person_number_index', 'labourers', ['person_number_index'], unique=True)
    op.create_table('loans',
    sa.Column('id', sa.Uuid(), nullable=False),
    sa.Column('area_code', sa.String(length=12, collation='C'), nullable=False),
    sa.Column('status', sa.String(length=30), nullable=False),
    sa.Column('source', sa.String(length=20), nullable=False),
    sa.Column('household_id', sa.Uuid(), nullable=True),
    sa.Column('borrower_member_id', sa.Uuid(), nullable=True),
    sa.Column('borrower_index', sa.LargeBinary(length=32), nullable=False),
    sa.Column('borrower_masked', sa.String(length=22), nullable=False),
    sa.Column('borrower_name', sa.String(length=50), nullable=False),
    sa.Column('borrower_birth_date', sa.Date(), nullable=False),
    sa.Column('household_kind', sa.String(length=20), nullable=True),
    sa.Column('monitoring_status', sa.String(length=20), nullable=True),
    sa.Column('bank', sa.String(length=100), nullable=False),
    sa.Column('amount', sa.Numeric(precision=18, scale=2), nullable=False),
    sa.Column('term_months', sa.SmallInteger(), nullable=False),
    sa.Column('annual_rate', sa.Numeric(precision=6, scale=3), nullable=False),
    sa.Column('interest_subsidy_rate', sa.Numeric(precision=6, scale=3), nullable=False),
    sa.Column('issue_date', sa.Date(), nullable=False),
    sa.Column('maturity_date', sa.Date(), nullable=False),
    sa.Column('original_maturity_date', sa.Date(), nullable=False),
    sa.Column('principal_repaid', sa.Numeric(precision=18, scale=2), nullable=False),
    sa.Column('closed_on', sa.Date(), nullable=True),
    sa.Column('renewed_from_id', sa.Uuid(), nullable=True),
    sa.Column('pending_reason', sa.String(length=300), nullable=True),
    sa.Column('refusal_rule', sa.String(length=60), nullable=True),
    sa.Column('refusal_message', sa.String(length=300), nullable=True),
    sa.Column('check_attempts', sa.Integer(), nullable=False),
    sa.Column('checked_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('version', sa.Integer(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), server_default=sa.text('now()'), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), server_default=sa.text('now()'), nullable=False),
    sa.ForeignKeyConstraint(['renewed_from_id'], ['loans.id'], name=op.f('fk_loans_renewed_from_id_loans')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_loans'))
    )
    op.create_index('ix_loans_area_code_status_id', 'loans', ['area_code', 'status', 'id'], unique=False)
    op.create_index('ix_loans_household_id', 'loans', ['household_id'], unique=False)
    op.create_index('uq_loans_borrower_index_pending', 'loans', ['borrower_index'], unique=True, postgresql_where=sa.text("status = 'pending_eligibility'"))
    op.create_index('uq_loans_household_id_outstanding', 'loans', ['household_id'], unique=True, postgresql_where=sa.text("status = 'outstanding'"))
    op.create_table('new_loan_households',
    sa.Column('household_id', sa.Uuid(), nullable=False),
    sa.Column('year', sa.SmallInteger(), nullable=False),
    sa.Column('area_code', sa.String(length=12, collation='C'), nullable=False),
    sa.PrimaryKeyConstraint('household_id', 'year', name=op.f('pk_new_loan_households'))
    )
    op.create_table('public_welfare_posts',
    sa.Column('id', sa.Uuid(), nullable=False),
    sa.Column('area_code', sa.String(length=12, collation='C'), nullable=False),
    sa.Column('name', sa.String(length=100), nullable=False),
    sa.Column('duty', sa.String(length=100), nullable=True),
    sa.Column('managing_unit', sa.String(length=100), nullable=False),
    sa.Column('monthly_pay', sa.Numeric(precision=18, scale=2), nullable=False),
    sa.Column('positions', sa.SmallInteger(), nullable=False),
    sa.Column('version', sa.Integer(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), server_default=sa.text('now()'), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), server_default=sa.text('now()'), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_public_welfare_posts'))
    )
    op.create_index('ix_public_welfare_posts_area_code_name_id', 'public_welfare_posts', ['area_code', 'name', 'id'], unique=False)
    op.create_table('employment_spells',
    sa.Column('id', sa.Uuid(), nullable=False),
    sa.Column('labourer_id', sa.Uuid(), nullable=False),
    sa.Column('area_code', sa.String(length=12, collation='C'), nullable=False),
    sa.Column('employer', sa.String(length=200), nullable=False),
    sa.Column('place_class', sa.String(length=20), nullable=False),
    sa.Column('kind', sa.String(length=30), nullable=False),
    sa.Column('start_date', sa.Date(), nullable=False),
    sa.Column('end_date', sa.Date(), nullable=True),
    sa.Column('monthly_wage', sa.Numeric(precision=18, scale=2), nullable=False),
    sa.Column('post_id', sa.Uuid(), nullable=True),
    sa.Column('workshop_id', sa.Uuid(), nullable=True),
    sa.Column('version', sa.Integer(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), server_default=sa.text('now()'), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), server_default=sa.text('now()'), nullable=False),
    sa.CheckConstraint("(kind = 'assistance_workshop') = (workshop_id IS NOT NULL)", name=op.f('ck_employment_spells_workshop')),
    sa.CheckConstraint("(kind = 'public_welfare_post') = (post_id IS NOT NULL)", name=op.f('ck_employment_spells_post')),
    sa.CheckConstraint("kind IN ('enterprise', 'public_welfare_post', 'assistance_workshop', 'self_employed')", name=op.f('ck_employment_spells_kind')),
    sa.CheckConstraint("place_class IN ('in_county', 'in_province', 'out_of_province')", name=op.f('ck_employment_spells_place_class')),
    sa.CheckConstraint('end_date IS NULL OR end_date >= start_date', name=op.f('ck_employment_spells_dates_in_order')),
    sa.ForeignKeyConstraint(['labourer_id'], ['labourers.id'], name=op.f('fk_employment_spells_labourer_id_labourers')),
    sa.ForeignKeyConstraint(['post_id'], ['public_welfare_posts.id'], name=op.f('fk_employment_spells_post_id_public_welfare_posts')),
    sa.ForeignKeyConstraint(['workshop_id'], ['assistance_workshops.id'], name=op.f('fk_employment_spells_workshop_id_assistance_workshops')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_employment_spells'))
    )
    op.create_index('ix_employment_spells_labourer_id', 'employment_spells', ['labourer_id'], unique=False)
    op.create_index('ix_employment_spells_open_area_code', 'employment_spells', ['area_code', 'start_date'], unique=False, postgresql_where=sa.text('end_date IS NULL'))
    op.create_index('ix_employment_spells_post_id', 'employment_spells', ['post_id'], unique=False, postgresql_where=sa.text('post_id IS NOT NULL'))
    op.create_index('ix_employment_spells_workshop_id', 'employment_spells', ['workshop_id'], unique=False, postgresql_where=sa.text('workshop_id IS NOT NULL'))
    op.create_table('labourer_years',
    sa.Column('labourer_id', sa.Uuid(), nullable=False),
    sa.Column('year', sa.SmallInteger(), nullable=False),
    sa.Column('area_code', sa.String(length=12, collation='C'), nullable=False),
    sa.Column('worked_days', sa.SmallInteger(), nullable=False),
    sa.Column('days_in_county', sa.SmallInteger(), nullable=False),
    sa.Column('days_in_province', sa.SmallInteger(), nullable=False),
    sa.Column('days_out_of_province', sa.SmallInteger(), nullable=False),
    sa.Column('employed', sa.Boolean(), nullable=False),
    sa.Column('place_class', sa.String(length=20), nullable=True),
    sa.PrimaryKeyConstraint('labourer_id', 'year', name=op.f('pk_labourer_years'))
    )
    op.create_table('loan_events',
    sa.Column('id', sa.BigInteger(), sa.Identity(always=True), nullable=False),
    sa.Column('loan_id', sa.Uuid(), nullable=False),
    sa.Column('kind', sa.String(length=30), nullable=False),
    sa.Column('happened_on', sa.Date(), nullable=False),
    sa.Column('amount', sa.Numeric(precision=18, scale=2), nullable=True),
    sa.Column('maturity_date', sa.Date(), nullable=True),
    sa.Column('related_loan_id', sa.Uuid(), nullable=True),
    sa.Column('note', sa.String(length=300), nullable=True),
    sa.Column('recorded_by', sa.String(length=200), nullable=False),
    sa.Column('recorded_at', sa.DateTime(timezone=True), server_default=sa.text('now()'), nullable=False),
    sa.ForeignKeyConstraint(['loan_id'], ['loans.id'], name=op.f('fk_loan_events_loan_id_loans')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_loan_events'))
    )
    op.create_index('ix_loan_events_loan_id', 'loan_events', ['loan_id'], unique=False)
    op.create_table('loan_installments',
    sa.Column('loan_id', sa.Uuid(), nullable=False),
    sa.Column('seq', sa.SmallInteger(), nullable=False),
    sa.Column('due_date', sa.Date(), nullable=False),
    sa.Column('principal', sa.Numeric(precision=18, scale=2), nullable=False),
    sa.ForeignKeyConstraint(['loan_id'], ['loans.id'], name=op.f('fk_loan_installments_loan_id_loans')),
    sa.PrimaryKeyConstraint('loan_id', 'seq', name=op.f('pk_loan_installments'))
    )
    op.create_table('subsidies',
    sa.Column('id', sa.Uuid(), nullable=False),
    sa.Column('kind', sa.String(length=20), nullable=False),
    sa.Column('area_code', sa.String(length=12, collation='C'), nullable=False),
    sa.Column('year', sa.SmallInteger(), nullable=False),
    sa.Column('person_number_index', sa.LargeBinary(length=32), nullable=False),
    sa.Column('person_number_masked', sa.String(length=22), nullable=False),
    sa.Column('person_name', sa.String(length=50), nullable=False),
    sa.Column('household_id', sa.Uuid(), nullable=False),
    sa.Column('labourer_id', sa.Uuid(), nullable=True),
    sa.Column('school', sa.String(length=100), nullable=True),
    sa.Column('amount', sa.Numeric(precision=18, scale=2), nullable=False),
    sa.Column('paid_on', sa.Date(), nullable=False),
    sa.Column('version', sa.Integer(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), server_default=sa.text('now()'), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), server_default=sa.text('now()'), nullable=False),
    sa.CheckConstraint("kind IN ('transport', 'study')", name=op.f('ck_subsidies_kind')),
    sa.ForeignKeyConstraint(['labourer_id'], ['labourers.id'], name=op.f('fk_subsidies_labourer_id_labourers')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_subsidies')),
    sa.UniqueConstraint('kind', 'person_number_index', 'year', name=op.f('uq_subsidies_kind_person_number_index_year'))
    )
    op.create_index('ix_subsidies_area_code_year_id', 'subsidies', ['area_code', 'year', 'id'], unique=False)
    op.create_table('trainings',
    sa.Column('id', sa.Uuid(), nullable=False),
    sa.Column('labourer_id', sa.Uuid(), nullable=False),
    sa.Column('area_code', sa.String(length=12, collation='C'), nullable=False),
    sa.Column('course', sa.String(length=100), nullable=False),
    sa.Column('provider', sa.String(length=100), nullable=True),
    sa.Column('started_on', sa.Date(), nullable=False),
    sa.Column('ended_on', sa.Date(), nullable=True),
    sa.Column('certificate', sa.String(length=100), nullable=True),
    sa.Column('version', sa.Integer(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), server_default=sa.text('now()'), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), server_default=sa.text('now()'), nullable=False),
    sa.ForeignKeyConstraint(['labourer_id'], ['labourers.id'], name=op.f('fk_trainings_labourer_id_labourers')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_trainings'))
    )
    op.create_index('ix_trainings_labourer_id', 'trainings', ['labourer_id'], unique=False)


def downgrade() -> None:
    op.drop_index('ix_trainings_labourer_id', table_name='trainings')
    op.drop_table('trainings')
    op.drop_index('ix_subsidies_area_code_year_id', table_name='subsidies')
    op.drop_table('subsidies')
    op.drop_table('loan_installments')
    op.drop_index('ix_loan_events_loan_id', table_name='loan_events')
    op.drop_table('loan_events')
    op.drop_table('labourer_years')
    op.drop_index('ix_employment_spells_workshop_id', table_name='employment_spells', postgresql_where=sa.text('workshop_id IS NOT NULL'))
    op.drop_index('ix_employment_spells_post_id', table_name='employment_spells', postgresql_where=sa.text('post_id IS NOT NULL'))
    op.drop_index('ix_employment_spells_open_area_code', table_name='employment_spells', postgresql_where=sa.text('end_date IS NULL'))
    op.drop_index('ix_employment_spells_labourer_id', table_name='employment_spells')
    op.drop_table('employment_spells')
    op.drop_index('ix_public_welfare_posts_area_code_name_id', table_name='public_welfare_posts')
    op.drop_table('public_welfare_posts')
    op.drop_table('new_loan_households')
    op.drop_index('uq_loans_household_id_outstanding', table_name='loans', postgresql_where=sa.text("status = 'outstanding'"))
    op.drop_index('uq_loans_borrower_index_pending', table_name='loans', postgresql_where=sa.text("status = 'pending_eligibility'"))
    op.drop_index('ix_loans_household_id', table_name='loans')
    op.drop_index('ix_loans_area_code_status_id', table_name='loans')
    op.drop_table('loans')
    op.drop_index('uq_labourers_person_number_index', table_name='labourers')
    op.drop_index('ix_labourers_area_code_name_id', table_name='labourers')
    op.drop_table('labourers')
    op.drop_table('employment_targets')
    op.drop_index('ix_assistance_workshops_area_code_name_id', table_name='assistance_workshops')
    op.drop_table('assistance_workshops')
    op.drop_index('ix_area_figures_metric_year_area_code', table_name='area_figures')
    op.drop_table('area_figures')
