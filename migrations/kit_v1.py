"""The kit's tables as first created in every database (frozen: later changes get their own
revisions). Also the application role's grants and the audit log's append-only guard."""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

from services.common.settings import CommonSettings


def app_role() -> str:
    return CommonSettings().database_role


def create_kit_tables() -> None:
    op.create_table(
        "idempotency_keys",
        sa.Column("principal", sa.String(200), nullable=False),
        sa.Column("key", sa.String(200), nullable=False),
        sa.Column("method", sa.String(10), nullable=False),
        sa.Column("path", sa.Text(), nullable=False),
        sa.Column("request_hash", sa.LargeBinary(32), nullable=False),
        sa.Column("status_code", sa.Integer(), nullable=False),
        sa.Column("response_headers", postgresql.JSONB(), nullable=False),
        sa.Column("response_body", sa.LargeBinary(), nullable=False),
        sa.Column(
            "created_at", sa.DateTime(timezone=True), server_default=sa.func.now(), nullable=False
        ),
        sa.Column("expires_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("principal", "key", name="pk_idempotency_keys"),
    )
    op.create_index("ix_idempotency_keys_expires_at", "idempotency_keys", ["expires_at"])
    op.execute(
        """
        CREATE TABLE changes (
            seq bigint GENERATED ALWAYS AS IDENTITY CONSTRAINT pk_changes PRIMARY KEY,
            txid xid8 NOT NULL DEFAULT pg_current_xact_id(),
            entity varchar(64) NOT NULL,
            entity_id varchar(64) NOT NULL,
            operation varchar(16) NOT NULL,
            area_code varchar(12) COLLATE "C" NOT NULL,
            version integer NOT NULL,
            changed_at timestamptz NOT NULL DEFAULT now()
        )
        """
    )
    op.create_index("ix_changes_txid_seq", "changes", ["txid", "seq"])
    op.execute(
        """
        CREATE TABLE audit_log (
            id bigint GENERATED ALWAYS AS IDENTITY CONSTRAINT pk_audit_log PRIMARY KEY,
            at timestamptz NOT NULL DEFAULT now(),
            actor varchar(200) NOT NULL,
            actor_role varchar(64) NOT NULL,
            action varchar(64) NOT NULL,
            entity varchar(64) NOT NULL,
            entity_id varchar(64) NOT NULL,
            area_code varchar(12) COLLATE "C",
            request_id varchar(100),
            details jsonb NOT NULL DEFAULT '{}'::jsonb
        )
        """
    )
    op.create_index("ix_audit_log_entity", "audit_log", ["entity", "entity_id"])
    op.execute(
        """
        CREATE FUNCTION audit_log_refuse_change() RETURNS trigger LANGUAGE plpgsql AS $$
        BEGIN
            RAISE EXCEPTION 'audit_log is append-only' USING ERRCODE = 'insufficient_privilege';
        END $$
        """
    )
    op.execute(
        "CREATE TRIGGER audit_log_append_only BEFORE UPDATE OR DELETE ON audit_log "
        "FOR EACH ROW EXECUTE FUNCTION audit_log_refuse_change()"
    )
    op.execute(
        "CREATE TRIGGER audit_log_no_truncate BEFORE TRUNCATE ON audit_log "
        "FOR EACH STATEMENT EXECUTE FUNCTION audit_log_refuse_change()"
    )


def drop_kit_tables() -> None:
    op.drop_table("audit_log")
    op.execute("DROP FUNCTION audit_log_refuse_change()")
    op.drop_table("changes")
    op.drop_table("idempotency_keys")


def grant_app_role() -> None:
    """The app's role may read and write every table, but only INSERT and SELECT the audit log.
    Default privileges carry the grants to tables later revisions create."""
    role = app_role()
    if not role:
        return
    op.execute(
        f"""
        DO $$ BEGIN
            IF NOT EXISTS (SELECT FROM pg_roles WHERE rolname = '{role}') THEN
                CREATE ROLE "{role}" NOLOGIN;
            END IF;
        END $$
        """
    )
    op.execute(f'GRANT "{role}" TO CURRENT_USER')
    op.execute(f'GRANT USAGE ON SCHEMA public TO "{role}"')
    op.execute(f'GRANT SELECT, INSERT, UPDATE, DELETE ON ALL TABLES IN SCHEMA public TO "{role}"')
    op.execute(f'GRANT USAGE, SELECT ON ALL SEQUENCES IN SCHEMA public TO "{role}"')
    op.execute(
        f"ALTER DEFAULT PRIVILEGES IN SCHEMA public "
        f'GRANT SELECT, INSERT, UPDATE, DELETE ON TABLES TO "{role}"'
    )
    op.execute(
        f'ALTER DEFAULT PRIVILEGES IN SCHEMA public GRANT USAGE, SELECT ON SEQUENCES TO "{role}"'
    )
    op.execute(f'REVOKE UPDATE, DELETE, TRUNCATE ON audit_log FROM "{role}"')
    op.execute(f'REVOKE INSERT, UPDATE, DELETE, TRUNCATE ON alembic_version FROM "{role}"')


def revoke_app_role() -> None:
    role = app_role()
    if not role:
        return
    op.execute(
        f"ALTER DEFAULT PRIVILEGES IN SCHEMA public "
        f'REVOKE SELECT, INSERT, UPDATE, DELETE ON TABLES FROM "{role}"'
    )
    op.execute(
        f'ALTER DEFAULT PRIVILEGES IN SCHEMA public REVOKE USAGE, SELECT ON SEQUENCES FROM "{role}"'
    )
    op.execute(f'REVOKE ALL ON ALL TABLES IN SCHEMA public FROM "{role}"')
    op.execute(f'REVOKE ALL ON ALL SEQUENCES IN SCHEMA public FROM "{role}"')
