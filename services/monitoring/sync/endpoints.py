"""`/sync`: field devices push queued operations and pull their villages' changes (移动端同步)."""

from __future__ import annotations

import gzip
from typing import Annotated

from fastapi import APIRouter, Depends, Query, Request, Response

from services.common.auth.dependencies import require_roles
from services.common.auth.principal import Principal
from services.common.business_time import business_today
from services.common.database import SessionDep, UnitOfWorkRouter
from services.common.pagination import Cursor
from services.monitoring.access import Reader
from services.monitoring.codes.book import code_book
from services.monitoring.sync import pull as pulling
from services.monitoring.sync import push as pushing
from services.monitoring.sync.handlers import ANY_WRITER
from services.monitoring.sync.schemas import PullPage, PushRequest, PushResponse

# Push manages one transaction per operation itself, so it is not a unit-of-work route (and
# needs no Idempotency-Key: every operation carries its own id).
push_router = APIRouter(prefix="/sync", tags=["sync"])
pull_router = UnitOfWorkRouter(prefix="/sync", tags=["sync"])
Pusher = Annotated[Principal, Depends(require_roles(*ANY_WRITER))]
PullLimit = Annotated[
    int, Query(ge=1, le=5000, description="Changes per page, 1 to 5000 (每页变更数)")
]
GZIP_MIN_BYTES = 1024


@push_router.post(
    "/push",
    response_model=PushResponse,
    summary="Push queued field operations (上传离线操作): each applied on its own, replays safe",
)
async def push(data: PushRequest, request: Request, principal: Pusher) -> PushResponse:
    database = request.app.state.database
    async with database.sessionmaker() as session:
        book = await code_book(request, session)
    outcomes = await pushing.push(
        database,
        principal,
        book,
        request.app.state.protector,
        request.app.state.settings,
        data.operations,
    )
    return PushResponse(outcomes=outcomes)


@pull_router.get(
    "/pull",
    response_model=PullPage,
    summary="Pull your villages' changes since a cursor (下载变更): households, members, cases, "
    "warnings; code lists on the first pull; gzip when accepted",
)
async def pull(
    request: Request,
    session: SessionDep,
    principal: Reader,
    cursor: Cursor = None,
    limit: PullLimit = 500,
) -> Response:
    book = await code_book(request, session)
    page = await pulling.pull(
        session,
        principal,
        book,
        cursor=cursor,
        limit=limit,
        today=business_today(),
        settings=request.app.state.settings,
    )
    body = page.model_dump_json().encode()
    headers = {"Vary": "Accept-Encoding"}
    if len(body) >= GZIP_MIN_BYTES and "gzip" in request.headers.get("accept-encoding", ""):
        body = gzip.compress(body, compresslevel=6)
        headers["Content-Encoding"] = "gzip"
    return Response(body, media_type="application/json", headers=headers)
