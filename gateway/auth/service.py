"""The rules of signing in: lockout after repeated failures, disabled accounts, grants."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from sqlalchemy import insert
from sqlalchemy.ext.asyncio import AsyncSession

from gateway.auth import repository
from gateway.auth.issuer import TokenIssuer
from gateway.auth.secrets import verify_secret
from gateway.settings import GatewaySettings
from services.common.errors import DixianError, Unauthorized
from services.common.observability import current_request_id
from services.common.tables import audit_log


class AccountLocked(DixianError):
    status = 401
    code = "account_locked"


@dataclass
class IssuedToken:
    access_token: str
    expires_in: int
    scope: str


async def password_grant(
    session: AsyncSession,
    issuer: TokenIssuer,
    settings: GatewaySettings,
    *,
    username: str,
    password: str,
) -> IssuedToken | DixianError:
    """A token for a person, or the error to answer. Failures are returned, not raised, so
    the caller commits the failed-attempt count before answering."""
    now = datetime.now(UTC)
    user = await repository.user_by_username_for_update(session, username)
    if user is not None and user.locked_until is not None and user.locked_until > now:
        await _audit_sign_in(session, f"user:{user.id}", user.role, "sign_in_refused_locked")
        return AccountLocked(
            "Too many failed sign-ins; the account is locked until "
            f"{user.locked_until.isoformat()}.",
            extra={"locked_until": user.locked_until.isoformat()},
        )
    valid = await verify_secret(user.password_hash if user else None, password)
    if user is None or not valid or not user.active:
        if user is not None and not valid:
            user.failed_logins += 1
            if user.failed_logins >= settings.lockout_threshold:
                user.locked_until = now + timedelta(minutes=settings.lockout_minutes)
                user.failed_logins = 0
            await _audit_sign_in(session, f"user:{user.id}", user.role, "sign_in_failed")
        return Unauthorized("The username or password is wrong.", code="invalid_credentials")
    user.failed_logins = 0
    user.locked_until = None
    await _audit_sign_in(session, f"user:{user.id}", user.role, "sign_in")
    token, lifetime = issuer.issue(
        subject=f"user:{user.id}",
        role=user.role,
        area=user.area_code,
        scopes=user.scopes,
        name=user.display_name,
    )
    return IssuedToken(token, lifetime, " ".join(sorted(user.scopes)))


async def client_credentials_grant(
    session: AsyncSession, issuer: TokenIssuer, *, client_id: str, client_secret: str
) -> IssuedToken | DixianError:
    """A token for a machine client, or the error to answer."""
    client = await repository.client_by_client_id(session, client_id)
    valid = await verify_secret(client.secret_hash if client else None, client_secret)
    if client is None or not valid or not client.active:
        return Unauthorized("The client id or secret is wrong.", code="invalid_client")
    await _audit_sign_in(session, f"client:{client.client_id}", client.role, "sign_in")
    token, lifetime = issuer.issue(
        subject=f"client:{client.client_id}",
        role=client.role,
        area=client.area_code,
        scopes=client.scopes,
        name=client.name,
    )
    return IssuedToken(token, lifetime, " ".join(sorted(client.scopes)))


async def _audit_sign_in(session: AsyncSession, actor: str, role: str, action: str) -> None:
    await session.execute(
        insert(audit_log).values(
            actor=actor,
            actor_role=role,
            action=action,
            entity="account",
            entity_id=actor,
            request_id=current_request_id(),
            details={},
        )
    )
