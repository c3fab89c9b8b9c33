"""Bring a server to the state the apps need: the four databases exist and are at head.

Used by `make run`, `make migrate`, the test suite and the container entrypoint.
`python -m scripts.bootstrap` prints the server URL it prepared.
"""

from __future__ import annotations

import os
import sys

import psycopg
from alembic import command
from alembic.config import Config
from psycopg import sql
from sqlalchemy.engine import make_url

from scripts import embedded_db
from services.common.health import ALEMBIC_INI
from services.common.settings import CommonSettings

DATABASES = ("gateway", "monitoring", "funds", "employment")


def ensure_server() -> str:
    """DATABASE_URL when configured; otherwise the embedded server, started if needed."""
    configured = os.environ.get("DATABASE_URL")
    if configured:
        return configured
    server = embedded_db.start()
    os.environ["DATABASE_URL"] = server
    return server


def _libpq_url(url: str) -> str:
    return make_url(url).set(drivername="postgresql").render_as_string(hide_password=False)


def ensure_databases(settings: CommonSettings) -> None:
    """Create each app's database on the server if it is missing."""
    with psycopg.connect(_libpq_url(settings.database_url), autocommit=True) as connection:
        for name in DATABASES:
            database = settings.database_name(name)
            exists = connection.execute(
                "SELECT 1 FROM pg_database WHERE datname = %s", (database,)
            ).fetchone()
            if not exists:
                connection.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(database)))


def alembic_config(settings: CommonSettings, name: str) -> Config:
    config = Config(str(ALEMBIC_INI), ini_section=name)
    url = settings.service_database_url(name, driver="postgresql+psycopg")
    config.set_main_option(
        "sqlalchemy.url", url.render_as_string(hide_password=False).replace("%", "%%")
    )
    return config


def migrate(settings: CommonSettings, name: str, revision: str = "head") -> None:
    """Upgrade one database to `revision`."""
    command.upgrade(alembic_config(settings, name), revision)


def prepare(settings: CommonSettings | None = None) -> CommonSettings:
    """Server up, databases created, all migrations applied."""
    ensure_server()
    settings = settings or CommonSettings()
    ensure_databases(settings)
    for name in DATABASES:
        migrate(settings, name)
    return settings


if __name__ == "__main__":
    prepared = prepare()
    print(make_url(prepared.database_url).render_as_string(hide_password=True))
    sys.exit(0)
