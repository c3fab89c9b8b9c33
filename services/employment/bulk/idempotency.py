"""`Idempotency-Key` for streamed uploads, on the kit's table and rules.

The kit's claim hashes the whole body before the endpoint runs, which a streamed upload must
not do. Here the key is locked first; the body's digest is taken while it streams; a stored
answer for the key is replayed only once the digest matches (the same key with another file
answers 422 `idempotency_key_reused`), and a new answer is stored in the load's transaction.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

from fastapi import Request, Response
from sqlalchemy import Row, delete, func, select
from sqlalchemy.ext.asyncio import AsyncSession

from services.common.auth.principal import Principal
from services.common.errors import Conflict, DixianError
from services.common.idempotency import HEADER, REPLAYED_HEADER, Claim
from services.common.tables import idempotency_keys
from services.employment.bulk.streaming import Upload


async def claim_upload(
    request: Request, session: AsyncSession, principal: Principal
) -> tuple[Claim, Row[Any] | None]:
    """Lock the caller's key; the stored row for it, if any (to replay once the body is read)."""
    key = request.headers[HEADER]
    ttl = timedelta(hours=request.app.state.settings.idempotency_ttl_hours)
    claim = Claim(principal=principal.subject, key=key, path=request.url.path, ttl=ttl)
    locked = await session.scalar(
        select(
            func.pg_try_advisory_xact_lock(func.hashtextextended(f"{principal.subject}\n{key}", 0))
        )
    )
    if not locked:
        raise Conflict(
            "A request with this Idempotency-Key is still being processed; retry later.",
            code="idempotency_request_in_progress",
        )
    where = (idempotency_keys.c.principal == principal.subject, idempotency_keys.c.key == key)
    row = (await session.execute(select(idempotency_keys).where(*where))).one_or_none()
    if row is not None and row.expires_at <= datetime.now(UTC):
        await session.execute(delete(idempotency_keys).where(*where))
        row = None
    return claim, row


async def replay(request: Request, upload: Upload, claim: Claim, row: Row[Any]) -> Response:
    """The stored answer, if this is the same file again."""
    digest = await upload.drain()
    if row.request_hash != digest:
        raise DixianError(
            "This Idempotency-Key was already used for a different request.",
            code="idempotency_key_reused",
            status=422,
        )
    headers = dict(row.response_headers)
    headers[REPLAYED_HEADER] = "true"
    body = request.app.state.keyring.decrypt(
        row.response_body,
        f"{claim.principal}\x00{claim.key}".encode(),
    )
    return Response(
        content=body,
        status_code=row.status_code,
        headers=headers,
    )
