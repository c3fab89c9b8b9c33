"""Giving figures a history: the dated deltas written so far are moved back by some days, as
if those writes had happened then (the one thing a test cannot wait for)."""

from __future__ import annotations

from datetime import date, timedelta

from fastapi import FastAPI
from sqlalchemy import text

from services.common.business_time import business_today

DAYS_TABLES = {
    "monitoring": "area_figure_days",
    "funds": "fund_figure_days",
    "employment": "area_figure_days",
}


async def move_back(apps: dict[str, FastAPI], service: str, days: int) -> date:
    """Date every delta recorded today in `service` `days` days earlier; returns that day."""
    today = business_today()
    earlier = today - timedelta(days=days)
    table = DAYS_TABLES[service]
    async with apps[service].state.database.sessionmaker() as session:
        moved = await session.execute(
            text(f"UPDATE {table} SET day = :earlier WHERE day = :today"),
            {"earlier": earlier, "today": today},
        )
        assert moved.rowcount > 0  # type: ignore[attr-defined]
        await session.commit()
    return earlier


def month_label(day: date) -> str:
    return f"{day:%Y-%m}"
