"""Operator commands: `python -m gateway.cli <command>`.

  create-user      --username U --role R --area CODE [--display-name N] [--password P] [--scope S]
  create-client    --client-id C --role R --area CODE [--name N] [--scope S]
  ensure-dev-admin create the development administrator if there is no user at all
  generate-keys    print fresh production key material for the settings

Accounts are created through the same rules as the API and audited as `cli:<os user>`.
Generated passwords and secrets are printed once and never stored in clear.
"""

from __future__ import annotations

import argparse
import asyncio
import getpass
import json
import sys

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from cryptography.hazmat.primitives.serialization import (
    Encoding,
    NoEncryption,
    PrivateFormat,
    PublicFormat,
)

from gateway.clients import service as clients
from gateway.clients.schemas import ClientCreate
from gateway.settings import GatewaySettings
from gateway.users import repository as users_repository
from gateway.users import service as users
from gateway.users.schemas import UserCreate
from services.common.areas import NATION_CODE
from services.common.auth.principal import Principal
from services.common.auth.roles import Role
from services.common.database import Database
from services.common.errors import DixianError
from services.common.personal_data import generate_key_setting

DEV_ADMIN = "admin"


def operator() -> Principal:
    return Principal(subject=f"cli:{getpass.getuser()}", role=Role.ADMINISTRATOR, area=NATION_CODE)


def database() -> Database:
    settings = GatewaySettings()
    return Database.connect(
        settings.service_database_url("gateway"), role=settings.database_role, pool_size=1
    )


async def create_user(args: argparse.Namespace) -> str:
    data = UserCreate(
        username=args.username,
        display_name=args.display_name or args.username,
        role=Role(args.role),
        area_code=args.area,
        scopes=args.scope,
        password=args.password,
    )
    db = database()
    try:
        async with db.sessionmaker() as session:
            user, generated = await users.create_user(session, operator(), data)
            await session.commit()
    finally:
        await db.dispose()
    lines = [f"created user {user.username} ({user.role}, area {user.area_code}), id {user.id}"]
    if generated:
        lines.append(f"password (shown once): {generated}")
    return "\n".join(lines)


async def create_client(args: argparse.Namespace) -> str:
    data = ClientCreate(
        client_id=args.client_id,
        name=args.name or args.client_id,
        role=Role(args.role),
        area_code=args.area,
        scopes=args.scope,
    )
    db = database()
    try:
        async with db.sessionmaker() as session:
            client, secret = await clients.create_client(session, operator(), data)
            await session.commit()
    finally:
        await db.dispose()
    return (
        f"created machine client {client.client_id} ({client.role}, area {client.area_code})\n"
        f"client secret (shown once): {secret}"
    )


async def ensure_dev_admin() -> str | None:
    """The first administrator of a fresh installation, with a random password."""
    db = database()
    try:
        async with db.sessionmaker() as session:
            if await users_repository.any_user_exists(session):
                return None
            data = UserCreate(
                username=DEV_ADMIN,
                display_name="Development administrator (开发管理员)",
                role=Role.ADMINISTRATOR,
                area_code=NATION_CODE,
            )
            _, password = await users.create_user(session, operator(), data)
            await session.commit()
            return password
    finally:
        await db.dispose()


def generate_keys() -> str:
    key = Ed25519PrivateKey.generate()
    private = key.private_bytes(Encoding.PEM, PrivateFormat.PKCS8, NoEncryption()).decode()
    public = key.public_key().public_bytes(Encoding.PEM, PublicFormat.SubjectPublicKeyInfo).decode()
    key_id = "prod-1"
    return "\n".join(
        [
            f"GATEWAY_SIGNING_KEY_ID={key_id}",
            f"GATEWAY_SIGNING_KEY={json.dumps(private)}",
            f"JWT_PUBLIC_KEYS={json.dumps(json.dumps({key_id: public}))}",
            f"DATA_KEYS={generate_key_setting('data-1')}",
            f"BLIND_INDEX_KEY={generate_key_setting('x').split(':', 1)[1]}",
        ]
    )


def parser() -> argparse.ArgumentParser:
    root = argparse.ArgumentParser(prog="python -m gateway.cli", description=__doc__.split("\n")[0])
    commands = root.add_subparsers(dest="command", required=True)
    user = commands.add_parser("create-user", help="create a person's account")
    user.add_argument("--username", required=True)
    user.add_argument("--role", required=True, choices=[role.value for role in Role])
    user.add_argument("--area", required=True, help="12-digit area code")
    user.add_argument("--display-name")
    user.add_argument("--password", help="omit to generate one")
    user.add_argument("--scope", action="append", default=[])
    client = commands.add_parser("create-client", help="create a machine client")
    client.add_argument("--client-id", required=True)
    client.add_argument("--role", required=True, choices=["province_system", "department_feed"])
    client.add_argument("--area", required=True)
    client.add_argument("--name")
    client.add_argument("--scope", action="append", default=[])
    commands.add_parser("ensure-dev-admin", help="create the first administrator if none exists")
    commands.add_parser("generate-keys", help="print production key settings")
    return root


def main(argv: list[str] | None = None) -> int:
    args = parser().parse_args(argv)
    try:
        if args.command == "create-user":
            print(asyncio.run(create_user(args)))
        elif args.command == "create-client":
            print(asyncio.run(create_client(args)))
        elif args.command == "ensure-dev-admin":
            password = asyncio.run(ensure_dev_admin())
            print(f"{DEV_ADMIN} {password}" if password else "users exist; nothing created")
        else:
            print(generate_keys())
    except DixianError as error:
        fields = "; ".join(f"{f.field}: {f.message}" for f in error.fields or [])
        print(f"error ({error.code}): {error.detail} {fields}".strip(), file=sys.stderr)
        return 1
    except ValueError as error:
        print(f"error: {error}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
