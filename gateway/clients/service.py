"""The rules of managing machine clients. Every write is audited and goes into the feed."""

from __future__ import annotations

import uuid

from sqlalchemy.ext.asyncio import AsyncSession

from gateway.areas.repository import area_exists
from gateway.auth.secrets import generate_secret, hash_secret
from gateway.clients import repository
from gateway.clients.schemas import ClientCreate, ClientRead, ClientUpdate
from gateway.models import MachineClient
from gateway.roles.policy import check_may_grant, check_role_fits_area
from services.common.auth.principal import Principal
from services.common.auth.roles import Role
from services.common.concurrency import check_version
from services.common.errors import Conflict, InvalidInput, NotFound
from services.common.history import record_write

ENTITY = "machine_client"
CLIENT_ROLES = frozenset({Role.PROVINCE_SYSTEM, Role.DEPARTMENT_FEED})


async def create_client(
    session: AsyncSession, principal: Principal, data: ClientCreate
) -> tuple[MachineClient, str]:
    if data.role not in CLIENT_ROLES:
        raise InvalidInput.for_field(
            "body.role",
            "role_not_for_machines",
            "A machine client is a province_system or a department_feed.",
        )
    check_may_grant(principal, data.role, data.scopes)
    if not principal.covers(data.area_code):
        raise InvalidInput.for_field(
            "body.area_code", "area_out_of_scope", "The area is outside your jurisdiction."
        )
    check_role_fits_area(data.role, data.area_code)
    if not await area_exists(session, data.area_code):
        raise InvalidInput.for_field(
            "body.area_code", "area_unknown", f"The area {data.area_code} is not in the registry."
        )
    if await repository.client_id_taken(session, data.client_id):
        raise Conflict(f"The client id {data.client_id} is taken.", code="client_id_taken")
    secret = generate_secret(32)
    client = MachineClient(
        id=uuid.uuid4(),
        client_id=data.client_id,
        name=data.name,
        role=data.role.value,
        area_code=data.area_code,
        scopes=sorted(set(data.scopes)),
        secret_hash=await hash_secret(secret),
        active=True,
        version=1,
    )
    session.add(client)
    await session.flush()
    await _written(session, principal, client, "create")
    return client, secret


async def read_client(
    session: AsyncSession, principal: Principal, client_id: uuid.UUID
) -> MachineClient:
    return await _get(session, principal, client_id)


async def update_client(
    session: AsyncSession,
    principal: Principal,
    client_id: uuid.UUID,
    data: ClientUpdate,
    version: int,
) -> MachineClient:
    client = await _get(session, principal, client_id, for_update=True)
    check_version(
        version, client.version, ClientRead.model_validate(client).model_dump(mode="json")
    )
    changes = data.model_dump(exclude_unset=True)
    for name, value in changes.items():
        if value is None:
            raise InvalidInput.for_field(f"body.{name}", "not_null", f"{name} cannot be null")
    if "scopes" in changes:
        check_may_grant(principal, Role(client.role), changes["scopes"])
        changes["scopes"] = sorted(set(changes["scopes"]))
    for name, value in changes.items():
        setattr(client, name, value)
    client.version += 1
    await session.flush()
    await _written(session, principal, client, "update", sorted(changes))
    return client


async def rotate_secret(
    session: AsyncSession, principal: Principal, client_id: uuid.UUID
) -> tuple[MachineClient, str]:
    client = await _get_manageable(session, principal, client_id)
    secret = generate_secret(32)
    client.secret_hash = await hash_secret(secret)
    client.version += 1
    await session.flush()
    await _written(session, principal, client, "rotate_secret")
    return client, secret


async def _get(
    session: AsyncSession, principal: Principal, client_id: uuid.UUID, *, for_update: bool = False
) -> MachineClient:
    client = await repository.get_in_scope(session, principal, client_id, for_update=for_update)
    if client is None:
        raise NotFound(f"No machine client {client_id}.")
    return client


async def _get_manageable(
    session: AsyncSession, principal: Principal, client_id: uuid.UUID
) -> MachineClient:
    """The client, locked for update, if the principal could have granted what it holds."""
    client = await _get(session, principal, client_id, for_update=True)
    check_may_grant(principal, Role(client.role), client.scopes)
    return client


async def _written(
    session: AsyncSession,
    principal: Principal,
    client: MachineClient,
    action: str,
    fields: list[str] | None = None,
) -> None:
    await record_write(
        session,
        principal,
        entity=ENTITY,
        entity_id=str(client.id),
        area_code=client.area_code,
        version=client.version,
        action=action,
        fields=fields,
    )
