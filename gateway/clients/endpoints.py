"""`/clients`: machine clients for the client-credentials grant."""

from __future__ import annotations

import uuid
from typing import Annotated

from fastapi import Depends, Response

from gateway.clients import repository, service
from gateway.clients.schemas import ClientCreate, ClientRead, ClientUpdate, ClientWithSecret
from services.common.auth.dependencies import require_roles
from services.common.auth.principal import Principal
from services.common.auth.roles import ACCOUNT_MANAGERS
from services.common.concurrency import IfMatchVersion, set_etag
from services.common.database import SessionDep, UnitOfWorkRouter
from services.common.pagination import Cursor, Limit, Page, decode_cursor, page_of

router = UnitOfWorkRouter(prefix="/clients", tags=["machine clients"])
Manager = Annotated[Principal, Depends(require_roles(*ACCOUNT_MANAGERS))]


def _with_secret(client: object, secret: str) -> ClientWithSecret:
    return ClientWithSecret(**ClientRead.model_validate(client).model_dump(), client_secret=secret)


@router.post(
    "",
    status_code=201,
    response_model=ClientWithSecret,
    summary="Create a machine client (新建接入系统)",
)
async def create_client(
    data: ClientCreate, session: SessionDep, principal: Manager, response: Response
) -> ClientWithSecret:
    client, secret = await service.create_client(session, principal, data)
    set_etag(response, client.version)
    response.headers["Location"] = f"/api/v1/clients/{client.id}"
    return _with_secret(client, secret)


@router.get("", response_model=Page[ClientRead], summary="List machine clients (接入系统列表)")
async def list_clients(
    session: SessionDep, principal: Manager, limit: Limit = 50, cursor: Cursor = None
) -> Page[ClientRead]:
    after = decode_cursor(cursor, (str,))
    clients = await repository.list_in_scope(
        session, principal, after_client_id=after[0] if after else None, limit=limit + 1
    )
    items, next_cursor = page_of(clients, limit, lambda client: [client.client_id])
    return Page[ClientRead](
        items=[ClientRead.model_validate(client) for client in items], next_cursor=next_cursor
    )


@router.get("/{client_id}", response_model=ClientRead, summary="One machine client (接入系统详情)")
async def get_client(
    client_id: uuid.UUID, session: SessionDep, principal: Manager, response: Response
) -> ClientRead:
    client = await service.read_client(session, principal, client_id)
    set_etag(response, client.version)
    return ClientRead.model_validate(client)


@router.patch(
    "/{client_id}", response_model=ClientRead, summary="Change a machine client (修改接入系统)"
)
async def update_client(
    client_id: uuid.UUID,
    data: ClientUpdate,
    version: IfMatchVersion,
    session: SessionDep,
    principal: Manager,
    response: Response,
) -> ClientRead:
    client = await service.update_client(session, principal, client_id, data, version)
    set_etag(response, client.version)
    return ClientRead.model_validate(client)


@router.post(
    "/{client_id}/secret",
    response_model=ClientWithSecret,
    summary="Rotate the client secret (更换密钥); the new one is shown once",
)
async def rotate_secret(
    client_id: uuid.UUID, session: SessionDep, principal: Manager
) -> ClientWithSecret:
    client, secret = await service.rotate_secret(session, principal, client_id)
    return _with_secret(client, secret)
