"""Queries of the code lists."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from services.monitoring.models import Code


async def all_codes(session: AsyncSession) -> list[Code]:
    query = select(Code).order_by(Code.list_name, Code.sort_order, Code.code)
    return list((await session.scalars(query)).all())
