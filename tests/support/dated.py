"""Giving figures a history: the dated deltas written so far are moved back by some days, as
if those writes had happened then (the one thing a test cannot wait for). The service's past
days are then closed again from scratch (services/common/closed_figures.py), as the service
would, so past days are read from the closed county rows where they can be."""

from __future__ import annotations

from datetime import date, timedelta

from fastapi import FastAPI
from sqlalchemy import text

from services.common.business_time import business_today
from services.common.closed_figures import FUND_DAYS, VILLAGE_DAYS, close_days

DAYS = {"monitoring": VILLAGE_DAYS, "funds": FUND_DAYS, "employment": VILLAGE_DAYS}
CLOSING_TABLES = ("figure_days_closed", "county_figure_days", "county_figure_months")


async def move_back(apps: dict[str, FastAPI], service: str, days: int) -> date:
    """Date every delta recorded today in `service` `days` days earlier; returns that day."""
    today = business_today()
    earlier = today - timedelta(days=days)
    days_table = DAYS[service]
    async with apps[service].state.database.sessionmaker() as session:
        moved = await session.execute(
            text(f"UPDATE {days_table.name} SET day = :earlier WHERE day = :today"),
            {"earlier": earlier, "today": today},
        )
        assert moved.rowcount > 0  # type: ignore[attr-defined]
        for closing in CLOSING_TABLES:
            await session.execute(text(f"DELETE FROM {closing}"))
        await session.commit()
    await close_days(apps[service].state.database, days_table)
    return earlier


def month_label(day: date) -> str:
    return f"{day:%Y-%m}"
