"""`/users`: accounts of people, managed by administrators and county administrators."""

from __future__ import annotations

import uuid
from typing import Annotated

from fastapi import Depends, Response

from gateway.users import repository, service
from gateway.users.schemas import PasswordReset, UserCreate, UserCreated, UserRead, UserUpdate
from services.common.auth.dependencies import require_roles
from services.common.auth.principal import Principal
from services.common.auth.roles import ACCOUNT_MANAGERS
from services.common.concurrency import IfMatchVersion, set_etag
from services.common.database import SessionDep, UnitOfWorkRouter
from services.common.pagination import Cursor, Limit, Page, decode_cursor, page_of

router = UnitOfWorkRouter(prefix="/users", tags=["users"])
Manager = Annotated[Principal, Depends(require_roles(*ACCOUNT_MANAGERS))]


@router.post("", status_code=201, response_model=UserCreated, summary="Create a user (新建用户)")
async def create_user(
    data: UserCreate, session: SessionDep, principal: Manager, response: Response
) -> UserCreated:
    user, generated = await service.create_user(session, principal, data)
    set_etag(response, user.version)
    response.headers["Location"] = f"/api/v1/users/{user.id}"
    return UserCreated(**UserRead.model_validate(user).model_dump(), initial_password=generated)


@router.get("", response_model=Page[UserRead], summary="List users in your area (用户列表)")
async def list_users(
    session: SessionDep, principal: Manager, limit: Limit = 50, cursor: Cursor = None
) -> Page[UserRead]:
    after = decode_cursor(cursor, (str,))
    users = await repository.list_in_scope(
        session, principal, after_username=after[0] if after else None, limit=limit + 1
    )
    items, next_cursor = page_of(users, limit, lambda user: [user.username])
    return Page[UserRead](
        items=[UserRead.model_validate(user) for user in items], next_cursor=next_cursor
    )


@router.get("/{user_id}", response_model=UserRead, summary="One user (用户详情)")
async def get_user(
    user_id: uuid.UUID, session: SessionDep, principal: Manager, response: Response
) -> UserRead:
    user = await service.read_user(session, principal, user_id)
    set_etag(response, user.version)
    return UserRead.model_validate(user)


@router.patch("/{user_id}", response_model=UserRead, summary="Change a user (修改用户)")
async def update_user(
    user_id: uuid.UUID,
    data: UserUpdate,
    version: IfMatchVersion,
    session: SessionDep,
    principal: Manager,
    response: Response,
) -> UserRead:
    user = await service.update_user(session, principal, user_id, data, version)
    set_etag(response, user.version)
    return UserRead.model_validate(user)


@router.post(
    "/{user_id}/password-reset",
    response_model=PasswordReset,
    summary="Reset a user's password (重置密码); the new one is shown once",
)
async def reset_password(
    user_id: uuid.UUID, session: SessionDep, principal: Manager
) -> PasswordReset:
    return PasswordReset(password=await service.reset_password(session, principal, user_id))


@router.post("/{user_id}/unlock", response_model=UserRead, summary="Unlock a user (解除锁定)")
async def unlock_user(user_id: uuid.UUID, session: SessionDep, principal: Manager) -> UserRead:
    return UserRead.model_validate(await service.unlock_user(session, principal, user_id))
