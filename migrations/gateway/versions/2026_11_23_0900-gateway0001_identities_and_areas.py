"""Identities (users, machine clients), the area registry loaded with the national
divisions, and the kit tables.

Revision ID: gateway0001
Revises: 
Create Date: 2026-11-23 01:02:59.828382+00:00
"""

import csv
from collections.abc import Sequence
from pathlib import Path

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

from migrations import kit_v1

DIVISIONS_CSV = Path(__file__).resolve().parents[3] / "gateway" / "areas" / "data" / "divisions.csv"
revision: str = "gateway0001"
down_revision: str | None = None
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    kit_v1.create_kit_tables()
    op.create_table('areas',
    sa.Column('code', sa.String(length=12, collation='C'), nullable=False),
    sa.Column('name', sa.String(length=100), nullable=False),
    sa.Column('level', sa.String(length=16), nullable=False),
    sa.Column('parent_code', sa.String(length=12, collation='C'), nullable=True),
    sa.Column('custom', sa.Boolean(), nullable=False),
    sa.Column('dissolved_on', sa.Date(), nullable=True),
    sa.Column('version', sa.Integer(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), server_default=sa.text('now()'), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), server_default=sa.text('now()'), nullable=False),
    sa.CheckConstraint("code ~ '^[0-9]{12}$'", name=op.f('ck_areas_code_digits')),
    sa.CheckConstraint("level IN ('province', 'city', 'county', 'township', 'village')", name=op.f('ck_areas_level_known')),
    sa.ForeignKeyConstraint(['parent_code'], ['areas.code'], name=op.f('fk_areas_parent_code_areas')),
    sa.PrimaryKeyConstraint('code', name=op.f('pk_areas'))
    )
    op.create_index('ix_areas_name', 'areas', ['name'], unique=False)
    op.create_index('ix_areas_parent_code', 'areas', ['parent_code'], unique=False)
    op.create_table('machine_clients',
    sa.Column('id', sa.Uuid(), nullable=False),
    sa.Column('client_id', sa.String(length=64), nullable=False),
    sa.Column('name', sa.String(length=100), nullable=False),
    sa.Column('role', sa.String(length=32), nullable=False),
    sa.Column('area_code', sa.String(length=12, collation='C'), nullable=False),
    sa.Column('scopes', postgresql.ARRAY(sa.String(length=64)), nullable=False),
    sa.Column('secret_hash', sa.String(length=200), nullable=False),
    sa.Column('active', sa.Boolean(), nullable=False),
    sa.Column('version', sa.Integer(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), server_default=sa.text('now()'), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), server_default=sa.text('now()'), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_machine_clients')),
    sa.UniqueConstraint('client_id', name=op.f('uq_machine_clients_client_id'))
    )
    op.create_index(op.f('ix_machine_clients_area_code'), 'machine_clients', ['area_code'], unique=False)
    op.create_table('users',
    sa.Column('id', sa.Uuid(), nullable=False),
    sa.Column('username', sa.String(length=64), nullable=False),
    sa.Column('display_name', sa.String(length=100), nullable=False),
    sa.Column('role', sa.String(length=32), nullable=False),
    sa.Column('area_code', sa.String(length=12, collation='C'), nullable=False),
    sa.Column('scopes', postgresql.ARRAY(sa.String(length=64)), nullable=False),
    sa.Column('password_hash', sa.String(length=200), nullable=False),
    sa.Column('active', sa.Boolean(), nullable=False),
    sa.Column('failed_logins', sa.Integer(), nullable=False),
    sa.Column('locked_until', sa.DateTime(timezone=True), nullable=True),
    sa.Column('version', sa.Integer(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), server_default=sa.text('now()'), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), server_default=sa.text('now()'), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_users')),
    sa.UniqueConstraint('username', name=op.f('uq_users_username'))
    )
    op.create_index(op.f('ix_users_area_code'), 'users', ['area_code'], unique=False)
    load_divisions()
    kit_v1.grant_app_role()


def downgrade() -> None:
    kit_v1.revoke_app_role()
    op.drop_index(op.f('ix_users_area_code'), table_name='users')
    op.drop_table('users')
    op.drop_index(op.f('ix_machine_clients_area_code'), table_name='machine_clients')
    op.drop_table('machine_clients')
    op.drop_index('ix_areas_parent_code', table_name='areas')
    op.drop_index('ix_areas_name', table_name='areas')
    op.drop_table('areas')
    kit_v1.drop_kit_tables()


def load_divisions() -> None:
    """The national province, city and county codes shipped in the repository."""
    areas = sa.table(
        "areas",
        sa.column("code", sa.String),
        sa.column("name", sa.String),
        sa.column("level", sa.String),
        sa.column("parent_code", sa.String),
        sa.column("custom", sa.Boolean),
        sa.column("version", sa.Integer),
    )
    with DIVISIONS_CSV.open(encoding="utf-8", newline="") as source:
        rows = [
            {
                "code": row["code"],
                "name": row["name"],
                "level": row["level"],
                "parent_code": None if row["parent_code"] == "000000000000" else row["parent_code"],
                "custom": False,
                "version": 1,
            }
            for row in csv.DictReader(source)
        ]
    op.bulk_insert(areas, rows)
