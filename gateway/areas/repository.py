"""Every query of the area registry."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from gateway.models import Area


async def area_exists(session: AsyncSession, code: str) -> bool:
    """Whether the registry knows the code (dissolved areas included: old records keep them)."""
    return (await session.scalar(select(Area.code).where(Area.code == code))) is not None
