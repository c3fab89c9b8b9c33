"""What a rule asks of a record (触发条件): any event of its type, or an amount at or above a
threshold that depends on the household's kind, or above a share of last year's rural
per-capita income; optionally only for people of some ages (a compulsory-age child)."""

from __future__ import annotations

from decimal import Decimal
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, model_validator

from services.common.money import Money

HouseholdKind = Literal["exited_poverty", "ordinary"]
HOUSEHOLD_KINDS: tuple[HouseholdKind, ...] = ("exited_poverty", "ordinary")


class StrictModel(BaseModel):
    model_config = ConfigDict(extra="forbid")


class IncomeShare(StrictModel):
    """Above `share` of last year's rural per-capita disposable income
    (上年农村居民人均可支配收入)."""

    share: Decimal = Field(gt=0, le=10, max_digits=6, decimal_places=4, examples=["0.5"])
    rural_income_per_capita: Money

    def threshold(self) -> Decimal:
        return self.share * self.rural_income_per_capita


class AgeRange(StrictModel):
    """Ages in whole years on the event's date, both ends included (e.g. 6 to 15: 义务教育阶段)."""

    from_age: int = Field(ge=0, le=150)
    to_age: int = Field(ge=0, le=150)

    @model_validator(mode="after")
    def _ordered(self) -> AgeRange:
        if self.from_age > self.to_age:
            raise ValueError("from_age must not be above to_age")
        return self


class Condition(StrictModel):
    """`match: any` fires on every event of the rule's type; `match: amount` on an amount at
    or above `at_least` for the household's kind (a person the registry does not hold counts
    as `ordinary`), or above `income_share` when given."""

    match: Literal["any", "amount"]
    at_least: dict[HouseholdKind, Money] | None = Field(
        None,
        description="Amount thresholds by household kind (脱贫户/一般农户), both kinds required",
        examples=[{"exited_poverty": "5000.00", "ordinary": "20000.00"}],
    )
    income_share: IncomeShare | None = None
    ages: AgeRange | None = None

    @model_validator(mode="after")
    def _consistent(self) -> Condition:
        if self.match == "amount":
            if self.at_least is None or set(self.at_least) != set(HOUSEHOLD_KINDS):
                raise ValueError("an amount condition needs at_least for both household kinds")
        elif self.at_least is not None or self.income_share is not None:
            raise ValueError("at_least and income_share belong to amount conditions")
        return self
