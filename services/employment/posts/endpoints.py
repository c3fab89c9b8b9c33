"""`/public-welfare-posts` (公益性岗位)."""

from __future__ import annotations

import uuid
from typing import Annotated

from fastapi import Query, Request, Response

from services.common.concurrency import IfMatchVersion, set_etag
from services.common.database import SessionDep, UnitOfWorkRouter
from services.common.pagination import Cursor, Limit, Page, decode_cursor, page_of
from services.employment.access import Reader, Recorder
from services.employment.posts import repository, service
from services.employment.posts.schemas import PostCreate, PostRead, PostUpdate

router = UnitOfWorkRouter(tags=["public-welfare posts"])


@router.post(
    "/public-welfare-posts",
    status_code=201,
    response_model=PostRead,
    summary="Create a public-welfare post (新增公益性岗位)",
    description="Pay above the local minimum wage: 422 `post_pay_above_minimum_wage`.",
)
async def create_post(
    data: PostCreate, request: Request, session: SessionDep, principal: Recorder, response: Response
) -> PostRead:
    settings = request.app.state.settings
    post = await service.create_post(session, principal, settings, data)
    set_etag(response, post.version)
    response.headers["Location"] = f"/api/v1/public-welfare-posts/{post.id}"
    return await service.read(session, settings, post)


@router.get(
    "/public-welfare-posts",
    response_model=Page[PostRead],
    summary="List public-welfare posts (公益性岗位列表)",
)
async def list_posts(
    request: Request,
    session: SessionDep,
    principal: Reader,
    area: Annotated[str | None, Query(pattern=r"^[0-9]{12}$")] = None,
    limit: Limit = 50,
    cursor: Cursor = None,
) -> Page[PostRead]:
    after = decode_cursor(cursor, (str, str, uuid.UUID))
    rows = await repository.list_posts(
        session,
        principal,
        area_code=area,
        after=(after[0], after[1], after[2]) if after else None,
        limit=limit + 1,
    )
    items, next_cursor = page_of(rows, limit, lambda row: [row.area_code, row.name, str(row.id)])
    return Page[PostRead](
        items=await service.read_many(session, request.app.state.settings, items),
        next_cursor=next_cursor,
    )


@router.get(
    "/public-welfare-posts/{post_id}",
    response_model=PostRead,
    summary="One public-welfare post with today's holders (公益性岗位详情)",
)
async def get_post(
    post_id: uuid.UUID, request: Request, session: SessionDep, principal: Reader, response: Response
) -> PostRead:
    post = await service.get_post(session, principal, post_id)
    set_etag(response, post.version)
    return await service.read(session, request.app.state.settings, post)


@router.patch(
    "/public-welfare-posts/{post_id}",
    response_model=PostRead,
    summary="Change a public-welfare post (修改公益性岗位)",
)
async def update_post(
    post_id: uuid.UUID,
    data: PostUpdate,
    version: IfMatchVersion,
    request: Request,
    session: SessionDep,
    principal: Recorder,
    response: Response,
) -> PostRead:
    settings = request.app.state.settings
    post = await service.update_post(session, principal, settings, post_id, data, version)
    set_etag(response, post.version)
    return await service.read(session, settings, post)
