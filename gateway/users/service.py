"""The rules of managing accounts. Every write is audited and goes into the change feed."""

from __future__ import annotations

import uuid

from sqlalchemy.ext.asyncio import AsyncSession

from gateway.areas.repository import area_exists
from gateway.auth.secrets import generate_secret, hash_secret
from gateway.models import User
from gateway.roles.policy import check_may_grant, check_role_fits_area
from gateway.users import repository
from gateway.users.schemas import UserCreate, UserRead, UserUpdate
from services.common.audit import record_audit
from services.common.auth.principal import Principal
from services.common.auth.roles import Role
from services.common.concurrency import check_version
from services.common.errors import Conflict, InvalidInput, NotFound
from services.common.history import record_write

ENTITY = "user"


async def create_user(
    session: AsyncSession, principal: Principal, data: UserCreate
) -> tuple[User, str | None]:
    """A new account; returns it and the generated password when none was given."""
    check_may_grant(principal, data.role, data.scopes)
    _check_area_in_scope(principal, data.area_code)
    check_role_fits_area(data.role, data.area_code)
    await _check_area_known(session, data.area_code)
    if await repository.username_taken(session, data.username):
        raise Conflict(f"The username {data.username} is taken.", code="username_taken")
    generated = None if data.password else generate_secret(12)
    user = User(
        id=uuid.uuid4(),
        username=data.username,
        display_name=data.display_name,
        role=data.role.value,
        area_code=data.area_code,
        scopes=sorted(set(data.scopes)),
        password_hash=await hash_secret(data.password or generated or ""),
        active=True,
        failed_logins=0,
        version=1,
    )
    session.add(user)
    await session.flush()
    await _written(session, principal, user, "create")
    return user, generated


async def read_user(session: AsyncSession, principal: Principal, user_id: uuid.UUID) -> User:
    user = await _get(session, principal, user_id)
    await record_audit(
        session,
        principal,
        action="read",
        entity=ENTITY,
        entity_id=str(user.id),
        area_code=user.area_code,
    )
    return user


async def update_user(
    session: AsyncSession, principal: Principal, user_id: uuid.UUID, data: UserUpdate, version: int
) -> User:
    user = await _get_manageable(session, principal, user_id)
    check_version(version, user.version, UserRead.model_validate(user).model_dump(mode="json"))
    changes = data.model_dump(exclude_unset=True)
    if any(value is None for value in changes.values()):
        field = next(name for name, value in changes.items() if value is None)
        raise InvalidInput.for_field(f"body.{field}", "not_null", f"{field} cannot be null")
    role = Role(changes.get("role", user.role))
    area_code = changes.get("area_code", user.area_code)
    scopes = changes.get("scopes", user.scopes)
    if {"role", "area_code", "scopes"} & changes.keys():
        check_may_grant(principal, role, scopes)
        _check_area_in_scope(principal, area_code)
        check_role_fits_area(role, area_code)
        await _check_area_known(session, area_code)
    for name, value in changes.items():
        setattr(user, name, value.value if isinstance(value, Role) else value)
    if "scopes" in changes:
        user.scopes = sorted(set(scopes))
    user.version += 1
    await session.flush()
    await _written(session, principal, user, "update", sorted(changes))
    return user


async def reset_password(session: AsyncSession, principal: Principal, user_id: uuid.UUID) -> str:
    user = await _get_manageable(session, principal, user_id)
    password = generate_secret(12)
    user.password_hash = await hash_secret(password)
    user.failed_logins = 0
    user.locked_until = None
    user.version += 1
    await session.flush()
    await _written(session, principal, user, "reset_password")
    return password


async def unlock_user(session: AsyncSession, principal: Principal, user_id: uuid.UUID) -> User:
    user = await _get_manageable(session, principal, user_id)
    user.failed_logins = 0
    user.locked_until = None
    user.version += 1
    await session.flush()
    await _written(session, principal, user, "unlock")
    return user


async def _get(
    session: AsyncSession, principal: Principal, user_id: uuid.UUID, *, for_update: bool = False
) -> User:
    user = await repository.get_in_scope(session, principal, user_id, for_update=for_update)
    if user is None:
        raise NotFound(f"No user {user_id}.")
    return user


async def _get_manageable(session: AsyncSession, principal: Principal, user_id: uuid.UUID) -> User:
    """The account, locked for update, if the principal could have granted what it holds:
    a county administrator cannot take over an administrator's or a reveal-scope account."""
    user = await _get(session, principal, user_id, for_update=True)
    check_may_grant(principal, Role(user.role), user.scopes)
    return user


def _check_area_in_scope(principal: Principal, area_code: str) -> None:
    if not principal.covers(area_code):
        raise InvalidInput.for_field(
            "body.area_code", "area_out_of_scope", "The area is outside your jurisdiction."
        )


async def _check_area_known(session: AsyncSession, area_code: str) -> None:
    if not await area_exists(session, area_code):
        raise InvalidInput.for_field(
            "body.area_code", "area_unknown", f"The area {area_code} is not in the registry."
        )


async def _written(
    session: AsyncSession,
    principal: Principal,
    user: User,
    action: str,
    fields: list[str] | None = None,
) -> None:
    await record_write(
        session,
        principal,
        entity=ENTITY,
        entity_id=str(user.id),
        area_code=user.area_code,
        version=user.version,
        action=action,
        fields=fields,
    )
