"""The rules of public-welfare posts: pay at most the local minimum wage, contracts of at most
`EMPLOYMENT_POST_CONTRACT_MAX_MONTHS` months, no more holders than positions."""

from __future__ import annotations

import uuid
from datetime import date, timedelta
from decimal import Decimal

from sqlalchemy.ext.asyncio import AsyncSession

from services.common.auth.principal import Principal
from services.common.business_time import business_today
from services.common.concurrency import check_version
from services.common.errors import Conflict, InvalidInput, NotFound
from services.common.history import record_write
from services.employment.figures import rollups as f
from services.employment.models import PublicWelfarePost
from services.employment.posts import repository
from services.employment.posts.schemas import PostCreate, PostRead, PostUpdate
from services.employment.settings import EmploymentSettings
from services.employment.shared import add_months, check_local_area


def check_pay(settings: EmploymentSettings, area_code: str, pay: Decimal, field: str) -> None:
    cap = settings.minimum_wage_for(area_code)
    if pay > cap:
        raise InvalidInput.for_field(
            field,
            "post_pay_above_minimum_wage",
            f"A public-welfare post pays at most the local minimum wage, {cap:.2f} yuan a month.",
        )


def check_contract(settings: EmploymentSettings, start: date, end: date | None, field: str) -> date:
    """A post contract has an end date at most the configured number of months after its start;
    returns that end date."""
    months = settings.post_contract_max_months
    if end is None:
        raise InvalidInput.for_field(
            field, "post_contract_end_required", "A public-welfare post contract needs an end date."
        )
    last_day = add_months(start, months) - timedelta(days=1)
    if end > last_day:
        raise InvalidInput.for_field(
            field,
            "post_contract_too_long",
            f"A public-welfare post contract lasts at most {months} months: end by {last_day}.",
        )
    return end


async def check_room(
    session: AsyncSession,
    post: PublicWelfarePost,
    start: date,
    end: date,
    *,
    except_spell: uuid.UUID | None = None,
) -> None:
    """No more overlapping contracts than positions (the caller holds the post's row lock)."""
    taken = await repository.contracts_overlapping(
        session, post.id, start, end, except_spell=except_spell
    )
    if taken >= post.positions:
        raise Conflict(
            f"The post has {post.positions} position(s), all held during this period.",
            code="post_full",
        )


async def create_post(
    session: AsyncSession, principal: Principal, settings: EmploymentSettings, data: PostCreate
) -> PublicWelfarePost:
    check_local_area(principal, data.area_code, "body.area_code")
    check_pay(settings, data.area_code, data.monthly_pay, "body.monthly_pay")
    post = PublicWelfarePost(id=uuid.uuid4(), version=1, **data.model_dump())
    session.add(post)
    await session.flush()
    await f.bump(
        session,
        [
            (post.area_code, f.ALL_YEARS, f.POSTS, 1),
            (post.area_code, f.ALL_YEARS, f.POST_POSITIONS, post.positions),
        ],
    )
    await written(session, principal, post, "create")
    return post


async def update_post(
    session: AsyncSession,
    principal: Principal,
    settings: EmploymentSettings,
    post_id: uuid.UUID,
    data: PostUpdate,
    version: int,
) -> PublicWelfarePost:
    post = await get_post(session, principal, post_id, for_update=True)
    current = await read(session, settings, post)
    check_version(version, post.version, current.model_dump(mode="json"))
    changes = data.model_dump(exclude_unset=True)
    for name in ("name", "managing_unit", "monthly_pay", "positions"):
        if name in changes and changes[name] is None:
            raise InvalidInput.for_field(f"body.{name}", "not_null", f"{name} cannot be null")
    if "monthly_pay" in changes:
        check_pay(settings, post.area_code, changes["monthly_pay"], "body.monthly_pay")
    before = post.positions
    for name, value in changes.items():
        setattr(post, name, value)
    post.version += 1
    await session.flush()
    await f.bump(
        session, [(post.area_code, f.ALL_YEARS, f.POST_POSITIONS, post.positions - before)]
    )
    await written(session, principal, post, "update", sorted(changes))
    return post


async def get_post(
    session: AsyncSession, principal: Principal, post_id: uuid.UUID, *, for_update: bool = False
) -> PublicWelfarePost:
    post = await repository.get_post(session, principal, post_id, for_update=for_update)
    if post is None:
        raise NotFound(f"No public-welfare post {post_id}.")
    return post


async def read(
    session: AsyncSession,
    settings: EmploymentSettings,
    post: PublicWelfarePost,
) -> PostRead:
    holders = await repository.holders_on(session, [post.id], business_today())
    return _read(settings, post, holders.get(post.id, 0))


async def read_many(
    session: AsyncSession, settings: EmploymentSettings, posts: list[PublicWelfarePost]
) -> list[PostRead]:
    holders = await repository.holders_on(session, [post.id for post in posts], business_today())
    return [_read(settings, post, holders.get(post.id, 0)) for post in posts]


def _read(settings: EmploymentSettings, post: PublicWelfarePost, holders: int) -> PostRead:
    return PostRead(
        id=post.id,
        area_code=post.area_code,
        name=post.name,
        duty=post.duty,
        managing_unit=post.managing_unit,
        monthly_pay=post.monthly_pay,
        positions=post.positions,
        minimum_wage=settings.minimum_wage_for(post.area_code),
        holders=holders,
        version=post.version,
        created_at=post.created_at,
        updated_at=post.updated_at,
    )


async def written(
    session: AsyncSession,
    principal: Principal,
    post: PublicWelfarePost,
    action: str,
    fields: list[str] | None = None,
) -> None:
    await record_write(
        session,
        principal,
        entity="public_welfare_post",
        entity_id=str(post.id),
        area_code=post.area_code,
        version=post.version,
        action=action,
        fields=fields,
    )
