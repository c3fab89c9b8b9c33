"""Answers of `/internal/figures`."""

from __future__ import annotations

from datetime import date, datetime

from pydantic import BaseModel, Field

from services.funds.rules.schemas import StandingRead


class AreaFigures(BaseModel):
    area_code: str
    figures: dict[str, int | str] = Field(
        description="Counts as integers, amounts in yuan as decimal strings"
    )
    standing: StandingRead


class FiguresAnswer(BaseModel):
    area: str
    level: str
    year: int
    as_of: datetime
    day: date = Field(description="The business day the figures are for (按日统计)")
    rows: list[AreaFigures]


class MonthFigures(BaseModel):
    month: str
    as_of: date = Field(description="The month's last day, or today for the current month")
    figures: dict[str, int | str] = Field(
        description="Counts as integers, amounts in yuan as decimal strings"
    )
    standing: StandingRead


class SeriesAnswer(BaseModel):
    area: str
    months: list[MonthFigures]
