"""Talking to the gateway: sign-ins (people and machines), tokens renewed before they expire,
Idempotency-Keys derived from the seed and the body, and one error for any unexpected answer."""

from __future__ import annotations

import asyncio
import hashlib
import json
import time
from collections.abc import AsyncIterator, Awaitable, Callable, Iterable
from dataclasses import dataclass
from typing import Any, TypeVar

import httpx

# Tokens live 15 minutes; renewing after 10 leaves room for the slowest request.
TOKEN_REUSE_SECONDS = 600
T = TypeVar("T")
R = TypeVar("R")


class DemoError(RuntimeError):
    """The gateway answered something the generator cannot go on from."""


@dataclass(frozen=True)
class Identity:
    """Who a request is made as: a person (password grant) or a machine (client credentials)."""

    name: str
    secret: str
    machine: bool = False


class Api:
    def __init__(self, client: httpx.AsyncClient, seed: int, concurrency: int = 8) -> None:
        self.client = client
        self.seed = seed
        self.limit = asyncio.Semaphore(concurrency)
        self._tokens: dict[str, tuple[float, str]] = {}

    async def token(self, who: Identity) -> str:
        cached = self._tokens.get(who.name)
        if cached and time.monotonic() - cached[0] < TOKEN_REUSE_SECONDS:
            return cached[1]
        if who.machine:
            form = {"grant_type": "client_credentials", "client_id": who.name}
            form["client_secret"] = who.secret
        else:
            form = {"grant_type": "password", "username": who.name, "password": who.secret}
        answer = await self.client.post("/api/v1/auth/token", data=form)
        if answer.status_code != 200:
            raise DemoError(f"sign-in of {who.name} failed: {answer.status_code} {answer.text}")
        token = str(answer.json()["access_token"])
        self._tokens[who.name] = (time.monotonic(), token)
        return token

    async def can_sign_in(self, who: Identity) -> bool:
        try:
            await self.token(who)
        except DemoError:
            return False
        return True

    def key(self, purpose: str, body: bytes | str | None = None) -> str:
        """The Idempotency-Key of a write: the same seed, purpose and body give the same key,
        so a re-run replays instead of writing twice."""
        digest = hashlib.sha256(body.encode() if isinstance(body, str) else body or b"")
        return f"demo-{self.seed}-{purpose}-{digest.hexdigest()[:16]}"[:200]

    async def call(
        self,
        who: Identity,
        method: str,
        path: str,
        *,
        json_body: Any = None,
        content: bytes | None = None,
        content_type: str | None = None,
        params: dict[str, Any] | None = None,
        version: int | None = None,
        files: dict[str, Any] | None = None,
        expect: Iterable[int] = (200, 201),
        purpose: str | None = None,
    ) -> httpx.Response:
        headers = {"Authorization": f"Bearer {await self.token(who)}"}
        if json_body is not None:
            content = json.dumps(json_body, ensure_ascii=False, sort_keys=True).encode()
            content_type = "application/json"
        if files is not None:
            # A fixed boundary keeps the body, hence its Idempotency-Key, the same on a re-run.
            content_type = "multipart/form-data; boundary=dixian-demo-boundary"
        if content_type:
            headers["Content-Type"] = content_type
        if method == "POST":
            signed = method.encode() + path.encode() + (content or repr(files).encode())
            headers["Idempotency-Key"] = self.key(purpose or "write", signed)
        if version is not None:
            headers["If-Match"] = f'"{version}"'
        async with self.limit:
            answer = await self.client.request(
                method, path, content=content, params=params, headers=headers, files=files
            )
        if answer.status_code not in set(expect):
            raise DemoError(f"{method} {path}: {answer.status_code} {answer.text[:800]}")
        return answer

    async def pages(
        self, who: Identity, path: str, params: dict[str, Any] | None = None
    ) -> AsyncIterator[dict[str, Any]]:
        """Every item of a keyset-paginated list."""
        cursor: str | None = None
        while True:
            query = {**(params or {}), "limit": 500}
            if cursor:
                query["cursor"] = cursor
            page = (await self.call(who, "GET", path, params=query)).json()
            for item in page["items"]:
                yield item
            cursor = page.get("next_cursor")
            if not cursor:
                return

    async def all(
        self, who: Identity, path: str, params: dict[str, Any] | None = None
    ) -> list[dict[str, Any]]:
        return [item async for item in self.pages(who, path, params)]


async def each(
    items: Iterable[T], work: Callable[[T], Awaitable[R]], done: Callable[[], None]
) -> list[R]:
    """Run `work` on every item concurrently (the Api's semaphore bounds the requests), in
    order of the results; `done` after each."""

    async def one(item: T) -> R:
        result = await work(item)
        done()
        return result

    return list(await asyncio.gather(*(one(item) for item in items)))
