"""Requests and answers of `/fund-rules`."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from typing import Any

from pydantic import BaseModel, Field

from services.funds.amounts import Percent, PercentOut
from services.funds.models import FundRules
from services.funds.rules.cards import Card, Milestone, RuleSet, Standing
from services.funds.schemas import StrictModel


class MilestoneWrite(StrictModel):
    by: date = Field(description="A month-end date in the rules' year, e.g. 2026-04-30")
    percent: Percent = Field(description='Spending progress required by then, e.g. "30.00"')


class RulesWrite(StrictModel):
    """A province's rules for a year (资金考核规则). A PUT replaces them all."""

    industry_share_min: Percent = Field(
        description='Minimum share of linked funds going to industry projects, e.g. "55.00"'
    )
    milestones: list[MilestoneWrite] = Field(
        min_length=1,
        max_length=12,
        description="Spending milestones (支出进度节点), ascending; e.g. 30% by April 30, 50% by "
        "June 30, 75% by September 30, 100% by December 31",
    )
    yellow_card_points: Percent = Field(
        description="A county below the milestone by more than 0 and at most this many "
        "percentage points gets a yellow card (黄牌); further below, a red one (红牌)"
    )


class MilestoneRead(BaseModel):
    by: date
    percent: PercentOut


class RulesRead(BaseModel):
    province_code: str
    year: int
    industry_share_min: PercentOut
    milestones: list[MilestoneRead]
    yellow_card_points: PercentOut
    version: int
    created_at: datetime
    updated_at: datetime

    @classmethod
    def of(cls, row: FundRules) -> RulesRead:
        return cls(
            province_code=row.province_code,
            year=row.year,
            industry_share_min=row.industry_share_min,
            milestones=[
                MilestoneRead(by=m.by, percent=m.percent) for m in rule_set(row).milestones
            ],
            yellow_card_points=row.yellow_card_points,
            version=row.version,
            created_at=row.created_at,
            updated_at=row.updated_at,
        )


def stored_milestones(data: RulesWrite) -> list[dict[str, Any]]:
    return [{"by": m.by.isoformat(), "percent": f"{m.percent:.2f}"} for m in data.milestones]


def rule_set(row: FundRules) -> RuleSet:
    return RuleSet(
        industry_share_min=row.industry_share_min,
        milestones=tuple(
            Milestone(by=date.fromisoformat(m["by"]), percent=Decimal(m["percent"]))
            for m in row.milestones
        ),
        yellow_card_points=row.yellow_card_points,
    )


class StandingRead(BaseModel):
    """Where a county stands on a day: progress, industry share and card (see rules/cards.py)."""

    spending_progress: PercentOut | None = Field(description="paid / allocated, in % (支出进度)")
    industry_share: PercentOut | None = Field(
        description="linked to industry projects / linked, in % (产业项目资金占比)"
    )
    industry_share_met: bool | None
    milestone: MilestoneRead | None = Field(description="The milestone in force on the day")
    required_progress: PercentOut | None
    shortfall: PercentOut | None = Field(description="required - progress, percentage points")
    card: Card | None = Field(description="none, yellow (黄牌) or red (红牌); null: not judged")

    @classmethod
    def of(cls, standing: Standing) -> StandingRead:
        milestone = standing.milestone
        return cls(
            spending_progress=standing.progress,
            industry_share=standing.industry_share,
            industry_share_met=standing.industry_share_met,
            milestone=MilestoneRead(by=milestone.by, percent=milestone.percent)
            if milestone
            else None,
            required_progress=standing.required,
            shortfall=standing.shortfall,
            card=standing.card,
        )
