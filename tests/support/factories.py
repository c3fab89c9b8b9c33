"""Plain factory functions that write directly through an app's database binding."""

from __future__ import annotations

import uuid

from fastapi import FastAPI

from gateway.auth.secrets import hash_secret
from gateway.models import Area, MachineClient, User
from services.common.areas import level_of, parent_code


async def create_user(
    gateway_app: FastAPI,
    *,
    username: str,
    password: str,
    role: str,
    area_code: str,
    scopes: list[str] | None = None,
    active: bool = True,
) -> User:
    user = User(
        id=uuid.uuid4(),
        username=username,
        display_name=username,
        role=role,
        area_code=area_code,
        scopes=scopes or [],
        password_hash=await hash_secret(password),
        active=active,
        failed_logins=0,
        version=1,
    )
    async with gateway_app.state.database.sessionmaker() as session:
        session.add(user)
        await session.commit()
    return user


async def create_client(
    gateway_app: FastAPI, *, client_id: str, secret: str, role: str, area_code: str
) -> MachineClient:
    client = MachineClient(
        id=uuid.uuid4(),
        client_id=client_id,
        name=client_id,
        role=role,
        area_code=area_code,
        scopes=[],
        secret_hash=await hash_secret(secret),
        active=True,
        version=1,
    )
    async with gateway_app.state.database.sessionmaker() as session:
        session.add(client)
        await session.commit()
    return client


async def create_area(gateway_app: FastAPI, code: str, name: str) -> Area:
    """A township or village below the national file's counties."""
    area = Area(
        code=code,
        name=name,
        level=level_of(code).value,
        parent_code=parent_code(code),
        custom=False,
        version=1,
    )
    async with gateway_app.state.database.sessionmaker() as session:
        session.add(area)
        await session.commit()
    return area
