"""What every migration environment does; each `<db>/env.py` only names its metadata."""

from __future__ import annotations

from alembic import context
from sqlalchemy import MetaData, create_engine, pool

from services.common.settings import CommonSettings


def database_url(name: str) -> str:
    """sqlalchemy.url if a caller set it, otherwise the database from the app settings."""
    configured = context.config.get_main_option("sqlalchemy.url")
    if configured:
        return configured
    url = CommonSettings().service_database_url(name, driver="postgresql+psycopg")
    return url.render_as_string(hide_password=False)


def run(name: str, target_metadata: list[MetaData]) -> None:
    """Run the migrations of database `name` online (offline SQL generation when asked)."""
    url = database_url(name)
    options = {"target_metadata": target_metadata, "compare_type": True}
    if context.is_offline_mode():
        context.configure(url=url, literal_binds=True, **options)
        with context.begin_transaction():
            context.run_migrations()
        return
    engine = create_engine(url, poolclass=pool.NullPool)
    with engine.connect() as connection:
        context.configure(connection=connection, transaction_per_migration=True, **options)
        with context.begin_transaction():
            context.run_migrations()
    engine.dispose()
