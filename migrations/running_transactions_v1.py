"""When this database's oldest running transaction began, readable by the application role
(frozen: later changes get their own revisions).

Closing a day of the dated figures (services/common/closed_figures.py) must wait for every
transaction that began on it. PostgreSQL shows a session's `xact_start` only to a role with
the rights of that session's login role (or `pg_read_all_stats`). The apps log in as the
database's owner and then `SET ROLE` to the application role, which has no rights of the
owner, so the closer saw no other session's transaction at all. This function runs with its
owner's rights (the owner that runs the migrations and that every app logs in as), so it sees
the apps' sessions, and answers one timestamp: no query text or other detail leaves it.
"""

from __future__ import annotations

from alembic import op

from migrations.kit_v1 import app_role

FUNCTION = "oldest_transaction_start()"


def create() -> None:
    op.execute(
        f"""
        CREATE FUNCTION {FUNCTION} RETURNS timestamptz
        LANGUAGE sql STABLE SECURITY DEFINER SET search_path = pg_catalog, pg_temp AS $$
            SELECT min(xact_start) FROM pg_stat_activity
            WHERE datname = current_database() AND backend_type = 'client backend'
              AND pid <> pg_backend_pid()
        $$
        """
    )
    op.execute(f"REVOKE ALL ON FUNCTION {FUNCTION} FROM PUBLIC")
    role = app_role()
    if role:
        op.execute(f'GRANT EXECUTE ON FUNCTION {FUNCTION} TO "{role}"')


def drop() -> None:
    op.execute(f"DROP FUNCTION {FUNCTION}")
