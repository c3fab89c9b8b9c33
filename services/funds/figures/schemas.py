"""Answers of `/internal/figures`."""

from __future__ import annotations

from datetime import datetime

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
    rows: list[AreaFigures]
