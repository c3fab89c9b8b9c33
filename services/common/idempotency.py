"""`Idempotency-Key` on every POST of the field-facing APIs.

Rules, all inside the request's own transaction:
- keys are scoped to the caller (token subject): two callers may use the same key;
- the first request with a key takes a transaction-level advisory lock on (caller, key); a second
  request with the same key while the first is still running answers 409
  `idempotency_request_in_progress` instead of waiting;
- a successful (2xx) response is stored in the same transaction as the write it reports, so a
  replay returns exactly what the first request answered (with `Idempotent-Replayed: true`);
  the stored body is encrypted with the data keyring, since it may hold personal data or a
  one-time secret;
- the same key with a different method, path or body answers 422 `idempotency_key_reused`;
- error responses are not stored: nothing was written, so the request may be sent again;
- keys expire after `IDEMPOTENCY_TTL_HOURS` (24 by default); an expired key is reusable.

Every POST runs `claim` and `store`, so each is one constant statement (prepared once per
connection), run on the session's asyncpg connection (`services.common.driver`; the unit of
work drops that connection when a driver error may have broken it). The claim takes the lock
and looks the key up in one statement; that statement's snapshot is taken just before the
lock, so a first request committing in between is not seen.
The primary key on (principal, key) is then the last guard: `store` inserts with
`ON CONFLICT DO NOTHING`, and finding the key already there answers 409
`idempotency_request_in_progress` with everything rolled back; the retry gets the replay.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Annotated

from fastapi import Header, Request, Response
from sqlalchemy.ext.asyncio import AsyncSession

from services.common.auth.dependencies import principal_from_request
from services.common.driver import driver_connection
from services.common.errors import Conflict, DixianError
from services.common.personal_data import Keyring

HEADER = "Idempotency-Key"
REPLAYED_HEADER = "Idempotent-Replayed"
_KEPT_HEADERS = ("content-type", "etag", "location")

# The lookup refers to the lock's result (LATERAL), so it is the inner side of a nested loop
# whose one outer row is the lock: the lock is taken before the row is looked for. Parameters:
# $1 the lock's name, $2 the principal, $3 the key.
_CLAIM = """
SELECT l.locked, k.request_hash, k.status_code, k.response_headers, k.response_body,
       k.expires_at
FROM (SELECT pg_try_advisory_xact_lock(hashtextextended($1, 0)) AS locked) AS l
LEFT JOIN LATERAL (
    SELECT * FROM idempotency_keys WHERE l.locked AND principal = $2 AND key = $3
) AS k ON true
"""
_FORGET_EXPIRED = "DELETE FROM idempotency_keys WHERE principal = $1 AND key = $2"
# The response headers are JSON text: the session's connections decode jsonb themselves but
# take it encoded.
_STORE = """
INSERT INTO idempotency_keys (principal, key, method, path, request_hash, status_code,
                              response_headers, response_body, expires_at)
VALUES ($1, $2, 'POST', $3, $4, $5, $6, $7, $8)
ON CONFLICT (principal, key) DO NOTHING
RETURNING true
"""


def _in_progress() -> Conflict:
    return Conflict(
        "A request with this Idempotency-Key is still being processed; retry later.",
        code="idempotency_request_in_progress",
    )


async def idempotency_key_header(
    key: Annotated[
        str,
        Header(
            alias=HEADER,
            min_length=1,
            max_length=200,
            pattern=r"^[\x21-\x7e]+$",
            description=(
                "Client-chosen unique key for this write (幂等键). A retry with the same key "
                "returns the stored response; the same key with another body is rejected."
            ),
        ),
    ],
) -> str:
    """Declares the header in OpenAPI and rejects a POST without it (422 naming the header)."""
    return key


@dataclass
class Claim:
    """What `claim` learned about the request's key; `store` records the response."""

    principal: str | None = None
    key: str | None = None
    path: str = ""
    request_hash: bytes = b""
    ttl: timedelta = timedelta(hours=24)
    replay: Response | None = None

    async def store(self, session: AsyncSession, keyring: Keyring, response: Response) -> None:
        """Keep a 2xx response for replay, in the caller's transaction; `Conflict`
        (`idempotency_request_in_progress`) when the key was stored meanwhile by another
        request (the caller must roll back)."""
        body = getattr(response, "body", None)
        if self.key is None or self.principal is None or not isinstance(body, bytes):
            return
        headers = {
            name: response.headers[name] for name in _KEPT_HEADERS if name in response.headers
        }
        driver = await driver_connection(session)
        stored = await driver.fetchval(
            _STORE,
            self.principal,
            self.key,
            self.path,
            self.request_hash,
            response.status_code,
            json.dumps(headers),
            keyring.encrypt(body.decode(), self._associated_data()),
            datetime.now(UTC) + self.ttl,
        )
        if stored is None:
            # Another request with this key committed after this one's claim looked.
            raise _in_progress()

    def _associated_data(self) -> bytes:
        return f"{self.principal}\x00{self.key}".encode()


async def claim(request: Request, session: AsyncSession) -> Claim:
    """Lock the caller's key for this transaction and find a stored response, if any."""
    key = request.headers.get(HEADER)
    if request.method != "POST" or not key or len(key) > 200:
        return Claim()
    principal = principal_from_request(request)
    if principal is None:
        return Claim()
    ttl = timedelta(hours=request.app.state.settings.idempotency_ttl_hours)
    claim = Claim(principal=principal.subject, key=key, path=request.url.path, ttl=ttl)
    claim.request_hash = await _request_hash(request)

    driver = await driver_connection(session)
    row = await driver.fetchrow(_CLAIM, f"{claim.principal}\n{key}", claim.principal, key)
    assert row is not None  # one row: the lock's
    if not row["locked"]:
        raise _in_progress()
    if row["request_hash"] is None:
        return claim
    if row["expires_at"] <= datetime.now(UTC):
        await driver.execute(_FORGET_EXPIRED, claim.principal, key)
        return claim
    if row["request_hash"] != claim.request_hash:
        raise DixianError(
            "This Idempotency-Key was already used for a different request.",
            code="idempotency_key_reused",
            status=422,
        )
    headers = dict(row["response_headers"])
    headers[REPLAYED_HEADER] = "true"
    body = request.app.state.keyring.decrypt(row["response_body"], claim._associated_data())
    claim.replay = Response(content=body, status_code=row["status_code"], headers=headers)
    return claim


async def _request_hash(request: Request) -> bytes:
    body = await request.body()
    # A client picks a new random multipart boundary on each retry; it is not part of what
    # the request means, so it is left out of the comparison.
    boundary = _multipart_boundary(request.headers.get("content-type", ""))
    if boundary:
        body = body.replace(boundary.encode(), b"")
    digest = hashlib.sha256()
    digest.update(json.dumps([request.method, request.url.path, request.url.query]).encode())
    digest.update(b"\x00")
    digest.update(body)
    return digest.digest()


def _multipart_boundary(content_type: str) -> str | None:
    media_type, _, parameters = content_type.partition(";")
    if media_type.strip().lower() != "multipart/form-data":
        return None
    for parameter in parameters.split(";"):
        name, _, value = parameter.strip().partition("=")
        if name.lower() == "boundary" and value:
            return value.strip('"')
    return None
