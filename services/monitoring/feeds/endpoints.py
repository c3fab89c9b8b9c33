"""`/feed-batches`: departments push batches of records (行业部门数据推送); the pushing client
and county and national administrators follow their progress and rejections.

The push is a plain route with its own transaction: a batch streams in (far beyond the
ordinary body cap) and is staged as it arrives.
"""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Query, Request
from fastapi.responses import JSONResponse

from services.common.auth.dependencies import require_roles
from services.common.auth.principal import Principal
from services.common.auth.roles import Role
from services.common.database import SessionDep, UnitOfWorkRouter
from services.common.errors import InvalidInput
from services.common.idempotency import REPLAYED_HEADER, idempotency_key_header
from services.common.pagination import Cursor, Limit, Page, decode_cursor, page_of
from services.monitoring.codes.book import code_book
from services.monitoring.feeds import service, upload
from services.monitoring.feeds.schemas import BatchRead, BatchState, FeedRecordIn, RejectionRead
from services.monitoring.feeds.settings import feed_settings

push_router = APIRouter(prefix="/feed-batches", tags=["department feeds"])
router = UnitOfWorkRouter(prefix="/feed-batches", tags=["department feeds"])

Feed = Annotated[Principal, Depends(require_roles(Role.DEPARTMENT_FEED))]
BatchReader = Annotated[
    Principal,
    Depends(require_roles(Role.DEPARTMENT_FEED, Role.COUNTY_ADMIN, Role.ADMINISTRATOR)),
]
Administrator = Annotated[Principal, Depends(require_roles(Role.ADMINISTRATOR))]
Source = Annotated[
    str | None,
    Query(max_length=40, description="feed_source code of records that do not name one"),
]

_RECORD = FeedRecordIn.model_json_schema()
PUSH_BODY: dict[str, Any] = {
    "requestBody": {
        "required": True,
        "content": {
            "application/x-ndjson": {
                "schema": {
                    "type": "string",
                    "description": "One record a line (also as application/jsonl)",
                }
            },
            "application/json": {"schema": {"type": "array", "items": _RECORD}},
            "text/csv": {
                "schema": {"type": "string", "description": "A header row of field names"}
            },
        },
    }
}


def _location(batch_id: uuid.UUID) -> str:
    return f"/api/v1/feed-batches/{batch_id}"


@push_router.post(
    "",
    status_code=202,
    response_model=BatchRead,
    summary="Push a batch of department records (推送部门数据); processed in the background",
    description=(
        "NDJSON, a JSON array or CSV of records (see FeedRecordIn). Answers 202 at once with the "
        "batch and its Location; follow the progress there and the refused records at "
        "`/rejections`. A resent batch (same Idempotency-Key and body) answers the same batch "
        "with `Idempotent-Replayed: true`; a resent record (same source and record id) changes "
        "nothing."
    ),
    openapi_extra=PUSH_BODY,
)
async def push_batch(
    request: Request,
    principal: Feed,
    key: Annotated[str, Depends(idempotency_key_header)],
    source: Source = None,
) -> JSONResponse:
    async with request.app.state.database.sessionmaker() as session:
        book = await code_book(request, session)
        batch, replayed = await upload.receive_batch(
            request, session, principal, book, feed_settings(request.app), key=key, source=source
        )
        await session.commit()
    headers = {"Location": _location(batch.id)}
    if replayed:
        headers[REPLAYED_HEADER] = "true"
    else:
        worker = getattr(request.app.state, "feed_worker", None)
        if worker is not None:
            worker.wake()
    body = BatchRead.model_validate(batch).model_dump(mode="json")
    return JSONResponse(body, status_code=202, headers=headers)


@router.get("", response_model=Page[BatchRead], summary="List feed batches (推送批次)")
async def list_batches(
    session: SessionDep,
    principal: BatchReader,
    state: BatchState | None = None,
    limit: Limit = 50,
    cursor: Cursor = None,
) -> Page[BatchRead]:
    batches = await service.list_batches(
        session, principal, state=state, after=_after(cursor), limit=limit + 1
    )
    items, next_cursor = page_of(batches, limit, lambda b: [b.received_at.isoformat(), b.id])
    return Page[BatchRead](
        items=[BatchRead.model_validate(batch) for batch in items], next_cursor=next_cursor
    )


@router.get("/{batch_id}", response_model=BatchRead, summary="A batch and its progress (批次进度)")
async def get_batch(batch_id: uuid.UUID, session: SessionDep, principal: BatchReader) -> BatchRead:
    return BatchRead.model_validate(await service.read_batch(session, principal, batch_id))


@router.get(
    "/{batch_id}/rejections",
    response_model=Page[RejectionRead],
    summary="A batch's refused records with the reasons (退回记录)",
)
async def get_rejections(
    batch_id: uuid.UUID,
    session: SessionDep,
    principal: BatchReader,
    limit: Limit = 100,
    cursor: Cursor = None,
) -> Page[RejectionRead]:
    after = decode_cursor(cursor, (int,))
    rows = await service.rejections(
        session, principal, batch_id, after=after[0] if after else None, limit=limit + 1
    )
    items, next_cursor = page_of(rows, limit, lambda rejection: [rejection.line])
    return Page[RejectionRead](
        items=[RejectionRead.model_validate(row) for row in items], next_cursor=next_cursor
    )


@router.post(
    "/{batch_id}/retry",
    response_model=BatchRead,
    summary="Send a failed batch back to the queue (重新处理); it resumes from its checkpoint",
)
async def retry_batch(
    batch_id: uuid.UUID, session: SessionDep, principal: Administrator
) -> BatchRead:
    return BatchRead.model_validate(await service.retry(session, principal, batch_id))


def _after(cursor: str | None) -> tuple[datetime, uuid.UUID] | None:
    after = decode_cursor(cursor, (str, uuid.UUID))
    if after is None:
        return None
    try:
        return datetime.fromisoformat(after[0]), after[1]
    except ValueError as exc:
        raise InvalidInput.for_field(
            "query.cursor", "cursor_invalid", "The cursor is not one this list handed out."
        ) from exc
